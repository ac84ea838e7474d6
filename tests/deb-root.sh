#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make deb-check, second part: the .debs tests/deb-test.sh built on the
# Debian 12 host, installed on another Debian (13, trixie, by default):
#
#   tests/deb-root.sh [SUITE [DEB-DIR]]
#
# DEB-DIR holds lsmrevoke-dkms_*_all.deb and lsmrevoke-tools_*_<arch>.deb
# (LSMREVOKE_KEEP_DEB=DIR tests/deb-test.sh leaves them there); without
# it, they are built here the same way (dpkg-buildpackage in a copy).
#
# The machine is a throwaway overlay on SUITE's build root
# (tests/buildroot.sh ensure SUITE), in a mount namespace of its own: the
# build root is the read-only lower layer, the upper layer a temporary
# directory, so nothing of the test reaches the root or the host, and the
# mounts die with the namespace however the test ends. A shared lock on
# the root keeps buildroot.sh ensure from changing it meanwhile. Inside it,
# by chroot, as a user would:
#   apt-get install dkms and linux-headers-amd64, with SUITE-security in
#     the sources (the newest kernel: for trixie, 6.12.N+deb13 from
#     trixie-security), and openssl (dkms makes its signing key with it);
#     the headers bring the kernel's image, whose initramfs is not made;
#   apt-get install ./lsmrevoke-dkms*.deb ./lsmrevoke-tools*.deb: the
#     package's postinst has DKMS build the module for that kernel with
#     SUITE's own compiler (the one the headers name: gcc-14 for trixie),
#     which dkms.conf's BUILD_EXCLUSIVE_* rules must not refuse;
#   check dkms status, the installed file, its vermagic and signer, and the
#     compiler in its .comment section (the root's gcc, version and all);
#   run lsmrevoke -h, -V and status (the module is not loaded: the host
#     runs no lsmrevoke);
#   purge both packages; nothing of lsmrevoke may be left.
# Downloaded packages are kept in $LSMREVOKE_CACHE/deb-root/SUITE/archives
# for the next run (apt-get autoclean drops superseded ones).
#
# One line per step, "#N name:OK|FAIL [why]"; the run ends with
# "N passed, N failed". Runs as root (mount, chroot).
# Environment: LSMREVOKE_CACHE [/var/cache/lsmrevoke-test].

set -euo pipefail
shopt -s inherit_errexit

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${LSMREVOKE_CACHE:-/var/cache/lsmrevoke-test}
readonly PKG=lsmrevoke-dkms
readonly TOOLS_PKG=lsmrevoke-tools
# What a Debian machine with DKMS has, for the newest kernel of its suite.
readonly ROOT_PACKAGES=(dkms linux-headers-amd64 openssl)

die() { printf 'deb-root.sh: error: %s\n' "$*" >&2; exit 1; }
log() { printf '>> %s\n' "$*" >&2; }

[ "$(id -u)" = 0 ] || die "must run as root (mount, chroot)"

# --- outside: the .debs and the build root, then a namespace of our own ------

if [ "${1-}" != --in-namespace ]; then
	suite=${1:-trixie}
	debdir=${2-}
	case $suite in
	''|*/*|.*) die "bad suite name '$suite'" ;;
	esac
	start=$(date +%s)
	tmp=
	# The overlay's layers, removed once the namespace (and with it every
	# mount) is gone: rm never crosses into a mount all the same.
	work=$(mktemp -d "${TMPDIR:-/tmp}/lsmrevoke-debroot.XXXXXX")
	trap 'rm -rf --one-file-system "$work"; [ -z "$tmp" ] || rm -rf "$tmp"' EXIT
	if [ -z "$debdir" ]; then
		# As tests/deb-test.sh builds them (it installs the build tools).
		tmp=$(mktemp -d "${TMPDIR:-/tmp}/lsmrevoke-debroot-build.XXXXXX")
		mkdir "$tmp/src"
		tar -C "$REPO" --exclude=.git -cf - . | tar -C "$tmp/src" -xf -
		log "building the .debs"
		(cd "$tmp/src" && dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1 ||
			{ tail -n 30 "$tmp/build.log" >&2; die "dpkg-buildpackage failed"; }
		debdir=$tmp
	fi
	[ -d "$debdir" ] || die "no such directory: $debdir"
	debdir=$(readlink -f "$debdir")
	root=$(LSMREVOKE_CACHE=$CACHE "$REPO/tests/buildroot.sh" ensure "$suite") ||
		die "no build root for $suite"
	rc=0
	unshare --mount --propagation private -- \
		bash "${BASH_SOURCE[0]}" --in-namespace "$suite" "$root" "$debdir" "$work" || rc=$?
	log "Debian $suite install test: $(($(date +%s) - start)) s"
	exit "$rc"
fi

# --- inside the namespace --------------------------------------------------

suite=$2
lower=$3
debdir=$4
archives=$CACHE/deb-root/$suite/archives

n=0
passed=0
failed=0
result() {	# result NAME OK|FAIL [why]
	n=$((n + 1))
	echo "#$n $1:$2${3:+ $3}"
	if [ "$2" = OK ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}

debs=("$debdir"/"$PKG"_*_all.deb)
tools_debs=("$debdir"/"$TOOLS_PKG"_*_"$(dpkg --print-architecture)".deb)
[ -f "${debs[0]}" ] || die "no $PKG .deb in $debdir"
[ -f "${tools_debs[0]}" ] || die "no $TOOLS_PKG .deb in $debdir"

# buildroot.sh ensure takes this lock to change the root.
exec 8>>"$(dirname "$lower")/.$suite.lock"
flock -s 8

WORK=$5
R=$WORK/root
# The mounts go with the namespace; the caller removes $WORK after it.
trap 'umount -R "$R" 2>/dev/null || umount -R -l "$R" 2>/dev/null || true' EXIT

mkdir -p "$WORK/upper" "$WORK/ovl" "$R" "$archives/partial"
mount -t overlay overlay \
	-o "lowerdir=$lower,upperdir=$WORK/upper,workdir=$WORK/ovl" "$R" ||
	die "cannot mount an overlay on $lower"
mount -t proc proc "$R/proc"
mount --rbind /sys "$R/sys"
mount --rbind /dev "$R/dev"
mount --bind "$archives" "$R/var/cache/apt/archives"
cp -L /etc/resolv.conf "$R/etc/resolv.conf" 2>/dev/null || true

# A command in the root, with a clean environment.
in_root() {
	chroot "$R" /usr/bin/env -i \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}
# dpkg need not sync what is thrown away at the end, and the kernel image
# the headers depend on needs no initramfs (INITRD=No: initramfs-tools'
# kernel hook does nothing); both were most of the time of the test.
root_apt() {
	in_root INITRD=No apt-get -q -y --no-install-recommends \
		-o Dpkg::Options::=--force-unsafe-io "$@"
}

# The suite's security updates: the newest kernel of a stable release is
# there (not for unstable, which has none).
case $suite in
sid|unstable) ;;
*)
	# shellcheck source=tests/kernels.sh
	. "$REPO/tests/kernels.sh"
	echo "deb $(kernels_host_uri security) $suite-security main" >>"$R/etc/apt/sources.list"
	;;
esac
log "apt-get update in the $suite root"
root_apt update >"$WORK/apt-update.log" 2>&1 ||
	{ cat "$WORK/apt-update.log" >&2; die "apt-get update failed in the $suite root"; }

# --- the kernel's headers and dkms -------------------------------------------

rel=$(in_root apt-cache depends linux-headers-amd64 |
	sed -n 's/^ *Depends: linux-headers-\([0-9][^ ]*-amd64\)$/\1/p' | sort -V | tail -n1)
[ -n "$rel" ] || die "linux-headers-amd64 depends on no headers package in $suite"
log "installing ${ROOT_PACKAGES[*]} ($rel)"
if root_apt install "${ROOT_PACKAGES[@]}" >"$WORK/apt-headers.log" 2>&1; then
	from=$(in_root apt-cache policy "linux-headers-$rel" |
		awk '/^ \*\*\* / { getline; print $3; exit }')
	# shellcheck disable=SC2016
	result "install dkms and headers" OK "linux-headers-$rel ($from), dkms $(in_root dpkg-query -W -f='${Version}' dkms)"
else
	cat "$WORK/apt-headers.log"
	result "install dkms and headers" FAIL "apt-get install ${ROOT_PACKAGES[*]} failed"
	echo "$passed passed, $failed failed"
	exit 1
fi
# What the headers name as their compiler, and what the root has under
# that name.
hdr=$R/usr/src/linux-headers-$rel
cc=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\{0,1\}\([^ "]*\).*/\1/p' "$hdr/include/config/auto.conf" | head -n1)
cc_text=$(in_root "$cc" --version 2>/dev/null | head -n1) ||
	die "the headers name $cc, which the $suite root lacks"

# --- the packages -------------------------------------------------------------

leftovers() {
	{
		find "$R/usr/src" -maxdepth 1 -name 'lsmrevoke-*'
		find "$R/var/lib/dkms" -maxdepth 1 -name lsmrevoke
		find "$R/lib/modules/" -name 'lsmrevoke.ko*'
		ls -d "$R"/etc/modprobe.d/lsmrevoke.conf "$R"/etc/modules-load.d/lsmrevoke.conf \
			"$R"/usr/sbin/lsmrevoke "$R"/usr/share/man/man8/lsmrevoke.8* \
			"$R/usr/share/doc/$PKG" "$R/usr/share/doc/$TOOLS_PKG"
		# shellcheck disable=SC2016
		in_root dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' "$PKG" "$TOOLS_PKG" |
			grep -v '^un '
	} 2>/dev/null || true
}

if [ -n "$(leftovers)" ]; then
	result clean-before FAIL "already present: $(leftovers | tr '\n' ' ')"
fi
mkdir -p "$R/root/debs"
cp "${debs[0]}" "${tools_debs[0]}" "$R/root/debs/"
deb=/root/debs/$(basename "${debs[0]}")
tools_deb=/root/debs/$(basename "${tools_debs[0]}")
log "installing $(basename "$deb") $(basename "$tools_deb")"
if root_apt install "$deb" "$tools_deb" >"$WORK/apt-deb.log" 2>&1; then
	result install OK "$(basename "$deb") $(basename "$tools_deb")"
else
	cat "$WORK/apt-deb.log"
	result install FAIL "apt-get install failed"
fi
grep -E 'Building for|Error|BUILD_EXCLUSIVE|lsmrevoke\.ko|Signing' "$WORK/apt-deb.log" | sed 's/^/# /' || true

# dkms built it for the suite's kernel, and did not skip it.
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$REPO/dkms.conf")
status=$(in_root dkms status "lsmrevoke/$ver" -k "$rel" 2>&1 || true)
if grep -q 'BUILD_EXCLUSIVE' "$WORK/apt-deb.log"; then
	result "not excluded ($rel)" FAIL "$(grep -m1 BUILD_EXCLUSIVE "$WORK/apt-deb.log")"
else
	result "not excluded ($rel)" OK
fi
if echo "$status" | grep -q ': installed'; then
	result "dkms status ($rel)" OK "$status"
else
	result "dkms status ($rel)" FAIL "$status"
fi

# The installed file: where dkms.conf says, for that release, signed by
# dkms's key, built by the root's compiler (.comment: "GCC: (Debian
# 14.2.0-19) 14.2.0" for "x86_64-linux-gnu-gcc-14 (Debian 14.2.0-19) 14.2.0").
ko=$(find "$R/lib/modules/$rel/updates/dkms" -name 'lsmrevoke.ko*' -print -quit 2>/dev/null || true)
if [ -z "$ko" ]; then
	result "module file" FAIL "no lsmrevoke.ko* under /lib/modules/$rel/updates/dkms"
else
	result "module file" OK "${ko#"$R"}"
	case $ko in
	*.xz) xz -dc "$ko" ;;
	*.zst) zstd -qdc "$ko" ;;
	*.gz) gzip -dc "$ko" ;;
	*) cat "$ko" ;;
	esac >"$WORK/lsmrevoke.ko"
	vermagic=$(in_root modinfo -F vermagic "${ko#"$R"}")
	if [ "${vermagic%% *}" = "$rel" ]; then
		result vermagic OK "$vermagic"
	else
		result vermagic FAIL "actual '${vermagic%% *}' != expected '$rel'"
	fi
	signer=$(in_root modinfo -F signer "${ko#"$R"}")
	if [ "$signer" = "DKMS module signing key" ]; then
		result signer OK
	else
		result signer FAIL "actual '$signer' != expected 'DKMS module signing key'"
	fi
	comment=$(readelf -p .comment "$WORK/lsmrevoke.ko" 2>/dev/null |
		sed -n 's/^ *\[ *[0-9a-f]*\] *//p' | sort -u)
	want="GCC: ${cc_text#"$cc" }"
	others=$(echo "$comment" | grep '^GCC: ' | grep -vxF "$want" || true)
	if [ "$want" = "GCC: $cc_text" ]; then
		result compiler FAIL "cannot read the version of $cc: '$cc_text'"
	elif ! echo "$comment" | grep -qxF "$want"; then
		result compiler FAIL ".comment: '$(echo "$comment" | tr '\n' ';')', expected '$want' ($cc)"
	elif [ -n "$others" ]; then
		result compiler FAIL "also built by: $(echo "$others" | tr '\n' ';')"
	else
		result compiler OK "$cc: ${want#GCC: }"
	fi
fi

# --- the lsmrevoke command ---------------------------------------------------

rc=0
in_root lsmrevoke -h >"$WORK/help.log" 2>&1 || rc=$?
if [ "$rc" != 0 ]; then
	result lsmrevoke-help FAIL "lsmrevoke -h: status $rc, $(tr '\n' ' ' <"$WORK/help.log")"
elif ! grep -q '^usage: lsmrevoke ' "$WORK/help.log"; then
	result lsmrevoke-help FAIL "lsmrevoke -h printed no usage"
else
	result lsmrevoke-help OK "$(in_root lsmrevoke -V 2>&1)"
fi
# The host runs no lsmrevoke: the command says so, status 1.
if [ -e /sys/module/lsmrevoke ]; then
	result lsmrevoke-not-loaded FAIL "the lsmrevoke module is loaded on this host"
else
	rc=0
	in_root lsmrevoke status >"$WORK/status.out" 2>"$WORK/status.err" || rc=$?
	if [ "$rc" = 1 ] && [ ! -s "$WORK/status.out" ] &&
		grep -qx 'lsmrevoke: the lsmrevoke module is not loaded (modprobe lsmrevoke)' \
			"$WORK/status.err"; then
		result lsmrevoke-not-loaded OK
	else
		result lsmrevoke-not-loaded FAIL "lsmrevoke status: status $rc, stdout '$(tr '\n' ' ' <"$WORK/status.out")', stderr '$(tr '\n' ' ' <"$WORK/status.err")'"
	fi
fi

# --- purge -----------------------------------------------------------------

if root_apt purge "$TOOLS_PKG" "$PKG" >"$WORK/apt-purge.log" 2>&1; then
	left=$(leftovers)
	if [ -n "$left" ]; then
		result purge FAIL "left behind: $(echo "$left" | sed "s|^$R||" | tr '\n' ' ')"
	else
		result purge OK
	fi
else
	cat "$WORK/apt-purge.log"
	result purge FAIL "apt-get purge failed"
fi
in_root apt-get -q autoclean >/dev/null 2>&1 || true

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
