#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make matrix: compile lsmrevoke against every amd64 kernel ABI Debian
# offers for the chosen series, with the headers of that ABI. The series and
# their ABIs come from tests/kernels.sh (private apt configurations per
# suite in $LSMREVOKE_CACHE/apt/):
#   6.1         every linux-headers-6.1.0-<N>-<flavour> in bookworm and
#               bookworm-security,
#   6.12        every 6.12.<x>+deb12 in bookworm-security and
#               bookworm-backports,
#   6.12-deb13  every 6.12.<x>+deb13 in trixie and trixie-security,
#   7.N         every 7.N.<x> in trixie-backports and unstable.
# Header packages are fetched with apt-get download and unpacked with dpkg -x
# into one private root, $LSMREVOKE_MATRIX_DIR/root, once per package
# version; nothing is installed on the host. Headers whose compiler the host
# lacks (gcc-14 for +deb13, gcc-16 for +deb14) are built against in a cached
# Debian build root (tests/buildroot.sh). Compile only: one line per ABI,
# "<release>: ok" or "<release>: FAIL (...)", then "N passed, N failed";
# the exit status is non-zero if any ABI fails.
#
# Environment:
#   LSMREVOKE_CACHE            [/var/cache/lsmrevoke-test]
#   LSMREVOKE_MATRIX_DIR       [$LSMREVOKE_CACHE/matrix]
#   LSMREVOKE_MATRIX_SERIES    series [all: every series the lists offer];
#                              e.g. "6.1 6.12"
#   LSMREVOKE_MATRIX_FLAVOURS  header flavours of every ABI [amd64]; e.g.
#                              "amd64 cloud-amd64 rt-amd64" for all of Debian's
#   LSMREVOKE_MATRIX_ALSO      other flavours built for the newest ABI of the
#                              newest series only [cloud-amd64 rt-amd64]
#   LSMREVOKE_MATRIX_NEWEST    how many ABIs of each series and flavour, the
#                              newest [all]; CI sets 2 (.ci/run). Headers
#                              of older ABIs stay cached then.

set -euo pipefail
shopt -s inherit_errexit

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${LSMREVOKE_CACHE:-/var/cache/lsmrevoke-test}
M=${LSMREVOKE_MATRIX_DIR:-$CACHE/matrix}
ROOT=$M/root
SERIES=${LSMREVOKE_MATRIX_SERIES:-all}
FLAVOURS=${LSMREVOKE_MATRIX_FLAVOURS:-amd64}
ALSO=${LSMREVOKE_MATRIX_ALSO-cloud-amd64 rt-amd64}
NEWEST=${LSMREVOKE_MATRIX_NEWEST:-all}
JOBS=$(nproc)
# gcc-12 (the host's series' compiler), pahole for module BTF.
readonly HOST_PACKAGES=(gcc make dwarves xz-utils)

log() { printf '>> %s\n' "$*" >&2; }
die() { printf 'matrix.sh: error: %s\n' "$*" >&2; exit 1; }

# --- apt -------------------------------------------------------------------

. "$REPO/tests/host-packages.sh"
. "$REPO/tests/kernels.sh"

case $NEWEST in
all | [1-9] | [1-9][0-9]) ;;
*) die "LSMREVOKE_MATRIX_NEWEST must be 'all' or a number from 1 to 99, not '$NEWEST'" ;;
esac

# Every ABI (or the $NEWEST newest) of the chosen series and flavours:
# "RELEASE SUITE" lines.
abis() {
	local s f
	for s in "$@"; do
		kernels_known "$s" || die "series $s: not known to tests/kernels.sh"
		for f in $FLAVOURS; do
			if [ "$NEWEST" = all ]; then
				kernels_releases "$s" "$f"
			else
				kernels_releases "$s" "$f" | sort -V -k1,1 | tail -n "$NEWEST"
			fi
		done
	done | sort -V -k1,1
}

candidate() {	# candidate SUITE PACKAGE: the version apt would download
	# shellcheck disable=SC2046
	apt-cache $(kernels_apt_opts "$1") policy "$2" | sed -n 's/^ *Candidate: //p'
}

# Download and unpack the packages of an ABI that are not unpacked yet at
# their candidate version; a stamp per package version records each.
fetch_abi() {
	local suite=$1 abi=$2 p v stamp dl=$M/debs pkgs=()
	mapfile -t pkgs < <(kernels_packages "$suite" "$abi" --headers)
	# A stamp without its tree (removed by hand) means nothing.
	if [ ! -f "$ROOT/usr/src/linux-headers-$abi/Makefile" ]; then
		rm -f "$M/stamps/linux-headers-$abi"_*
	fi
	[ ${#pkgs[@]} -ge 3 ] ||
		die "linux-headers-$abi ($suite): expected a -common and a linux-kbuild dependency, found: ${pkgs[*]:1}"
	for p in "${pkgs[@]}"; do
		v=$(candidate "$suite" "$p")
		if [ -z "$v" ] || [ "$v" = "(none)" ]; then
			die "$p: no candidate version in $suite"
		fi
		stamp=$M/stamps/${p}_${v//:/%}
		[ -e "$stamp" ] && continue
		rm -rf "$dl"
		mkdir -p "$dl" "$M/stamps"
		log "downloading $p $v ($suite)"
		# shellcheck disable=SC2046
		(cd "$dl" && apt-get $(kernels_apt_opts "$suite") -o APT::Sandbox::User=root \
			-qq download "$p=$v" >&2) || die "cannot download $p $v"
		rm -f "$M/stamps/${p}"_*
		dpkg -x "$dl"/*.deb "$ROOT"
		rm -rf "$dl"
		touch "$stamp"
	done
	# The headers name the -common tree (7.x: and KBUILD_OUTPUT) by
	# absolute /usr/src paths.
	kernels_fix_headers "$ROOT" "$ROOT" "$abi" >/dev/null ||
		die "linux-headers-$abi: cannot point its Makefile into $ROOT"
}

# Drop the header trees and stamps of ABIs the archive no longer offers.
prune() {
	local keep=$1 d abi
	for d in "$ROOT"/usr/src/linux-headers-*; do
		[ -d "$d" ] || continue
		abi=${d##*/linux-headers-}
		abi=${abi%-common}
		abi=${abi%-common-rt}
		if ! grep -q -- "^${abi//./\\.}\(-\|\$\| \)" "$keep"; then
			log "removing $(basename "$d") from the cache"
			rm -rf "$d" "$M/stamps/$(basename "$d")"_*
		fi
	done
}

# --- build -----------------------------------------------------------------

build_abi() {	# build_abi ABI SUITE: prints the result line
	local abi=$1 suite=$2 b=$WORK/$1 hdr=$ROOT/usr/src/linux-headers-$1 warnings
	mkdir -p "$b"
	cp -a "$REPO/Kbuild" "$REPO/module" "$b/"
	if ! kernels_make_in "$ROOT" "$hdr" "$suite" "$b" -s -j"$JOBS" modules \
		>"$b/build.log" 2>&1; then
		echo "$abi: FAIL (build failed)"
		grep -E 'error|Error' "$b/build.log" | head -n 20 | sed 's/^/    /'
		return 1
	fi
	if [ ! -f "$b/lsmrevoke.ko" ]; then
		echo "$abi: FAIL (no lsmrevoke.ko)"
		return 1
	fi
	warnings=$(grep -c 'warning:' "$b/build.log") || true
	if [ "$warnings" -gt 0 ]; then
		echo "$abi: ok ($warnings compiler warnings)"
		grep 'warning:' "$b/build.log" | sed 's/^/    /'
	else
		echo "$abi: ok"
	fi
}

# --- main ------------------------------------------------------------------

ensure_host_packages "${HOST_PACKAGES[@]}"
mkdir -p "$M" 2>/dev/null || true
[ -w "$M" ] || die "$M is not writable (set LSMREVOKE_CACHE to a directory of yours)"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/lsmrevoke-matrix.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# Like tests/run-qemu.sh, one run at a time touches the cache.
exec 9>"$CACHE/lock"
flock 9
t0=$SECONDS
kernels_update
kernels_load_index || die "no kernel headers in the package lists"
if [ "$SERIES" = all ] || [ "$SERIES" = every ]; then
	SERIES=$(kernels_series | tr '\n' ' ')
fi
# shellcheck disable=SC2086
abis $SERIES >"$WORK/abis"
# The other flavours (PREEMPT_RT changes locking under every probe) on the
# newest ABI of the newest series.
newest=$(kernels_series | sort -V | tail -n1)
for f in $ALSO; do
	kernels_releases "$newest" "$f" | sort -V -k1,1 | tail -n1
done >>"$WORK/abis"
[ -s "$WORK/abis" ] || die "the package lists offer no headers of: $SERIES"
while read -r abi suite <&3; do
	fetch_abi "$suite" "$abi"
done 3<"$WORK/abis"
# Only a full run knows which cached headers no ABI needs any more.
[ "$NEWEST" != all ] || prune "$WORK/abis"
exec 9>&-
log "headers of $(wc -l <"$WORK/abis") ABIs ready (series: $SERIES) [$((SECONDS - t0)) s]"

passed=0
failed=0
while read -r abi suite <&3; do
	if build_abi "$abi" "$suite"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
done 3<"$WORK/abis"
log "total wall time $((SECONDS - t0)) s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
