#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The lsmrevoke benchmarks, inside the QEMU guest (tests/run-qemu.sh --script
# bench/guest.sh --add <dir>/bench; bench/run.sh does this). lsmrevoke is
# loaded when this starts. Every measurement is printed as a line starting
# with "@" for bench/report.py; the configurations compared with each other
# alternate within every round (ABBA order), so that a slow stretch of the
# host hits both sides of a ratio alike.

B=./bench/lsmrevoke-bench
. ./bench/params
# Defaults if params leaves something out.
: "${ROUNDS:=5}" "${HOT_N:=20000}" "${XDP_N:=100000}" "${LOAD_COUNT:=3}"
: "${LOAD_SIZES:=10 4000 100000}" "${REV_COUNTS:=0,10,100,1000,1000a,10000,10000a}"
: "${REV_REPS:=1}" "${MEM_ROUNDS:=3}"

loaded() { grep -q '^lsmrevoke ' /proc/modules; }
mod() {
	case $1 in
	on) loaded || modprobe lsmrevoke || exit 1 ;;
	off) ! loaded || rmmod lsmrevoke || exit 1 ;;
	esac
}
# "on off" in odd rounds, "off on" in even ones.
order() { if [ $(($1 % 2)) = 1 ]; then echo "$2 $3"; else echo "$3 $2"; fi; }
run() { "$B" "$@" || { echo "FAILED: $B $*" >&2; exit 1; }; }
ts() { date +%s; }
# One round over the three hooks: report tag, round, configuration, and the
# state the program runs in (active, revoked or none).
hooks() {
	for k in tp fentry xdp; do
		n=$HOT_N
		[ $k = xdp ] && n=$XDP_N
		echo "@$1 $2 $3 $(run hot $k "$4" $n)"
	done
}

# "@mem <programs> <round> on|off <SUnreclaim kB> [<active_objs> <num_objs>
# <objsize> <objperslab> <pagesperslab> of lsmrevoke_entry in /proc/slabinfo>]"
mem() {
	sync
	echo "@mem $1 $2 $3 $(awk '/^SUnreclaim:/ { print $2 }' /proc/meminfo)" \
		"$(awk '$1 == "lsmrevoke_entry" { print $2, $3, $4, $5, $6 }' /proc/slabinfo)"
}
mem_rounds() {
	r=1
	while [ $r -le "$MEM_ROUNDS" ]; do
		for m in $(order $r on off); do
			mod $m
			sleep 1
			mem "$1" $r $m
		done
		r=$((r + 1))
	done
	mod on
}

echo "@kernel $(uname -r)"
echo "@params rounds=$ROUNDS hot_n=$HOT_N xdp_n=$XDP_N load_count=$LOAD_COUNT" \
	"rev_counts=$REV_COUNTS rev_reps=$REV_REPS mem_rounds=$MEM_ROUNDS"
t0=$(ts)

# 5. Memory, part 1: what loading the module costs with no BPF program.
mem_rounds 0

# 1. Hot path: programs active, lsmrevoke loaded or not.
r=1
while [ "$r" -le "$ROUNDS" ]; do
	for m in $(order $r on off); do
		mod $m
		hooks hot $r $m active
	done
	r=$((r + 1))
done
echo "@time hot $(($(ts) - t0))"

# 2. Revoked path: the program revoked vs no program (denier attached in both).
mod on
t=$(ts)
r=1
while [ "$r" -le "$ROUNDS" ]; do
	for m in $(order $r revoked none); do
		hooks revoked $r $m $m
	done
	r=$((r + 1))
done
echo "@time revoked $(($(ts) - t))"

# 3. Load path.
t=$(ts)
r=1
while [ "$r" -le "$ROUNDS" ]; do
	for m in $(order $r on off); do
		mod $m
		for s in $LOAD_SIZES; do
			echo "@load $r $m $(run load "$s" "$LOAD_COUNT")"
		done
	done
	r=$((r + 1))
done
echo "@time load $(($(ts) - t))"

# 4. Revocation latency vs detaching, then 5. memory with the programs held.
mod on
t=$(ts)
# Tracepoints nothing in this guest fires, so that thousands of attached
# programs cost nothing while they wait; links are spread over all of them.
for s in thermal rtc iommu devlink filelock hwmon mdio oom alarmtimer \
	error_report swiotlb xdp bpf_test_run; do
	for e in /sys/kernel/tracing/events/"$s"/*/; do
		[ -d "$e" ] && basename "$e"
	done
done >/tmp/bench-tps
echo "@tracepoints $(wc -l </tmp/bench-tps)"
rm -f /tmp/bench-ready
"$B" revoke /tmp/bench-tps "$REV_COUNTS" "$REV_REPS" /tmp/bench-ready |
	sed 's/^/@/' &
while [ ! -e /tmp/bench-ready ]; do
	if ! kill -0 $! 2>/dev/null; then
		echo "FAILED: lsmrevoke-bench revoke" >&2
		exit 1
	fi
	sleep 1
done
echo "@time revoke $(($(ts) - t))"
t=$(ts)
mem_rounds "$(cat /tmp/bench-ready)"
echo "@time mem $(($(ts) - t))"
pid=$(pidof lsmrevoke-bench)
[ -n "$pid" ] && kill $pid
wait
echo "@time total $(($(ts) - t0))"
echo "@done"
