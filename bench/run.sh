#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: build the bench tool and its BPF programs, boot each kernel
# once with tests/run-qemu.sh --script bench/guest.sh, and turn the guests'
# "@" lines into one table (stdout), docs/benchmarks.md and
# docs/revocation-latency.png (bench/report.py, gnuplot).
#
# Environment:
#   BENCH_KERNELS   kernels to boot [6.1 6.12 6.12-deb13 7.2 7.3]
#   BENCH_PARALLEL  1: boot them at the same time, 0: one after the other
#                   [0: five guests of 2 vCPUs on a 2-core host would
#                   measure each other]
#   BENCH_OUT       raw logs and plot data [/tmp/lsmrevoke-bench]
#   BENCH_ROUNDS, BENCH_HOT_N, BENCH_XDP_N, BENCH_LOAD_COUNT, BENCH_REV_COUNTS,
#   BENCH_REV_REPS, BENCH_MEM_ROUNDS   see bench/guest.sh
#   BENCH_NO_DOCS   1: print the table, leave docs/ alone

set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${BENCH_OUT:-/tmp/lsmrevoke-bench}
KERNELS=${BENCH_KERNELS:-6.1 6.12 6.12-deb13 7.2 7.3}
PARALLEL=${BENCH_PARALLEL:-0}

log() { printf '>> %s\n' "$*" >&2; }
die() { printf 'bench/run.sh: error: %s\n' "$*" >&2; exit 1; }

if ! command -v gnuplot >/dev/null; then
	log "installing gnuplot-nox from Debian"
	apt-get install -y -q gnuplot-nox >&2 ||
		{ apt-get update -q >&2 && apt-get install -y -q gnuplot-nox >&2; } ||
		die "cannot install gnuplot"
fi

t0=$(date +%s)
rm -rf "$OUT"
mkdir -p "$OUT/add/bench"
stage=$OUT/add/bench
for f in "$REPO"/bench/*.bpf.c; do
	clang -O2 -g -Wall -target bpf -D__TARGET_ARCH_x86 \
		-I/usr/include/x86_64-linux-gnu -c "$f" \
		-o "$stage/$(basename "$f" .c).o" || die "cannot build $f"
done
gcc -O2 -g -Wall -Wextra -static -o "$stage/lsmrevoke-bench" \
	"$REPO"/bench/bench.c -lbpf -lelf -lz 2> >(grep -v 'statically linked' >&2) ||
	die "cannot build bench/bench.c"
cat >"$stage/params" <<EOF
ROUNDS=${BENCH_ROUNDS:-7}
HOT_N=${BENCH_HOT_N:-20000}
XDP_N=${BENCH_XDP_N:-200000}
LOAD_COUNT=${BENCH_LOAD_COUNT:-5}
LOAD_SIZES="10 4000 100000"
REV_COUNTS=${BENCH_REV_COUNTS:-0,10,100,1000,1000a,10000,10000a}
REV_REPS=${BENCH_REV_REPS:-3}
MEM_ROUNDS=${BENCH_MEM_ROUNDS:-3}
EOF

# A private snapshot of tests/, module/ and Kbuild: bash reads a script as
# it runs, so an edit of tests/run-qemu.sh during a run (other work in the
# tree) would break it, and the build must not leave objects in module/.
# Everything else is a link to the repository.
snap=$OUT/snap
mkdir -p "$snap"
for f in "$REPO"/*; do
	case ${f##*/} in
	tests|module|Kbuild) cp -a "$f" "$snap/" ;;
	*) ln -s "$f" "$snap/" ;;
	esac
done
for try in 1 2 3 4 5 6; do
	bash -n "$snap/tests/run-qemu.sh" 2>/dev/null && break
	[ "$try" = 6 ] && die "tests/run-qemu.sh does not parse"
	sleep 10
	cp -a "$REPO/tests/run-qemu.sh" "$snap/tests/run-qemu.sh"
done

boot() {
	local k=$1
	# slab_nomerge: lsmrevoke_entry keeps its own line in /proc/slabinfo
	# instead of being merged into kmalloc-96 (figure 5).
	# Multi-threaded TCG, as the published figures were measured: the
	# vCPUs run in parallel (the tests use thread=single, see run-qemu.sh).
	LSMREVOKE_ACCEL=${LSMREVOKE_ACCEL:-tcg} \
	LSMREVOKE_APPEND="slab_nomerge ${LSMREVOKE_APPEND:-}" \
	LSMREVOKE_TIMEOUT=${LSMREVOKE_TIMEOUT:-1200} \
		bash "$snap/tests/run-qemu.sh" --kernel "$k" \
		--script "$REPO/bench/guest.sh" --add "$stage" \
		>"$OUT/$k.log" 2>"$OUT/$k.err" || true
	log "kernel $k: guest finished ($(grep -c '^@' "$OUT/$k.log" || true) measurements)"
}

pids=()
for k in $KERNELS; do
	log "kernel $k: booting (log in $OUT/$k.log)"
	if [ "$PARALLEL" = 1 ]; then
		boot "$k" &
		pids+=($!)
		sleep 5
	else
		boot "$k"
	fi
done
for p in "${pids[@]}"; do
	wait "$p"
done

ok=1
for k in $KERNELS; do
	if ! grep -q '^@done' "$OUT/$k.log"; then
		log "kernel $k: the benchmark did not finish; its log:"
		tail -n 40 "$OUT/$k.log" >&2
		tail -n 20 "$OUT/$k.err" >&2
		ok=0
	fi
done

args=()
for k in $KERNELS; do
	args+=("$k=$OUT/$k.log")
done
docs=(--doc "$REPO/docs/benchmarks.md" --png "$REPO/docs/revocation-latency.png")
[ "${BENCH_NO_DOCS:-0}" = 1 ] && docs=(--png "$OUT/revocation-latency.png")
python3 "$REPO/bench/report.py" --data "$OUT" "${docs[@]}" "${args[@]}"
log "make bench: $(($(date +%s) - t0)) s"
[ "$ok" = 1 ]
