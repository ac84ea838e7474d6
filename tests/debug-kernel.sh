#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the debug kernel of `make check-debug`: Debian's linux-source-6.1
# with x86_64_defconfig, kvm_guest.config and tests/debug-kernel.config
# (KASAN, KFENCE, lockdep, PROVE_RCU, DEBUG_ATOMIC_SLEEP, DEBUG_OBJECTS,
# kmemleak, and everything the suite needs built in).
#
# The result is cached in $LSMREVOKE_CACHE/debug-kernel/<key>/, where the key
# hashes the fragment, this script's recipe and the source package version:
#   bzImage      the kernel
#   src/         the build tree, usable as KDIR for out-of-tree modules
#   release      its kernel release (make kernelrelease)
#   .complete    present once all of the above is
# A cached build is reused, so a second run takes seconds. The last line of
# the output is the cache directory. Older builds are removed once a new
# one is complete.
#
# Environment:
#   LSMREVOKE_CACHE  [/var/cache/lsmrevoke-test]
#   LSMREVOKE_JOBS   make -j [nproc]

set -euo pipefail
shopt -s inherit_errexit

readonly SRC_PKG=linux-source-6.1
readonly TARBALL=/usr/src/linux-source-6.1.tar.xz
readonly LOCALVERSION=-lsmrevoke-debug
readonly BUILD_PACKAGES=("$SRC_PKG" gcc make flex bison bc libelf-dev
	libssl-dev dwarves xz-utils cpio kmod perl)
# Bump when the steps below change what gets built.
readonly RECIPE=1

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FRAGMENT=$REPO/tests/debug-kernel.config
CACHE=${LSMREVOKE_CACHE:-/var/cache/lsmrevoke-test}
JOBS=${LSMREVOKE_JOBS:-$(nproc)}

log() { printf '>> %s\n' "$*" >&2; }
die() { printf 'debug-kernel.sh: error: %s\n' "$*" >&2; exit 1; }

. "$REPO/tests/host-packages.sh"

# Every line of the fragment must be in .config as written: CONFIG_X=v, or
# absent/"is not set" for "# CONFIG_X is not set".
verify_config() {
	local cfg=$1 line opt bad=0
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			if ! grep -qxF "$line" "$cfg"; then
				opt=${line%%=*}
				log "config: want $line, got '$(grep -E "^(# )?${opt}[= ]" "$cfg" || echo "$opt absent")'"
				bad=1
			fi
			;;
		'# CONFIG_'*' is not set')
			opt=${line#\# }
			opt=${opt%% *}
			if grep -qE "^$opt=" "$cfg"; then
				log "config: want $opt unset, got '$(grep -E "^$opt=" "$cfg")'"
				bad=1
			fi
			;;
		esac
	done <"$FRAGMENT"
	[ "$bad" = 0 ] || die "the kernel config lacks options the debug kernel needs (above)"
}

build() {
	local dir=$1 src=$1/src t0 rel
	# Built in place (the tree is KDIR afterwards); .complete comes last.
	rm -rf "$dir"
	mkdir -p "$dir"
	log "unpacking $TARBALL"
	tar -xJf "$TARBALL" -C "$dir"
	mv "$dir/linux-source-6.1" "$src"

	log "configuring: x86_64_defconfig + kvm_guest.config + $(basename "$FRAGMENT")"
	make -s -C "$src" x86_64_defconfig >&2
	make -s -C "$src" kvm_guest.config >&2
	(cd "$src" && scripts/kconfig/merge_config.sh -m .config "$FRAGMENT") >"$dir/config.log" 2>&1 ||
		{ cat "$dir/config.log" >&2; die "merge_config.sh failed"; }
	make -s -C "$src" LOCALVERSION="$LOCALVERSION" olddefconfig >&2
	verify_config "$src/.config"

	log "building bzImage and modules with -j$JOBS (log: $dir/build.log)"
	t0=$(date +%s)
	if ! nice -n 10 make -C "$src" -j"$JOBS" LOCALVERSION="$LOCALVERSION" \
		bzImage modules >"$dir/build.log" 2>&1; then
		tail -n 60 "$dir/build.log" >&2
		die "the kernel build failed (log: $dir/build.log)"
	fi
	log "kernel built in $(($(date +%s) - t0)) s"
	[ -f "$src/Module.symvers" ] || die "the build made no Module.symvers"
	rel=$(make -s -C "$src" LOCALVERSION="$LOCALVERSION" kernelrelease)
	cp "$src/arch/x86/boot/bzImage" "$dir/bzImage"
	echo "$rel" >"$dir/release"
	echo "$(($(date +%s) - t0))" >"$dir/build-seconds"
	touch "$dir/.complete"
}

main() {
	local ver key dir d t0
	t0=$(date +%s)
	[ -f "$FRAGMENT" ] || die "$FRAGMENT is missing"
	ensure_host_packages "${BUILD_PACKAGES[@]}"
	[ -f "$TARBALL" ] || die "$TARBALL is missing ($SRC_PKG installed?)"
	ver=$(dpkg-query -W -f='${Version}' "$SRC_PKG")
	key=$( { echo "recipe $RECIPE $SRC_PKG $ver"; cat "$FRAGMENT"; } |
		sha256sum | cut -c1-16)
	dir=$CACHE/debug-kernel/$key
	mkdir -p "$CACHE/debug-kernel" ||
		die "$CACHE is not writable (set LSMREVOKE_CACHE)"

	if [ -e "$dir/.complete" ]; then
		log "debug kernel $(cat "$dir/release") cached in $dir"
		echo "$dir"
		return
	fi
	# One build at a time; a second caller waits and then finds it cached.
	exec 8>"$CACHE/debug-kernel/lock"
	flock 8
	if [ -e "$dir/.complete" ]; then
		log "debug kernel $(cat "$dir/release") cached in $dir"
	else
		log "building debug kernel ($SRC_PKG $ver, key $key)"
		build "$dir"
		log "debug kernel $(cat "$dir/release") built in $(($(date +%s) - t0)) s total"
		for d in "$CACHE"/debug-kernel/*/; do
			d=${d%/}
			[ "$d" = "$dir" ] && continue
			log "removing old debug kernel $d"
			rm -rf "$d"
		done
	fi
	exec 8>&-
	echo "$dir"
}

main "$@"
