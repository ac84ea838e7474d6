# SPDX-License-Identifier: GPL-2.0
#
# Lockdown writes (sourced by suite.sh; busybox sh). Only 99-kmemleak.sh,
# which needs no modprobe, runs after it: the lockdown level only rises,
# and from integrity on no unsigned module can be loaded, so nothing after
# it may need modprobe (rmmod still works, and is tested here). The
# helpers and offenders are those of
# 30-policy.sh: po_read (bpf_probe_read_kernel), po_write
# (bpf_probe_write_user into a buffer of the monitored task) and the
# control po_ctl, attached to the getpriority() tracepoint before any
# lockdown (under confidentiality tracefs, and so a tracepoint attach, is
# refused).
#
#   lockdown  integrity (echo from this shell) revokes po_write and not
#             po_read, confidentiality (written by the loader, which reads
#             programs right after) revokes po_read, each before the write
#             returns, one pass per write; rmmod restores both
#
# Leaves the module unloaded and every program of its own freed.

command -v po_fire >/dev/null 2>&1 ||
	PO_HELPERS_ONLY=1 . "$T/guest/suite.d/30-policy.sh"

LOCKDOWN=/sys/kernel/security/lockdown

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

test_lockdown() {
	t_begin lockdown
	if [ ! -w "$LOCKDOWN" ]; then
		t_err "$LOCKDOWN: expected the lockdown LSM's file, saw none"
		t_end
		return
	fi
	if [ "$(ld_level)" != none ]; then
		t_err "lockdown at the start: expected none, saw '$(ld_level)'"
		t_end
		return
	fi
	if ! po_modprobe || ! po_up lk; then
		t_end
		return
	fi
	_r=$(po_id lk po_read)
	_w=$(po_id lk po_write)
	_c=$(po_id lk po_ctl)
	po_fire lk && po_counts "no lockdown" "$PN $PN $PN"
	po_burst_up
	sleep 1
	mark

	_p0=$(po_stat passes)
	ld_raise integrity "$PW/integrity.snap"
	po_eq "echo integrity > $LOCKDOWN: exit status" 0 "$LD_RC"
	t_eq "lockdown level" integrity "$(ld_level)"
	po_want "po_write when the integrity write returned" "$_w" revoked "$PW/integrity.snap"
	po_want "po_read when the integrity write returned" "$_r" active "$PW/integrity.snap"
	po_want "po_ctl when the integrity write returned" "$_c" active "$PW/integrity.snap"
	po_eq "passes for the integrity write" 1 $(($(po_stat passes) - _p0))
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

	_p1=$(po_stat passes)
	ld_raise_tight confidentiality "$PW/confidentiality.snap"
	t_eq "write confidentiality to $LOCKDOWN" OK "$LD_RC"
	t_eq "lockdown level" confidentiality "$(ld_level)"
	po_want "po_read when the confidentiality write returned" "$_r" revoked "$PW/confidentiality.snap"
	po_want "po_write when the confidentiality write returned" "$_w" revoked "$PW/confidentiality.snap"
	po_want "po_ctl when the confidentiality write returned" "$_c" active "$PW/confidentiality.snap"
	po_eq "passes for the confidentiality write" 1 $(($(po_stat passes) - _p1))
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

	po_rmmod
	module_loaded && t_err "lsmod: expected no lsmrevoke after rmmod under lockdown, saw it"
	po_fire lk && po_counts "after rmmod" "$PN $PN $PN"
	if to 60 modprobe lsmrevoke $QUIET >"$PW/modprobe.out" 2>&1; then
		diag "modprobe under confidentiality succeeded (a signed module?)"
		to 60 rmmod lsmrevoke
	else
		diag "modprobe under confidentiality refused: $(head -n 1 "$PW/modprobe.out")"
	fi
	po_free lk
	t_end
}

test_lockdown

po_burst_down
rm -rf "${PP:?}/lk"
module_loaded && to 60 rmmod lsmrevoke
module_loaded && diag "90-lockdown.sh: lsmrevoke still loaded at the end"
