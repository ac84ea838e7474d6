#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make matrix: compile lsmrevoke against every amd64 kernel ABI Debian
# offers for it, with the headers of that ABI:
#   6.1   every linux-headers-6.1.0-<N>-amd64 in bookworm and
#         bookworm-security (the host's apt sources),
#   6.12  every linux-headers-6.12.<x>+deb12-amd64 in bookworm-backports
#         (the private apt configuration tests/run-qemu.sh keeps in
#         $LSMREVOKE_CACHE/apt-backports).
# Header packages are fetched with apt-get download and unpacked with dpkg -x
# into one private root, $LSMREVOKE_CACHE/matrix/root, once per package
# version; nothing is installed on the host. Compile only: one line per ABI,
# "<release>: ok" or "<release>: FAIL (...)", then "N passed, N failed";
# the exit status is non-zero if any ABI fails.
#
# Environment:
#   LSMREVOKE_CACHE            [/var/cache/lsmrevoke-test]
#   LSMREVOKE_MATRIX_FLAVOURS  header flavours [amd64]; e.g. "amd64
#                              cloud-amd64 rt-amd64" for all of Debian's

set -euo pipefail
shopt -s inherit_errexit

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${LSMREVOKE_CACHE:-/var/cache/lsmrevoke-test}
M=$CACHE/matrix
ROOT=$M/root
FLAVOURS=${LSMREVOKE_MATRIX_FLAVOURS:-amd64}
JOBS=$(nproc)
# gcc-12 (both series' compiler), pahole for the 6.12 headers' module BTF.
readonly HOST_PACKAGES=(gcc make dwarves xz-utils)

log() { printf '>> %s\n' "$*" >&2; }
die() { printf 'matrix.sh: error: %s\n' "$*" >&2; exit 1; }

# --- apt -------------------------------------------------------------------

. "$REPO/tests/host-packages.sh"

# apt options per series: the host's configuration for 6.1, the private
# backports configuration for 6.12 (as in tests/run-qemu.sh).
apt_opts() {
	case $1 in
	6.1) ;;
	6.12)
		local d=$CACHE/apt-backports
		printf '%s\n' -o "Dir::Etc::SourceList=$d/sources.list" \
			-o Dir::Etc::SourceParts=/dev/null \
			-o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache"
		;;
	esac
}

host_mirror() {
	local uri
	uri=$(cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null |
		grep -v '^[[:space:]]*#' | grep -Eo 'https?://[^ ]*/debian/?( |$)' |
		grep -v security | head -n1 | tr -d ' ') || true
	echo "${uri:-http://deb.debian.org/debian}"
}

update_lists() {
	local d=$CACHE/apt-backports
	if [ "$(id -u)" = 0 ]; then
		apt-get update -qq >&2 || log "warning: cannot refresh the host's package lists"
	fi
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
	echo "deb $(host_mirror | sed 's|/*$||') bookworm-backports main" >"$d/sources.list"
	# shellcheck disable=SC2046
	apt-get $(apt_opts 6.12) update -qq >&2 ||
		log "warning: cannot refresh the bookworm-backports lists"
}

# Every ABI of a series the lists offer, in the chosen flavours.
abis() {
	local series=$1 f re=
	for f in $FLAVOURS; do
		re+="${re:+|}${f//./\\.}"
	done
	# shellcheck disable=SC2046
	case $series in
	6.1)
		apt-cache pkgnames linux-headers-6.1.0- |
			sed -En "s/^linux-headers-(6\.1\.0-[0-9]+-($re))$/\1/p"
		;;
	6.12)
		apt-cache $(apt_opts 6.12) pkgnames linux-headers-6.12 |
			sed -En "s/^linux-headers-(6\.12\.[0-9]+\+deb12-($re))$/\1/p"
		;;
	esac | sort -V
}

# The packages one ABI needs: its headers, the -common headers and the
# linux-kbuild they depend on.
abi_packages() {
	local series=$1 abi=$2
	echo "linux-headers-$abi"
	# shellcheck disable=SC2046
	apt-cache $(apt_opts "$series") depends "linux-headers-$abi" |
		sed -n 's/^ *Depends: \(linux-headers-[^ ]*-common[^ ]*\|linux-kbuild-[^ ]*\)$/\1/p' |
		sort -u
}

candidate() {	# candidate SERIES PACKAGE: the version apt would download
	# shellcheck disable=SC2046
	apt-cache $(apt_opts "$1") policy "$2" | sed -n 's/^ *Candidate: //p'
}

# Download and unpack the packages of an ABI that are not unpacked yet at
# their candidate version; a stamp per package version records each.
fetch_abi() {
	local series=$1 abi=$2 p v stamp dl=$M/debs pkgs=()
	mapfile -t pkgs < <(abi_packages "$series" "$abi")
	# A stamp without its tree (removed by hand) means nothing.
	if [ ! -f "$ROOT/usr/src/linux-headers-$abi/Makefile" ]; then
		rm -f "$M/stamps/linux-headers-$abi"_*
	fi
	[ ${#pkgs[@]} -eq 3 ] ||
		die "linux-headers-$abi: expected a -common and a linux-kbuild dependency, found: ${pkgs[*]:1}"
	for p in "${pkgs[@]}"; do
		v=$(candidate "$series" "$p")
		if [ -z "$v" ] || [ "$v" = "(none)" ]; then
			die "$p: no candidate version"
		fi
		stamp=$M/stamps/${p}_${v//:/%}
		[ -e "$stamp" ] && continue
		rm -rf "$dl"
		mkdir -p "$dl" "$M/stamps"
		log "downloading $p $v"
		# shellcheck disable=SC2046
		(cd "$dl" && apt-get $(apt_opts "$series") -o APT::Sandbox::User=root \
			-qq download "$p=$v" >&2) || die "cannot download $p $v"
		rm -f "$M/stamps/${p}"_*
		dpkg -x "$dl"/*.deb "$ROOT"
		rm -rf "$dl"
		touch "$stamp"
	done
	# The headers include the -common tree by an absolute /usr/src path.
	sed -i "s|^include /usr/src/|include $ROOT/usr/src/|" \
		"$ROOT/usr/src/linux-headers-$abi/Makefile"
}

# Drop the header trees and stamps of ABIs the archive no longer offers.
prune() {
	local keep=$1 d abi
	for d in "$ROOT"/usr/src/linux-headers-*; do
		[ -d "$d" ] || continue
		abi=${d##*/linux-headers-}
		abi=${abi%-common}
		abi=${abi%-common-rt}
		if ! grep -q -- "^${abi//./\\.}\(-\|\$\)" "$keep"; then
			log "removing $(basename "$d") from the cache"
			rm -rf "$d" "$M/stamps/$(basename "$d")"_*
		fi
	done
}

# --- build -----------------------------------------------------------------

build_abi() {	# build_abi ABI: prints the result line
	local abi=$1 b=$WORK/$1 hdr=$ROOT/usr/src/linux-headers-$1 warnings
	mkdir -p "$b"
	cp -a "$REPO/Kbuild" "$REPO/module" "$b/"
	if ! make -s -C "$hdr" M="$b" -j"$JOBS" modules >"$b/build.log" 2>&1; then
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
update_lists
declare -A series_of
for s in 6.1 6.12; do
	for abi in $(abis "$s"); do
		series_of[$abi]=$s
	done
done
[ ${#series_of[@]} -gt 0 ] || die "the package lists offer no 6.1 or 6.12 headers"
printf '%s\n' "${!series_of[@]}" | sort -V >"$WORK/abis"
while read -r abi <&3; do
	fetch_abi "${series_of[$abi]}" "$abi"
done 3<"$WORK/abis"
prune "$WORK/abis"
exec 9>&-
log "headers of $(wc -l <"$WORK/abis") ABIs ready [$((SECONDS - t0)) s]"

passed=0
failed=0
while read -r abi <&3; do
	if build_abi "$abi"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
done 3<"$WORK/abis"
log "total wall time $((SECONDS - t0)) s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
