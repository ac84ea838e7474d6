# SPDX-License-Identifier: GPL-2.0
#
# Reliability (issue 7; sourced by suite.sh, busybox sh): invalid module
# parameters, fuzzed securityfs input, privilege refusals, injected faults
# with the debug module (/opt/lsmrevoke-test/debug/lsmrevoke.ko, built with
# LSMREVOKE_DEBUG=y by tests/run-qemu.sh) and a concurrent stress
# (STRESS_SECS from /etc/lsmrevoke-test.conf, 60 s by default; `make
# stress` passes LSMREVOKE_STRESS_SECS=300), then the stress with opens
# racing rmmod (20 s). Starts and ends with the module unloaded and no
# program of its own loaded. docs/reliability.md describes every check.

RP=$PINS/robust
RW=$WORK/robust
DEBUG_KO=$T/debug/lsmrevoke.ko
mkdir -p "$RW"

RB_STRESS_SECS=60
if [ -r /etc/lsmrevoke-test.conf ]; then
	_s=$(sed -n 's/^STRESS_SECS=//p' /etc/lsmrevoke-test.conf)
	case $_s in '' | *[!0-9]*) ;; *) RB_STRESS_SECS=$_s ;; esac
fi
# Unreclaimable slab the stress may leave behind once every program is
# freed, the module is gone and the caches are shrunk (docs/reliability.md,
# "Stress", says what is left and why).
RB_SLAB_BOUND=2048

# The fault sites of module/fault.c. Symbols: module/ksyms.c's table, the
# helpers of module/requirement.c's table, and module/hooks.c's table
# (lockdown_write is an optional probe).
RB_KSYMS="kallsyms_lookup_name $POKE_QUEUE
$POKE_FINISH text_mutex prog_idr prog_idr_lock map_idr
map_idr_lock bpf_lsm_locked_down kprobes_all_disarmed bpf_probe_read_kernel
bpf_probe_read_kernel_str bpf_probe_read_compat bpf_probe_read_compat_str
bpf_probe_write_user bpf_snprintf_btf bpf_seq_printf_btf"
RB_MISC_FIXUPS=do_misc_fixups
grep -q ' bpf_do_misc_fixups$' /proc/kallsyms && RB_MISC_FIXUPS=bpf_do_misc_fixups
RB_HOOKS_REQUIRED="bpf_prog_free $SELECT_RUNTIME perf_event_bpf_event
prog_fd_array_get_ptr prog_array_map_poke_run prog_array_map_clear
bpf_trampoline_link_prog bpf_trampoline_unlink_prog bpf_check
check_helper_mem_access check_mem_size_reg $RB_MISC_FIXUPS
__x64_sys_delete_module write_enabled_file_bool"
RB_HOOKS_OPTIONAL='lockdown_write __ia32_sys_delete_module'
RB_FS='events kernel_programs mode programs requirements revalidate stats strict symbols'
RB_INIT_SITES="$(for s in $RB_KSYMS; do echo "ksym:$s"; done)
layout alloc:cache alloc:wq notifier guard:kprobes guard:ftrace
$(for s in $RB_HOOKS_REQUIRED; do echo "hook:$s"; done)
$(for f in $RB_FS; do echo "fs:$f"; done)"

rb_unload() {
	module_loaded || return 0
	to 60 rmmod lsmrevoke >"$RW/rmmod.out" 2>&1 && return 0
	t_err "rmmod lsmrevoke: expected success, saw '$(cat "$RW/rmmod.out")'"
	return 1
}

# rb_dmesg_tail: the last module lines since the mark, as diagnostics.
rb_dmesg_tail() {
	dmesg_since_mark | grep 'lsmrevoke' | tail -n "${1:-8}" >"$RW/dmesg.tail"
	diag_file "$RW/dmesg.tail" "dmesg: "
}

# (A cache SLUB merged with another has no line of its own, and its
# /sys/kernel/slab alias outlives it: only an unmerged cache is seen.)
slab_has_entry_cache() {
	grep -q '^lsmrevoke_entry ' /proc/slabinfo 2>/dev/null
}

# --- 1. invalid module parameters ---------------------------------------

test_robust_params() {
	t_begin robust_params
	rb_unload || { t_end; return; }
	for _p in mode=x on_revoke=x strict=7 mode= on_revoke=detachx; do
		_name=${_p%%=*}
		mark
		if to 60 modprobe lsmrevoke $QUIET "$_p" >"$RW/param.out" 2>&1; then
			t_err "modprobe lsmrevoke $_p: expected failure, saw success"
			rb_unload
			continue
		fi
		diag "modprobe $_p: $(head -n 1 "$RW/param.out")"
		# The kernel (or the module) names the parameter.
		if dmesg_since_mark | grep 'lsmrevoke' | grep -q "$_name"; then
			t_pass
		else
			rb_dmesg_tail
			t_err "modprobe $_p: expected a kernel line naming '$_name', saw none"
		fi
		module_loaded && t_err "modprobe $_p: expected no module loaded, saw it"
	done
	t_end
}

# --- 2. fuzzed input ----------------------------------------------------

test_robust_fuzz() {
	t_begin robust_fuzz
	if ! to 60 modprobe lsmrevoke $QUIET >"$RW/modprobe.out" 2>&1; then
		t_err "modprobe lsmrevoke: expected success, saw '$(cat "$RW/modprobe.out")'"
		t_end
		return
	fi
	# A few programs, so that the valid revalidate writes have work.
	to 60 "$BIN" load "$PROGS/read_kernel.bpf.o" "$RP/fuzz/rk" >/dev/null 2>&1 ||
		t_err "load read_kernel.bpf.o: expected success, saw failure"
	to 60 "$BIN" load "$PROGS/plain.bpf.o" "$RP/fuzz/plain" >/dev/null 2>&1 ||
		t_err "load plain.bpf.o: expected success, saw failure"
	_seed=$(($(date +%s) % 100000))
	diag "fuzz seed $_seed (rerun: lsmrevoke-test robust fuzz $SFS 120000 4 $_seed)"
	to 300 "$BIN" robust fuzz "$SFS" 120000 4 "$_seed" >"$RW/fuzz.out" 2>&1
	_rc=$?
	diag_file "$RW/fuzz.out" "fuzz: "
	t_eq "fuzz exit status (0: only EINVAL/EPERM/EFAULT/EAGAIN/ESPIPE, state unchanged)" 0 "$_rc"
	_w=$(sed -n 's/^fuzz: writes \([0-9]*\) .*/\1/p' "$RW/fuzz.out")
	if [ -n "$_w" ] && [ "$_w" -ge 100000 ]; then
		t_pass
	else
		t_err "fuzz writes: expected >= 100000, saw '$_w'"
	fi
	_r=$(sed -n 's/^fuzz: .* reads \([0-9]*\) .*/\1/p' "$RW/fuzz.out")
	[ -n "$_r" ] && [ "$_r" -gt 0 ] || t_err "fuzz reads: expected > 0, saw '$_r'"
	rm -rf "$RP/fuzz"
	t_end
}

# --- 3. privilege ---------------------------------------------------------

# rb_refused WHO RESULT FILE OP: RESULT of "robust try" must be a refusal.
rb_refused() {
	case $2 in
	open:EACCES | open:EPERM) t_pass ;;
	*) t_err "$1 $4 $3: expected open:EACCES or open:EPERM, saw '$2'" ;;
	esac
}

test_robust_privilege() {
	t_begin robust_privilege
	module_loaded || to 60 modprobe lsmrevoke $QUIET >/dev/null 2>&1
	if ! [ -r "$SFS/programs" ]; then
		t_err "module not loaded"
		t_end
		return
	fi
	# The same calls as root succeed, or refusals prove nothing.
	t_eq "root reading stats" OK "$("$BIN" robust try "$SFS/stats" r)"
	t_eq "root writing revalidate" OK "$("$BIN" robust try "$SFS/revalidate" w 1)"
	for _f in $RB_FS; do
		case $_f in
		revalidate) _ops=w ;;
		mode | strict) _ops='r w' ;;
		*) _ops=r ;;
		esac
		for _op in $_ops; do
			case $_f in mode) _d=audit ;; *) _d=1 ;; esac
			rb_refused "uid 65534" "$("$BIN" asuser 65534 "$BIN" robust try "$SFS/$_f" "$_op" "$_d" 2>&1)" "$_f" "$_op"
			rb_refused "uid 0 without capabilities" "$("$BIN" nocap "$BIN" robust try "$SFS/$_f" "$_op" "$_d" 2>&1)" "$_f" "$_op"
		done
	done
	t_eq "mode after the refused writes" enforce "$(cat "$SFS/mode")"
	t_eq "strict after the refused writes" 0 "$(cat "$SFS/strict")"

	# Root in a user namespace (what unshare -Ur makes), in C.
	"$BIN" robust userns "$SFS" >"$RW/userns.out" 2>&1
	_rc=$?
	diag_file "$RW/userns.out" "userns: "
	if [ "$_rc" = 2 ]; then
		t_err "user namespace: expected one (unshare + uid_map), saw '$(head -n 1 "$RW/userns.out")'"
	else
		t_eq "user-namespace root: files opened (0: every one refused)" 0 "$_rc"
	fi
	# And with busybox's unshare, if it has -U and -r.
	if unshare -Ur true 2>/dev/null; then
		for _f in revalidate mode strict; do
			if unshare -Ur sh -c "echo 1 >$SFS/$_f" 2>/dev/null; then
				t_err "unshare -Ur: write to $_f: expected refusal, saw success"
			else
				t_pass
			fi
		done
	else
		diag "busybox unshare has no -Ur: the C test above stands for it"
	fi
	t_eq "mode after the user-namespace writes" enforce "$(cat "$SFS/mode")"
	t_eq "strict after the user-namespace writes" 0 "$(cat "$SFS/strict")"

	# The command fails cleanly for such callers: an error, no crash.
	for _who in "asuser 65534" nocap; do
		for _c in status revalidate; do
			"$BIN" $_who lsmrevoke $_c >"$RW/cli.out" 2>&1
			_rc=$?
			if [ "$_rc" -ge 1 ] && [ "$_rc" -lt 128 ] && [ -s "$RW/cli.out" ]; then
				t_pass
			else
				t_err "lsmrevoke $_c as $_who: expected exit 1..127 with a message, saw exit $_rc '$(head -n 1 "$RW/cli.out")'"
			fi
		done
	done
	rb_unload
	t_end
}

# --- 4. injected faults ---------------------------------------------------

# rb_clean_after_fail SITE: nothing of a failed load is left.
rb_clean_after_fail() {
	module_loaded && { t_err "$1: expected no module after the failed load, saw it"; rb_unload; }
	[ -e "$SFS" ] && t_err "$1: expected no $SFS after the failed load, saw it"
	kprobes_list >"$RW/kprobes.after"
	cmp -s "$RW/kprobes.before" "$RW/kprobes.after" ||
		t_err "$1: expected the kprobes list from before, saw '$(grep -vxF -f "$RW/kprobes.before" "$RW/kprobes.after" | head -n 1)'"
	slab_has_entry_cache && t_err "$1: expected no lsmrevoke_entry slab cache, saw one"
}

test_robust_fault_init() {
	t_begin robust_fault_init
	rb_unload || { t_end; return; }
	if [ ! -f "$DEBUG_KO" ]; then
		t_err "debug module: expected $DEBUG_KO (tests/run-qemu.sh builds it), saw none"
		t_end
		return
	fi
	kprobes_list >"$RW/kprobes.before"
	_n=0
	for _site in $RB_INIT_SITES; do
		_n=$((_n + 1))
		mark
		if to 60 insmod "$DEBUG_KO" $QUIET "fail_site=$_site" >"$RW/insmod.out" 2>&1; then
			rb_dmesg_tail 4
			t_err "fail_site=$_site: expected the load to fail, saw success"
			rb_unload
			continue
		fi
		dmesg_since_mark >"$RW/dmesg.site"
		grep -q "lsmrevoke: injected fault at $_site\$" "$RW/dmesg.site" ||
			t_err "fail_site=$_site: expected 'injected fault at $_site' in the log, saw none"
		# The failure says what failed (not only the injection line).
		_why=$(grep 'lsmrevoke: ' "$RW/dmesg.site" | grep -v -e 'injected fault' -e 'taint' | head -n 1)
		[ -n "$_why" ] || t_err "fail_site=$_site: expected a line saying what failed, saw none"
		rb_clean_after_fail "fail_site=$_site"
	done
	diag "init fault sites tried: $_n"
	# After all of them, the debug module loads and unloads.
	if to 60 insmod "$DEBUG_KO" $QUIET >"$RW/insmod.out" 2>&1 && [ -r "$SFS/programs" ]; then
		t_pass
	else
		t_err "plain insmod of the debug module after the faults: expected success, saw '$(cat "$RW/insmod.out")'"
	fi
	rb_unload
	rb_clean_after_fail "after the plain debug load"
	# An optional probe that cannot be placed: the load goes on and says so.
	for _h in $RB_HOOKS_OPTIONAL; do
		mark
		if to 60 insmod "$DEBUG_KO" $QUIET "fail_site=hook:$_h" >"$RW/insmod.out" 2>&1; then
			dmesg_since_mark | grep -q "optional probe on $_h not placed" ||
				t_err "fail_site=hook:$_h: expected 'optional probe on $_h not placed', saw none"
			rb_unload
		else
			t_err "fail_site=hook:$_h (optional): expected the load to succeed, saw '$(cat "$RW/insmod.out")'"
		fi
	done
	t_end
}

# rb_load_debug SITE: insmod the debug module failing at SITE.
rb_load_debug() {
	rb_unload || return 1
	mark
	if to 60 insmod "$DEBUG_KO" $QUIET "fail_site=$1" >"$RW/insmod.out" 2>&1 &&
		[ -r "$SFS/programs" ]; then
		return 0
	fi
	t_err "fail_site=$1 (runtime site): expected the load to succeed, saw '$(cat "$RW/insmod.out")'"
	return 1
}

# rb_deny: the locked_down denier attached and denying.
rb_deny() {
	to 60 "$BIN" trace up "$PROGS/trace_deny.bpf.o" "$RP/deny" >/dev/null 2>"$RW/deny.err" &&
		"$BIN" trace set "$RP/deny" enabled 1 >/dev/null 2>&1 && return 0
	t_err "attach the denier: expected success, saw '$(tail -n 1 "$RW/deny.err")'"
	return 1
}

# rb_state ID: the state field of program ID.
rb_state() {
	prog_line "$1" | cut -d' ' -f5
}

# rb_wait_state ID STATE: writes revalidate until program ID is in STATE,
# for at most 5 s. An unpinned link (the denier's) is released after an
# RCU grace period, from a worker: a revalidate right after the unpin can
# still see it attached.
rb_wait_state() {
	_n=50
	while [ "$_n" -gt 0 ] && [ "$(rb_state "$1")" != "$2" ]; do
		"$BIN" trace write "$SFS/revalidate" 1 >/dev/null
		nap
		_n=$((_n - 1))
	done
}

# rb_expect_kept SITE PIN ID WANT_RE LOGRE: program ID's state matches
# WANT_RE, its image is the one in $RW/before.img, and a log line
# since the mark matches LOGRE.
rb_expect_kept() {
	_st=$(rb_state "$3")
	if printf '%s\n' "$_st" | grep -Eqx "$4"; then
		t_pass
	else
		t_err "$1: prog $3: expected state $4, saw '${_st:-no line}'"
	fi
	if "$BIN" trace jited "$2" "$RW/after" >/dev/null 2>&1 &&
		cmp -s "$RW/before.img" "$RW/after.img"; then
		t_pass
	else
		t_err "$1: prog $3: expected its JIT image byte-identical to before, saw it differ (half-patched)"
	fi
	if dmesg_since_mark | grep 'lsmrevoke: ' | grep -v 'injected fault' | grep -Eq "$5"; then
		t_pass
	else
		rb_dmesg_tail
		t_err "$1: expected a log line matching '$5', saw none"
	fi
}

test_robust_fault_runtime() {
	t_begin robust_fault_runtime
	if [ ! -f "$DEBUG_KO" ]; then
		t_err "debug module: expected $DEBUG_KO, saw none"
		t_end
		return
	fi

	# poke: the entry patch fails -> unrevocable:poke_failed, untouched.
	if rb_load_debug poke; then
		if to 60 "$BIN" load "$PROGS/read_kernel.bpf.o" "$RP/poke" >"$RW/poke.ids" 2>&1; then
			_id=$(awk '{ print $2 }' "$RW/poke.ids")
			"$BIN" trace jited "$RP/poke/read_kernel" "$RW/before" >/dev/null 2>&1 ||
				t_err "poke: jited dump: expected success, saw failure"
			rb_deny && "$BIN" trace write "$SFS/revalidate" 1 >/dev/null
			rb_expect_kept poke "$RP/poke/read_kernel" "$_id" 'unrevocable:poke_failed' \
				"(unrevocable|prog $_id).*poke"
		else
			t_err "poke: load read_kernel.bpf.o: expected success, saw '$(cat "$RW/poke.ids")'"
		fi
		rm -rf "$RP/poke" "$RP/deny"
	fi

	# alloc:defer: a policy change (a second locked_down program attached
	# while the first denies) cannot allocate its deferred pass -> it
	# takes the reserve: revoked before the attach returns.
	# defer:reserve: the reserve is gone too -> the program stays active,
	# untouched, and the log says so; a revalidate still revokes.
	# (A program denied at load never passes the verifier, so the
	# load-time deferral cannot be reached with a denying policy.)
	for _site in alloc:defer defer:reserve; do
		rb_load_debug $_site || continue
		if to 60 "$BIN" load "$PROGS/read_kernel.bpf.o" "$RP/defer" >"$RW/defer.ids" 2>&1; then
			_id=$(awk '{ print $2 }' "$RW/defer.ids")
			"$BIN" trace jited "$RP/defer/read_kernel" "$RW/before" >/dev/null 2>&1
			rb_deny
			to 60 "$BIN" trace up "$PROGS/trace_deny.bpf.o" "$RP/deny2" >/dev/null 2>&1 ||
				t_err "$_site: attach a second denier: expected success, saw failure"
			if [ $_site = alloc:defer ]; then
				t_eq "alloc:defer: prog $_id when the attach returned" revoked "$(rb_state "$_id")"
			else
				rb_expect_kept defer:reserve "$RP/defer/read_kernel" "$_id" 'active' \
					'no memory to revalidate'
				"$BIN" trace write "$SFS/revalidate" 1 >/dev/null
				t_eq "defer:reserve: prog $_id after a revalidate" revoked "$(rb_state "$_id")"
			fi
		else
			t_err "$_site: load read_kernel.bpf.o: expected success, saw '$(tail -n 1 "$RW/defer.ids")'"
		fi
		rm -rf "$RP/defer" "$RP/deny" "$RP/deny2"
	done

	# compile:fail: a load that fails after its program was compiled and
	# revoked before its ID existed (strict=1 and the denier deny its
	# BTF read) raises no UNLOAD event; its entry must go when the
	# kernel frees the program, or it would keep holding the module (and
	# name an address the next program may get).
	if rb_load_debug compile:fail; then
		rb_deny
		echo 1 >"$SFS/strict"
		if to 60 "$BIN" load "$PROGS/strict_window.bpf.o" "$RP/cf" >"$RW/cf.out" 2>&1; then
			t_err "compile:fail: load strict_window.bpf.o: expected failure, saw success"
		fi
		dmesg_since_mark | grep -q 'injected fault at compile:fail' ||
			t_err "compile:fail: expected 'injected fault at compile:fail' in the log, saw none"
		dmesg_since_mark | grep -q 'lsmrevoke: revoke prog' &&
			t_err "compile:fail: expected no revocation reported for a program that never got an ID, saw '$(dmesg_since_mark | grep 'lsmrevoke: revoke prog' | head -n 1)'"
		rm -rf "$RP/cf" "$RP/deny"
		echo 0 >"$SFS/strict"
		# The kernel frees a failed load after an RCU grace period.
		sleep 1
		rb_unload
	fi

	# alloc:entry: if programs exist when the module loads, the initial
	# walk needs entries, so the load must fail and unwind, saying which
	# program it could not track; if none exist (whether any do is racy:
	# the kernel frees programs late), the load succeeds and a new
	# program must be listed, or its load logged as not tracked (each
	# pass retries), never silently untracked.
	rb_unload
	kprobes_list >"$RW/kprobes.before"
	mark
	if ! to 60 insmod "$DEBUG_KO" $QUIET fail_site=alloc:entry >"$RW/insmod.out" 2>&1; then
		dmesg_since_mark | grep -q 'lsmrevoke: prog [0-9]* not tracked' ||
			t_err "fail_site=alloc:entry: load failed, expected 'prog N not tracked' in the log, saw none"
		rb_clean_after_fail fail_site=alloc:entry
	elif to 60 "$BIN" load "$PROGS/read_kernel.bpf.o" "$RP/entry" >"$RW/entry.ids" 2>&1; then
		_id=$(awk '{ print $2 }' "$RW/entry.ids")
		"$BIN" trace jited "$RP/entry/read_kernel" "$RW/before" >/dev/null 2>&1
		rb_expect_kept alloc:entry "$RP/entry/read_kernel" "$_id" 'active|unrevocable:.*|' \
			"prog $_id not tracked"
		rm -rf "$RP/entry"
	else
		t_err "alloc:entry: load read_kernel.bpf.o: expected success, saw '$(tail -n 1 "$RW/entry.ids")'"
	fi

	# restore: a restore cannot be queued -> the program stays revoked
	# (its jump in place) and keeps the module loaded; freeing it is the
	# way out. Before, it read "restoring" (or "active") with the jump
	# still there, and rmmod left that jump into freed module text.
	if rb_load_debug restore; then
		if to 60 "$BIN" load "$PROGS/read_kernel.bpf.o" "$RP/rst" >"$RW/rst.ids" 2>&1; then
			_id=$(awk '{ print $2 }' "$RW/rst.ids")
			rb_deny && "$BIN" trace write "$SFS/revalidate" 1 >/dev/null
			t_eq "restore: prog $_id under the denier" revoked "$(rb_state "$_id")"
			# The unpinned denier goes after a grace period: revalidate
			# until a restore has been tried.
			rm -rf "$RP/deny"
			_n=50
			while [ "$_n" -gt 0 ] && ! dmesg_since_mark |
				grep -q "prog $_id: cannot restore its entries"; do
				"$BIN" trace write "$SFS/revalidate" 1 >/dev/null
				nap
				_n=$((_n - 1))
			done
			[ "$_n" -gt 0 ] ||
				t_err "restore: expected 'prog $_id: cannot restore its entries' in the log within 5 s, saw none"
			t_eq "restore: prog $_id once allowed, its restore failing" revoked "$(rb_state "$_id")"
			if to 60 rmmod lsmrevoke >"$RW/rmmod.out" 2>&1; then
				t_err "restore: rmmod with prog $_id's jump in place: expected a refusal, saw success"
				rb_load_debug restore
			else
				t_pass
			fi
			rm -rf "$RP/rst"
			poll_gone 10 "$_id" || t_err "restore: prog $_id: still listed 10 s after unpinning"
		else
			t_err "restore: load read_kernel.bpf.o: expected success, saw '$(cat "$RW/rst.ids")'"
		fi
		rm -rf "$RP/rst" "$RP/deny"
	fi

	# alloc:slot: the target's prog-array slots cannot be recorded ->
	# not revoked (unrevocable:nomem or active), entry untouched, slot kept.
	if rb_load_debug alloc:slot; then
		if to 60 "$BIN" trace up "$PROGS/trace_tailcall.bpf.o" "$RP/tc" >"$RW/tc.ids" 2>&1; then
			_id=$(awk '$1 == "tc_target" { print $2 }' "$RW/tc.ids")
			_r=$("$BIN" trace slot "$RP/tc/map/jmp_table" 0 set "$RP/tc/tc_target" 2>&1)
			t_eq "alloc:slot: put tc_target in slot 0" OK "$_r"
			"$BIN" trace jited "$RP/tc/tc_target" "$RW/before" >/dev/null 2>&1
			rb_deny && "$BIN" trace write "$SFS/revalidate" 1 >/dev/null
			rb_expect_kept alloc:slot "$RP/tc/tc_target" "$_id" 'unrevocable:.*|active' \
				"prog $_id: cannot empty its prog-array slots"
			t_eq "alloc:slot: slot 0 after the failed revoke" "$_id" \
				"$("$BIN" trace slot "$RP/tc/map/jmp_table" 0 get 2>&1)"
		else
			t_err "alloc:slot: trace up trace_tailcall.bpf.o: expected success, saw '$(tail -n 1 "$RW/tc.ids")'"
		fi
		rm -rf "$RP/tc" "$RP/deny"
	fi

	# tailcall:refuse: the insert of a revoked target gets past the return
	# probe (as when a kretprobe misses) -> the poke_run backstop empties
	# the slot: the update succeeds, the slot reads empty, the callers
	# fall through, it stays empty on restore, and the reference the
	# insert took is dropped (unpinned, the target is freed).
	if rb_load_debug tailcall:refuse; then
		if to 60 "$BIN" trace up "$PROGS/trace_tailcall.bpf.o" "$RP/tc" >"$RW/tc.ids" 2>&1; then
			_id=$(awk '$1 == "tc_target" { print $2 }' "$RW/tc.ids")
			_j="$RP/tc/map/jmp_table"
			t_eq "tailcall:refuse: put tc_target in slot 0" OK \
				"$("$BIN" trace slot "$_j" 0 set "$RP/tc/tc_target" 2>&1)"
			rb_deny && "$BIN" trace write "$SFS/revalidate" 1 >/dev/null
			t_eq "tailcall:refuse: prog $_id under the denier" revoked "$(rb_state "$_id")"
			mark
			t_eq "tailcall:refuse: put the revoked target in slot 1 (the return probe lets it by)" \
				OK "$("$BIN" trace slot "$_j" 1 set "$RP/tc/tc_target" 2>&1)"
			t_eq "tailcall:refuse: slot 1 after the backstop" ENOENT \
				"$("$BIN" trace slot "$_j" 1 get 2>&1)"
			if dmesg_since_mark | grep -q "prog $_id entered slot 1 of map [0-9]* while revoked"; then
				t_pass
			else
				rb_dmesg_tail
				t_err "tailcall:refuse: expected 'prog $_id entered slot 1 of map N while revoked', saw none"
			fi
			if _f=$(to 60 "$BIN" trace fire "$RP/tc" "getpriority:5" target_runs var_fall 2>&1); then
				t_eq "tailcall:refuse: revoked target runs" 0 "$(kv "$_f" target_runs)"
				t_eq "tailcall:refuse: variable-key (slot 1) fall-throughs" 5 "$(kv "$_f" var_fall)"
			else
				t_err "tailcall:refuse: fire: expected success, saw '$_f'"
			fi
			rm -rf "$RP/deny"
			rb_wait_state "$_id" active
			t_eq "tailcall:refuse: prog $_id after the denier went" active "$(rb_state "$_id")"
			t_eq "tailcall:refuse: slot 0 after restore" "$_id" \
				"$("$BIN" trace slot "$_j" 0 get 2>&1)"
			t_eq "tailcall:refuse: slot 1 (emptied by the backstop) after restore" ENOENT \
				"$("$BIN" trace slot "$_j" 1 get 2>&1)"
			rm -rf "$RP/tc"
			if poll_gone 10 "$_id"; then t_pass; else
				t_err "tailcall:refuse: prog $_id: still listed 10 s after unpinning (a reference kept)"
			fi
		else
			t_err "tailcall:refuse: trace up trace_tailcall.bpf.o: expected success, saw '$(tail -n 1 "$RW/tc.ids")'"
		fi
		rm -rf "$RP/tc" "$RP/deny"
	fi
	rb_unload
	slab_has_entry_cache && t_err "after the runtime faults: expected no lsmrevoke_entry slab cache, saw one"
	t_end
}

# --- 5. stress ------------------------------------------------------------

rb_sunreclaim() {
	sed -n 's/^SUnreclaim: *\([0-9]*\) kB/\1/p' /proc/meminfo
}

# rb_slab_snap FILE: "<cache> <bytes in its slabs> <bytes in active
# objects> <active objects>" per /proc/slabinfo line (slabs: num_slabs *
# pagesperslab pages; active: active_objs * objsize).
rb_slab_snap() {
	awk 'NR > 2 { print $1, $15 * $6 * 4096, $2 * $4, $2 }' /proc/slabinfo >"$1" 2>/dev/null
}

# rb_slab_top BEFORE AFTER [N]: the N (10) caches whose slabs grew most,
# as diagnostics.
rb_slab_top() {
	awk 'FILENAME == ARGV[1] { s[$1] = $2; a[$1] = $3; o[$1] = $4; next }
		{
			ds = $2 - s[$1]; da = $3 - a[$1]; dn = $4 - o[$1]
			if (ds != 0 || da != 0)
				printf "%d %s slabs %+d kB, active objects %+d kB (%+d objects)\n",
					ds, $1, ds / 1024, da / 1024, dn
		}' "$1" "$2" | sort -rn | head -n "${3:-10}" | cut -d' ' -f2- >"$RW/slab.top"
	diag_file "$RW/slab.top" "slab: "
}

# rb_audit_drain: the audit records the kernel holds for an auditd that
# never came (audit=1, no auditd: up to audit_backlog_limit, 8192, records
# of about 2.3 kB of unreclaimable slab each, skbuff_head_cache and
# kmalloc-2k) are taken by "robust audit-drain", which registers as the
# audit daemon for a moment. What they were goes to the diagnostics.
rb_audit_drain() {
	"$BIN" robust audit-drain >"$RW/audit.drain" 2>&1 ||
		diag "audit-drain failed: the held audit records stay in the slab figures"
	diag_file "$RW/audit.drain" "$1: "
}

# rb_shrink: give back what the kernel caches: pending RCU and workqueue
# frees get a moment, page and inode caches are dropped, every slab cache
# shrunk (its empty slabs and per-cpu partial slabs freed).
rb_shrink() {
	sleep 2
	sync
	echo 3 >/proc/sys/vm/drop_caches 2>/dev/null
	for _f in /sys/kernel/slab/*/shrink; do
		echo 1 >"$_f" 2>/dev/null
	done
	sleep 1
}

# rb_alloc_traces: with slub_debug=U (LSMREVOKE_APPEND), the allocation
# sites of what is still allocated in the kmalloc caches whose caller is
# no longer a symbol (code of an unloaded module), as diagnostics.
rb_alloc_traces() {
	[ -d /sys/kernel/debug/slab ] || return 0
	ls /sys/kernel/debug/slab/kmalloc-*/alloc_traces >/dev/null 2>&1 || return 0
	for _f in /sys/kernel/debug/slab/kmalloc-*/alloc_traces; do
		_c=${_f%/alloc_traces}
		awk -v c="${_c##*/}" '/^ *[0-9]+ / && $2 ~ /^0x/ { print c ": " $0 }' "$_f"
	done >"$RW/alloc.unsym"
	diag "slub_debug alloc_traces: $(wc -l <"$RW/alloc.unsym") allocation sites in kmalloc caches with an unloaded caller"
	diag_file "$RW/alloc.unsym" "unloaded caller: "
}

test_robust_stress() {
	t_begin robust_stress
	rb_unload || { t_end; return; }
	rm -rf "$RP"
	rb_audit_drain "before the stress"
	rb_shrink
	_base=$(rb_sunreclaim)
	rb_slab_snap "$RW/slab.before"
	mark
	to $((RB_STRESS_SECS + 240)) "$BIN" robust stress "$RB_STRESS_SECS" "$PROGS" "$SFS" \
		"modprobe lsmrevoke $QUIET >/dev/null 2>&1" >"$RW/stress.out" 2>&1
	_rc=$?
	diag_file "$RW/stress.out" "stress: "
	t_eq "stress exit status (0: every check passed)" 0 "$_rc"
	grep '^check FAIL' "$RW/stress.out" | head -n 3 >"$RW/stress.fail"
	while IFS= read -r _l; do
		t_err "stress: ${_l#check FAIL }"
	done <"$RW/stress.fail"
	grep -q '^counts: ' "$RW/stress.out" || t_err "stress: expected a counts line, saw none"
	dmesg_since_mark | grep -e 'WARNING:' -e 'BUG:' -e 'left empty at unload' \
		-e 'not restored' >"$RW/stress.dmesg"
	[ -s "$RW/stress.dmesg" ] && t_err "stress: expected no WARNING/BUG/unrestored lines, saw '$(head -n 1 "$RW/stress.dmesg")'"
	rb_unload
	# Memory back to its baseline: every program freed, module gone.
	sleep 2
	_raw=$(rb_sunreclaim)
	rb_slab_snap "$RW/slab.raw"
	diag "SUnreclaim before $_base kB, 2 s after the stress $_raw kB (not shrunk)"
	rb_slab_top "$RW/slab.before" "$RW/slab.raw"
	rb_audit_drain "after the stress"
	# What the kernel frees lazily (RCU, workqueues) and caches (per-cpu
	# and partial slabs) is given back; up to 5 rounds until within bound.
	_n=0
	while :; do
		rb_shrink
		_after=$(rb_sunreclaim)
		_n=$((_n + 1))
		[ $((_after - _base)) -le "$RB_SLAB_BOUND" ] && break
		[ "$_n" -ge 5 ] && break
		sleep 3
	done
	rb_slab_snap "$RW/slab.after"
	diag "SUnreclaim before $_base kB, after $_n shrink rounds $_after kB (bound +$RB_SLAB_BOUND kB)"
	rb_slab_top "$RW/slab.before" "$RW/slab.after"
	rb_alloc_traces
	if [ -n "$_base" ] && [ -n "$_after" ] && [ $((_after - _base)) -le "$RB_SLAB_BOUND" ]; then
		t_pass
	else
		t_err "unreclaimable slab after shrinking: expected at most $_base + $RB_SLAB_BOUND kB, saw $_after kB"
	fi
	slab_has_entry_cache && t_err "stress: expected no lsmrevoke_entry slab cache after rmmod, saw one"
	_left=$("$BIN" show 2>/dev/null | grep -c ' rs_')
	t_eq "stress programs left in the kernel" 0 "$_left"
	t_end
}

# Opens of securityfs files racing rmmod (the stress above keeps them
# apart): opens during the unload must fail with ENODEV, never WARN (a
# fixed defect), and every reload must work (the securityfs directory
# must not outlive an unload that opens raced: a fixed defect too).
test_robust_unload_race() {
	t_begin robust_unload_race
	to 200 env RB_UNLOAD_RACE=1 "$BIN" robust stress 20 "$PROGS" "$SFS" \
		"modprobe lsmrevoke $QUIET >/dev/null 2>&1" >"$RW/race.out" 2>&1
	_rc=$?
	diag_file "$RW/race.out" "race: "
	t_eq "stress with opens racing rmmod: exit status" 0 "$_rc"
	rb_unload
	t_end
}

# A forced unload (rmmod -f: nothing is revoked yet, so the guard lets
# it through) meets a load whose program the compile hook revokes after
# the unload began and before the program's ID exists; fail_site=
# unload:race widens both sides of that race (module/fault.c). The
# unload's restore finds programs by ID: before, it waited for none, so
# the program kept a jump into the freed module's text and its first run
# oopsed. Now the unload waits until it is published, then restores it.
# Last in this group: a forced unload taints the kernel, which turns
# lockdep off for the rest of the run on the debug kernel (skipped there).
test_robust_forced_unload() {
	t_begin robust_forced_unload
	if [ -e /proc/lockdep ]; then
		t_skip "a forced unload taints the kernel, which would turn lockdep off for the rest of this debug run"
		return
	fi
	rb_load_debug unload:race || { t_end; return; }
	rb_deny
	echo 1 >"$SFS/strict"
	# The denier's own load met the site too; the race starts now.
	mark
	to 60 "$BIN" load "$PROGS/strict_window.bpf.o" "$RP/ur" >"$RW/ur.ids" 2>&1 &
	_lp=$!
	_n=50
	while [ "$_n" -gt 0 ] &&
		! dmesg_since_mark | grep -q 'injected fault at unload:race'; do
		nap
		_n=$((_n - 1))
	done
	if to 60 rmmod -f lsmrevoke >"$RW/rmmod.out" 2>&1; then
		t_pass
	else
		t_err "unload:race: rmmod -f lsmrevoke: expected success, saw '$(cat "$RW/rmmod.out")'"
	fi
	wait "$_lp" ||
		t_err "unload:race: load strict_window.bpf.o: expected success, saw '$(tail -n 1 "$RW/ur.ids")'"
	module_loaded && t_err "unload:race: expected no module after rmmod -f, saw it"
	# The race happened as meant: the judgement waited, revoked the
	# program, waited again; the unload waited once.
	_w=$(dmesg_since_mark | grep -c 'injected fault at unload:race')
	t_eq "unload:race: injected waits" 3 "$_w"
	if [ "$_w" != 3 ]; then
		dmesg_since_mark | grep -e 'lsmrevoke' -e 'injected' | tail -n 12 >"$RW/ur.lines"
		diag_file "$RW/ur.lines" "dmesg: "
	fi
	t_eq "unload:race: a run of the program after the unload" "retval 7" \
		"$("$BIN" robust run "$RP/ur/sx_window" 2>&1)"
	rm -rf "$RP/ur" "$RP/deny"
	dmesg_since_mark >"$RW/ur.dmesg"
	t_eq "unload:race: WARNING, BUG or Oops lines" 0 \
		"$(grep -c -e 'WARNING:' -e 'BUG:' -e 'Oops' "$RW/ur.dmesg")"
	t_end
}

test_robust_params
test_robust_fuzz
test_robust_privilege
test_robust_fault_init
test_robust_fault_runtime
test_robust_stress
test_robust_unload_race
test_robust_forced_unload
rm -rf "$RP"
module_loaded && rmmod lsmrevoke 2>/dev/null
