# SPDX-License-Identifier: GPL-2.0
#
# Strict mode (issue 9; sourced by suite.sh, busybox sh). With strict=1 a
# program whose requires has btf_read (LDX with mode BPF_PROBE_MEM or
# BPF_PROBE_MEMSX in its verified instructions) also requires
# bpf_read_kernel, so it is revoked whenever LOCKDOWN_BPF_READ_KERNEL is
# denied. Policy is tightened and relaxed as in 10-trace.sh: the BPF-LSM
# denier trace_deny.bpf.o is attached once, disabled, and toggled through
# its enabled global, which raises no event; only the test's own trigger
# (a write to strict or revalidate, modprobe, a program load) makes
# lsmrevoke act. strict_fentry.bpf.o has the BTF reader (sx_btf) and its
# control (sx_ctl) on fentry/__x64_sys_getpriority.
# Starts with the module unloaded and no program of its own; leaves it so.

SP=$PINS/strict		# pins of this file, one directory per tag
SW=$WORK/strict		# work files
SN=20			# events per phase
SX_DENY=		# the denier's program id while attached
SX_WINDOW_ROUNDS=20	# loads raced by test_strict_window

mkdir -p "$SW"

# --- helpers ------------------------------------------------------------

sx_begin() {
	t_begin "$1"
	need_module && return 0
	t_err "module not loaded"
	return 1
}

# sx_up TAG OBJ: load, attach and pin OBJ under $SP/TAG ("trace up");
# "<name> <id>" lines go to $SW/TAG.ids.
sx_up() {
	rm -rf "${SP:?}/$1"
	if to 60 "$BIN" trace up "$PROGS/$2.bpf.o" "$SP/$1" \
		>"$SW/$1.ids" 2>"$SW/$1.err"; then
		return 0
	fi
	t_err "load $2.bpf.o: expected success, saw '$(tail -n 1 "$SW/$1.err")'"
	diag_file "$SW/$1.err" "$2: "
	return 1
}

sx_down() {
	for _d in "$@"; do
		rm -rf "${SP:?}/$_d"
	done
}

# sx_id TAG NAME
sx_id() {
	awk -v n="$2" '$1 == n { print $2 }' "$SW/$1.ids" 2>/dev/null
}

# sx_field ID N: field N of ID's programs line, or "none".
sx_field() {
	_sl=$(prog_line "$1")
	if [ -z "$_sl" ]; then
		echo none
	else
		echo "$_sl" | cut -d' ' -f"$2"
	fi
}

# sx_state WHAT ID STATE / sx_req WHAT ID REQUIRES
sx_state() {
	t_eq "$1 (prog $2) state" "$3" "$(sx_field "$2" 5)"
}

sx_req() {
	t_eq "$1 (prog $2) requires" "$3" "$(sx_field "$2" 4)"
}

# sx_write FILE DATA [REPEAT]: one write(2), prints OK / open:E / write:E.
sx_write() {
	to 60 "$BIN" trace write "$@" 2>&1
}

# sx_strict 0|1: "echo V > strict" as an administrator does it; fails the
# test unless the write succeeds and strict reads back V.
sx_strict() {
	if ! echo "$1" >"$SFS/strict" 2>"$SW/strict.err"; then
		t_err "echo $1 > strict: expected success, saw '$(cat "$SW/strict.err")'"
		return 1
	fi
	t_eq "strict after echo $1" "$1" "$(cat "$SFS/strict" 2>&1)"
}

sx_revalidate() {
	_r=$(sx_write "$SFS/revalidate" 1)
	[ "$_r" = OK ] || t_err "write 1 to revalidate: expected OK, saw '$_r'"
}

# The denier: attached once, disabled, toggled silently (10-trace.sh).
sx_deny_attach() {
	[ -n "$SX_DENY" ] && [ -d "$SP/deny" ] && return 0
	rm -rf "${SP:?}/deny"
	if ! to 60 "$BIN" trace up "$PROGS/trace_deny.bpf.o" "$SP/deny" \
		>"$SW/deny.ids" 2>"$SW/deny.err"; then
		t_err "attach the locked_down denier: expected success, saw '$(tail -n 1 "$SW/deny.err")'"
		return 1
	fi
	SX_DENY=$(awk '$1 == "deny_read" { print $2 }' "$SW/deny.ids")
}

sx_deny_set() {
	"$BIN" trace set "$SP/deny" enabled "$1" >"$SW/deny.set" 2>&1 && return 0
	t_err "set the denier's enabled to $1: expected success, saw '$(cat "$SW/deny.set")'"
	return 1
}

sx_deny_on() {
	sx_deny_attach && sx_deny_set 1
}

sx_deny_off() {
	[ -n "$SX_DENY" ] || return 0
	sx_deny_set 0
}

sx_deny_detach() {
	[ -n "$SX_DENY" ] || return 0
	sx_deny_set 0
	rm -rf "${SP:?}/deny"
	_k=50
	while "$BIN" ids | grep -qx "$SX_DENY" && [ "$_k" -gt 0 ]; do
		nap
		_k=$((_k - 1))
	done
	SX_DENY=
}

# sx_fire TAG VAR...: SN getpriority calls with TAG's monitored_pid set;
# output (VAR=delta ... errors=N) in SX_FIRE.
sx_fire() {
	_tag=$1
	shift
	SX_FIRE=
	if ! SX_FIRE=$(to 60 "$BIN" trace fire "$SP/$_tag" "getpriority:$SN" "$@" 2>"$SW/fire.err"); then
		t_err "fire ($_tag): expected success, saw '$(tail -n 1 "$SW/fire.err")'"
		SX_FIRE=
		return 1
	fi
	diag "$_tag getpriority:$SN: $SX_FIRE"
}

sx_dl() {
	kv "$SX_FIRE" "$1"
}

sx_num() {
	case $1 in
	'' | *[!0-9-]*) return 1 ;;
	esac
	return 0
}

sx_ge() {
	if sx_num "$3" && [ "$3" -ge "$2" ]; then
		t_pass
	else
		t_err "$1: expected >= $2, saw '$3'"
	fi
}

sx_eqn() {
	if sx_num "$3" && [ "$3" -eq "$2" ]; then
		t_pass
	else
		t_err "$1: expected $2, saw '$3'"
	fi
}

# sx_counts TAG PHASE: the BTF reader and the control both count.
sx_counts() {
	sx_fire "$1" btf_runs ctl_runs || return
	sx_ge "$2: BTF reader runs" "$SN" "$(sx_dl btf_runs)"
	sx_ge "$2: control runs" "$SN" "$(sx_dl ctl_runs)"
	sx_eqn "$2: failed syscalls" 0 "$(sx_dl errors)"
}

# sx_frozen TAG PHASE: the BTF reader exactly still, the control counts.
sx_frozen() {
	sx_fire "$1" btf_runs ctl_runs || return
	sx_eqn "$2: BTF reader runs (revoked)" 0 "$(sx_dl btf_runs)"
	sx_ge "$2: control runs" "$SN" "$(sx_dl ctl_runs)"
	sx_eqn "$2: failed syscalls" 0 "$(sx_dl errors)"
}

sx_stat() {
	awk -v k="$1" '$1 == k { print $2 }' "$SFS/stats" 2>/dev/null
}

# sx_unload: rmmod if loaded; fails the test if it stays.
sx_unload() {
	module_loaded || return 0
	to 60 rmmod lsmrevoke >"$SW/rmmod.out" 2>&1
	module_loaded && t_err "rmmod lsmrevoke: expected success, saw '$(cat "$SW/rmmod.out")'"
}

# sx_dmesg_clean WHAT: no WARNING/BUG since the last mark.
sx_dmesg_clean() {
	dmesg_since_mark >"$SW/dmesg"
	if grep -q -e 'WARNING:' -e 'BUG:' "$SW/dmesg"; then
		t_err "$1: expected a clean kernel log, saw '$(grep -m1 -e 'WARNING:' -e 'BUG:' "$SW/dmesg")'"
	fi
}

# --- 1: modprobe strict=1 with the denier on --------------------------------

test_strict_modprobe() {
	t_begin strict_modprobe
	sx_unload
	# A bad value is refused and names the parameter.
	mark
	if to 60 modprobe lsmrevoke $QUIET strict=bogus >"$SW/mp.out" 2>&1; then
		t_err "modprobe lsmrevoke strict=bogus: expected failure, saw success"
	else
		t_pass
	fi
	dmesg_since_mark | grep 'strict' >"$SW/mp.dmesg"
	diag_file "$SW/mp.dmesg" "dmesg: "
	[ -s "$SW/mp.dmesg" ] ||
		t_err "dmesg after strict=bogus: expected a line naming strict, saw none"
	sx_unload

	# A BTF reader loaded before the module, then policy denies reads.
	if ! sx_up mp strict_fentry; then
		t_end
		return
	fi
	_b=$(sx_id mp sx_btf)
	_c=$(sx_id mp sx_ctl)
	diag "mp: sx_btf $_b, sx_ctl $_c"
	sx_counts mp "before the module"
	sx_deny_on
	mark
	if ! to 60 modprobe lsmrevoke $QUIET strict=1 >"$SW/mp.out" 2>&1; then
		t_err "modprobe lsmrevoke strict=1: expected success, saw '$(cat "$SW/mp.out")'"
		sx_deny_off
		sx_down mp
		t_end
		return
	fi
	# Checked before anything else runs: modprobe's initial pass did it.
	_l=$(prog_line "$_b")
	diag "after modprobe strict=1: $_l"
	t_eq "sx_btf (prog $_b) state right after modprobe strict=1" revoked \
		"$(echo "$_l" | cut -d' ' -f5)"
	t_eq "sx_btf (prog $_b) requires under strict=1" bpf_read_kernel,btf_read \
		"$(echo "$_l" | cut -d' ' -f4)"
	t_eq "sx_btf src" walk "$(kv "$_l" src)"
	sx_state "sx_ctl under strict=1" "$_c" active
	sx_req "sx_ctl" "$_c" -
	t_eq "strict file after modprobe strict=1" 1 "$(cat "$SFS/strict" 2>&1)"
	t_eq "parameter strict" Y "$(cat /sys/module/lsmrevoke/parameters/strict 2>&1)"
	set -- $(ls -ln /sys/module/lsmrevoke/parameters/strict 2>/dev/null)
	t_eq "parameter strict mode" -r--r--r-- "${1:-missing}"
	sx_frozen mp "revoked at modprobe"
	module_lines_since_mark >"$SW/mp.log"
	diag_file "$SW/mp.log" "log: "
	grep -q "revoke prog $_b (sx_btf" "$SW/mp.log" ||
		t_err "log: expected 'revoke prog $_b (sx_btf, ...', saw none"

	# strict off: restored at once, although the denier is still on.
	sx_strict 0
	sx_state "sx_btf after echo 0 > strict" "$_b" active
	sx_req "sx_btf under strict=0" "$_b" btf_read
	sx_counts mp "strict=0"
	sx_dmesg_clean "modprobe strict=1"
	sx_deny_off
	sx_down mp
	t_end
}

# --- 2: strict toggled on a loaded BTF reader ---------------------------------

test_strict_toggle() {
	sx_begin strict_toggle || { t_end; return; }
	sx_strict 0
	if ! sx_up tg strict_fentry; then
		t_end
		return
	fi
	_b=$(sx_id tg sx_btf)
	_c=$(sx_id tg sx_ctl)
	diag "tg: sx_btf $_b, sx_ctl $_c"

	# strict=0: the denier on changes nothing for a BTF reader.
	sx_deny_on
	sx_revalidate
	sx_state "sx_btf, strict=0, reads denied" "$_b" active
	sx_req "sx_btf, strict=0" "$_b" btf_read
	sx_state "sx_ctl" "$_c" active
	sx_req "sx_ctl" "$_c" -
	sx_counts tg "strict=0, reads denied"

	# strict=1: revoked when the write returns.
	_p0=$(sx_stat passes)
	_r0=$(sx_stat revocations)
	# Every active program with btf_read alone is revoked by this pass.
	_nb=$(body "$SFS/programs" | awk '$4 == "btf_read" && $5 == "active"' | wc -l)
	diag "active btf_read programs before echo 1 > strict: $_nb"
	mark
	sx_strict 1
	sx_state "sx_btf right after echo 1 > strict" "$_b" revoked
	sx_req "sx_btf, strict=1" "$_b" bpf_read_kernel,btf_read
	sx_state "sx_ctl, strict=1" "$_c" active
	sx_req "sx_ctl, strict=1" "$_c" -
	sx_eqn "stats passes after echo 1 > strict" $((${_p0:-0} + 1)) "$(sx_stat passes)"
	sx_eqn "stats revocations after echo 1 > strict" $((${_r0:-0} + _nb)) "$(sx_stat revocations)"
	sx_frozen tg "strict=1, reads denied"
	sx_frozen tg "strict=1, reads denied, again"
	module_lines_since_mark >"$SW/tg.log"
	diag_file "$SW/tg.log" "log: "
	t_eq "log lines 'revoke prog $_b (sx_btf, tracing): bpf_read_kernel'" 1 \
		"$(grep -cF "revoke prog $_b (sx_btf, tracing): bpf_read_kernel" "$SW/tg.log")"

	# Every policy change: relaxed -> restored, tightened -> revoked.
	sx_deny_set 0
	sx_revalidate
	sx_state "sx_btf, strict=1, reads allowed" "$_b" active
	sx_counts tg "strict=1, reads allowed"
	sx_deny_set 1
	sx_revalidate
	sx_state "sx_btf, strict=1, reads denied again" "$_b" revoked
	sx_frozen tg "strict=1, reads denied again"

	# strict=0: restored when the write returns, and counts again.
	sx_strict 0
	sx_state "sx_btf right after echo 0 > strict" "$_b" active
	sx_req "sx_btf, strict=0 again" "$_b" btf_read
	sx_counts tg "strict=0 again"
	sx_dmesg_clean "strict toggles"
	sx_deny_off
	sx_down tg
	t_end
}

# --- 3: loaded under strict=1 while reads are denied ------------------------

test_strict_load() {
	sx_begin strict_load || { t_end; return; }
	sx_strict 1
	sx_deny_on
	sx_revalidate
	rm -rf "${SP:?}/ld"
	if ! to 60 "$BIN" strict up "$PROGS/strict_fentry.bpf.o" "$SP/ld" \
		>"$SW/ld.ids" 2>"$SW/ld.err"; then
		t_err "strict up strict_fentry.bpf.o: expected success, saw '$(tail -n 1 "$SW/ld.err")'"
		diag_file "$SW/ld.err" "ld: "
	else
		diag_file "$SW/ld.ids" "loaded: "
		_b=$(sx_id ld sx_btf)
		_c=$(sx_id ld sx_ctl)
		# What programs said when bpf_object__load() had returned.
		t_eq "sx_btf (prog $_b) state when its load returned" revoked \
			"$(awk '$1 == "sx_btf" { print $3 }' "$SW/ld.ids")"
		t_eq "sx_btf (prog $_b) requires when its load returned" \
			bpf_read_kernel,btf_read \
			"$(awk '$1 == "sx_btf" { print $4 }' "$SW/ld.ids")"
		t_eq "sx_ctl (prog $_c) state when its load returned" active \
			"$(awk '$1 == "sx_ctl" { print $3 }' "$SW/ld.ids")"
		t_eq "sx_btf src" load "$(kv "$(prog_line "$_b")" src)"
		# Attached since: it never ran, not once.
		t_eq "sx_btf btf_runs since its load" "btf_runs=0" \
			"$("$BIN" trace get "$SP/ld" btf_runs 2>&1)"
		sx_frozen ld "loaded revoked"
		t_eq "sx_btf btf_runs since its load, after the events" "btf_runs=0" \
			"$("$BIN" trace get "$SP/ld" btf_runs 2>&1)"
		sx_state "sx_btf" "$_b" revoked
		# Reads allowed: it runs.
		sx_deny_set 0
		sx_revalidate
		sx_state "sx_btf, reads allowed" "$_b" active
		sx_counts ld "reads allowed"
	fi
	sx_deny_off
	sx_strict 0
	sx_down ld
	t_end
}

# --- 4: what gets btf_read and what does not ---------------------------------

test_strict_requires() {
	sx_begin strict_requires || { t_end; return; }
	sx_strict 0
	sx_deny_off
	if sx_up rq strict_plain && sx_up rqh strict_helper; then
		for _n in pl_fexit pl_tp pl_sock pl_tc pl_xdp; do
			_i=$(sx_id rq "$_n")
			if [ -z "$_i" ]; then
				t_err "$_n: expected loaded, saw no id in '$(cat "$SW/rq.ids")'"
				continue
			fi
			diag "$_n: $(prog_line "$_i")"
			sx_req "$_n (context, stack, maps, packet)" "$_i" -
		done
		for _n in hl_fentry hl_kprobe; do
			_i=$(sx_id rqh "$_n")
			diag "$_n: $(prog_line "$_i")"
			sx_req "$_n (helper reads only)" "$_i" bpf_read_kernel
		done
		# The plain programs really ran their loads.
		if "$BIN" trace fire "$SP/rq" "getpriority:$SN" pl_runs >"$SW/rq.fire" 2>&1; then
			diag "rq: $(cat "$SW/rq.fire")"
			# pl_fexit and pl_tp both count.
			sx_ge "plain programs runs" $((2 * SN)) "$(kv "$(cat "$SW/rq.fire")" pl_runs)"
		else
			t_err "fire (rq): expected success, saw '$(tail -n 1 "$SW/rq.fire")'"
		fi
		# strict=1 and reads denied: nothing changes for them but the helpers.
		sx_strict 1
		sx_deny_on
		sx_revalidate
		for _n in pl_fexit pl_tp pl_sock pl_tc pl_xdp; do
			_i=$(sx_id rq "$_n")
			[ -n "$_i" ] || continue
			sx_req "$_n, strict=1" "$_i" -
			sx_state "$_n, strict=1, reads denied" "$_i" active
		done
		for _n in hl_fentry hl_kprobe; do
			_i=$(sx_id rqh "$_n")
			sx_req "$_n, strict=1" "$_i" bpf_read_kernel
			sx_state "$_n, strict=1, reads denied" "$_i" revoked
		done
		sx_deny_off
		sx_revalidate
		sx_strict 0
	fi
	# 6.12 and later: bpf_rdonly_cast makes a BTF pointer out of a number.
	if [ "$KVER" != 6.1 ]; then
		rm -rf "${SP:?}/rqc"
		if to 60 "$BIN" load "$PROGS/strict_cast.bpf.o" "$SP/rqc" \
			>"$SW/rqc.ids" 2>"$SW/rqc.err"; then
			_i=$(sx_id rqc sx_cast)
			diag "sx_cast: $(prog_line "$_i")"
			sx_req "sx_cast (bpf_rdonly_cast, 6.12)" "$_i" btf_read
		else
			t_err "load strict_cast.bpf.o on 6.12: expected success, saw '$(tail -n 1 "$SW/rqc.err")'"
			diag_file "$SW/rqc.err" "cast: "
		fi
	fi
	sx_down rq rqh rqc
	t_end
}

# --- 4b: readers the kernel does not gate ---------------------------------

# sx_reader TAG OBJ READER CTL REQ RUNS OK WHAT: OBJ's READER reads a known
# kernel value through a primitive the kernel does not gate (it counts
# RUNS, and OK when it really read the value, WHAT); CTL is its control.
# Without strict mode the reader reads on while reads are denied; with
# strict=1 it is revoked when the write returns and reads nothing;
# restored when strict goes back to 0. The control stays active.
sx_reader() {
	sx_strict 0
	sx_up "$1" "$2" || return
	_k=$(sx_id "$1" "$3")
	_c=$(sx_id "$1" "$4")
	diag "$1: $3 $_k, $4 $_c: $(prog_line "$_k")"
	sx_req "$3" "$_k" "$5"
	sx_req "$4" "$_c" -
	t_eq "$3 sites" "$5@" "$(prog_line "$_k" | sed -n "s/.* sites=\($5@\)[0-9]*.*/\1/p")"

	sx_deny_on
	sx_revalidate
	sx_state "$3, strict=0, reads denied" "$_k" active
	if sx_fire "$1" "$6" "$7" ctl_runs; then
		sx_ge "strict=0, reads denied: $3 runs" "$SN" "$(sx_dl "$6")"
		sx_ge "strict=0, reads denied: runs that read $8" "$SN" "$(sx_dl "$7")"
		sx_ge "strict=0, reads denied: control runs" "$SN" "$(sx_dl ctl_runs)"
	fi

	sx_strict 1
	sx_state "$3 right after echo 1 > strict" "$_k" revoked
	sx_req "$3, strict=1" "$_k" "bpf_read_kernel,$5"
	sx_state "$4, strict=1" "$_c" active
	if sx_fire "$1" "$6" "$7" ctl_runs; then
		sx_eqn "strict=1, reads denied: $3 runs (revoked)" 0 "$(sx_dl "$6")"
		sx_eqn "strict=1, reads denied: runs that read $8" 0 "$(sx_dl "$7")"
		sx_ge "strict=1, reads denied: control runs" "$SN" "$(sx_dl ctl_runs)"
	fi

	sx_strict 0
	sx_state "$3 right after echo 0 > strict" "$_k" active
	if sx_fire "$1" "$7"; then
		sx_ge "strict=0 again: runs that read $8" "$SN" "$(sx_dl "$7")"
	fi
	sx_deny_off
	sx_down "$1"
}

# kfunc_read (7.2 and later): bpf_probe_read_kernel_dynptr, which has no
# lockdown check, reading linux_banner's "Linux".
test_strict_kfunc() {
	sx_begin strict_kfunc || { t_end; return; }
	if ! grep -qw bpf_probe_read_kernel_dynptr /proc/kallsyms; then
		t_skip "this kernel has no bpf_probe_read_kernel_dynptr (7.2 and later have it)"
		return
	fi
	sx_reader kf strict_kfunc sx_kfunc sx_kctl kfunc_read kfunc_runs banner_ok \
		"'Linux' from linux_banner"
	sx_reader kl strict_kfunc sx_strlen sx_kctl kfunc_read strlen_runs strlen_ok \
		"the length of linux_banner by the string kfunc bpf_strlen"
	sx_reader ksm strict_kfunc sx_stream sx_kctl fmt_read stream_runs stream_ok \
		"linux_banner formatted into the program's stream (not read back)"
	t_end
}

# btf_print: bpf_snprintf_btf, which prints any address as any BTF type,
# printing the current task_struct.
test_strict_print() {
	sx_begin strict_print || { t_end; return; }
	sx_reader pr strict_print sx_print sx_pctl btf_print print_runs print_ok \
		"'(struct task_struct)'"
	t_end
}

# btf_read through trusted pointers, which 6.12 and later read with plain
# loads: fields of bpf_get_current_task_btf() and a tp_btf argument.
test_strict_trusted() {
	sx_begin strict_trusted || { t_end; return; }
	sx_reader tr strict_trusted sx_task sx_tctl btf_read task_runs task_ok \
		"'lsmr' from the current task's comm"
	sx_reader tp strict_trusted sx_tpbtf sx_tctl btf_read tp_runs tp_ok \
		"syscall number 140 from the tp_btf pt_regs argument"
	t_end
}

# btf_read without a load: a trusted task_struct as bpf_strncmp's memory.
test_strict_memarg() {
	sx_begin strict_memarg || { t_end; return; }
	if [ "$KVER" = 6.1 ]; then
		t_skip "6.1 takes no BTF object as a helper's memory argument"
		return
	fi
	sx_reader ma strict_memarg sx_memarg sx_mctl btf_read mem_runs mem_ok \
		"'lsmr' from the current task's comm, compared by the helper"
	t_end
}

# ksym_read: a typed non-struct ksym (bpf_prog_active) read with a plain
# load through bpf_this_cpu_ptr.
test_strict_ksym() {
	sx_begin strict_ksym || { t_end; return; }
	sx_reader ks strict_ksym sx_ksym sx_kctl ksym_read ksym_runs ksym_ok \
		"bpf_prog_active = 1 while a kprobe program runs"
	t_end
}

# fmt_read: %s and %pi6 of linux_banner through bpf_trace_printk and
# bpf_snprintf. The control prints a map string and integers through
# bpf_trace_printk, bpf_trace_vprintk and bpf_snprintf and stays "-".
test_strict_fmt() {
	sx_begin strict_fmt || { t_end; return; }
	sx_reader fp strict_fmt sx_printk sx_fctl fmt_read printk_runs printk_ok \
		"linux_banner printed by bpf_trace_printk"
	sx_reader fs strict_fmt sx_snprintf sx_fctl fmt_read snprintf_runs \
		snprintf_ok "'Linux' from linux_banner by bpf_snprintf"
	sx_reader f6 strict_fmt sx_pi6 sx_fctl fmt_read pi6_runs pi6_ok \
		"'4c69' ('Li') of linux_banner by %pi6"
	sx_reader fk strict_fmt sx_pks sx_fctl fmt_read pks_runs pks_ok \
		"'Linux' from linux_banner by %pks"
	sx_reader fv strict_fmt sx_vprintk sx_fctl fmt_read vprintk_runs vprintk_ok \
		"linux_banner printed by bpf_trace_vprintk"
	t_end
}

# Iterator printers: bpf_seq_printf with %s of linux_banner (fmt_read) and
# bpf_seq_printf_btf of the task (btf_print); the control prints "%d".
# All three read ctx->meta through a BTF pointer (btf_read). Each prints
# when its pinned link is read.
sx_iter_out() {
	to 30 cat "$SP/it/link/$1" 2>&1 | head -c 4096
}

test_strict_iter() {
	sx_begin strict_iter || { t_end; return; }
	sx_strict 0
	if ! sx_up it strict_iter; then
		t_end
		return
	fi
	_f=$(sx_id it sx_seqfmt)
	_b=$(sx_id it sx_seqbtf)
	_c=$(sx_id it sx_seqctl)
	for _i in $_f $_b $_c; do
		diag "it: $(prog_line "$_i")"
	done
	sx_req sx_seqfmt "$_f" btf_read,fmt_read
	sx_req sx_seqbtf "$_b" btf_read,btf_print
	sx_req sx_seqctl "$_c" btf_read
	sx_deny_on
	sx_revalidate
	t_eq "sx_seqfmt, strict=0, reads denied: prints linux_banner" yes \
		"$(sx_iter_out sx_seqfmt | grep -q '^Linux version' && echo yes)"
	t_eq "sx_seqbtf, strict=0, reads denied: prints the task" yes \
		"$(sx_iter_out sx_seqbtf | grep -q '(struct task_struct)' && echo yes)"
	t_eq "sx_seqctl, strict=0: prints" n=7 "$(sx_iter_out sx_seqctl)"
	sx_strict 1
	sx_state "sx_seqfmt right after echo 1 > strict" "$_f" revoked
	sx_state "sx_seqbtf right after echo 1 > strict" "$_b" revoked
	t_eq "sx_seqfmt revoked: output" "" "$(sx_iter_out sx_seqfmt)"
	t_eq "sx_seqbtf revoked: output" "" "$(sx_iter_out sx_seqbtf)"
	sx_strict 0
	sx_state "sx_seqfmt right after echo 0 > strict" "$_f" active
	t_eq "sx_seqfmt restored: prints linux_banner" yes \
		"$(sx_iter_out sx_seqfmt | grep -q '^Linux version' && echo yes)"
	sx_deny_off
	sx_down it
	t_end
}

# Programs loaded before the module: no verifier view, so the conservative
# rules apply. 6.12 and later: a tp_btf program counts as btf_read as a
# whole (site "-") and a caller of bpf_get_current_task_btf at the call;
# every kernel: a caller of a format helper counts as fmt_read at the
# call, even the control. An fentry program that calls neither stays "-".
# The same programs loaded with the module present are judged exactly.
test_strict_unseen() {
	sx_begin strict_unseen || { t_end; return; }
	sx_strict 0
	sx_unload
	if ! sx_up un strict_trusted || ! sx_up uf strict_fmt; then
		t_end
		return
	fi
	if ! to 60 modprobe lsmrevoke $QUIET >"$SW/un.out" 2>&1; then
		t_err "modprobe lsmrevoke: expected success, saw '$(cat "$SW/un.out")'"
		t_end
		return
	fi
	_t=$(sx_id un sx_task)
	_p=$(sx_id un sx_tpbtf)
	_c=$(sx_id un sx_tctl)
	_f=$(sx_id uf sx_fctl)
	for _i in $_t $_p $_c $_f; do
		diag "walked: $(prog_line "$_i")"
		t_eq "walked prog $_i src" walk "$(kv "$(prog_line "$_i")" src)"
	done
	sx_req "sx_task, walked" "$_t" btf_read
	sx_req "sx_tctl, walked" "$_c" -
	sx_req "sx_fctl, walked" "$_f" fmt_read
	t_eq "sx_fctl walked: site at a call" yes \
		"$(prog_line "$_f" | grep -q 'sites=fmt_read@[0-9]' && echo yes)"
	if [ "$KVER" = 6.1 ]; then
		sx_req "sx_tpbtf, walked (6.1: probe loads)" "$_p" btf_read
	else
		sx_req "sx_tpbtf, walked (rule: tp_btf)" "$_p" btf_read
		t_eq "sx_tpbtf walked: site" "sites=btf_read@-" \
			"$(prog_line "$_p" | tr ' ' '\n' | grep '^sites=')"
	fi
	# Loaded again with the module present: seen, judged exactly.
	if sx_up un2 strict_fmt; then
		sx_req "sx_fctl, seen" "$(sx_id un2 sx_fctl)" -
	fi
	sx_down un uf un2
	t_end
}

# --- 5: the strict file ---------------------------------------------------------

test_strict_file() {
	sx_begin strict_file || { t_end; return; }
	set -- $(ls -ln "$SFS/strict" 2>/dev/null)
	t_eq "strict mode" -rw------- "${1:-missing}"
	t_eq "strict owner uid" 0 "${3:-missing}"
	t_eq "write '0'" OK "$(sx_write "$SFS/strict" 0)"
	t_eq "strict reads" 0 "$(cat "$SFS/strict" 2>&1)"
	t_eq "write '1\\n'" OK "$(sx_write "$SFS/strict" '1\n')"
	t_eq "strict reads" 1 "$(cat "$SFS/strict" 2>&1)"
	t_eq "write '0\\n'" OK "$(sx_write "$SFS/strict" '0\n')"
	t_eq "strict reads" 0 "$(cat "$SFS/strict" 2>&1)"
	# Refused writes, from each state: EINVAL, no pass, no change.
	for _v in 0 1; do
		sx_write "$SFS/strict" "$_v" >/dev/null
		_p0=$(sx_stat passes)
		for _g in 2 yes '' '1 1' ' 1' '1 ' '0x1' '\n' '1\n\n' '1\0' -1 11 y n; do
			t_eq "strict=$_v: write '$_g'" write:EINVAL "$(sx_write "$SFS/strict" "$_g")"
		done
		t_eq "strict=$_v: write of 100 bytes" write:EINVAL "$(sx_write "$SFS/strict" 1 100)"
		t_eq "strict=$_v: write of 8192 bytes" write:EINVAL "$(sx_write "$SFS/strict" 0 8192)"
		t_eq "strict after refused writes" "$_v" "$(cat "$SFS/strict" 2>&1)"
		sx_eqn "passes after refused writes (strict=$_v)" "${_p0:-0}" "$(sx_stat passes)"
	done
	sx_write "$SFS/strict" 0 >/dev/null
	_p0=$(sx_stat passes)
	# Not for an ordinary user, nor for root without capabilities.
	if "$BIN" asuser 65534 sh -c "echo 1 > $SFS/strict" >"$SW/asuser.out" 2>&1; then
		t_err "uid 65534: echo 1 > strict: expected refused, saw success"
	else
		t_pass
		diag "uid 65534: $(cat "$SW/asuser.out")"
	fi
	_r=$("$BIN" asuser 65534 "$BIN" trace write "$SFS/strict" 1 2>&1)
	case $_r in
	open:EACCES | open:EPERM | write:EACCES | write:EPERM) t_pass ;;
	*) t_err "uid 65534 writing strict: expected EACCES or EPERM, saw '$_r'" ;;
	esac
	_r=$("$BIN" asuser 65534 cat "$SFS/strict" 2>&1) &&
		t_err "uid 65534 reading strict: expected refused, saw '$_r'"
	_r=$("$BIN" nocap "$BIN" trace write "$SFS/strict" 1 2>&1)
	case $_r in
	open:EACCES | open:EPERM | write:EACCES | write:EPERM) t_pass ;;
	*) t_err "uid 0 without capabilities writing strict: expected EACCES or EPERM, saw '$_r'" ;;
	esac
	t_eq "strict after refused users" 0 "$(cat "$SFS/strict" 2>&1)"
	sx_eqn "passes after refused users" "${_p0:-0}" "$(sx_stat passes)"
	t_end
}

# --- the load window, raced (issue 18) ------------------------------------

# Another root process races each load of a program strict mode denies: it
# opens the program by ID as soon as the ID exists, runs it until a run
# lands in the stub, and on every other round first attaches an fentry
# program to it (detached at once). lsmrevoke judges a new program when
# the kernel has compiled it, before its ID exists (README "The load
# window"): the racer must never see it run its own code, not once, and
# its attachments must all be refused. The time until the stub answers is
# logged. Before the compile hook, the racer got up to 1612 runs in (see
# the README). Sets _compiled to the programs the compile hook tracked
# meanwhile (stats "compiled").
sx_window_race() {
	_c0=$(sx_stat compiled)
	sx_strict 1
	sx_deny_on
	sx_revalidate
	if ! to 300 "$BIN" strict window "$PROGS/strict_window.bpf.o" sx_window \
		"$PROGS/trace_onprog.bpf.o" "$SX_WINDOW_ROUNDS" \
		>"$SW/win.out" 2>"$SW/win.err"; then
		t_err "strict window: expected success, saw '$(tail -n 1 "$SW/win.err")'"
		diag_file "$SW/win.err" "window: "
	else
		_l=$(grep '^rounds=' "$SW/win.out")
		diag "window: $_l"
		sx_eqn "window rounds" "$SX_WINDOW_ROUNDS" "$(kv "$_l" rounds)"
		sx_eqn "programs the racer opened" "$SX_WINDOW_ROUNDS" "$(kv "$_l" seen)"
		sx_eqn "programs still running their own code after 2 s" 0 \
			"$(kv "$_l" unrevoked)"
		# Judged before its ID exists: the racer can open it no
		# earlier than that, so it never runs its own code, and an
		# fentry program cannot be attached to it.
		sx_eqn "runs of a denied program's own code by the racer" 0 \
			"$(kv "$_l" early_runs)"
		sx_eqn "fentry attachments that beat the revocation" 0 \
			"$(kv "$_l" attach_won)"
	fi
	sx_deny_off
	sx_strict 0
	_compiled=$(($(sx_stat compiled) - ${_c0:-0}))
}

test_strict_window() {
	sx_begin strict_window || { t_end; return; }
	sx_window_race
	sx_ge "programs the compile hook tracked during the race" \
		"$SX_WINDOW_ROUNDS" "$_compiled"
	t_end
}

# sx_blind_race: root's fexit program (strict_blind.bpf.o) on the
# select-runtime function, then the strict_window race under it: the
# compile hook must track every load and the fexit program see every one
# return. Fails (status 1) if the fexit program cannot be attached.
sx_blind_race() {
	rm -rf "${SP:?}/blind"
	if ! to 60 "$BIN" trace up "$PROGS/strict_blind.bpf.o" "$SP/blind" \
		--attach-to - "$SELECT_RUNTIME" >"$SW/blind.ids" 2>"$SW/blind.err"; then
		t_err "attach an fexit program to $SELECT_RUNTIME: expected success, saw '$(tail -n 1 "$SW/blind.err")'"
		return 1
	fi
	_b0=$(sx_blind_runs blind)
	sx_window_race
	_b1=$(sx_blind_runs blind)
	sx_ge "programs the compile hook tracked under the fexit program" \
		"$SX_WINDOW_ROUNDS" "$_compiled"
	sx_ge "select-runtime returns the fexit program saw" \
		"$SX_WINDOW_ROUNDS" "$((${_b1:-0} - ${_b0:-0}))"
	rm -rf "${SP:?}/blind"
}

# The same race after root, before the policy tightened, attached an fexit
# program to the select-runtime function the compile hook probes (an
# attempt to blind it: a BPF trampoline on the same ftrace site calls the
# function's body itself and returns past it, which dropped the hook's
# redirect while its kprobe was not an IPMODIFY user of the site: every
# denied load then ran unjudged until its ID existed, and the count of
# tasks inside the hook never went back to 0, so rmmod would wait
# forever). The hook must still judge every load, the fexit program must
# see every one of them return, and the module must unload at once.
test_strict_window_traced() {
	sx_begin strict_window_traced || { t_end; return; }
	sx_blind_race || { t_end; return; }
	# No task was left counted inside the compile hook: rmmod returns
	# at once (in the background: a count that never returns to 0
	# would keep it waiting, uninterruptibly, for ever).
	rmmod lsmrevoke >"$SW/rmmod.out" 2>&1 &
	_k=100
	while module_loaded && [ "$_k" -gt 0 ]; do
		nap
		_k=$((_k - 1))
	done
	module_loaded &&
		t_err "rmmod lsmrevoke after the race under the fexit program: expected it gone within 10 s, saw it loaded ('$(cat "$SW/rmmod.out")')"
	t_end
}

# Root, before lsmrevoke loaded, put its own kprobes (tracefs
# kprobe_events: no post handler) on the functions lsmrevoke redirects
# (the select-runtime function, delete_module(), the debugfs kprobes/
# enabled writer), then attaches fexit programs to two of them. The
# redirects were kprobes, which join a kprobe already on their site: the
# site stayed armed without IPMODIFY, so the fexit program on the
# select-runtime function blinded the compile hook again (and rmmod
# hung), and removing root's kprobes after lsmrevoke's were gone (or the
# other way round) made the kernel disarm the site with the IPMODIFY ops:
# "Failed to disarm kprobe-ftrace", a WARN. Now each redirect is an
# ftrace_ops of its own. Checked: the load window stays closed, a refused
# rmmod under root's fexit program on delete_module() fails with EBUSY
# (the trampoline calls the refusal; it returned whatever was in rax),
# an unload lsmrevoke lets through (another module's, then its own) goes
# through the redirect's pass-through (calls= in symbols; an ENDBR'd
# address for the trampoline's indirect call, tests/ibt-entries.sh) and
# succeeds, the kprobes/enabled write is still refused, and the kprobes
# come off with a clean log.
SX_TR=/sys/kernel/tracing

# sx_blind_runs PIN: the runs root's fexit program pinned at $SP/PIN saw.
sx_blind_runs() {
	"$BIN" trace get "$SP/$1" blind_runs | sed -n 's/^blind_runs=//p'
}

# sx_redirect_calls FN: calls= of FN's redirect line in symbols (calls
# its pass-through let through).
sx_redirect_calls() {
	kv "$(awk -v f="$1" '$1 == f && $4 == "redirect"' "$SFS/symbols")" calls
}

# sx_shared_kprobes add|del: root's kprobes lsmr_shared1..3.
sx_shared_kprobes() {
	_n=0
	for _fn in "$SELECT_RUNTIME" __x64_sys_delete_module write_enabled_file_bool; do
		_n=$((_n + 1))
		if [ "$1" = add ]; then
			echo "p:lsmr_shared$_n $_fn" >>"$SX_TR/kprobe_events" &&
				echo 1 >"$SX_TR/events/kprobes/lsmr_shared$_n/enable" ||
				t_err "kprobe_events: a kprobe on $_fn: expected it placed and enabled, saw a failure"
		else
			echo 0 >"$SX_TR/events/kprobes/lsmr_shared$_n/enable" 2>/dev/null
			echo "-:lsmr_shared$_n" >>"$SX_TR/kprobe_events" ||
				t_err "kprobe_events: remove the kprobe on $_fn: expected success, saw a failure"
		fi
	done
}

test_strict_window_shared() {
	t_begin strict_window_shared
	if [ ! -w "$SX_TR/kprobe_events" ]; then
		t_err "$SX_TR/kprobe_events: expected tracefs, saw none"
		t_end
		return
	fi
	module_loaded && to 60 rmmod lsmrevoke
	mark
	sx_shared_kprobes add
	if ! need_module; then
		t_err "modprobe lsmrevoke with root's kprobes on its sites: expected success, saw '$(dmesg_since_mark | grep 'lsmrevoke:' | tail -n 1)'"
		sx_shared_kprobes del
		t_end
		return
	fi
	rm -rf "${SP:?}/blind_dm" "${SP:?}/held"
	sx_blind_race
	# A program revoked, so that an unload is refused; root's fexit
	# program on delete_module() sees the refused call return.
	sx_strict 1
	sx_deny_on
	if to 60 "$BIN" load "$PROGS/strict_window.bpf.o" "$SP/held" \
		>"$SW/held.ids" 2>"$SW/held.err"; then
		_h=$(awk '{ print $2 }' "$SW/held.ids")
		t_eq "prog $_h (sx_window) under strict=1 and the denier" revoked \
			"$(prog_line "$_h" | cut -d' ' -f5)"
	else
		t_err "load strict_window.bpf.o: expected success, saw '$(tail -n 1 "$SW/held.err")'"
	fi
	_r=
	if to 60 "$BIN" trace up "$PROGS/strict_blind.bpf.o" "$SP/blind_dm" \
		--attach-to - __x64_sys_delete_module >/dev/null 2>"$SW/blind_dm.err"; then
		if to 60 rmmod lsmrevoke >"$SW/rmmod.out" 2>&1; then
			t_err "rmmod lsmrevoke with a program revoked, under an fexit program on delete_module: expected a refusal, saw success"
		else
			t_eq "rmmod's error under an fexit program on delete_module" 1 \
				"$(grep -c 'Device or resource busy' "$SW/rmmod.out")"
		fi
		module_loaded || t_err "lsmod after the refused rmmod: expected lsmrevoke loaded, saw none"
		_r=$(sx_blind_runs blind_dm)
		sx_ge "delete_module() returns the fexit program saw" 1 "${_r:-0}"
		# A delete_module() lsmrevoke lets through (another module's
		# unload), under the same fexit program: it resumes in the
		# redirect's pass-through, whose ENDBR the trampoline's
		# indirect call needs on IBT hardware, unloads that module
		# and returns to the fexit program.
		_c0=$(sx_redirect_calls __x64_sys_delete_module)
		if to 60 modprobe lsmrevoke_notify_test >"$SW/other.out" 2>&1 &&
			to 60 rmmod lsmrevoke_notify_test >>"$SW/other.out" 2>&1; then
			t_pass
		else
			t_err "modprobe and rmmod lsmrevoke_notify_test under the fexit program on delete_module: expected success, saw '$(tail -n 1 "$SW/other.out")'"
		fi
		grep -q '^lsmrevoke_notify_test ' /proc/modules &&
			t_err "/proc/modules after its rmmod: expected no lsmrevoke_notify_test, saw it"
		_c1=$(sx_redirect_calls __x64_sys_delete_module)
		if sx_num "$_c0" && sx_num "$_c1"; then
			sx_ge "delete_module() calls through the pass-through (symbols calls=)" \
				1 "$((_c1 - _c0))"
		else
			t_err "symbols: __x64_sys_delete_module redirect calls=: expected numbers, saw '$_c0' and '$_c1'"
		fi
		sx_ge "delete_module() returns the fexit program saw, with the other unload" \
			"$((${_r:-0} + 1))" "$(sx_blind_runs blind_dm)"
	else
		t_err "attach an fexit program to __x64_sys_delete_module: expected success, saw '$(tail -n 1 "$SW/blind_dm.err")'"
	fi
	if sh -c "echo 0 > /sys/kernel/debug/kprobes/enabled" 2>/dev/null; then
		t_err "echo 0 > kprobes/enabled beside root's kprobe: expected a refusal, saw success"
	fi
	t_eq "kprobes/enabled beside root's kprobe" 1 \
		"$(cat /sys/kernel/debug/kprobes/enabled 2>&1)"
	rm -rf "${SP:?}/held"
	sx_deny_off
	sx_strict 0
	# The held program is freed after a grace period; then the unload
	# goes through, with root's kprobes still on the sites and root's
	# fexit program still on delete_module() (the unload's own call
	# goes through the pass-through). In the background, once a second:
	# an unload left waiting for a task the hook lost would wait,
	# uninterruptibly, for ever. One of those rmmods must succeed.
	: >"$SW/rmmod.out"
	_pids=
	_k=100
	while module_loaded && [ "$_k" -gt 0 ]; do
		if [ $((_k % 10)) -eq 0 ]; then
			rmmod lsmrevoke >>"$SW/rmmod.out" 2>&1 &
			_pids="$_pids $!"
		fi
		nap
		_k=$((_k - 1))
	done
	if module_loaded; then
		t_err "rmmod lsmrevoke beside root's kprobes and fexit program: expected it gone within 10 s, saw '$(tail -n 1 "$SW/rmmod.out")'"
	else
		_ok=0
		for _p in $_pids; do
			wait "$_p" && _ok=1
		done
		t_eq "rmmod lsmrevoke beside root's kprobes and fexit program: an rmmod that exited 0" \
			1 "$_ok"
	fi
	rm -rf "${SP:?}/blind_dm"
	sx_shared_kprobes del
	dmesg_since_mark >"$SW/shared.dmesg"
	t_eq "kernel log after root's kprobes came off: WARNING or BUG lines" 0 \
		"$(grep -c -e 'WARNING:' -e 'BUG:' -e 'Failed to disarm' "$SW/shared.dmesg")"
	t_end
}

# ---------------------------------------------------------------------------

test_strict_modprobe
test_strict_toggle
test_strict_load
test_strict_requires
test_strict_kfunc
test_strict_print
test_strict_trusted
test_strict_memarg
test_strict_ksym
test_strict_fmt
test_strict_iter
test_strict_unseen
test_strict_file
test_strict_window
test_strict_window_traced
test_strict_window_shared

# Leave nothing behind: free our programs with the module loaded, then
# unload it.
sx_deny_detach
rm -rf "${SP:?}"
# (Frees are deferred: wait until the module has seen them.)
_k=50
while [ "$_k" -gt 0 ] && module_loaded &&
	[ "$(body "$SFS/programs" | wc -l)" != "$("$BIN" ids | wc -l)" ]; do
	nap
	_k=$((_k - 1))
done
module_loaded && to 60 rmmod lsmrevoke
module_loaded && diag "50-strict.sh: lsmrevoke still loaded at the end"
