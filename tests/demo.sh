# SPDX-License-Identifier: GPL-2.0
#
# make demo: runs inside the 6.1 guest (tests/run-qemu.sh --script) with
# lsmrevoke loaded. Two BPF programs count getpriority() calls, one of
# them reading kernel memory; lockdown is raised to confidentiality; that
# one is revoked in place before the write returns (still loaded and
# attached, its counter frozen) while the other keeps counting; root
# cannot undo it (rmmod and mode=audit are refused) until the reader is
# freed. Exits non-zero if the story does not happen.

set -u

T=/opt/lsmrevoke-test
BIN=$T/bin/lsmrevoke-test
DIR=/sys/fs/bpf/demo
SFS=/sys/kernel/security/lsmrevoke
LOCKDOWN=/sys/kernel/security/lockdown
N=10

say() {
	printf '\n%s\n' "$*"
}

die() {
	printf '\nDEMO FAILED: %s\n' "$*"
	exit 1
}

# table: the header of lsmrevoke's programs file and our two lines.
table() {
	awk -v r="$READER" -v c="$CONTROL" 'NR == 1 || $1 == r || $1 == c' \
		"$SFS/programs" | sed 's/^/    /'
}

# calls: N getpriority() calls; READ and CTL are what each program counted.
calls() {
	_out=$("$BIN" policy fire "$DIR" "$N" read_runs ctl_runs) ||
		die "cannot make the calls"
	READ=$(echo "$_out" | sed -n 's/.*read_runs=\([0-9-]*\).*/\1/p')
	CTL=$(echo "$_out" | sed -n 's/.*ctl_runs=\([0-9-]*\).*/\1/p')
	echo "    $N calls: reader counted $READ, control counted $CTL"
}

state() {
	awk -v id="$1" '$1 == id { print $5 }' "$SFS/programs"
}

say "lsmrevoke demo, Linux $(uname -r), lockdown $(cat "$LOCKDOWN")"

say "1. Two BPF programs count getpriority() calls. 'reader' also reads"
echo "   kernel memory (bpf_probe_read_kernel); 'control' does not."
"$BIN" policy up "$T/progs/policy_demo.bpf.o" "$DIR" >/tmp/demo.ids ||
	die "cannot load policy_demo.bpf.o"
READER=$(awk '$1 == "reader" { print $2 }' /tmp/demo.ids)
CONTROL=$(awk '$1 == "control" { print $2 }' /tmp/demo.ids)
echo "   Loaded and attached: reader is program $READER, control $CONTROL."
calls
[ "$READ" = "$N" ] && [ "$CTL" = "$N" ] || die "both should count"

say "2. lsmrevoke's table: reader requires bpf_read_kernel, both active."
table

say "3. Lockdown rises: echo confidentiality > $LOCKDOWN"
echo confidentiality >"$LOCKDOWN" || die "cannot raise lockdown"
echo "   The table, read right after the write returned:"
table
[ "$(state "$READER")" = revoked ] || die "reader should be revoked"

say "4. The same calls: reader is frozen, control still counts."
calls
[ "$READ" = 0 ] && [ "$CTL" = "$N" ] || die "reader should count 0, control $N"

say "5. Revoked in place: reader is still loaded, attached and pinned."
bpftool prog show id "$READER" 2>/dev/null | head -n 1 | sed 's/^/    /'
bpftool link show 2>/dev/null | grep -E "prog $READER( |$)" | sed "s/^/    /"
echo "    $(ls "$DIR" | tr '\n' ' ')"

say "6. Root cannot undo it: rmmod and mode=audit are refused."
rmmod lsmrevoke 2>&1 | sed 's/^/    /'
grep -q '^lsmrevoke ' /proc/modules || die "rmmod should be refused"
echo audit 2>&1 >"$SFS/mode" | sed 's/^/    /'
[ "$(cat "$SFS/mode")" = enforce ] || die "mode=audit should be refused"

say "7. The way out: free the reader; then lsmrevoke unloads."
rm -rf "$DIR"
n=50
while grep -q ' revoked ' "$SFS/programs" && [ "$n" -gt 0 ]; do
	sleep 0.1
	n=$((n - 1))
done
rmmod lsmrevoke || die "rmmod should work once nothing is revoked"
echo "    rmmod lsmrevoke: done"

say "Done: lockdown $(cat "$LOCKDOWN")."
