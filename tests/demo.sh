# SPDX-License-Identifier: GPL-2.0
#
# make demo: runs inside the 6.1 guest (tests/run-qemu.sh --script), with
# lsmrevoke already loaded. Loads a few test programs, then raises lockdown
# step by step and shows what lsmrevoke does with the programs each time.

set -e

T=/opt/lsmrevoke-test
PINS=/sys/fs/bpf/demo
PROGRAMS=/sys/kernel/security/lsmrevoke/programs

mkdir -p "$PINS"
for p in plain read_kernel write_user subprog; do
	echo "== loading $p.bpf.o"
	"$T/bin/lsmrevoke-test" load "$T/progs/$p.bpf.o" "$PINS"
done
echo
echo "== pinned under $PINS:"
ls "$PINS"

for level in none integrity confidentiality; do
	[ "$level" = none ] || echo "$level" >/sys/kernel/security/lockdown
	echo
	echo "== lockdown: $(cat /sys/kernel/security/lockdown)"
	cat "$PROGRAMS"
done
