# SPDX-License-Identifier: GPL-2.0
#
# make check, a boot of its own per kernel (lockdown only rises, so this
# cannot share the suite's guest): when the probe on lockdown_write misses
# a raise, the periodic check (revalidate_interval) still revokes. Runs
# inside each guest booted by
#   tests/run-qemu.sh --script tests/backstop.sh
# after 'modprobe lsmrevoke'. It loads instead the debug build with that
# probe failed on purpose (fail_site=hook:lockdown_write) and
# revalidate_interval=1, loads the policy test programs (po_write calls
# bpf_probe_write_user), raises lockdown to integrity, and expects
# po_write still active right after the write (nothing saw it), then
# revoked within 5 s, with the periodic check's log line. It frees the
# programs so that the module can be unloaded (the ratchet).

T=/opt/lsmrevoke-test
BIN=$T/bin/lsmrevoke-test
SFS=/sys/kernel/security/lsmrevoke
PINS=/sys/fs/bpf/backstop
RESULTS=
. "$T/guest/lib.sh"

state() {	# state ID: its state in programs, or none
	_s=$(awk -v id="$1" '$1 == id { print $5 }' "$SFS/programs")
	echo "${_s:-none}"
}

t_begin backstop
rmmod lsmrevoke || exit 1
insmod "$T/debug/lsmrevoke.ko" fail_site=hook:lockdown_write \
	revalidate_interval=1 || exit 1
dmesg | grep -q 'optional probe on lockdown_write not placed' ||
	t_err "the lockdown_write probe: expected it not placed, saw it placed"
"$BIN" policy up "$T/progs/policy_off.bpf.o" "$PINS" >/tmp/ids || exit 1
w=$(awk '$1 == "po_write" { print $2 }' /tmp/ids)
t_eq "po_write before lockdown" active "$(state "$w")"

echo integrity >/sys/kernel/security/lockdown
t_eq "po_write right after the integrity write (no probe saw it)" \
	active "$(state "$w")"
n=50
while [ "$(state "$w")" != revoked ] && [ "$n" -gt 0 ]; do
	sleep 0.1
	n=$((n - 1))
done
t_eq "po_write within 5 s of the write" revoked "$(state "$w")"
diag "revoked after about $(((50 - n) * 100)) ms"
dmesg | grep -q 'lsmrevoke: lockdown level changed since the last pass' ||
	t_err "the periodic check's log line: expected it, saw none"

rm -rf "$PINS"
n=100
while grep -q ' revoked ' "$SFS/programs" && [ "$n" -gt 0 ]; do
	sleep 0.1
	n=$((n - 1))
done
rmmod lsmrevoke
t_eq "rmmod once the programs are freed" 0 "$?"
t_end
[ "$FAILED" -eq 0 ]
