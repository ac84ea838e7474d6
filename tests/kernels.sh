# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Debian's kernels, as tests/run-qemu.sh and tests/matrix.sh use them.
# Sourced, not run: it defines kernels_* functions and KERNELS_* variables
# and has no effect of its own. Each function fails (non-zero) rather than
# exits, except where it says so; all of it works under set -euo pipefail.
#
# Suites and their private apt configurations, one per suite:
#   $CACHE/apt/<suite>/{sources.list,lists/,cache/}
# for bookworm, bookworm-security, bookworm-backports, trixie,
# trixie-security, trixie-backports and unstable (main, amd64).
#
# Series, discovered from the package lists (kernels_index):
#   6.1         6.1.0-N-<flavour>              bookworm, bookworm-security
#   6.12        6.12.N+deb12-<flavour>         bookworm-security, bookworm-backports
#   6.12-deb13  6.12.N+deb13[.M]-<flavour>     trixie, trixie-security
#   7.N         7.N.x+debM-<flavour>           trixie-backports, unstable
# A release is named MAJOR.MINOR, with -debM added for 6.x releases built
# for a Debian after 12. A series whose name matches no KERNELS_KNOWN pattern
# is reported on stderr by kernels_series, never dropped silently.
#
# Kernel roots: $CACHE/kernels/<release>/, as run-qemu.sh's unpack_release()
# makes them (boot/vmlinuz-<release>, usr/src/linux-headers-<release> with
# its Makefile's /usr/src paths rewritten into the root, .common, the
# lib/modules/<release>/build link, depmod, .complete), plus .suite (the
# suite it came from) and .series. 7.x kernels ship vmlinuz as
# usr/lib/modules/<release>/vmlinuz.unsigned and their modules under
# usr/lib only: boot/vmlinuz-<release> and lib -> usr/lib are made for them.
#
# Building against a release (kernels_buildroot, kernels_make): on the host
# if the host has the compiler the headers name (the first word of
# CONFIG_CC_VERSION_TEXT), otherwise in the build root of the suite that
# built the kernel (tests/buildroot.sh: trixie for +deb13, unstable for
# +deb14).
#
# Needs: CACHE (or LSMREVOKE_CACHE) and REPO set by the caller, apt-get,
# dpkg, depmod.

KERNELS_CACHE=${CACHE:-${LSMREVOKE_CACHE:-/var/cache/lsmrevoke-test}}
KERNELS_REPO=${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
KERNELS_SUITES=(bookworm bookworm-security bookworm-backports
	trixie trixie-security trixie-backports unstable)
KERNELS_FLAVOURS=(amd64 cloud-amd64 rt-amd64)
# Series this code knows how to name and test (glob patterns).
KERNELS_KNOWN=(6.1 6.12 6.12-deb13 '7.*')

kernels_log() { printf '>> %s\n' "$*" >&2; }

# --- apt -------------------------------------------------------------------

# The host's URI for Debian's main archive or its security archive (deb822
# or one-line sources), so the private configurations use the same mirror.
kernels_host_uri() {	# kernels_host_uri main|security
	local uri want=$1
	uri=$(cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null |
		grep -v '^[[:space:]]*#' | grep -Eo 'https?://[^ ]*/debian(-security)?/?( |$)' |
		tr -d ' ' | sed 's|/*$||' |
		if [ "$want" = security ]; then grep -e '-security$'; else grep -v -e '-security$'; fi |
		head -n1) || true
	if [ "$want" = security ]; then
		echo "${uri:-http://deb.debian.org/debian-security}"
	else
		echo "${uri:-http://deb.debian.org/debian}"
	fi
}

kernels_apt_dir() { echo "$KERNELS_CACHE/apt/$1"; }

# apt options for a suite's private configuration, one word per line
# (for "apt-get $(kernels_apt_opts SUITE) ...": the cache path has no blanks).
kernels_apt_opts() {
	local d
	d=$(kernels_apt_dir "$1")
	printf '%s\n' -o "Dir::Etc::SourceList=$d/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null \
		-o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache"
}

# Write a suite's sources.list and refresh its lists; a failure is a
# warning (the old lists, if any, stay usable).
kernels_update() {	# kernels_update [SUITE...]
	local s d uri
	[ $# -gt 0 ] || set -- "${KERNELS_SUITES[@]}"
	for s in "$@"; do
		d=$(kernels_apt_dir "$s")
		case $s in
		*-security) uri=$(kernels_host_uri security) ;;
		*) uri=$(kernels_host_uri main) ;;
		esac
		mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
		echo "deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $s main" \
			>"$d/sources.list"
		# shellcheck disable=SC2046
		apt-get $(kernels_apt_opts "$s") -qq update >&2 ||
			kernels_log "warning: cannot refresh the $s package lists"
	done
}

# The Packages text of a suite's lists (decompressed).
kernels_packages_text() {
	local f
	# shellcheck disable=SC2046,SC2016
	for f in $(apt-get $(kernels_apt_opts "$1") indextargets \
		--format '$(FILENAME)' 'Created-By: Packages' 2>/dev/null); do
		[ -e "$f" ] && /usr/lib/apt/apt-helper cat-file "$f"
	done
}

# --- discovery ---------------------------------------------------------------

# The series a release belongs to (see the header).
kernels_series_of() {	# kernels_series_of RELEASE
	local rel=$1 mm deb
	case $rel in
	6.1.0-*) echo 6.1; return ;;
	esac
	mm=$(echo "$rel" | sed -En 's/^([0-9]+\.[0-9]+)\..*/\1/p')
	deb=$(echo "$rel" | sed -En 's/^[^+]*\+deb([0-9]+).*/\1/p')
	[ -n "$mm" ] || return 1
	if [ "${mm%%.*}" -lt 7 ] && [ -n "$deb" ] && [ "$deb" -gt 12 ]; then
		echo "$mm-deb$deb"
	else
		echo "$mm"
	fi
}

kernels_known() {	# kernels_known SERIES: is it in KERNELS_KNOWN?
	local p
	for p in "${KERNELS_KNOWN[@]}"; do
		# shellcheck disable=SC2053
		[[ $1 == $p ]] && return 0
	done
	return 1
}

# One line per headers package of a flavour in a suite:
#   RELEASE SUITE VERSION BOOTABLE
# BOOTABLE is 1 if the suite also has the unsigned kernel of RELEASE
# (linux-image-RELEASE-unsigned, or linux-binary-unsigned-RELEASE for 7.x).
kernels_index_suite() {	# kernels_index_suite SUITE
	local re
	re=$(printf '%s|' "${KERNELS_FLAVOURS[@]}")
	kernels_packages_text "$1" | awk -v suite="$1" -v re="-(${re%|})\$" '
		/^Package: / { p = $2 }
		/^Version: / { v[p] = $2 }
		END {
			for (p in v) {
				if (p !~ /^linux-headers-[0-9]/) continue
				r = substr(p, 15)
				# a release, not a metapackage (linux-headers-6.12-amd64)
				if (r !~ /^[0-9]+\.[0-9]+\.[0-9]+[-+]/ || r !~ re) continue
				boot = ("linux-image-" r "-unsigned" in v) ||
					("linux-binary-unsigned-" r in v)
				print r, suite, v[p], boot ? 1 : 0
			}
		}'
}

# The index over every suite:
#   SERIES RELEASE SUITE VERSION BOOTABLE
# sorted by series and release (version order). Computed from the lists
# each time, unless kernels_load_index has stored it in KERNELS_INDEX.
KERNELS_INDEX=
kernels_index() {
	local s r su v b
	if [ -n "$KERNELS_INDEX" ]; then
		echo "$KERNELS_INDEX"
		return
	fi
	for s in "${KERNELS_SUITES[@]}"; do
		kernels_index_suite "$s"
	done | while read -r r su v b; do
		echo "$(kernels_series_of "$r" || echo unknown) $r $su $v $b"
	done | sort -k1,1V -k2,2V -k4,4V
}

# Compute the index once, in the calling shell (call after kernels_update).
kernels_load_index() {
	KERNELS_INDEX=
	KERNELS_INDEX=$(kernels_index) || return 1
	[ -n "$KERNELS_INDEX" ] || { kernels_log "no kernel headers in any package list"; return 1; }
}

# The series the lists offer, known ones on stdout; unknown ones are
# reported on stderr (with a release and suite to look at).
kernels_series() {
	local s r su
	kernels_index | awk '{ print $1, $2, $3 }' | sort -u -k1,1V | while read -r s r su; do
		if kernels_known "$s"; then
			echo "$s"
		else
			kernels_log "warning: series '$s' (e.g. $r in $su) is not in KERNELS_KNOWN; not tested"
		fi
	done | sort -uV
}

# Every release of a series in a flavour (headers; for the matrix):
#   RELEASE SUITE
# one per release, from the suite with the newest package version.
kernels_releases() {	# kernels_releases SERIES [FLAVOUR]
	local series=$1 fl=${2:-amd64}
	kernels_index | awk -v s="$series" -v fl="$fl" '
		$1 == s && substr($2, length($2) - length(fl)) == "-" fl {
			# "6.1.0-57-amd64" ends in "-amd64" but so does
			# "6.1.0-57-cloud-amd64": the ABI part must not end in a flavour
			abi = substr($2, 1, length($2) - length(fl) - 1)
			if (abi ~ /-(cloud|rt)$/) next
			best[$2] = $3
		}
		END { for (r in best) print r, best[r] }' | sort -V
}

# The newest bootable release of a series in a flavour: RELEASE SUITE.
kernels_latest() {	# kernels_latest SERIES [FLAVOUR]
	local series=$1 fl=${2:-amd64}
	kernels_index | awk -v s="$series" -v fl="$fl" '
		$1 == s && $5 == 1 && substr($2, length($2) - length(fl)) == "-" fl {
			abi = substr($2, 1, length($2) - length(fl) - 1)
			if (abi ~ /-(cloud|rt)$/) next
			print $2, $3
		}' | sort -V -k1,1 | tail -n1
}

# --- packages, download, unpack ----------------------------------------------

kernels_has_package() {	# kernels_has_package SUITE PACKAGE
	# shellcheck disable=SC2046
	apt-cache $(kernels_apt_opts "$1") show --no-all-versions "$2" >/dev/null 2>&1
}

# What the headers of a release depend on that a build needs: the -common
# headers, linux-kbuild and (7.x) linux-base-<release>.
kernels_headers_deps() {	# kernels_headers_deps SUITE RELEASE
	# shellcheck disable=SC2046
	apt-cache $(kernels_apt_opts "$1") depends "linux-headers-$2" |
		sed -nE 's/^ *Depends: (linux-headers-[^ ]*-common[^ ]*|linux-kbuild-[^ ]*|linux-base-[0-9][^ ]*)$/\1/p' |
		sort -u
}

# The packages of a release: headers and what they need, and unless
# --headers the unsigned kernel and its modules. Fails if a part is missing.
kernels_packages() {	# kernels_packages SUITE RELEASE [--headers]
	local suite=$1 rel=$2 deps
	deps=$(kernels_headers_deps "$suite" "$rel")
	if ! echo "$deps" | grep -q '^linux-kbuild-' || ! echo "$deps" | grep -q -- '-common'; then
		kernels_log "linux-headers-$rel ($suite): no -common or linux-kbuild dependency: $deps"
		return 1
	fi
	echo "linux-headers-$rel"
	echo "$deps"
	[ "${3-}" = --headers ] && return 0
	if kernels_has_package "$suite" "linux-image-$rel-unsigned"; then
		echo "linux-image-$rel-unsigned"
	elif kernels_has_package "$suite" "linux-binary-unsigned-$rel" &&
		kernels_has_package "$suite" "linux-modules-$rel"; then
		echo "linux-binary-unsigned-$rel"
		echo "linux-modules-$rel"
	else
		kernels_log "$suite has no unsigned kernel for $rel"
		return 1
	fi
}

# Download the packages of a release into DIR (emptied first).
kernels_download() {	# kernels_download SUITE RELEASE DIR [--headers]
	local suite=$1 rel=$2 dl=$3 pkgs
	pkgs=$(kernels_packages "$suite" "$rel" "${4-}") || return 1
	rm -rf "$dl"
	mkdir -p "$dl"
	kernels_log "downloading from $suite: $(echo "$pkgs" | tr '\n' ' ')"
	# shellcheck disable=SC2046,SC2086
	(cd "$dl" && apt-get $(kernels_apt_opts "$suite") -o APT::Sandbox::User=root \
		-qq download $pkgs >&2)
}

# Make a headers tree usable from inside a private root: its Makefile names
# the -common tree (and, 7.x, KBUILD_OUTPUT) by absolute /usr/src paths,
# rewritten to ROOT/usr/src. TREE is where the root is now (ROOT is where
# it will be). Prints the -common tree, relative to the root.
kernels_fix_headers() {	# kernels_fix_headers TREE ROOT RELEASE
	local tree=$1 root=$2 rel=$3 mk common
	mk=$tree/usr/src/linux-headers-$rel/Makefile
	sed -i -e "s|^include /usr/src/|include $root/usr/src/|" \
		-e "s|^KBUILD_OUTPUT=/usr/src/|KBUILD_OUTPUT=$root/usr/src/|" "$mk"
	common=$(sed -n "s|^include $root/\(usr/src/[^/]*\)/Makefile\$|\1|p" "$mk")
	if [ -z "$common" ] || [ ! -f "$tree/$common/Makefile" ]; then
		kernels_log "$mk: does not include a -common tree we unpacked: $(cat "$mk")"
		return 1
	fi
	echo "$common"
}

# Unpack a release's downloaded packages into $CACHE/kernels/RELEASE (see
# the header), then remove DIR. --headers: a headers-only root (no image,
# no depmod; marked .headers-only) for compile checks.
kernels_unpack() {	# kernels_unpack SUITE RELEASE DIR [--headers]
	local suite=$1 rel=$2 dl=$3 mode=${4-} root tmp deb m
	root=$KERNELS_CACHE/kernels/$rel
	tmp=$KERNELS_CACHE/kernels/.$rel.tmp
	rm -rf "$tmp"
	mkdir -p "$tmp"
	for deb in "$dl"/*.deb; do
		dpkg -x "$deb" "$tmp" || return 1
	done
	# Merged /usr (trixie and later): give the root a /lib like the host's.
	if [ ! -e "$tmp/lib" ] && [ -d "$tmp/usr/lib/modules" ]; then
		ln -s usr/lib "$tmp/lib"
	fi
	m=$tmp/lib/modules/$rel
	# The final root's path: the Makefiles keep it.
	kernels_fix_headers "$tmp" "$root" "$rel" >"$tmp/.common" || return 1
	# lib/modules/<release>/build, relative to where it really is.
	mkdir -p "$m"
	ln -sfn "$(realpath -m --relative-to="$(readlink -f "$m")" "$tmp/usr/src/linux-headers-$rel")" "$m/build"
	if [ "$mode" != --headers ]; then
		if [ ! -e "$tmp/boot/vmlinuz-$rel" ] && [ -f "$m/vmlinuz.unsigned" ]; then
			mkdir -p "$tmp/boot"
			ln -s "../$(realpath --relative-to="$tmp" "$m/vmlinuz.unsigned")" "$tmp/boot/vmlinuz-$rel"
		fi
		[ -f "$tmp/boot/vmlinuz-$rel" ] || { kernels_log "$rel: no vmlinuz in the packages"; return 1; }
		# Debian generates modules.dep at install time; so do we.
		depmod -b "$tmp" "$rel" || return 1
	fi
	if [ "$mode" = --headers ]; then
		touch "$tmp/.headers-only"
	fi
	echo "$suite" >"$tmp/.suite"
	kernels_series_of "$rel" >"$tmp/.series"
	rm -rf "$root"
	mv "$tmp" "$root"
	rm -rf "$dl"
	kernels_check_root "$rel" || return 1
	touch "$root/.complete"
}

# The scripts/tools links of both headers trees must resolve inside the
# root, or a build would silently use something on the host.
kernels_check_root() {	# kernels_check_root RELEASE
	local rel=$1 root t l
	root=$KERNELS_CACHE/kernels/$rel
	for t in "usr/src/linux-headers-$rel" "$(cat "$root/.common")"; do
		[ -d "$root/$t" ] || { kernels_log "$root/$t is missing"; return 1; }
		for l in scripts tools; do
			[ -e "$root/$t/$l" ] || { kernels_log "$root/$t/$l does not resolve"; return 1; }
			case $(readlink -f "$root/$t/$l") in
			"$root"/*) ;;
			*) kernels_log "$root/$t/$l resolves outside the root"; return 1 ;;
			esac
		done
	done
	[ -x "$root/usr/src/linux-headers-$rel/scripts/basic/fixdep" ] ||
		{ kernels_log "$root: scripts/basic/fixdep is missing (linux-kbuild not unpacked?)"; return 1; }
}

# Make the newest release of a series available (download and unpack unless
# cached); prints the release. --headers: headers only.
# One exact release made available (cached, or from the suite the lists
# offer it in); prints it.
kernels_fetch_release() {	# kernels_fetch_release RELEASE [--headers]
	local rel=$1 mode=${2-} suite dl
	if [ -e "$KERNELS_CACHE/kernels/$rel/.complete" ] &&
		{ [ "$mode" = --headers ] || [ ! -e "$KERNELS_CACHE/kernels/$rel/.headers-only" ]; }; then
		echo "$rel"
		return
	fi
	suite=$(kernels_index | awk -v r="$rel" -v h="$mode" \
		'$2 == r && (h == "--headers" || $5 == 1) { s = $3 } END { print s }')
	if [ -z "$suite" ]; then
		kernels_log "release $rel: no suite offers it${mode:+ (headers)}"
		return 1
	fi
	dl=$KERNELS_CACHE/kernels/.debs-$rel
	kernels_download "$suite" "$rel" "$dl" "$mode" &&
		kernels_unpack "$suite" "$rel" "$dl" "$mode" || return 1
	echo "$rel"
}

kernels_fetch() {	# kernels_fetch SERIES [FLAVOUR] [--headers]
	local series=$1 fl=${2:-amd64} mode=${3-} rel suite dl
	read -r rel suite < <(kernels_latest "$series" "$fl") || true
	if [ -z "${rel-}" ]; then
		kernels_log "no bootable $series $fl kernel in the package lists"
		return 1
	fi
	# A headers-only root does for --headers only.
	if [ ! -e "$KERNELS_CACHE/kernels/$rel/.complete" ] ||
		{ [ "$mode" != --headers ] && [ -e "$KERNELS_CACHE/kernels/$rel/.headers-only" ]; }; then
		dl=$KERNELS_CACHE/kernels/.debs-$rel
		kernels_download "$suite" "$rel" "$dl" "$mode" &&
			kernels_unpack "$suite" "$rel" "$dl" "$mode" || return 1
	fi
	echo "$rel"
}

# --- building -----------------------------------------------------------------

kernels_headers_dir() { echo "$KERNELS_CACHE/kernels/$1/usr/src/linux-headers-$1"; }

# The compiler command a headers tree names, e.g. x86_64-linux-gnu-gcc-14
# (the first word of CONFIG_CC_VERSION_TEXT).
kernels_cc_of() {	# kernels_cc_of HEADERS-DIR
	sed -n 's/^CONFIG_CC_VERSION_TEXT="\{0,1\}\([^ "]*\).*/\1/p' "$1/include/config/auto.conf" | head -n1
}

kernels_cc() {	# kernels_cc RELEASE
	kernels_cc_of "$(kernels_headers_dir "$1")"
}

# Where modules are built against a headers tree: "host" if the host has
# the compiler it names, else the suite of the build root
# (tests/buildroot.sh) that has it: the base suite of the one the kernel
# came from (trixie-backports -> trixie).
kernels_buildroot_for() {	# kernels_buildroot_for HEADERS-DIR SUITE
	local cc
	cc=$(kernels_cc_of "$1")
	[ -n "$cc" ] || { kernels_log "$1: no CONFIG_CC_VERSION_TEXT"; return 1; }
	if command -v "$cc" >/dev/null; then
		echo host
	elif [ -n "$2" ]; then
		echo "${2%%-*}"
	else
		kernels_log "$1 names $cc, which the host lacks, and its suite is unknown"
		return 1
	fi
}

# The suite a release's root came from (.suite; roots unpacked before it
# was recorded have none: empty).
kernels_suite_of_root() {	# kernels_suite_of_root RELEASE
	cat "$KERNELS_CACHE/kernels/$1/.suite" 2>/dev/null || true
}

kernels_buildroot() {	# kernels_buildroot RELEASE
	kernels_buildroot_for "$(kernels_headers_dir "$1")" "$(kernels_suite_of_root "$1")"
}

# The package that brings a compiler command into a build root
# (x86_64-linux-gnu-gcc-14 -> gcc-14-for-host).
kernels_cc_package() {	# kernels_cc_package CC
	case $1 in
	*-gcc-[0-9]*) echo "gcc-${1##*-gcc-}-for-host" ;;
	*) echo gcc ;;
	esac
}

# Create or update the build root a headers tree needs (its compiler).
kernels_ensure_buildroot() {	# kernels_ensure_buildroot SUITE HEADERS-DIR
	LSMREVOKE_CACHE=$KERNELS_CACHE "$KERNELS_REPO/tests/buildroot.sh" ensure "$1" \
		"$(kernels_cc_package "$(kernels_cc_of "$2")")" >/dev/null
}

# make -C HEADERS-DIR M=DIR on the host or in the build root it needs
# (created if need be), with TREE (the root holding the headers) and DIR
# bound at the same paths.
kernels_make_in() {	# kernels_make_in TREE HEADERS-DIR SUITE DIR MAKE-ARG...
	local tree=$1 hdr=$2 suite=$3 dir=$4 br
	shift 4
	br=$(kernels_buildroot_for "$hdr" "$suite") || return 1
	if [ "$br" = host ]; then
		make -C "$hdr" M="$dir" "$@"
		return
	fi
	kernels_ensure_buildroot "$br" "$hdr" || return 1
	LSMREVOKE_CACHE=$KERNELS_CACHE "$KERNELS_REPO/tests/buildroot.sh" run "$br" \
		"$tree" "$dir" -- make -C "$hdr" M="$dir" "$@"
}

# The same for a release's root in $CACHE/kernels.
kernels_make() {	# kernels_make RELEASE DIR MAKE-ARG...
	local rel=$1 dir=$2
	shift 2
	kernels_make_in "$KERNELS_CACHE/kernels/$rel" "$(kernels_headers_dir "$rel")" \
		"$(kernels_suite_of_root "$rel")" "$dir" "$@"
}

# Run a command where a release's modules are built: the headers' own tools
# (scripts/sign-file, built for the kernel's Debian) need that Debian's
# libraries. The release's root and DIR are bound.
kernels_exec() {	# kernels_exec RELEASE DIR COMMAND...
	local rel=$1 dir=$2 br hdr
	shift 2
	hdr=$(kernels_headers_dir "$rel")
	br=$(kernels_buildroot "$rel") || return 1
	if [ "$br" = host ]; then
		"$@"
		return
	fi
	kernels_ensure_buildroot "$br" "$hdr" || return 1
	LSMREVOKE_CACHE=$KERNELS_CACHE "$KERNELS_REPO/tests/buildroot.sh" run "$br" \
		"$KERNELS_CACHE/kernels/$rel" "$dir" -- "$@"
}
