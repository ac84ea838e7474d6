#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Cached Debian build roots for kernels whose headers name a compiler the
# host lacks (trixie's 6.12 and 7.x headers want gcc-14, unstable's gcc-16;
# the host is Debian 12 with gcc-12).
#
#   tests/buildroot.sh ensure SUITE [PACKAGE...]
#       Create $LSMREVOKE_CACHE/roots/SUITE with debootstrap (minbase) if it
#       does not exist, then install the build packages and any PACKAGE
#       given (e.g. gcc-16-for-host) that it does not have yet. Idempotent:
#       the root is complete when it has .complete, which lists the
#       packages installed; a run with the same packages does nothing.
#       Prints the root's path.
#   tests/buildroot.sh run SUITE [DIR...] -- COMMAND [ARG...]
#       Run COMMAND as root inside the root, in a private mount namespace,
#       with /proc, /sys, /dev and every DIR bind-mounted at the same path,
#       so that paths are identical inside and outside. The working
#       directory is kept if it is one of the DIRs (or under one). The
#       mounts die with the namespace, whatever way COMMAND ends.
#   tests/buildroot.sh path SUITE
#       Print the root's path (whether or not it exists).
#
# Environment:
#   LSMREVOKE_CACHE   [/var/cache/lsmrevoke-test]
#   LSMREVOKE_MIRROR  Debian mirror for debootstrap and the root's apt
#                     [http://deb.debian.org/debian]

set -euo pipefail
shopt -s inherit_errexit

CACHE=${LSMREVOKE_CACHE:-/var/cache/lsmrevoke-test}
ROOTS=$CACHE/roots
MIRROR=${LSMREVOKE_MIRROR:-http://deb.debian.org/debian}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
# What building an out-of-tree module against Debian's headers needs, less
# the compiler itself, which the headers name (gcc-N-for-host, given as an
# extra package by the caller); gcc is the suite's default compiler.
readonly BASE_PACKAGES=(gcc make libc6-dev libelf-dev bc flex bison
	libssl-dev kmod dwarves python3 perl xz-utils zstd)

log() { printf '>> %s\n' "$*" >&2; }
die() { printf 'buildroot.sh: error: %s\n' "$*" >&2; exit 1; }

usage() {
	sed -n '4,/^$/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}

root_of() { echo "$ROOTS/$1"; }

check_suite() {
	case $1 in
	''|*/*|.*) die "bad suite name '$1'" ;;
	esac
}

# Run COMMAND inside ROOT with the standard mounts and the DIRs bound at
# the same paths, in a mount namespace of its own.
in_root() {	# in_root ROOT CWD DIR... -- COMMAND...
	local root=$1 cwd=$2
	shift 2
	# shellcheck disable=SC2016
	unshare --mount --propagation private -- \
		bash -euo pipefail -c '
		root=$1 cwd=$2
		shift 2
		mount -t proc proc "$root/proc"
		mount --rbind /sys "$root/sys"
		mount --rbind /dev "$root/dev"
		while [ "$1" != -- ]; do
			d=$(readlink -f "$1")
			mkdir -p "$root$d"
			mount --rbind "$d" "$root$d"
			shift
		done
		shift
		exec chroot "$root" /usr/bin/env -i \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" \
			DEBIAN_FRONTEND=noninteractive \
			/bin/sh -c "cd \"\$0\" 2>/dev/null || cd /; exec \"\$@\"" "$cwd" "$@"
		' in_root "$root" "$cwd" "$@"
}

cmd_run() {
	local suite=$1 root dirs=() cwd=/ d
	shift
	check_suite "$suite"
	root=$(root_of "$suite")
	[ -e "$root/.complete" ] || die "no build root for $suite; run: $0 ensure $suite"
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		[ -d "$1" ] || die "not a directory: $1"
		dirs+=("$(readlink -f "$1")")
		shift
	done
	[ $# -ge 2 ] || die "usage: $0 run SUITE [DIR...] -- COMMAND [ARG...]"
	shift
	for d in "${dirs[@]}"; do
		case $PWD/ in
		"$d"/*) cwd=$PWD ;;
		esac
	done
	in_root "$root" "$cwd" "${dirs[@]}" -- "$@"
}

# debootstrap into a temporary directory, moved into place when done, so
# an interrupted bootstrap never looks like a root.
bootstrap() {
	local suite=$1 root=$2 tmp=$2.tmp
	rm -rf "$tmp"
	mkdir -p "$ROOTS"
	log "debootstrap --variant=minbase $suite $root"
	debootstrap --variant=minbase --keyring="$KEYRING" \
		--include=ca-certificates "$suite" "$tmp" "$MIRROR" >&2 ||
		die "debootstrap $suite failed (log: $tmp/debootstrap/debootstrap.log)"
	echo "deb $MIRROR $suite main" >"$tmp/etc/apt/sources.list"
	# No daemons start in the root.
	printf '#!/bin/sh\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"
	chmod 755 "$tmp/usr/sbin/policy-rc.d"
	mv "$tmp" "$root"
}

cmd_ensure() {
	local suite=$1 root want have
	shift
	check_suite "$suite"
	# shellcheck source=tests/host-packages.sh
	. "$(dirname "${BASH_SOURCE[0]}")/host-packages.sh"
	ensure_host_packages debootstrap
	root=$(root_of "$suite")
	mkdir -p "$ROOTS"
	exec 8>"$ROOTS/.$suite.lock"
	flock 8
	want=$(printf '%s\n' "${BASE_PACKAGES[@]}" "$@" | sort -u)
	if [ -e "$root/.complete" ]; then
		have=$(cat "$root/.complete")
		if [ -z "$(comm -23 <(echo "$want") <(echo "$have"))" ]; then
			echo "$root"
			return
		fi
		want=$(printf '%s\n' "$want" "$have" | sort -u)
	fi
	[ -x "$root/bin/sh" ] || bootstrap "$suite" "$root"
	rm -f "$root/.complete"
	cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
	# The root's apt follows the host's on Release files past Valid-Until
	# (a host that reads a frozen snapshot of the archive turns it off).
	if apt-config dump Acquire::Check-Valid-Until | grep -qi '"false"'; then
		echo 'Acquire::Check-Valid-Until "false";' >"$root/etc/apt/apt.conf.d/99lsmrevoke-valid-until"
	fi
	log "installing into $root: $(echo "$want" | tr '\n' ' ')"
	# shellcheck disable=SC2086
	in_root "$root" / -- sh -c 'apt-get -q update &&
		apt-get -q -y --no-install-recommends install "$@" &&
		apt-get clean' sh $want >&2 ||
		die "cannot install the build packages into $root"
	echo "$want" >"$root/.complete"
	echo "$root"
}

[ $# -ge 1 ] || { usage >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot, mount)"
case $1 in
ensure) [ $# -ge 2 ] || die "usage: $0 ensure SUITE [PACKAGE...]"; shift; cmd_ensure "$@" ;;
run) [ $# -ge 2 ] || die "usage: $0 run SUITE [DIR...] -- COMMAND [ARG...]"; shift; cmd_run "$@" ;;
path) [ $# -eq 2 ] || die "usage: $0 path SUITE"; check_suite "$2"; root_of "$2" ;;
-h|--help) usage ;;
*) usage >&2; exit 2 ;;
esac
