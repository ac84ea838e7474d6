# SPDX-License-Identifier: GPL-2.0
#
# Revocation of tracing programs (sourced by suite.sh after its foundation
# tests; busybox sh). Every scenario has an offender, which calls
# bpf_probe_read_kernel and counts its runs, and a control on the same hook
# without it; both count only events of the pid that "lsmrevoke-test trace
# fire" writes into their monitored_pid. Policy is tightened and relaxed
# with a BPF-LSM lsm/locked_down program that denies
# LOCKDOWN_BPF_READ_KERNEL while enabled (trace_deny.bpf.o), each change
# followed by a write to revalidate (or another trigger under test). While
# revoked, the offender's count must stay exactly constant while the
# control's grows; restored, the offender counts again.
# Leaves the module unloaded and every program of its own freed.

TP=$PINS/trace		# pins of this file, one directory per object
TW=$WORK/trace		# work files
TN=20			# events per phase
DENY_ID=

mkdir -p "$TW"

# --- helpers ------------------------------------------------------------

# tr_up TAG OBJ [--attach-to PIN FUNC]: load, attach and pin OBJ under
# $TP/TAG; "<name> <id>" lines go to $TW/TAG.ids. Fails the test if not.
tr_up() {
	_tag=$1
	_obj=$2
	shift 2
	rm -rf "${TP:?}/$_tag"
	if to 60 "$BIN" trace up "$PROGS/$_obj.bpf.o" "$TP/$_tag" "$@" \
		>"$TW/$_tag.ids" 2>"$TW/$_tag.err"; then
		return 0
	fi
	t_err "load $_obj.bpf.o: expected success, saw '$(tail -n 1 "$TW/$_tag.err")'"
	diag_file "$TW/$_tag.err" "$_obj: "
	return 1
}

tr_down() {
	for _d in "$@"; do
		rm -rf "${TP:?}/$_d"
	done
}

# tr_id TAG NAME: the id of program NAME loaded by tr_up TAG.
tr_id() {
	awk -v n="$2" '$1 == n { print $2 }' "$TW/$1.ids" 2>/dev/null
}

# revalidate: one write of "1"; fails the test unless it succeeds.
revalidate() {
	_r=$(to 60 "$BIN" trace write "$SFS/revalidate" 1 2>&1)
	[ "$_r" = OK ] || t_err "write 1 to revalidate: expected OK, saw '$_r'"
}

# The denier is attached once, disabled, and stays attached until the end
# of this file: its attach and detach are events lsmrevoke reacts to (a
# detach by unpinning even runs a pass from a worker some time later),
# while flipping its enabled global (a write to .bss) raises none. So a
# test tightens and relaxes policy silently, and only its own trigger
# (revalidate, the LSM notifier, module load and unload) makes lsmrevoke
# act.

# deny_attach: attach the denier disabled, if it is not attached yet.
deny_attach() {
	[ -n "$DENY_ID" ] && [ -d "$TP/deny" ] && return 0
	rm -rf "${TP:?}/deny"
	if ! to 60 "$BIN" trace up "$PROGS/trace_deny.bpf.o" "$TP/deny" \
		>"$TW/deny.ids" 2>"$TW/deny.err"; then
		t_err "attach the locked_down denier: expected success, saw '$(tail -n 1 "$TW/deny.err")'"
		return 1
	fi
	DENY_ID=$(awk '$1 == "deny_read" { print $2 }' "$TW/deny.ids")
}

# deny_set 0|1: disable or enable the attached denier (silently).
deny_set() {
	"$BIN" trace set "$TP/deny" enabled "$1" >"$TW/deny.set" 2>&1 && return 0
	t_err "set the denier's enabled to $1: expected success, saw '$(cat "$TW/deny.set")'"
	return 1
}

# deny_on / deny_off: tighten / relax policy silently.
deny_on() {
	deny_attach && deny_set 1
}

deny_off() {
	[ -n "$DENY_ID" ] || return 0
	deny_set 0
}

# deny_detach: detach the denier and wait until it is freed (an unpinned
# link goes after an RCU grace period), so its trampoline is gone.
deny_detach() {
	[ -n "$DENY_ID" ] || return 0
	deny_set 0
	rm -rf "${TP:?}/deny"
	_k=50
	while "$BIN" ids | grep -qx "$DENY_ID"; do
		_k=$((_k - 1))
		if [ "$_k" -le 0 ]; then
			diag "denier (prog $DENY_ID): still loaded 5 s after unpinning"
			return 1
		fi
		nap
	done
	DENY_ID=
}

# state_of ID: the state field of ID's programs line, or "none".
state_of() {
	_sl=$(prog_line "$1")
	if [ -z "$_sl" ]; then
		echo none
	else
		echo "$_sl" | cut -d' ' -f5
	fi
}

# want_state WHAT ID STATE
want_state() {
	t_eq "$1 (prog $2) state" "$3" "$(state_of "$2")"
}

# plan_run TAG SETTING...: "lsmrevoke plan SETTING..." into $TW/TAG.plan,
# with --json into $TW/TAG.pjson, valid against the schema's plan.
plan_run() {
	_pt=$1
	shift
	to 60 /usr/sbin/lsmrevoke plan "$@" >"$TW/$_pt.plan" 2>&1 ||
		t_err "lsmrevoke plan $*: expected exit 0, saw $? ($(tail -n 1 "$TW/$_pt.plan"))"
	to 60 /usr/sbin/lsmrevoke plan "$@" --json >"$TW/$_pt.pjson" \
		2>"$TW/$_pt.perr" ||
		t_err "lsmrevoke plan $* --json: expected exit 0, saw $? ($(head -n 1 "$TW/$_pt.perr"))"
	"$BIN" cli json-check "$T/lsmrevoke.schema.json" plan "$TW/$_pt.pjson" \
		>"$TW/$_pt.pcheck" 2>&1 ||
		t_err "lsmrevoke plan $* --json: expected valid against #/\$defs/plan, saw '$(head -n 1 "$TW/$_pt.pcheck")'"
}

# plan_lists TAG ID: the lists of plan run TAG that name prog ID, text
# then JSON, one line ("" when none).
plan_lists() {
	{
		awk -v id="$2" '$2 == id { print $1 }' "$TW/$1.plan"
		for _pl in revoke restore stays_running undetermined withdraw; do
			case " $(plan_json_ids "$TW/$1.pjson" $_pl) " in
			*" $2 "*) echo "json:$_pl" ;;
			esac
		done
	} | tr '\n' ' '
}

# want_requires WHAT ID: ID's requires field names bpf_read_kernel.
want_requires() {
	_rq=$(prog_line "$2" | cut -d' ' -f4)
	case ",$_rq," in
	*,bpf_read_kernel,*) t_pass ;;
	*) t_err "$1 (prog $2) requires: expected bpf_read_kernel, saw '$_rq'" ;;
	esac
}

# fire TAG SPEC VAR...: run the events with TAG's monitored_pid set; the
# output (VAR=delta ... errors=N) lands in FIRE.
fire() {
	_tag=$1
	_spec=$2
	shift 2
	FIRE=
	if ! FIRE=$(to 60 "$BIN" trace fire "$TP/$_tag" "$_spec" "$@" 2>"$TW/fire.err"); then
		t_err "fire $_spec ($_tag): expected success, saw '$(tail -n 1 "$TW/fire.err")'"
		FIRE=
		return 1
	fi
	diag "$_tag $_spec: $FIRE"
}

# dl VAR: VAR's delta in the last fire.
dl() {
	kv "$FIRE" "$1"
}

isnum() {
	case $1 in
	'' | *[!0-9-]*) return 1 ;;
	esac
	return 0
}

# want_ge WHAT MIN ACTUAL / want_eq WHAT EXPECTED ACTUAL (numbers)
want_ge() {
	if isnum "$3" && [ "$3" -ge "$2" ]; then
		t_pass
	else
		t_err "$1: expected >= $2, saw '$3'"
	fi
}

want_eq() {
	if isnum "$3" && [ "$3" -eq "$2" ]; then
		t_pass
	else
		t_err "$1: expected $2, saw '$3'"
	fi
}

# minus A B: A - B, or "?" unless both are numbers (arithmetic on
# anything else would end the shell).
minus() {
	if isnum "$1" && isnum "$2"; then
		echo $(($1 - $2))
	else
		echo "?"
	fi
}

# want_ok_syscalls PHASE: the last fire had no failing syscall.
want_ok_syscalls() {
	want_eq "$1: failed syscalls" 0 "$(dl errors)"
}

# counts_both TAG SPEC MIN PHASE [OFFVAR CTLVAR]: both count >= MIN.
counts_both() {
	fire "$1" "$2" "${5:-off_runs}" "${6:-ctl_runs}" || return
	want_ge "$4: offender runs" "$3" "$(dl "${5:-off_runs}")"
	want_ge "$4: control runs" "$3" "$(dl "${6:-ctl_runs}")"
	want_ok_syscalls "$4"
}

# frozen TAG SPEC MIN PHASE: the offender exactly still, control >= MIN.
frozen() {
	fire "$1" "$2" off_runs ctl_runs || return
	want_eq "$4: offender runs (revoked)" 0 "$(dl off_runs)"
	want_ge "$4: control runs" "$3" "$(dl ctl_runs)"
	want_ok_syscalls "$4"
}

# st_val KEY: a value of the stats file.
st_val() {
	awk -v k="$1" '$1 == k { print $2 }' "$SFS/stats" 2>/dev/null
}

# poke_calls: calls= of text_poke_queue in symbols (one per entry written).
poke_calls() {
	kv "$(awk -v f="$POKE_QUEUE" '$1 == f' "$SFS/symbols" 2>/dev/null)" calls
}

# cycle TAG SPEC MIN STRICT: the revoke/restore cycle for the offender
# (*_off) and control (*_ctl) loaded by tr_up TAG. STRICT=1 also checks
# that a silent policy change alone changes nothing, the log lines and the
# text-poke count.
cycle() {
	_ct=$1
	_cs=$2
	_cm=$3
	_off=$(awk '$1 ~ /_off$/ { print $2 }' "$TW/$_ct.ids")
	_ctl=$(awk '$1 ~ /_ctl$/ { print $2 }' "$TW/$_ct.ids")
	_offn=$(awk '$1 ~ /_off$/ { print $1 }' "$TW/$_ct.ids")
	if [ -z "$_off" ] || [ -z "$_ctl" ]; then
		t_err "$_ct: expected an offender and a control, saw '$(cat "$TW/$_ct.ids")'"
		return
	fi
	diag "$_ct: offender $_offn id $_off, control id $_ctl"
	want_state "offender before" "$_off" active
	want_state "control before" "$_ctl" active
	want_requires offender "$_off"
	counts_both "$_ct" "$_cs" "$_cm" before

	[ "$4" = 1 ] && _pc0=$(poke_calls)
	deny_on || return
	if [ "$4" = 1 ]; then
		want_state "offender after a silent policy change, before any pass" \
			"$_off" active
	else
		diag "offender before the pass: $(state_of "$_off")"
	fi
	mark
	revalidate
	want_state "offender under the denier" "$_off" revoked
	want_state "control under the denier" "$_ctl" active
	frozen "$_ct" "$_cs" "$_cm" revoked
	if [ "$4" = 1 ]; then
		module_lines_since_mark >"$TW/$_ct.log"
		diag_file "$TW/$_ct.log" "log: "
		t_eq "log lines 'lsmrevoke: revoke prog $_off ($_offn, kprobe): bpf_read_kernel'" 1 \
			"$(grep -cF "lsmrevoke: revoke prog $_off ($_offn, kprobe): bpf_read_kernel" "$TW/$_ct.log")"
		_pc1=$(poke_calls)
		if isnum "$_pc0" && isnum "$_pc1" && [ "$_pc1" -gt "$_pc0" ]; then
			t_pass
		else
			t_err "text_poke_queue calls=: expected to grow on revoke, saw '$_pc0' then '$_pc1'"
		fi
	fi

	deny_set 0
	mark
	revalidate
	want_state "offender after the policy relaxed" "$_off" active
	want_state "control after the policy relaxed" "$_ctl" active
	counts_both "$_ct" "$_cs" "$_cm" restored
	if [ "$4" = 1 ]; then
		module_lines_since_mark >"$TW/$_ct.log2"
		diag_file "$TW/$_ct.log2" "log: "
		t_eq "log lines 'lsmrevoke: restore prog $_off ($_offn, kprobe): allowed'" 1 \
			"$(grep -cF "lsmrevoke: restore prog $_off ($_offn, kprobe): allowed" "$TW/$_ct.log2")"
		_pc2=$(poke_calls)
		if isnum "$_pc1" && isnum "$_pc2" && [ "$_pc2" -gt "$_pc1" ]; then
			t_pass
		else
			t_err "text_poke_queue calls=: expected to grow on restore, saw '$_pc1' then '$_pc2'"
		fi
	fi
	deny_off
}

# begin NAME: t_begin, and a loaded module (else the test fails now).
begin() {
	t_begin "$1"
	need_module && return 0
	t_err "module not loaded"
	return 1
}

# pair_test NAME OBJ SPEC MIN [STRICT]: cycle for one object.
pair_test() {
	if begin "$1" && tr_up "$1" "$2"; then
		cycle "$1" "$3" "$4" "${5:-0}"
	fi
	deny_off
	tr_down "$1"
	t_end
}

# --- 1-11: one hook each ----------------------------------------------

trace_pairs() {
	pair_test trace_kprobe trace_kprobe "getpriority:$TN" "$TN" 1
	pair_test trace_tracepoint trace_tp "getpriority:$TN" "$TN"
	pair_test trace_raw_tp trace_rawtp "getpriority:$TN" "$TN"
	pair_test trace_perf_event trace_perf "pagefault:$TN" "$TN"
	pair_test trace_fentry trace_fentry "getpriority:$TN" "$TN"
	pair_test trace_fexit trace_fexit "getpriority:$TN" "$TN"
	pair_test trace_fmod_ret trace_fmodret "setnice:$TN" "$TN"
	pair_test trace_lsm trace_lsm "setnice:$TN" "$TN"
	pair_test trace_sleepable trace_sleep "capget:$TN" "$TN"
	# The callbacks re-arm every 5 ms: 400 ms give some 70 runs, but a
	# loaded host may delay them, so wait up to 3 s more for 3 of each
	# (while revoked, for the offender's in vain).
	# PREEMPT_RT kernels refuse bpf_timer at load ("bpf_timer cannot be
	# used for PREEMPT_RT"): there is no timer callback to revoke there.
	if uname -v | grep -q PREEMPT_RT; then
		t_begin trace_timer
		t_skip "PREEMPT_RT: the verifier refuses bpf_timer, so no program can have a timer callback"
	else
		pair_test trace_timer trace_timer \
			"getpriority:1,sleep:400,wait:3000:ctl_runs:3,wait:3000:off_runs:3" 3
	fi
	# Four callback runs per event.
	pair_test trace_loop trace_loop "getpriority:$TN" $((4 * TN))
}

# --- 12: tail calls -------------------------------------------------------

# slot TAG KEY get|del|set [PROG]: prints what lsmrevoke-test prints.
slot() {
	_st=$1
	_sk=$2
	shift 2
	if [ "$1" = set ]; then
		"$BIN" trace slot "$TP/$_st/map/jmp_table" "$_sk" set "$TP/$_st/$2" 2>&1
	else
		"$BIN" trace slot "$TP/$_st/map/jmp_table" "$_sk" "$1" 2>&1
	fi
}

# tc_setup TAG: tr_up trace_tailcall, the target in slots 0-3.
tc_setup() {
	tr_up "$1" trace_tailcall || return 1
	for _k in 0 1 2 3; do
		_r=$(slot "$1" $_k set tc_target)
		if [ "$_r" != OK ]; then
			t_err "put tc_target into slot $_k: expected OK, saw '$_r'"
			return 1
		fi
	done
}

TC_VARS='target_runs const_fall var_fall const_calls var_calls'

test_tailcall() {
	begin trace_tailcall || { t_end; return; }
	if ! tc_setup tc; then
		tr_down tc
		t_end
		return
	fi
	_v=$(tr_id tc tc_target)
	_w=$(tr_id tc tc_other)
	diag "tail-call target id $_v, other $_w"
	want_state "target before" "$_v" active
	want_requires target "$_v"
	for _c in tc_const tc_var; do
		want_state "$_c before" "$(tr_id tc $_c)" active
	done
	fire tc "getpriority:$TN" $TC_VARS
	want_eq "before: caller runs (const key)" "$TN" "$(dl const_calls)"
	want_eq "before: caller runs (variable key)" "$TN" "$(dl var_calls)"
	want_eq "before: target runs (both callers)" $((2 * TN)) "$(dl target_runs)"
	want_eq "before: fall-throughs (const key)" 0 "$(dl const_fall)"
	want_eq "before: fall-throughs (variable key)" 0 "$(dl var_fall)"

	deny_on
	revalidate
	want_state "target under the denier" "$_v" revoked
	for _c in tc_const tc_var; do
		want_state "$_c (control) under the denier" "$(tr_id tc $_c)" active
	done
	for _k in 0 1 2 3; do
		t_eq "slot $_k lookup while the target is revoked" ENOENT "$(slot tc $_k get)"
	done
	fire tc "getpriority:$TN" $TC_VARS
	want_eq "revoked: target runs" 0 "$(dl target_runs)"
	want_eq "revoked: fall-throughs (const key)" "$TN" "$(dl const_fall)"
	want_eq "revoked: fall-throughs (variable key)" "$TN" "$(dl var_fall)"
	t_eq "put the revoked target into slot 4" EPERM "$(slot tc 4 set tc_target)"
	t_eq "slot 4 after the refused update" ENOENT "$(slot tc 4 get)"
	t_eq "delete the target's emptied slot 2" ENOENT "$(slot tc 2 del)"
	t_eq "put tc_other into the target's emptied slot 3" OK "$(slot tc 3 set tc_other)"

	deny_set 0
	revalidate
	want_state "target after the policy relaxed" "$_v" active
	t_eq "slot 0 after restore" "$_v" "$(slot tc 0 get)"
	t_eq "slot 1 after restore" "$_v" "$(slot tc 1 get)"
	t_eq "slot 2 (deleted while revoked) after restore" ENOENT "$(slot tc 2 get)"
	t_eq "slot 3 (replaced while revoked) after restore" "$_w" "$(slot tc 3 get)"
	t_eq "slot 4 after restore" ENOENT "$(slot tc 4 get)"
	fire tc "getpriority:$TN" $TC_VARS
	want_eq "restored: target runs (both callers)" $((2 * TN)) "$(dl target_runs)"
	want_eq "restored: fall-throughs (const key)" 0 "$(dl const_fall)"
	want_eq "restored: fall-throughs (variable key)" 0 "$(dl var_fall)"
	# And the slot update path still works for the restored target.
	t_eq "put the restored target into slot 4" OK "$(slot tc 4 set tc_target)"
	t_eq "slot 4 after the update" "$_v" "$(slot tc 4 get)"
	deny_off
	tr_down tc
	# The refused insert's reference was dropped: nothing keeps it.
	if poll_gone 10 "$_v"; then t_pass; else
		t_err "tail-call target $_v: expected freed once unpinned, saw it listed 10 s later (the refused insert's reference kept)"
	fi
	t_end
}

# --- 13: byte-exact restore --------------------------------------------

# jited TAG NAME PHASE: dump NAME's image to $TW/TAG.NAME.PHASE.*; JF is
# its number of functions (0 when the dump failed).
jited() {
	JF=0
	if ! "$BIN" trace jited "$TP/$1/$2" "$TW/$1.$2.$3" >"$TW/jited.out" 2>&1; then
		t_err "jited image of $2 ($3): expected a dump, saw '$(cat "$TW/jited.out")'"
		return
	fi
	JF=$(sed -n 's/.*funcs=//p' "$TW/jited.out")
}

# same_image TAG NAME A B: the whole images (every function) are equal.
same_image() {
	if cmp -s "$TW/$1.$2.$3.img" "$TW/$1.$2.$4.img"; then
		t_pass
	else
		t_err "$2 image: expected $4 identical to $3, saw a difference ($(cmp "$TW/$1.$2.$3.img" "$TW/$1.$2.$4.img" 2>&1 | head -n 1))"
	fi
}

# differs_each TAG NAME A B FUNCS: every function's image differs.
differs_each() {
	_f=0
	while [ "$_f" -lt "$5" ]; do
		if cmp -s "$TW/$1.$2.$3.$_f" "$TW/$1.$2.$4.$_f"; then
			t_err "$2 function $_f: expected its entry patched while revoked, saw the image of $3"
		else
			t_pass
		fi
		_f=$((_f + 1))
	done
}

test_restore_exact() {
	begin trace_restore_exact || { t_end; return; }
	# trace_loop: a main program and a callback subprogram, both patched.
	if ! tr_up exact trace_loop; then
		tr_down exact
		t_end
		return
	fi
	_off=$(tr_id exact lp_off)
	jited exact lp_off before
	_nf=$JF
	t_eq "lp_off JITed functions (main + callback)" 2 "$_nf"
	jited exact lp_ctl before
	deny_on
	revalidate
	want_state "lp_off under the denier" "$_off" revoked
	jited exact lp_off revoked
	jited exact lp_ctl revoked
	differs_each exact lp_off before revoked "$_nf"
	same_image exact lp_ctl before revoked
	deny_set 0
	revalidate
	want_state "lp_off after the policy relaxed" "$_off" active
	jited exact lp_off restored
	same_image exact lp_off before restored
	jited exact lp_ctl restored
	same_image exact lp_ctl before restored
	# Exact bytes, and they still run.
	counts_both exact "getpriority:$TN" $((4 * TN)) restored
	deny_off
	tr_down exact
	t_end
}

# --- 14: the LSM notifier -------------------------------------------------

test_notifier() {
	begin trace_notifier || { t_end; return; }
	if ! tr_up notify trace_kprobe; then
		tr_down notify
		t_end
		return
	fi
	_off=$(tr_id notify kp_off)
	counts_both notify "getpriority:$TN" "$TN" before
	deny_on
	# Without this, the test could not tell the notifier's pass apart.
	want_state "offender after a silent policy change, before the notifier" \
		"$_off" active
	notify_pass "offender after the notifier (no write to revalidate)" revoked
	frozen notify "getpriority:$TN" "$TN" "revoked by the notifier"
	deny_set 0
	want_state "offender after the policy relaxed silently" "$_off" revoked
	notify_pass "offender after the second notifier" active
	counts_both notify "getpriority:$TN" "$TN" restored
	deny_off
	tr_down notify
	t_end
}

# notify_pass WHAT STATE: load lsmrevoke_notify_test (which raises the
# notifier from its init) and unload it; the offender $_off must reach
# STATE (within 5 s, should the pass not be synchronous) and passes grow.
notify_pass() {
	grep -q '^lsmrevoke_notify_test ' /proc/modules &&
		rmmod lsmrevoke_notify_test
	_p0=$(st_val passes)
	mark
	if to 60 modprobe lsmrevoke_notify_test >"$TW/notify.out" 2>&1; then
		t_pass
	else
		t_err "modprobe lsmrevoke_notify_test: expected success, saw '$(cat "$TW/notify.out")'"
	fi
	dmesg_since_mark | grep 'lsmrevoke_notify_test' >"$TW/notify.dmesg"
	diag_file "$TW/notify.dmesg" "dmesg: "
	grep -q 'notifier chain returned' "$TW/notify.dmesg" ||
		t_err "lsmrevoke_notify_test: expected its 'notifier chain returned' line, saw none"
	_k=50
	while [ "$(state_of "$_off")" != "$2" ] && [ "$_k" -gt 0 ]; do
		nap
		_k=$((_k - 1))
	done
	[ "$_k" -lt 50 ] && diag "$1: reached after $(((50 - _k) * 100)) ms"
	want_state "$1" "$_off" "$2"
	_p1=$(st_val passes)
	if isnum "$_p0" && isnum "$_p1" && [ "$_p1" -gt "$_p0" ]; then
		t_pass
	else
		t_err "stats passes: expected to grow on the notifier, saw '$_p0' then '$_p1'"
	fi
	to 60 rmmod lsmrevoke_notify_test >"$TW/notify.out" 2>&1 ||
		t_err "rmmod lsmrevoke_notify_test: expected success, saw '$(cat "$TW/notify.out")'"
}

# --- 15: rmmod refused while revoked ---------------------------------------------------

test_rmmod_ratchet() {
	begin trace_rmmod_ratchet || { t_end; return; }
	if ! tr_up rm_kp trace_kprobe || ! tr_up rm_lp trace_loop ||
		! tc_setup rm_tc; then
		tr_down rm_kp rm_lp rm_tc
		t_end
		return
	fi
	_kp=$(tr_id rm_kp kp_off)
	_lp=$(tr_id rm_lp lp_off)
	_v=$(tr_id rm_tc tc_target)
	jited rm_kp kp_off before
	jited rm_lp lp_off before
	counts_both rm_kp "getpriority:$TN" "$TN" before
	deny_on
	revalidate
	want_state "kp_off under the denier" "$_kp" revoked
	want_state "lp_off under the denier" "$_lp" revoked
	want_state "tc_target under the denier" "$_v" revoked
	frozen rm_kp "getpriority:$TN" "$TN" revoked
	frozen rm_lp "getpriority:$TN" $((4 * TN)) revoked
	t_eq "slot 0 while revoked" ENOENT "$(slot rm_tc 0 get)"

	# Unloading with everything revoked would restore it all while the
	# denier still denies: refused, plain and forced (the ratchet).
	mark
	for _f in '' -f; do
		if to 60 rmmod $_f lsmrevoke >"$TW/rmmod.out" 2>&1; then
			t_err "rmmod $_f lsmrevoke with revoked programs: expected a refusal, saw success"
		else
			t_pass
		fi
	done
	module_loaded || t_err "lsmod: expected lsmrevoke loaded after the refused rmmod, saw none"
	want_state "kp_off after the refused rmmod" "$_kp" revoked
	frozen rm_kp "getpriority:$TN" "$TN" "refused rmmod"
	# The policy relaxes: everything is restored, and the unload works.
	deny_off
	revalidate
	want_state "kp_off once the denier allows" "$_kp" active
	if to 60 rmmod lsmrevoke >"$TW/rmmod.out" 2>&1; then
		t_pass
	else
		t_err "rmmod lsmrevoke with nothing revoked: expected success, saw '$(cat "$TW/rmmod.out")'"
	fi
	module_loaded && t_err "lsmod: expected no lsmrevoke after rmmod, saw it"
	dmesg_since_mark >"$TW/rmmod.dmesg"
	grep -q -e 'WARNING:' -e 'BUG:' "$TW/rmmod.dmesg" &&
		t_err "rmmod: expected a clean kernel log, saw '$(grep -m1 -e 'WARNING:' -e 'BUG:' "$TW/rmmod.dmesg")'"
	counts_both rm_kp "getpriority:$TN" "$TN" "after rmmod"
	counts_both rm_lp "getpriority:$TN" $((4 * TN)) "after rmmod"
	t_eq "slot 0 after rmmod" "$_v" "$(slot rm_tc 0 get)"
	t_eq "slot 1 after rmmod" "$_v" "$(slot rm_tc 1 get)"
	fire rm_tc "getpriority:$TN" $TC_VARS
	want_eq "after rmmod: tail-call target runs" $((2 * TN)) "$(dl target_runs)"
	want_eq "after rmmod: fall-throughs (const key)" 0 "$(dl const_fall)"
	jited rm_kp kp_off rmmod
	same_image rm_kp kp_off before rmmod
	jited rm_lp lp_off rmmod
	same_image rm_lp lp_off before rmmod
	tr_down rm_kp rm_lp rm_tc
	t_end
}

# --- 16: freed while revoked -------------------------------------------

test_free_revoked() {
	begin trace_free_revoked || { t_end; return; }
	if ! tr_up free_kp trace_kprobe || ! tc_setup free_tc; then
		tr_down free_kp free_tc
		t_end
		return
	fi
	_kp=$(tr_id free_kp kp_off)
	_kc=$(tr_id free_kp kp_ctl)
	_v=$(tr_id free_tc tc_target)
	_c=$(tr_id free_tc tc_const)
	deny_on
	revalidate
	want_state "kp_off under the denier" "$_kp" revoked
	want_state "tc_target under the denier" "$_v" revoked
	mark
	rm -f "$TP/free_kp/kp_off" "$TP/free_kp/link/kp_off"
	if poll_gone 5 "$_kp"; then
		t_pass
	else
		t_err "revoked kp_off (prog $_kp) freed: expected its line gone within 5 s, saw '$(prog_line "$_kp")'"
	fi
	"$BIN" ids | grep -qx "$_kp" &&
		t_err "prog $_kp: expected freed by the kernel, still listed"
	want_state "kp_ctl (still pinned)" "$_kc" active
	# The whole tail-call object: callers, prog array and target.
	rm -rf "${TP:?}/free_tc"
	if poll_gone 5 "$_v"; then
		t_pass
	else
		t_err "revoked tc_target (prog $_v) freed with its prog array: expected its line gone within 5 s, saw '$(prog_line "$_v")'"
	fi
	poll_gone 5 "$_c" || t_err "tc_const (prog $_c): expected its line gone within 5 s, saw '$(prog_line "$_c")'"
	# A pass over what is left, then relax.
	revalidate
	deny_set 0
	revalidate
	want_state "kp_ctl after the policy relaxed" "$_kc" active
	dmesg_since_mark >"$TW/free.dmesg"
	grep -q -e 'WARNING:' -e 'BUG:' "$TW/free.dmesg" &&
		t_err "kernel log: expected clean, saw '$(grep -m1 -e 'WARNING:' -e 'BUG:' "$TW/free.dmesg")'"
	deny_off
	tr_down free_kp
	t_end
}

# --- 17: interpreted program -------------------------------------------

test_interpreted() {
	begin trace_interpreted || { t_end; return; }
	_jit=$(cat /proc/sys/net/core/bpf_jit_enable)
	if ! echo 0 >/proc/sys/net/core/bpf_jit_enable; then
		t_err "bpf_jit_enable=0: expected accepted, saw refusal"
		t_end
		return
	fi
	tr_up interp trace_kprobe
	_ok=$?
	echo "$_jit" >/proc/sys/net/core/bpf_jit_enable
	if [ "$_ok" != 0 ]; then
		tr_down interp
		t_end
		return
	fi
	_off=$(tr_id interp kp_off)
	_info=$("$BIN" trace info "$TP/interp/kp_off" 2>&1)
	diag "kp_off: $_info"
	t_eq "kp_off jited (loaded with bpf_jit_enable=0)" 0 "$(kv "$_info" jited)"
	counts_both interp "getpriority:$TN" "$TN" before
	deny_on
	mark
	revalidate
	# Its bpf_func now points at the stub: the interpreter runs none of it.
	want_state "interpreted offender under the denier" "$_off" revoked
	frozen interp "getpriority:$TN" "$TN" "revoked (interpreted)"
	deny_set 0
	revalidate
	want_state "interpreted offender after the policy relaxed" "$_off" active
	dmesg_since_mark >"$TW/interp.dmesg"
	grep -q -e 'not restored' -e 'read-only again' "$TW/interp.dmesg" &&
		t_err "restore of the interpreted offender: expected a clean log, saw '$(grep -m1 -e 'not restored' -e 'read-only again' "$TW/interp.dmesg")'"
	counts_both interp "getpriority:$TN" "$TN" "after the policy relaxed"
	deny_off
	tr_down interp
	t_end
}

# --- 18: an fentry program attached to the offender ------------------------

test_entry_in_use() {
	begin trace_entry_in_use || { t_end; return; }
	if ! tr_up eiu trace_kprobe ||
		! tr_up eiu_on trace_onprog --attach-to "$TP/eiu/kp_off" kp_off; then
		tr_down eiu_on eiu
		t_end
		return
	fi
	_off=$(tr_id eiu kp_off)
	# on_victim counts every entry of kp_off (nothing else in the guest
	# calls getpriority): read on_runs around each fire of eiu.
	_o0=$(kv "$("$BIN" trace get "$TP/eiu_on" on_runs)" on_runs)
	counts_both eiu "getpriority:$TN" "$TN" before
	_o1=$(kv "$("$BIN" trace get "$TP/eiu_on" on_runs)" on_runs)
	want_ge "before: fentry-on-kp_off runs" "$TN" "$(minus "$_o1" "$_o0")"

	deny_on
	mark
	revalidate
	want_state "kp_off with an fentry program on it, under the denier" \
		"$_off" unrevocable:entry_in_use
	# Loud: a warning line naming it, and status exits 3.
	dmesg_since_mark >"$TW/eiu.dmesg"
	t_eq "warning for the unrevocable kp_off" 1 \
		"$(grep -c "prog $_off (kp_off, kprobe) is denied but keeps running: unrevocable: entry_in_use" "$TW/eiu.dmesg")"
	to 60 /usr/sbin/lsmrevoke status >"$TW/eiu.status" 2>&1
	t_eq "lsmrevoke status exit with kp_off unrevocable" 3 "$?"
	counts_both eiu "getpriority:$TN" "$TN" "unrevocable"
	_o2=$(kv "$("$BIN" trace get "$TP/eiu_on" on_runs)" on_runs)
	want_ge "unrevocable: fentry-on-kp_off runs" "$TN" "$(minus "$_o2" "$_o1")"

	# When the fentry program leaves, its unlink revokes kp_off: no
	# revalidate is written (the obstacle going away is an event).
	tr_down eiu_on
	_k=50
	while [ "$(state_of "$_off")" != revoked ] && [ "$_k" -gt 0 ]; do
		nap
		_k=$((_k - 1))
	done
	want_state "kp_off once the fentry program left, without a revalidate" \
		"$_off" revoked
	frozen eiu "getpriority:$TN" "$TN" revoked
	# While revoked, its entry is ours: attaching to it is refused.
	if to 60 "$BIN" trace up "$PROGS/trace_onprog.bpf.o" "$TP/eiu_on2" \
		--attach-to "$TP/eiu/kp_off" kp_off >"$TW/eiu_on2.out" 2>&1; then
		t_err "fentry attach to the revoked kp_off: expected EBUSY, saw success"
	elif grep -q 'attach on_victim: EBUSY' "$TW/eiu_on2.out"; then
		t_pass
	else
		t_err "fentry attach to the revoked kp_off: expected EBUSY, saw '$(tail -n 1 "$TW/eiu_on2.out")'"
	fi
	tr_down eiu_on2
	deny_set 0
	revalidate
	want_state "kp_off after the policy relaxed" "$_off" active
	counts_both eiu "getpriority:$TN" "$TN" restored
	deny_off
	tr_down eiu
	t_end
}

# --- 18c: a struct_ops offender: unrevocable, loudly ----------------------

# A TCP congestion control registered with bpftool: its ssthresh program
# reads kernel memory. The kernel calls it through a table of function
# pointers with no value that means "not attached", so it stays running
# under the denier: one warning line naming it, status exits 3; the
# programs of the same map that need nothing stay active.
test_struct_ops() {
	begin trace_struct_ops || { t_end; return; }
	if ! to 60 /usr/sbin/bpftool struct_ops register \
		"$PROGS/trace_structops.bpf.o" >"$TW/so.out" 2>&1; then
		t_err "bpftool struct_ops register trace_structops.bpf.o: expected success, saw '$(tail -n 1 "$TW/so.out")'"
		t_end
		return
	fi
	_so=$(/usr/sbin/bpftool prog show name lsmr_ssthresh 2>/dev/null |
		sed -n 's/^\([0-9][0-9]*\): .*/\1/p' | head -n 1)
	_su=$(/usr/sbin/bpftool prog show name lsmr_undo_cwnd 2>/dev/null |
		sed -n 's/^\([0-9][0-9]*\): .*/\1/p' | head -n 1)
	t_eq "lsmr_ssthresh has an id" 1 "$([ -n "$_so" ] && echo 1)"
	want_state "lsmr_ssthresh, registered" "$_so" active
	# plan: no sched_ext scheduler, it stays running, not withdrawn.
	plan_run so_pc lockdown=confidentiality
	t_eq "plan lockdown=confidentiality: lists of lsmr_ssthresh" \
		"stays json:stays_running " "$(plan_lists so_pc "$_so")"
	t_eq "plan lockdown=confidentiality: lsmr_ssthresh stays running" 1 \
		"$(grep -c "^stays $_so struct_ops lsmr_ssthresh: would be denied but stays running (unrevocable:struct_ops) (loader " "$TW/so_pc.plan")"
	t_eq "plan lockdown=confidentiality: lists of lsmr_undo_cwnd" "" \
		"$(plan_lists so_pc "$_su")"
	deny_on
	mark
	revalidate
	want_state "lsmr_ssthresh under the denier" "$_so" unrevocable:struct_ops
	want_state "lsmr_undo_cwnd (needs nothing) under the denier" "$_su" active
	dmesg_since_mark >"$TW/so.dmesg"
	t_eq "warning for the unrevocable lsmr_ssthresh" 1 \
		"$(grep -c "prog $_so (lsmr_ssthresh, struct_ops) is denied but keeps running: unrevocable: struct_ops" "$TW/so.dmesg")"
	to 60 /usr/sbin/lsmrevoke status >"$TW/so.status" 2>&1
	t_eq "lsmrevoke status exit with lsmr_ssthresh unrevocable" 3 "$?"
	deny_set 0
	revalidate
	want_state "lsmr_ssthresh after the policy relaxed" "$_so" active
	deny_off
	to 60 /usr/sbin/bpftool struct_ops unregister name lsmr_cc \
		>"$TW/so.out" 2>&1 ||
		t_err "bpftool struct_ops unregister name lsmr_cc: expected success, saw '$(tail -n 1 "$TW/so.out")'"
	t_end
}

# --- 18a': a sched_ext scheduler taken out of service -----------------------

# A sched_ext scheduler is a struct_ops map too, but sched_ext has a way out
# by design: its exit path (sysrq-S's), which reverts every task to the
# fair class. Written as an attack: root registers lsmr_scx, whose running
# op reads kernel memory, before the policy tightens. Under the denier the
# pass takes the scheduler out of service: sched_ext says disabled and has
# no root scheduler, the program is "withdrawn" (programs, status, JSON,
# explain, events), status exits 0 (nothing denied keeps running), one
# warning names the scheduler and the program, and sched_ext's own line
# gives the exit kind lsmrevoke chose (SCX_EXIT_UNREG_KERN). Before the
# policy tightens, "lsmrevoke plan lockdown=confidentiality" (text and
# JSON; enforce, then audit mode) lists lsmr_scx_run to withdraw, not as
# staying running, and a TCP congestion control registered meanwhile as
# staying running; the withdrawal then is exactly what it planned, and
# once it is done no scheduler is in service for plan. Audit mode
# first: it only logs "would withdraw", the scheduler stays in service.
# Relaxing the policy does not enable it again.
# Then lsmr_scxb, whose running op reads a field of its task (btf_read:
# the verifier never refuses it), is loaded and registered while strict
# mode and the denier deny it: its registration runs a pass, which takes
# it out of service again. The programs of the same map that need nothing
# stay active. Kernels without sched_ext skip, saying so.
SCX=/sys/kernel/sched_ext

scx_state() {
	cat "$SCX/state" 2>/dev/null || echo none
}

# scx_wait STATE: until sched_ext's state is STATE (10 s at most).
scx_wait() {
	_k=100
	while [ "$(scx_state)" != "$1" ] && [ "$_k" -gt 0 ]; do
		_k=$((_k - 1))
		nap
	done
	[ "$(scx_state)" = "$1" ]
}

# scx_prog NAME: the id of the newest program named NAME.
scx_prog() {
	/usr/sbin/bpftool prog show name "$1" 2>/dev/null |
		sed -n 's/^\([0-9][0-9]*\): .*/\1/p' | tail -n 1
}

# scx_register OBJ: register OBJ's scheduler; fails the test if not.
scx_register() {
	to 60 /usr/sbin/bpftool struct_ops register "$PROGS/$1.bpf.o" \
		>"$TW/scx.out" 2>&1 && return 0
	t_err "bpftool struct_ops register $1.bpf.o: expected success, saw '$(tail -n 1 "$TW/scx.out")'"
	return 1
}

# scx_unregister NAME: unregister every struct_ops map named NAME.
scx_unregister() {
	for _m in $(/usr/sbin/bpftool struct_ops show 2>/dev/null |
		awk -v n="$1" '$2 == n { sub(":", "", $1); print $1 }'); do
		to 60 /usr/sbin/bpftool struct_ops unregister id "$_m" \
			>"$TW/scx.out" 2>&1 ||
			t_err "bpftool struct_ops unregister id $_m ($1): expected success, saw '$(tail -n 1 "$TW/scx.out")'"
	done
}

test_sched_ext() {
	begin trace_sched_ext || { t_end; return; }
	if [ ! -r "$SCX/state" ]; then
		t_skip "no sched_ext in this kernel ($SCX missing: CONFIG_SCHED_CLASS_EXT is not set)"
		return
	fi
	if [ "$(scx_state)" != disabled ]; then
		t_err "sched_ext before the test: expected disabled, saw '$(scx_state)'"
		t_end
		return
	fi
	scx_register trace_scx || { t_end; return; }
	_run=$(scx_prog lsmr_scx_run)
	_ex=$(scx_prog lsmr_scx_exit)
	t_eq "lsmr_scx_run has an id" 1 "$([ -n "$_run" ] && echo 1)"
	scx_wait enabled
	t_eq "sched_ext after the registration" enabled "$(scx_state)"
	t_eq "root scheduler after the registration" lsmr_scx \
		"$(cat "$SCX/root/ops" 2>/dev/null)"
	want_state "lsmr_scx_run, registered" "$_run" active
	# plan, before: lockdown=confidentiality denies bpf_read_kernel as the
	# denier does; lsmr_scx_run would take lsmr_scx out of service, the
	# op that needs nothing is in no list.
	plan_run scx_pc lockdown=confidentiality
	t_eq "plan lockdown=confidentiality: lists of lsmr_scx_run" \
		"withdraw json:withdraw " "$(plan_lists scx_pc "$_run")"
	t_eq "plan lockdown=confidentiality: lists of lsmr_scx_exit" "" \
		"$(plan_lists scx_pc "$_ex")"
	t_eq "plan lockdown=confidentiality: withdraw line" 1 \
		"$(grep -c "^withdraw $_run struct_ops lsmr_scx_run: bpf_read_kernel; its scheduler lsmr_scx would be taken out of service (one-way) (loader " "$TW/scx_pc.plan")"
	t_eq "plan lockdown=confidentiality: summary" 1 \
		"$(grep -cE '^[0-9]+ to revoke, [0-9]+ to restore, [0-9]+ stay running \(unrevocable\), [0-9]+ undetermined, 1 to withdraw$' "$TW/scx_pc.plan")"
	t_eq "plan lockdown=confidentiality --json: sched_ext_root" 1 \
		"$(grep -c '"sched_ext_root":{"ops":"lsmr_scx","programs_unknown":null}' "$TW/scx_pc.pjson")"
	grep -q "^withdraw $_run " "$TW/scx_pc.plan" ||
		diag_file "$TW/scx_pc.plan" "plan: "
	# Another struct_ops beside the scheduler in service stays running.
	if to 60 /usr/sbin/bpftool struct_ops register \
		"$PROGS/trace_structops.bpf.o" >"$TW/so.out" 2>&1; then
		_so=$(scx_prog lsmr_ssthresh)
		plan_run scx_pso lockdown=confidentiality
		t_eq "plan beside lsmr_scx: lists of lsmr_ssthresh" \
			"stays json:stays_running " "$(plan_lists scx_pso "$_so")"
		t_eq "plan beside lsmr_ssthresh: lists of lsmr_scx_run" \
			"withdraw json:withdraw " "$(plan_lists scx_pso "$_run")"
		to 60 /usr/sbin/bpftool struct_ops unregister name lsmr_cc \
			>"$TW/so.out" 2>&1 ||
			t_err "bpftool struct_ops unregister name lsmr_cc: expected success, saw '$(tail -n 1 "$TW/so.out")'"
	else
		t_err "bpftool struct_ops register trace_structops.bpf.o: expected success, saw '$(tail -n 1 "$TW/so.out")'"
	fi
	# Audit mode decides and does nothing: the scheduler stays in service.
	echo audit >"$SFS/mode" || t_err "echo audit > mode: expected success"
	plan_run scx_pa lockdown=confidentiality
	t_eq "plan lockdown=confidentiality, audit mode: lists of lsmr_scx_run" \
		"withdraw json:withdraw " "$(plan_lists scx_pa "$_run")"
	t_eq "plan lockdown=confidentiality, audit mode: withdraw line" 1 \
		"$(grep -c "^withdraw $_run struct_ops lsmr_scx_run: would be denied: bpf_read_kernel; its scheduler lsmr_scx stays in service (audit) (loader " "$TW/scx_pa.plan")"
	deny_on
	revalidate
	want_state "lsmr_scx_run under the denier, audit mode" "$_run" active
	t_eq "sched_ext under the denier, audit mode" enabled "$(scx_state)"
	mark
	cat "$SFS/programs" >"$TW/scx.before"
	# Enforce: the write's pass takes the scheduler out of service.
	echo enforce >"$SFS/mode" || t_err "echo enforce > mode: expected success"
	revalidate
	want_state "lsmr_scx_run under the denier" "$_run" withdrawn
	want_state "lsmr_scx_exit (needs nothing) under the denier" "$_ex" active
	# What the plan said is what happened: withdrawn exactly as planned.
	cat "$SFS/programs" >"$TW/scx.after"
	_wd=$(newly_withdrawn "$TW/scx.before" "$TW/scx.after")
	t_eq "withdrawn by the denier vs plan's withdraw" \
		"$(plan_ids "$TW/scx_pc.plan" withdraw)" "$_wd"
	t_eq "withdrawn by the denier vs plan --json's withdraw" \
		"$(plan_json_ids "$TW/scx_pc.pjson" withdraw)" "$_wd"
	scx_wait disabled
	t_eq "sched_ext under the denier" disabled "$(scx_state)"
	t_eq "root scheduler under the denier" "" \
		"$(cat "$SCX/root/ops" 2>/dev/null)"
	# plan, after: no scheduler in service, a withdrawn program stays so.
	plan_run scx_pw lockdown=confidentiality
	t_eq "plan after the withdrawal: lists of lsmr_scx_run" "" \
		"$(plan_lists scx_pw "$_run")"
	t_eq "plan after the withdrawal: lists of lsmr_scx_exit" "" \
		"$(plan_lists scx_pw "$_ex")"
	t_eq "plan after the withdrawal --json: sched_ext_root" 1 \
		"$(grep -c '"sched_ext_root":null' "$TW/scx_pw.pjson")"
	dmesg_since_mark >"$TW/scx.dmesg"
	t_eq "warning naming lsmr_scx and lsmr_scx_run" 1 \
		"$(grep -c "lsmrevoke: prog $_run (lsmr_scx_run) is denied bpf_read_kernel: sched_ext scheduler lsmr_scx taken out of service (one-way" "$TW/scx.dmesg")"
	t_eq "sched_ext's line: unregistered from the main kernel" 1 \
		"$(grep -c "lsmr_scx.*disabled.*unregistered from the main kernel" "$TW/scx.dmesg")"
	grep -q "lsmrevoke: prog $_run (lsmr_scx_run) is denied bpf_read_kernel" "$TW/scx.dmesg" ||
		diag_file "$TW/scx.dmesg" "dmesg: "
	grep -q 'WARNING:\|BUG:' "$TW/scx.dmesg" &&
		t_err "dmesg after the withdrawal: expected no WARNING or BUG, saw '$(grep 'WARNING:\|BUG:' "$TW/scx.dmesg" | head -n 1)'"
	# (events blocks at its end: cat is stopped after 3 s)
	to 3 cat "$SFS/events" >"$TW/scx.events" 2>/dev/null
	t_eq "event for the withdrawal" 1 \
		"$(grep -c " withdraw $_run struct_ops lsmr_scx_run bpf_read_kernel enforced=1\$" "$TW/scx.events")"
	t_eq "event for the audit mode's would-withdraw" 1 \
		"$(grep -c " withdraw $_run struct_ops lsmr_scx_run bpf_read_kernel enforced=0\$" "$TW/scx.events")"
	to 60 /usr/sbin/lsmrevoke status >"$TW/scx.status" 2>&1
	t_eq "lsmrevoke status exit with lsmr_scx_run withdrawn" 0 "$?"
	t_eq "status row of lsmr_scx_run" 1 \
		"$(awk -v id="$_run" '$1 == id && $5 == "withdrawn"' "$TW/scx.status" | wc -l)"
	to 60 /usr/sbin/lsmrevoke status --json >"$TW/scx.json" 2>&1
	# (one piece per program: split at "id":, which no other key ends in)
	t_eq "status --json: lsmr_scx_run withdrawn" 1 \
		"$(awk -v id="$_run" '{ n = split($0, p, "\"id\":")
			for (i = 2; i <= n; i++)
				if (index(p[i], id ",\"type\":\"struct_ops\",\"name\":\"lsmr_scx_run\",") == 1 &&
				    index(p[i], "\"state\":\"withdrawn\",\"unrevocable_reason\":null"))
					c++ }
			END { print c + 0 }' "$TW/scx.json")"
	t_eq "status --json: summary" 1 "$(grep -c '"withdrawn":1' "$TW/scx.json")"
	to 60 /usr/sbin/lsmrevoke explain "$_run" >"$TW/scx.explain" 2>&1
	t_eq "explain: withdrawn, one-way" 1 \
		"$(grep -c 'withdrawn: its sched_ext scheduler was taken out of service' "$TW/scx.explain")"
	t_eq "stats: withdrawn" 1 "$(awk '$1 == "withdrawn" { print $2 }' "$SFS/stats")"
	# The machine keeps running: tasks are back in the fair class.
	t_eq "a task runs after the withdrawal" ok "$(to 10 sh -c 'echo ok')"
	# Relaxing does not re-enable it.
	deny_set 0
	revalidate
	sleep 1
	t_eq "sched_ext after the policy relaxed" disabled "$(scx_state)"
	want_state "lsmr_scx_run after the policy relaxed" "$_run" withdrawn
	scx_unregister lsmr_scx
	# Registered while still denied: taken out of service again.
	if echo 1 >"$SFS/strict"; then
		deny_set 1
		mark
		if scx_register trace_scxb; then
			_b=$(scx_prog lsmr_scxb_run)
			scx_wait disabled
			t_eq "sched_ext after lsmr_scxb registered under the denier" \
				disabled "$(scx_state)"
			want_state "lsmr_scxb_run, registered under the denier" \
				"$_b" withdrawn
			t_eq "warning naming lsmr_scxb" 1 \
				"$(dmesg_since_mark | grep -c "lsmrevoke: prog $_b (lsmr_scxb_run) is denied [a-z_]*: sched_ext scheduler lsmr_scxb taken out of service")"
			scx_unregister lsmr_scxb
		fi
		echo 0 >"$SFS/strict" || t_err "echo 0 > strict: expected success"
	else
		t_err "echo 1 > strict: expected success"
	fi
	deny_off
	scx_wait disabled
	t_eq "sched_ext at the end" disabled "$(scx_state)"
	t_end
}

# --- 18b: a BPF-LSM policy that changes its answer through a map -----------

# The denier's decision lives in its .bss (a map): flipping it raises no
# event. Nothing revokes the offender by itself, not even the periodic
# check (it compares the lockdown level only), for longer than its
# interval; a revalidate write does. README "What lsmrevoke reacts to".
test_map_policy() {
	begin trace_map_policy || { t_end; return; }
	tr_up mp trace_kprobe || { t_end; return; }
	_off=$(tr_id mp kp_off)
	deny_attach || { tr_down mp; t_end; return; }
	deny_set 0
	revalidate
	want_state "kp_off, denier attached and disabled" "$_off" active
	deny_set 1
	# Longer than revalidate_interval (5 s): no event, no pass.
	sleep 7
	want_state "kp_off 7 s after the denier's map says deny" "$_off" active
	counts_both mp "getpriority:$TN" "$TN" "map says deny, no event"
	revalidate
	want_state "kp_off after a revalidate write" "$_off" revoked
	frozen mp "getpriority:$TN" "$TN" "revoked after revalidate"
	deny_set 0
	sleep 7
	want_state "kp_off 7 s after the map says allow again" "$_off" revoked
	revalidate
	want_state "kp_off after the next revalidate write" "$_off" active
	deny_off
	tr_down mp
	t_end
}

# --- 18c: exemptions by policy ---------------------------------------------

# An agent that must keep reading kernel memory while everyone else may
# not: a BPF-LSM locked_down policy (policy_exempt) that decides by the
# loader's uid, which lsmrevoke evaluates under. The same reader, loaded
# by the agent (uid 0) and by uid 4242 with the same capabilities.
test_exempt() {
	begin trace_exempt || { t_end; return; }
	tr_up exa trace_kprobe || { t_end; return; }
	rm -rf "${TP:?}/exb"
	if ! to 60 "$BIN" asagent 4242 "$BIN" trace up "$PROGS/trace_kprobe.bpf.o" \
		"$TP/exb" >"$TW/exb.ids" 2>"$TW/exb.err"; then
		t_err "load trace_kprobe.bpf.o as uid 4242: expected success, saw '$(tail -n 1 "$TW/exb.err")'"
		tr_down exa exb
		t_end
		return
	fi
	_a=$(tr_id exa kp_off)
	_b=$(tr_id exb kp_off)
	t_eq "kp_off of uid 4242: uid" 4242 "$(kv "$(prog_line "$_b")" uid)"
	# Attaching the policy is an event: the pass runs before it returns.
	tr_up exp policy_exempt || { tr_down exa exb; t_end; return; }
	want_state "the agent's kp_off under the exemption policy" "$_a" active
	want_state "uid 4242's kp_off under the exemption policy" "$_b" revoked
	counts_both exa "getpriority:$TN" "$TN" "agent, exempt"
	frozen exb "getpriority:$TN" "$TN" "uid 4242, denied"
	# Detaching it is an event too (from a worker once the link is freed).
	_p=$(tr_id exp ex_policy)
	tr_down exp
	_k=50
	while [ "$(state_of "$_b")" != active ] && [ "$_k" -gt 0 ]; do
		nap
		_k=$((_k - 1))
	done
	want_state "uid 4242's kp_off once the policy left" "$_b" active
	counts_both exb "getpriority:$TN" "$TN" "uid 4242, policy gone"
	diag "policy prog $_p"
	tr_down exa exb
	t_end
}

# --- 19: the revalidate and stats files --------------------------------------

# wr DATA [REPEAT]: write to revalidate, print the result.
wr() {
	to 60 "$BIN" trace write "$SFS/revalidate" "$@" 2>&1
}

_sv() {
	awk -v k="$1" '$1 == k { print $2 }' "$TW/st.stats"
}

# transitions FROM TO A B: ids whose state was FROM in snapshot A and is TO
# in snapshot B ("<id> <state>" lines).
transitions() {
	awk -v f="$1" -v t="$2" 'FILENAME == ARGV[1] { s[$1] = $2; next }
		($1 in s) && s[$1] == f && $2 == t' "$3" "$4" | wc -l
}

# stats_consistent WHEN: stats agrees with the programs file.
stats_consistent() {
	cat "$SFS/programs" >"$TW/st.programs" 2>/dev/null
	cat "$SFS/stats" >"$TW/st.stats" 2>/dev/null
	t_eq "$1: stats tracked vs programs lines" \
		"$(body "$TW/st.programs" | wc -l)" "$(_sv tracked)"
	t_eq "$1: stats active vs programs" \
		"$(body "$TW/st.programs" | awk '$5 == "active"' | wc -l)" "$(_sv active)"
	t_eq "$1: stats revoked vs programs" \
		"$(body "$TW/st.programs" | awk '$5 == "revoked"' | wc -l)" "$(_sv revoked)"
	t_eq "$1: stats unrevocable vs programs" \
		"$(body "$TW/st.programs" | awk '$5 ~ /^unrevocable:/' | wc -l)" "$(_sv unrevocable)"
}

test_interface() {
	begin trace_interface || { t_end; return; }
	set -- $(ls -ln "$SFS/revalidate" 2>/dev/null)
	t_eq "revalidate mode" --w------- "${1:-missing}"
	set -- $(ls -ln "$SFS/stats" 2>/dev/null)
	t_eq "stats mode" -r-------- "${1:-missing}"
	if ! cat "$SFS/stats" >"$TW/stats" 2>&1; then
		t_err "read stats: expected success, saw '$(cat "$TW/stats")'"
		t_end
		return
	fi
	diag_file "$TW/stats" "stats: "
	for _k in tracked active revoked unrevocable revocations restores passes; do
		isnum "$(st_val $_k)" || t_err "stats $_k: expected a number, saw '$(st_val $_k)'"
	done

	_p0=$(st_val passes)
	isnum "$_p0" || _p0=0
	t_eq "write '1'" OK "$(wr 1)"
	t_eq "write '1\\n'" OK "$(wr '1\n')"
	want_eq "passes after two good writes" $((_p0 + 2)) "$(st_val passes)"
	_p0=$(st_val passes)
	for _g in '' 0 2 11 abc '1 ' ' 1' '\n' '1\n\n' '1\0' 1x -1 y; do
		t_eq "write '$_g'" write:EINVAL "$(wr "$_g")"
	done
	t_eq "write of 8192 bytes of garbage" write:EINVAL "$(wr A 8192)"
	t_eq "write of 4096 ones" write:EINVAL "$(wr 1 4096)"
	want_eq "passes after refused writes" "$_p0" "$(st_val passes)"
	# Neither an ordinary user nor root without capabilities.
	_r=$("$BIN" asuser 65534 "$BIN" trace write "$SFS/revalidate" 1 2>&1)
	case $_r in
	open:EACCES | open:EPERM | write:EACCES | write:EPERM) t_pass ;;
	*) t_err "uid 65534 writing revalidate: expected EACCES or EPERM, saw '$_r'" ;;
	esac
	_r=$("$BIN" nocap "$BIN" trace write "$SFS/revalidate" 1 2>&1)
	case $_r in
	open:EACCES | open:EPERM | write:EACCES | write:EPERM) t_pass ;;
	*) t_err "uid 0 without capabilities writing revalidate: expected EACCES or EPERM, saw '$_r'" ;;
	esac
	want_eq "passes after refused users" "$_p0" "$(st_val passes)"

	# Counters across a revoke and a restore of known programs.
	if tr_up iface trace_kprobe && tr_up iface_tc trace_tailcall; then
		stats_consistent "all active"
		body "$SFS/programs" | awk '{ print $1, $5 }' | sort >"$TW/st.0"
		_rv0=$(st_val revocations)
		_rs0=$(st_val restores)
		isnum "$_rv0" || _rv0=0
		isnum "$_rs0" || _rs0=0
		deny_on
		revalidate
		body "$SFS/programs" | awk '{ print $1, $5 }' | sort >"$TW/st.1"
		# Programs that went from active to revoked in this pass.
		_nrev=$(transitions active revoked "$TW/st.0" "$TW/st.1")
		diag "revoked in the pass: $_nrev"
		want_ge "programs revoked by the pass (kp_off and tc_target at least)" 2 "$_nrev"
		want_eq "stats revocations grew by the programs revoked" \
			$((_rv0 + _nrev)) "$(st_val revocations)"
		stats_consistent "denier attached"
		isnum "$(st_val revoked)" && want_ge "stats revoked" 2 "$(st_val revoked)"
		deny_set 0
		revalidate
		body "$SFS/programs" | awk '{ print $1, $5 }' | sort >"$TW/st.2"
		_nres=$(transitions revoked active "$TW/st.1" "$TW/st.2")
		want_eq "programs restored by the pass" "$_nrev" "$_nres"
		want_eq "stats restores grew by the programs restored" \
			$((_rs0 + _nres)) "$(st_val restores)"
		stats_consistent "denier detached"
		want_eq "stats revoked after restore" 0 "$(st_val revoked)"
	fi
	deny_off
	tr_down iface iface_tc
	t_end
}

# --- 20: on_revoke ------------------------------------------------------------

test_on_revoke() {
	begin trace_on_revoke || { t_end; return; }
	if ! to 60 rmmod lsmrevoke >"$TW/rmmod.out" 2>&1; then
		t_err "rmmod lsmrevoke: expected success, saw '$(cat "$TW/rmmod.out")'"
		t_end
		return
	fi
	mark
	if to 60 modprobe lsmrevoke $QUIET on_revoke=bogus >"$TW/modprobe.out" 2>&1; then
		t_err "modprobe lsmrevoke on_revoke=bogus: expected failure, saw success"
	else
		t_pass
	fi
	module_loaded && t_err "lsmod: expected no lsmrevoke after on_revoke=bogus, saw it"
	dmesg_since_mark >"$TW/bogus.dmesg"
	diag_file "$TW/bogus.dmesg" "dmesg: "
	grep 'lsmrevoke' "$TW/bogus.dmesg" | grep -q on_revoke ||
		t_err "dmesg after on_revoke=bogus: expected a line naming on_revoke, saw none"
	module_loaded && rmmod lsmrevoke

	# Fail-closed: a revoked LSM program denies.
	if ! to 60 modprobe lsmrevoke $QUIET on_revoke=deny >"$TW/modprobe.out" 2>&1; then
		t_err "modprobe lsmrevoke on_revoke=deny: expected success, saw '$(cat "$TW/modprobe.out")'"
		t_end
		return
	fi
	if tr_up deny_lsm trace_lsm; then
		_off=$(tr_id deny_lsm lsm_off)
		counts_both deny_lsm "setnice:$TN" "$TN" before
		deny_on
		revalidate
		want_state "lsm_off under the denier (on_revoke=deny)" "$_off" revoked
		fire deny_lsm "setnice:$TN" off_runs ctl_runs
		want_eq "deny: offender runs" 0 "$(dl off_runs)"
		# The stub's -EPERM ends the hook's program list: setpriority fails.
		want_eq "deny: setpriority calls refused by the stub" "$TN" "$(dl errors)"
		t_eq "deny: errno of the refused setpriority" EPERM "$(dl errno)"
		deny_set 0
		revalidate
		want_state "lsm_off after the policy relaxed" "$_off" active
		counts_both deny_lsm "setnice:$TN" "$TN" restored
	fi
	deny_off
	tr_down deny_lsm
	t_end
}

# ---------------------------------------------------------------------------

trace_pairs
test_tailcall
test_restore_exact
test_notifier
test_rmmod_ratchet
test_free_revoked
test_interpreted
test_entry_in_use
test_struct_ops
test_sched_ext
test_map_policy
test_exempt
test_interface
test_on_revoke

# Leave nothing behind: free our programs with the module loaded, then
# unload it.
deny_detach
need_module >/dev/null 2>&1
rm -rf "${TP:?}"
_k=50
until ! module_loaded || ids_compare 2>/dev/null; do
	_k=$((_k - 1))
	[ "$_k" -gt 0 ] || break
	nap
done
module_loaded && to 60 rmmod lsmrevoke
module_loaded && diag "10-trace.sh: lsmrevoke still loaded at the end"
