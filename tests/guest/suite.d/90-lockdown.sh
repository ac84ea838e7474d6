# SPDX-License-Identifier: GPL-2.0
#
# Lockdown writes (sourced by suite.sh; busybox sh). Only 99-kmemleak.sh,
# which needs no modprobe, runs after it: the lockdown level only rises,
# and from integrity on no unsigned module can be loaded, so nothing after
# it may need modprobe (rmmod works once nothing is revoked, and is
# tested here). The helpers and offenders are those of 30-policy.sh:
# po_read (bpf_probe_read_kernel), po_write
# (bpf_probe_write_user into a buffer of the monitored task) and the
# control po_ctl, attached to the getpriority() tracepoint before any
# lockdown (under confidentiality tracefs, and so a tracepoint attach, is
# refused).
#
#   lockdown  each raise preceded by "lsmrevoke plan lockdown=<level>",
#             whose revoke list must be exactly what the raise revokes;
#             integrity (echo from this shell) revokes po_write and not
#             po_read, confidentiality (written by the loader, which reads
#             programs right after) revokes po_read, each before the write
#             returns, one pass per write
#   hold_line root tries to undo or blind it, as an attacker would: before
#             lockdown, disarm kprobes; at integrity, switch ftrace off;
#             at confidentiality, rmmod (plain and forced), mode=audit,
#             strict=0. Each is refused and the programs stay revoked;
#             strict=1 is made, after "lsmrevoke plan strict=1", and
#             revokes the BTF reader fentry_btf, exactly as planned;
#             the way out (free the revoked programs) then lets rmmod
#             work. Before the change each of these succeeded: the
#             reader read again after rmmod, after mode=audit, and, blind,
#             was never revoked.
#
# Leaves the module unloaded and every program of its own freed.

command -v po_fire >/dev/null 2>&1 ||
	PO_HELPERS_ONLY=1 . "$T/guest/suite.d/30-policy.sh"

LOCKDOWN=/sys/kernel/security/lockdown
LD_CLI=/usr/sbin/lsmrevoke
LD_PIN=$PINS/ld_plan		# fentry_btf, for plan strict=1

# ld_plan NAME SETTING...: "lsmrevoke plan SETTING" into $PW/NAME.plan and
# programs, as the plan saw them, into $PW/NAME.before.
ld_plan() {
	_pn=$1
	shift
	cat "$SFS/programs" >"$PW/$_pn.before"
	"$LD_CLI" plan "$@" >"$PW/$_pn.plan" 2>&1 ||
		t_err "lsmrevoke plan $*: expected exit 0, saw $?"
	diag_file "$PW/$_pn.plan" "plan $*: "
}

# ld_plan_has NAME KIND ID: the plan lists ID as KIND (not vacuous).
ld_plan_has() {
	case " $(plan_ids "$PW/$1.plan" "$2") " in
	*" $3 "*) t_pass ;;
	*) t_err "plan $1: expected prog $3 under $2, saw '$(plan_ids "$PW/$1.plan" "$2")'" ;;
	esac
}

# ld_level: the level in force, the bracketed word of the lockdown file.
ld_level() {
	sed -n 's/.*\[\([a-z]*\)\].*/\1/p' "$LOCKDOWN" 2>/dev/null
}

# ld_raise LEVEL SNAPSHOT: one write of LEVEL from this shell (a builtin
# echo: the writing task is this one), then at once, no sleep, programs
# into SNAPSHOT (cat: a fork and an exec after the write). LD_RC is the
# write's status.
ld_raise() {
	echo "$1" >"$LOCKDOWN"
	LD_RC=$?
	cat "$SFS/programs" >"$2"
}

# ld_raise_tight LEVEL SNAPSHOT: the same from the loader, which reads
# programs right after its write returned, with nothing in between: a
# pass that merely follows the write (from a worker) would be seen.
ld_raise_tight() {
	LD_RC=$("$BIN" policy write "$LOCKDOWN" "$1" "$2" 2>&1)
}

# The module and the offenders, before any lockdown; as part of the first
# test, whose failure it is when this fails.
ld_setup() {
	if [ ! -w "$LOCKDOWN" ]; then
		t_err "$LOCKDOWN: expected the lockdown LSM's file, saw none"
		return 1
	fi
	if [ "$(ld_level)" != none ]; then
		t_err "lockdown at the start: expected none, saw '$(ld_level)'"
		return 1
	fi
	po_modprobe && po_up lk || return 1
	# A reader through BTF pointers that the kernel lets run under
	# confidentiality, for plan strict=1 there; not attached.
	_fb=$(to 60 "$BIN" load "$PROGS/fentry_btf.bpf.o" "$LD_PIN" 2>&1 |
		awk '$1 == "fentry_btf" { print $2 }')
	[ -n "$_fb" ] || t_err "load fentry_btf.bpf.o: expected a program ID, saw none"
	_r=$(po_id lk po_read)
	_w=$(po_id lk po_write)
	_c=$(po_id lk po_ctl)
	po_fire lk && po_counts "no lockdown" "$PN $PN $PN"
}

test_lockdown() {
	t_begin lockdown
	po_burst_up
	sleep 1
	mark

	_p0=$(po_stat passes)
	ld_plan integrity lockdown=integrity
	ld_raise integrity "$PW/integrity.snap"
	po_eq "echo integrity > $LOCKDOWN: exit status" 0 "$LD_RC"
	t_eq "lockdown level" integrity "$(ld_level)"
	po_want "po_write when the integrity write returned" "$_w" revoked "$PW/integrity.snap"
	po_want "po_read when the integrity write returned" "$_r" active "$PW/integrity.snap"
	po_want "po_ctl when the integrity write returned" "$_c" active "$PW/integrity.snap"
	po_eq "passes for the integrity write" 1 $(($(po_stat passes) - _p0))
	# What the plan said is what the raise did.
	ld_plan_has integrity revoke "$_w"
	t_plan_agree "lockdown=integrity" "$PW/integrity.plan" \
		"$PW/integrity.before" "$PW/integrity.snap"
	po_fire lk && po_counts integrity "$PN 0 $PN"

	# Lockdown only rises: a write that does not raise it fails and
	# changes nothing.
	_p1=$(po_stat passes)
	for _v in none integrity; do
		echo "$_v" >"$LOCKDOWN" 2>/dev/null &&
			t_err "echo $_v > $LOCKDOWN under integrity: expected failure, saw success"
	done
	t_eq "lockdown level after the refused writes" integrity "$(ld_level)"
	po_eq "passes for the refused writes" 0 $(($(po_stat passes) - _p1))
	po_want "po_write after the refused writes" "$_w" revoked
	t_end
}

test_lockdown_confidentiality() {
	t_begin lockdown_confidentiality
	_p1=$(po_stat passes)
	ld_plan confidentiality lockdown=confidentiality
	ld_plan_has confidentiality revoke "$_r"
	ld_raise_tight confidentiality "$PW/confidentiality.snap"
	t_eq "write confidentiality to $LOCKDOWN" OK "$LD_RC"
	t_eq "lockdown level" confidentiality "$(ld_level)"
	po_want "po_read when the confidentiality write returned" "$_r" revoked "$PW/confidentiality.snap"
	po_want "po_write when the confidentiality write returned" "$_w" revoked "$PW/confidentiality.snap"
	po_want "po_ctl when the confidentiality write returned" "$_c" active "$PW/confidentiality.snap"
	po_eq "passes for the confidentiality write" 1 $(($(po_stat passes) - _p1))
	t_plan_agree "lockdown=confidentiality" "$PW/confidentiality.plan" \
		"$PW/confidentiality.before" "$PW/confidentiality.snap"
	po_fire lk && po_counts confidentiality "0 0 $PN"

	# One audit record per decision: the two revocations.
	po_wait_records "$PW/lockdown.rec" 2
	diag_file "$PW/lockdown.rec" "record: "
	po_eq "audit records of lsmrevoke for two lockdown writes" 2 "$(wc -l <"$PW/lockdown.rec")"
	t_eq "first record" "revoke $_w po_write tracepoint bpf_write_user 0 1" \
		"$(sed -n 1p "$PW/lockdown.rec")"
	t_eq "second record" "revoke $_r po_read tracepoint bpf_read_kernel 0 1" \
		"$(sed -n 2p "$PW/lockdown.rec")"
	po_burst_down
	dmesg_since_mark | grep -e 'lsmrevoke: ' -e 'Lockdown: ' >"$PW/lockdown.lines"
	diag_file "$PW/lockdown.lines" "log: "
	t_end
}

# ld_refused WHAT CMD...: CMD, run as root, must fail.
ld_refused() {
	_what=$1
	shift
	if "$@" >"$PW/refused.out" 2>&1; then
		t_err "$_what: expected a refusal, saw success"
	else
		diag "$_what: refused: $(head -n 1 "$PW/refused.out")"
		t_pass
	fi
}

# Root before lockdown disarms kprobes, so that nothing sees the raise.
test_hold_line_kprobes() {
	t_begin hold_line_kprobes
	# Part of it: the module and the offenders (no lockdown yet).
	if ! ld_setup; then
		t_end
		return 1
	fi
	_kp=/sys/kernel/debug/kprobes/enabled
	if [ ! -w "$_kp" ]; then
		t_err "$_kp: expected the kprobes debugfs file, saw none"
		t_end
		return
	fi
	ld_refused "echo 0 > $_kp" sh -c "echo 0 > $_kp"
	t_eq "kprobes/enabled after the refused write" 1 "$(cat "$_kp")"
	t_end
	return 0
}

# At integrity, root switches ftrace off (still writable under lockdown).
test_hold_line_ftrace() {
	t_begin hold_line_ftrace
	ld_refused "sysctl kernel.ftrace_enabled=0" \
		sh -c 'echo 0 > /proc/sys/kernel/ftrace_enabled'
	t_eq "ftrace_enabled after the refused write" 1 \
		"$(cat /proc/sys/kernel/ftrace_enabled)"
	t_end
}

# At confidentiality, root tries every way lsmrevoke offers to bring the
# reader back; then the operator's way out.
test_hold_line_ratchet() {
	t_begin hold_line_ratchet
	mark
	ld_refused "rmmod lsmrevoke" to 60 rmmod lsmrevoke
	ld_refused "rmmod -f lsmrevoke" to 60 rmmod -f lsmrevoke
	module_loaded || t_err "lsmod: expected lsmrevoke still loaded, saw it gone"
	ld_refused "echo audit > mode" sh -c "echo audit > $SFS/mode"
	t_eq "mode after the refused write" enforce "$(cat "$SFS/mode")"
	# plan strict=1 under confidentiality, then made: the plan's revoke
	# list (the BTF reader among it) is what the write revokes.
	ld_plan strict1 strict=1
	ld_plan_has strict1 revoke "$_fb"
	echo 1 >"$SFS/strict" 2>"$PW/strict.err" ||
		t_err "echo 1 > strict under lockdown: expected success (toward enforcement), saw '$(cat "$PW/strict.err")'"
	cat "$SFS/programs" >"$PW/strict1.after"
	t_plan_agree "strict=1 under confidentiality" "$PW/strict1.plan" \
		"$PW/strict1.before" "$PW/strict1.after"
	# strict=0: the plan says the module refuses it, restores nothing;
	# the write is refused and nothing is restored.
	ld_plan strict0 strict=0
	grep -q '^refused strict=0: lockdown is confidentiality' "$PW/strict0.plan" ||
		t_err "plan strict=0 under confidentiality: expected 'refused strict=0: ...', saw '$(head -n 2 "$PW/strict0.plan" | tr '\n' '|')'"
	ld_refused "echo 0 > strict" sh -c "echo 0 > $SFS/strict"
	cat "$SFS/programs" >"$PW/strict0.after"
	t_plan_agree "strict=0 under confidentiality" "$PW/strict0.plan" \
		"$PW/strict0.before" "$PW/strict0.after"
	t_eq "strict after the refused write" 1 "$(cat "$SFS/strict")"
	echo enforce >"$SFS/mode" 2>"$PW/mode.err" ||
		t_err "echo enforce > mode under lockdown: expected success, saw '$(cat "$PW/mode.err")'"
	po_want "po_read after the attempts" "$_r" revoked
	po_want "po_write after the attempts" "$_w" revoked
	po_fire lk && po_counts "after the attempts" "0 0 $PN"
	dmesg_since_mark >"$PW/ratchet.log"
	grep -q 'lsmrevoke: unload refused: 2 programs are revoked' "$PW/ratchet.log" ||
		t_err "log: expected 'unload refused: 2 programs are revoked', saw none"
	grep -q 'lsmrevoke: mode=audit: refused' "$PW/ratchet.log" ||
		t_err "log: expected 'mode=audit: refused', saw none"

	# The way out: free what is revoked; then the module unloads.
	rm -rf "$LD_PIN"
	[ -z "$_fb" ] || poll_gone 10 "$_fb" ||
		t_err "prog $_fb: expected freed once unpinned, still listed"
	po_free lk
	po_rmmod
	module_loaded && t_err "lsmod: expected no lsmrevoke once the revoked programs are freed, saw it"
	if to 60 modprobe lsmrevoke $QUIET >"$PW/modprobe.out" 2>&1; then
		diag "modprobe under confidentiality succeeded (a signed module?)"
		to 60 rmmod lsmrevoke
	else
		diag "modprobe under confidentiality refused: $(head -n 1 "$PW/modprobe.out")"
	fi
	t_end
}

if test_hold_line_kprobes; then
	test_lockdown
	test_hold_line_ftrace
	test_lockdown_confidentiality
	test_hold_line_ratchet
fi

po_burst_down
rm -rf "${PP:?}/lk"
rm -rf "$LD_PIN"
module_loaded && to 60 rmmod lsmrevoke
module_loaded && diag "90-lockdown.sh: lsmrevoke still loaded at the end"
