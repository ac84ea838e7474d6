#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make deb-check: build the lsmrevoke-dkms and lsmrevoke-tools .debs, lint
# them, install them, let DKMS build the module, run the lsmrevoke command,
# then purge both and check that nothing is left.
# Runs as root on a Debian 12 host whose own kernel is not a target, so it
# installs the headers (never an image) of two of Debian's 6.1 ABIs:
#   A, what linux-image-amd64 points at, before the package: the package's
#      postinst builds for it (first installation);
#   B, another 6.1 ABI, after the package: the headers' own hook runs dkms
#      autoinstall, as on a kernel upgrade.
# In between, dkms must skip kernels that dkms.conf's BUILD_EXCLUSIVE_*
# rule out, and the shipped modprobe.d file must describe every parameter.
# Whatever the test installed or created (headers, their dependencies,
# depmod's files, the DKMS signing key) is removed at the end, even on
# failure; the build tools (debhelper, dh-dkms, libbpf-dev, lintian, dkms)
# stay.
#
# One line per step, "#N name:OK|FAIL [why]"; the run ends with
# "N passed, N failed". Environment: LSMREVOKE_KEEP_DEB=DIR copies the
# built .debs, .changes and .buildinfo to DIR.

set -euo pipefail
shopt -s inherit_errexit

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly TOOLS=(dpkg-dev debhelper dh-dkms libbpf-dev lintian dkms gcc make)
readonly PKG=lsmrevoke-dkms
readonly TOOLS_PKG=lsmrevoke-tools

die() { printf 'deb-test.sh: error: %s\n' "$*" >&2; exit 1; }
log() { printf '>> %s\n' "$*" >&2; }
# Others may run apt on this machine at the same time: wait for dpkg's lock,
# and once $WORK/ours exists, record there what each of our installations
# added, so that the cleanup removes only that.
installed_packages() {
	dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' |
		awk '$1 ~ /^.i/ { print $2 }' | sort
}
apt_install() {
	local rc=0
	[ -e "$WORK/ours" ] && installed_packages >"$WORK/packages.before"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		-o DPkg::Lock::Timeout=600 --no-install-recommends "$@" || rc=$?
	if [ -e "$WORK/ours" ]; then
		installed_packages >"$WORK/packages.after"
		comm -13 "$WORK/packages.before" "$WORK/packages.after" >>"$WORK/ours"
	fi
	return "$rc"
}
apt_purge() {
	DEBIAN_FRONTEND=noninteractive apt-get purge -y -q \
		-o DPkg::Lock::Timeout=600 "$@"
}

[ "$(id -u)" = 0 ] || die "must run as root (it installs and removes packages)"

n=0
passed=0
failed=0
result() {	# result NAME OK|FAIL [why]
	n=$((n + 1))
	echo "#$n $1:$2${3:+ $3}"
	if [ "$2" = OK ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/lsmrevoke-deb.XXXXXX")

# --- tools and the two ABIs ------------------------------------------------

missing=()
for p in "${TOOLS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
apt-get update -q >"$WORK/apt-update.log" 2>&1 ||
	{ cat "$WORK/apt-update.log" >&2; die "apt-get update failed"; }
if [ ${#missing[@]} -gt 0 ]; then
	log "installing ${missing[*]}"
	apt_install "${missing[@]}" >"$WORK/apt-tools.log" 2>&1 ||
		{ cat "$WORK/apt-tools.log" >&2; die "cannot install ${missing[*]}"; }
fi

abi_a=$(apt-cache depends linux-image-amd64 |
	sed -n 's/^ *Depends: linux-image-\(6\.1\.0-[0-9]*-amd64\)$/\1/p' | sort -V | tail -n1)
[ -n "$abi_a" ] || die "linux-image-amd64 depends on no 6.1 image"
abi_b=$(apt-cache pkgnames linux-headers-6.1.0- |
	sed -n 's/^linux-headers-\(6\.1\.0-[0-9]*-amd64\)$/\1/p' | grep -vx "$abi_a" |
	sort -V | tail -n1)
[ -n "$abi_b" ] || die "the archive offers no 6.1 ABI besides $abi_a"
log "ABI A (before the package): $abi_a; ABI B (after it): $abi_b"

# --- what to restore -------------------------------------------------------

for p in "$TOOLS_PKG" "$PKG"; do
	if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q installed; then
		log "$p is installed: purging it first"
		apt_purge "$p" >"$WORK/apt-pre.log" 2>&1
	fi
done
: >"$WORK/ours"
created=()
for f in /lib/modules/"$abi_a" /lib/modules/"$abi_b" /var/lib/dkms/mok.key \
	/var/lib/dkms/mok.pub; do
	[ -e "$f" ] || created+=("$f")
done
had_lib_modules=0
[ -d /lib/modules ] && had_lib_modules=1

cleanup() {
	local added f
	set +e
	mapfile -t added < <(sort -u "$WORK/ours" 2>/dev/null |
		comm -12 - <(installed_packages))
	if [ ${#added[@]} -gt 0 ]; then
		log "removing what the test installed: ${added[*]}"
		apt_purge "${added[@]}" >"$WORK/apt-cleanup.log" 2>&1 ||
			{ cat "$WORK/apt-cleanup.log" >&2; echo "deb-test.sh: cleanup failed" >&2; }
	fi
	for f in "${created[@]}"; do
		rm -rf "$f"
	done
	[ "$had_lib_modules" = 1 ] || rmdir /lib/modules 2>/dev/null
	if [ -n "${LSMREVOKE_KEEP_DEB:-}" ]; then
		cp "$WORK"/*.deb "$WORK"/*.changes "$WORK"/*.buildinfo "$LSMREVOKE_KEEP_DEB/" 2>/dev/null
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT

# Files of ours anywhere they could be (empty after a purge).
leftovers() {
	{
		find /usr/src -maxdepth 1 -name 'lsmrevoke-*'
		find /var/lib/dkms -maxdepth 1 -name lsmrevoke
		find /lib/modules -name 'lsmrevoke.ko*'
		ls -d /etc/modprobe.d/lsmrevoke.conf /etc/modules-load.d/lsmrevoke.conf
		ls -d /usr/sbin/lsmrevoke /usr/share/man/man8/lsmrevoke.8* \
			/usr/share/doc/"$PKG" /usr/share/doc/"$TOOLS_PKG"
		dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' "$PKG" "$TOOLS_PKG" |
			grep -v '^un '
	} 2>/dev/null || true
}

# dkms installed a module for ABI, built for it and signed with its key.
check_module() {	# check_module NAME ABI
	local ko=/lib/modules/$2/updates/dkms/lsmrevoke.ko vermagic signer
	if [ ! -f "$ko" ]; then
		result "$1" FAIL "expected $ko; dkms status: $(dkms status lsmrevoke | tr '\n' ';')"
		return
	fi
	vermagic=$(modinfo -F vermagic "$ko")
	signer=$(modinfo -F signer "$ko")
	if [ "${vermagic%% *}" != "$2" ]; then
		result "$1" FAIL "vermagic: actual '${vermagic%% *}' != expected '$2'"
	elif ! dkms status lsmrevoke -k "$2" | grep -q ': installed'; then
		result "$1" FAIL "dkms status: $(dkms status lsmrevoke -k "$2")"
	elif [ "$signer" != "DKMS module signing key" ]; then
		result "$1" FAIL "signer: actual '$signer' != expected 'DKMS module signing key'"
	else
		result "$1" OK
	fi
}

# --- build and lint --------------------------------------------------------

# In a copy of the tree: dpkg-buildpackage writes into the parent directory.
mkdir -p "$WORK/src"
tar -C "$REPO" --exclude=.git -cf - . | tar -C "$WORK/src" -xf -
if (cd "$WORK/src" && dpkg-buildpackage -us -uc -b) >"$WORK/build.log" 2>&1; then
	debs=("$WORK"/"$PKG"_*_all.deb)
	tools_debs=("$WORK"/"$TOOLS_PKG"_*_"$(dpkg --print-architecture)".deb)
	result build OK "$(basename "${debs[0]}") $(basename "${tools_debs[0]}")"
else
	tail -n 30 "$WORK/build.log"
	result build FAIL "dpkg-buildpackage failed"
	echo "$passed passed, $failed failed"
	exit 1
fi
deb=${debs[0]}
tools_deb=${tools_debs[0]}

lintian -I --pedantic "$WORK"/*.changes >"$WORK/lintian.log" 2>&1 || true
grep -v '^running with root privileges' "$WORK/lintian.log" || true
if grep -q '^E: ' "$WORK/lintian.log"; then
	result lintian FAIL "lintian reports errors"
else
	result lintian OK "$(grep -c '^W: ' "$WORK/lintian.log") warnings"
fi

# --- install: DKMS builds for ABI A ----------------------------------------

if [ -n "$(leftovers)" ]; then
	result clean-before FAIL "already present: $(leftovers | tr '\n' ' ')"
fi
log "installing linux-headers-$abi_a"
apt_install "linux-headers-$abi_a" >"$WORK/apt-a.log" 2>&1 ||
	{ cat "$WORK/apt-a.log" >&2; die "cannot install linux-headers-$abi_a"; }
log "installing $(basename "$deb")"
if apt_install "$deb" >"$WORK/apt-deb.log" 2>&1; then
	result install OK
else
	cat "$WORK/apt-deb.log"
	result install FAIL "apt-get install failed"
fi
grep -E 'Building for|Error|lsmrevoke\.ko|Signing' "$WORK/apt-deb.log" | sed 's/^/# /' || true
check_module "dkms-build-on-install ($abi_a)" "$abi_a"

# Every parameter of the module is described in the shipped modprobe.d
# file (the "testing only" ones only as a class), and both files are
# comments only.
conf=/etc/modprobe.d/lsmrevoke.conf
missing_params=()
while IFS=: read -r p desc; do
	case $desc in
	*"testing only"*) grep -q '"testing only"' "$conf" || missing_params+=("$p") ;;
	*) grep -q "^# $p=" "$conf" || missing_params+=("$p") ;;
	esac
done < <(modinfo -F parm "/lib/modules/$abi_a/updates/dkms/lsmrevoke.ko" 2>/dev/null)
if [ ! -f "$conf" ] || [ ! -f /etc/modules-load.d/lsmrevoke.conf ]; then
	result config-files FAIL "$conf or /etc/modules-load.d/lsmrevoke.conf is missing"
elif [ ${#missing_params[@]} -gt 0 ]; then
	result config-files FAIL "$conf does not describe: ${missing_params[*]}"
elif grep -qv '^#' "$conf" /etc/modules-load.d/lsmrevoke.conf; then
	result config-files FAIL "an uncommented line: $(grep -Hv '^#' "$conf" /etc/modules-load.d/lsmrevoke.conf)"
else
	result config-files OK
fi

# dkms skips, with its own message and status 77, a kernel that lacks an
# option of BUILD_EXCLUSIVE_CONFIG (read from the headers' .config); fake
# headers (include/ and a .config) suffice. Support is decided by features,
# not by the kernel's version, so no series is refused by name.
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$REPO/dkms.conf")
exclusive() {	# exclusive NAME RELEASE: dkms must refuse to build
	local rc=0
	dkms build "lsmrevoke/$ver" -k "$2" --kernelsourcedir "$WORK/fake" \
		>"$WORK/exclusive.log" 2>&1 || rc=$?
	if [ "$rc" = 77 ] && grep -q 'BUILD_EXCLUSIVE directive' "$WORK/exclusive.log"; then
		result "$1" OK
	else
		result "$1" FAIL "dkms build: status $rc, $(tr '\n' ' ' <"$WORK/exclusive.log")"
	fi
}
mkdir -p "$WORK/fake/include"
grep -v '^CONFIG_KPROBES=' "/usr/src/linux-headers-$abi_a/.config" >"$WORK/fake/.config"
exclusive "build-exclusive (no CONFIG_KPROBES)" 6.1.0-999-amd64
grep -v '^CONFIG_DYNAMIC_FTRACE=' "/usr/src/linux-headers-$abi_a/.config" >"$WORK/fake/.config"
exclusive "build-exclusive (no CONFIG_DYNAMIC_FTRACE)" 6.5.0-1-amd64

# --- a later kernel: the headers' hook runs dkms autoinstall for ABI B -----

log "installing linux-headers-$abi_b"
if apt_install "linux-headers-$abi_b" >"$WORK/apt-b.log" 2>&1; then
	grep -E 'dkms|lsmrevoke' "$WORK/apt-b.log" | sed 's/^/# /' || true
	check_module "dkms-autoinstall ($abi_b)" "$abi_b"
else
	cat "$WORK/apt-b.log"
	result "dkms-autoinstall ($abi_b)" FAIL "cannot install linux-headers-$abi_b"
fi

# --- the lsmrevoke command ---------------------------------------------------

log "installing $(basename "$tools_deb")"
if apt_install "$tools_deb" >"$WORK/apt-tools-deb.log" 2>&1; then
	result install-tools OK
else
	cat "$WORK/apt-tools-deb.log"
	result install-tools FAIL "apt-get install failed"
fi
rc=0
[ -x /usr/sbin/lsmrevoke ] && { /usr/sbin/lsmrevoke -h >"$WORK/help.log" 2>&1 || rc=$?; }
if [ ! -x /usr/sbin/lsmrevoke ]; then
	result lsmrevoke-help FAIL "/usr/sbin/lsmrevoke is missing"
elif [ "$rc" != 0 ]; then
	result lsmrevoke-help FAIL "lsmrevoke -h: status $rc, $(tr '\n' ' ' <"$WORK/help.log")"
elif ! grep -q '^usage: lsmrevoke ' "$WORK/help.log"; then
	result lsmrevoke-help FAIL "lsmrevoke -h printed no usage"
else
	result lsmrevoke-help OK "$(/usr/sbin/lsmrevoke -V)"
fi
# The host's kernel is not a target: the module is not loaded, which
# lsmrevoke(8) reports on stderr with status 1.
if [ -e /sys/module/lsmrevoke ]; then
	result lsmrevoke-not-loaded FAIL "the lsmrevoke module is loaded on this host"
else
	rc=0
	/usr/sbin/lsmrevoke status >"$WORK/status.out" 2>"$WORK/status.err" || rc=$?
	if [ "$rc" = 1 ] && [ ! -s "$WORK/status.out" ] &&
		grep -qx 'lsmrevoke: the lsmrevoke module is not loaded (modprobe lsmrevoke)' \
			"$WORK/status.err"; then
		result lsmrevoke-not-loaded OK
	else
		result lsmrevoke-not-loaded FAIL "lsmrevoke status: status $rc, stdout '$(tr '\n' ' ' <"$WORK/status.out")', stderr '$(tr '\n' ' ' <"$WORK/status.err")'"
	fi
fi
man=/usr/share/man/man8/lsmrevoke.8.gz
if [ ! -f "$man" ]; then
	result man-page FAIL "$man is missing"
elif command -v man >/dev/null && [ "$(man -w lsmrevoke 2>&1)" != "$man" ]; then
	result man-page FAIL "man -w lsmrevoke: $(man -w lsmrevoke 2>&1)"
else
	result man-page OK
fi

# --- purge -----------------------------------------------------------------

if apt_purge "$TOOLS_PKG" "$PKG" >"$WORK/apt-purge.log" 2>&1; then
	left=$(leftovers)
	if [ -n "$left" ]; then
		result purge FAIL "left behind: $(echo "$left" | tr '\n' ' ')"
	else
		result purge OK
	fi
else
	cat "$WORK/apt-purge.log"
	result purge FAIL "apt-get purge failed"
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
