#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot Debian's own kernels in QEMU and run the lsmrevoke tests inside them.
#
# For each kernel series (6.1 from bookworm/bookworm-security, 6.12 +deb12
# from bookworm-security/bookworm-backports, 6.12-deb13 from
# trixie/trixie-security, 7.N from trixie-backports/unstable: see
# tests/kernels.sh) this script
#   1. downloads the unsigned image and its headers from Debian's archive with
#      `apt-get download` and unpacks them with `dpkg -x` into a private root
#      under $LSMREVOKE_CACHE (never installing a kernel on the host),
#   2. builds lsmrevoke.ko against those headers (on the host, or in a cached
#      Debian build root when the headers name a compiler the host lacks:
#      tests/buildroot.sh), the BPF test programs and
#      the static loader (the last two once, shared by every kernel),
#   3. packs a busybox initramfs whose /init is tests/guest-init.sh,
#   4. boots it under TCG with panic_on_warn=1 oops=panic panic=-1 and a
#      timeout, and
#   5. reads the result lines the guest wrote to its second serial port.
# --kernel debug boots instead the debug kernel that tests/debug-kernel.sh
# builds from Debian's linux-source-6.1 (KASAN, KFENCE, lockdep, kmemleak,
# ...) and caches; its build tree is the headers, and what the suite needs
# is built in.
# A run counts only if the guest wrote its completion token: a hang, a panic,
# a WARN or an oops all read as FAIL.
#
# Guest layout (what a --script can rely on):
#   /opt/lsmrevoke-test/bin/lsmrevoke-test   the loader (tests/loader/*.c)
#   /opt/lsmrevoke-test/progs/<name>.bpf.o   tests/progs/<name>.bpf.c, built
#   /opt/lsmrevoke-test/guest/               a copy of tests/guest/
#   /opt/lsmrevoke-test/script               the --script FILE
#   /opt/lsmrevoke-test/add/<basename>       each --add PATH (files and
#                                            directories, basename kept); the
#                                            script runs with this as its cwd
#   /lib/modules/<release>/extra/lsmrevoke.ko   (with --module-from dkms:
#       /lib/modules/<release>/updates/dkms/lsmrevoke.ko, as dkms installs it)
#   /opt/lsmrevoke-test/module.sha256        sha256 of the lsmrevoke.ko that
#                                            make or dkms produced on the host
#   /lib/modules/<release>/extra/<test module>.ko  tests/kmod/, built
#   /usr/sbin/{bpftool,ip,tc}                the host's, with their libraries;
#                                            busybox sh runs its own ip and tc
#                                            applets first: use full paths
#   /usr/bin/bpftrace, /usr/sbin/<libbpf-tool>, /etc/localtime,
#   /lib/systemd/{systemd,systemd-shutdown}
#                                            third-party BPF software from
#                                            Debian 12's archive, with their
#                                            libraries (suite runs whose
#                                            suite.d has 70-tools.sh)
#   /opt/lsmrevoke-test/tools/objs/*.o       third-party BPF objects (libxdp's,
#                                            and those embedded in libbpf-tools)
#   /opt/lsmrevoke-test/tools/bin/bpftool    bpftool with its skeletons, built
#                                            from linux-source-6.1 (prog
#                                            profile; Debian's has none)
#   /opt/lsmrevoke-test/tools/versions       "<package> <version>" lines
# proc, sysfs, securityfs, tracefs, bpffs, devtmpfs, debugfs and a tmpfs on
# /tmp are mounted.
#
# Environment:
#   LSMREVOKE_CACHE    downloaded kernels, reused across runs
#                      [/var/cache/lsmrevoke-test]
#   LSMREVOKE_TIMEOUT  seconds one guest may run [1500; debug kernel 5400]
#   LSMREVOKE_DEBUG    passed to Kbuild; y builds with -DDEBUG [unset: the
#                      production build, pr_debug through dynamic debug]
#   LSMREVOKE_APPEND   extra kernel command line arguments (e.g. nokaslr)
#   LSMREVOKE_LOGLEVEL console loglevel of the guest [5: warnings and worse]
#   LSMREVOKE_KMODS    Debian kernel modules to put in the guest, with their
#                      dependencies [veth dummy sch_ingress cls_bpf act_bpf]
#   LSMREVOKE_VERBOSE  1 shows the guest console live
#   LSMREVOKE_TOOLS    1: put the third-party BPF software in the guest
#                      (bpftrace, libbpf-tools, libxdp's objects, systemd:
#                      fetched from Debian 12's archive with apt-get
#                      download, unpacked with dpkg -x into
#                      $LSMREVOKE_CACHE/tools); 0: do not [auto: in suite
#                      runs whose tests/guest/suite.d has 70-tools.sh].
#                      Packed once per run and appended to each initramfs
#                      as a second cpio archive: +82 MiB gzipped (systemd
#                      6 of them), 217 MiB unpacked in the guest's memory,
#                      about 3 s more boot under TCG
#   LSMREVOKE_ACCEL    QEMU's -accel [tcg,thread=single]: both vCPUs on one
#                      host thread. Multi-threaded TCG (plain "tcg") was seen
#                      to run a stale translation of a jump-label site the
#                      guest had just patched (an int3 oops on 6.12, a soft
#                      lockup on 6.1; docs/reliability.md)

set -euo pipefail
shopt -s inherit_errexit

readonly HOST_PACKAGES=(gcc make clang llvm libbpf-dev libelf-dev zlib1g-dev
	qemu-system-x86 busybox-static cpio kmod dwarves xz-utils zstd bpftool
	perl iproute2 dkms linux-source-6.1)
readonly DONE_TOKEN=LSMREVOKE-DONE

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${LSMREVOKE_CACHE:-/var/cache/lsmrevoke-test}
TIMEOUT=${LSMREVOKE_TIMEOUT:-1500}
DEBUG_BUILD=${LSMREVOKE_DEBUG-}
LOGLEVEL=${LSMREVOKE_LOGLEVEL:-5}
KMODS=${LSMREVOKE_KMODS-veth dummy sch_ingress cls_bpf act_bpf}
VERBOSE=${LSMREVOKE_VERBOSE:-0}
TOOLS=${LSMREVOKE_TOOLS:-auto}
JOBS=$(nproc)

usage() {
	cat <<EOF
Usage: tests/run-qemu.sh [--kernel all|newest|SERIES|RELEASE|debug] [--script FILE [--add PATH]...]
                         [--flavour amd64|cloud-amd64|rt-amd64]
                         [--module-from make|dkms] [--keep] [-h]

Boot Debian kernels in QEMU (TCG) with lsmrevoke and run the test suite
(tests/guest/suite.sh), or with --script run FILE as root instead.

  --kernel K     all: the newest amd64 release of every series the package
                 lists offer [all] (every is the same); a series: 6.1,
                 6.12 (+deb12), 6.12-deb13, 7.N; an exact release of any
                 flavour, e.g. 6.12.118+deb13-amd64 or 7.3.4+deb13-rt-amd64;
                 newest: the newest series only; debug: the debug kernel
                 (tests/debug-kernel.sh builds and
                 caches it: KASAN, KFENCE, lockdep, kmemleak; the suite ends
                 with a kmemleak scan)
  --flavour F    for a series or all: the flavour of Debian's kernel,
                 amd64, cloud-amd64 or rt-amd64 (PREEMPT_RT) [amd64]
  --script FILE  run FILE with sh inside the guest after 'modprobe lsmrevoke';
                 its output is printed, its exit status is the result
  --add PATH     copy PATH (file or directory) into the guest as
                 /opt/lsmrevoke-test/add/<basename of PATH>; the script runs
                 with that directory as its working directory (repeatable)
  --module-from make|dkms
                 build lsmrevoke.ko with make (Kbuild) or with dkms (dkms.conf,
                 private dkms trees, the kernel's headers) [make]
  --keep         keep the work directory (logs, initramfs, builds)
  -h, --help     this text

In the guest: the loader is /opt/lsmrevoke-test/bin/lsmrevoke-test, the BPF
objects are /opt/lsmrevoke-test/progs/*.bpf.o; bpftool, ip and tc (iproute2)
are in /usr/sbin (call ip and tc by full path, or busybox's run instead).

Environment: LSMREVOKE_CACHE [/var/cache/lsmrevoke-test], LSMREVOKE_TIMEOUT
seconds per guest [1500; 5400 for debug], LSMREVOKE_DEBUG [unset], LSMREVOKE_APPEND extra kernel
arguments, LSMREVOKE_LOGLEVEL [5], LSMREVOKE_KMODS kernel modules to include,
LSMREVOKE_VERBOSE=1 to show the guest console live, LSMREVOKE_TOOLS=0/1 leaves
out/adds bpftrace, libbpf-tools and systemd [auto: with suite.d/70-tools.sh].
EOF
}

log() { printf '>> %s\n' "$*" >&2; }
die() { printf 'run-qemu.sh: error: %s\n' "$*" >&2; exit 1; }

# Seconds since the epoch with a fraction, and a duration from one of those.
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

# Remove ANSI escape sequences and carriage returns (serial output has both,
# and the first guest line is glued to the firmware's banner).
strip_escapes() { sed -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1b[()][A-Z0-9]//g' -e 's/\r//g' "$@"; }

# --- arguments -------------------------------------------------------------

kernel_arg=all
flavour=amd64
script=
adds=()
module_from="make"
keep=0
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) [ $# -ge 2 ] || die "--kernel needs an argument"; kernel_arg=$2; shift 2 ;;
	--script) [ $# -ge 2 ] || die "--script needs an argument"; script=$2; shift 2 ;;
	--add) [ $# -ge 2 ] || die "--add needs an argument"; adds+=("$2"); shift 2 ;;
	--module-from) [ $# -ge 2 ] || die "--module-from needs an argument"; module_from=$2; shift 2 ;;
	--flavour) [ $# -ge 2 ] || die "--flavour needs an argument"; flavour=$2; shift 2 ;;
	--keep) keep=1; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument: $1" ;;
	esac
done

# A series or a release is checked against the package lists once they are
# read (tests/kernels.sh: kernels_series, kernels_index); "all" becomes the
# series they offer.
case $kernel_arg in
all|every) kernels=(all) ;;
newest) kernels=(newest) ;;
debug) kernels=(debug) ;;
[0-9]*.[0-9]*) kernels=("$kernel_arg") ;;
*) die "--kernel must be all, newest, a series (6.1, 6.12, 6.12-deb13, 7.N), a release (6.12.118+deb13-amd64) or debug, not '$kernel_arg'" ;;
esac
case $flavour in
amd64|cloud-amd64|rt-amd64) ;;
*) die "--flavour must be amd64, cloud-amd64 or rt-amd64, not '$flavour'" ;;
esac
case $module_from in
make|dkms) ;;
*) die "--module-from must be make or dkms, not '$module_from'" ;;
esac
if [ -n "$script" ]; then
	[ -f "$script" ] || die "--script: no such file: $script"
else
	[ ${#adds[@]} -eq 0 ] || die "--add needs --script"
	[ -f "$REPO/tests/guest/suite.sh" ] || die "tests/guest/suite.sh is missing"
fi
for a in "${adds[@]}"; do
	[ -e "$a" ] || die "--add: no such file or directory: $a"
done
case $TIMEOUT in ''|*[!0-9]*) die "LSMREVOKE_TIMEOUT must be a number of seconds" ;; esac
# The debug kernel runs several times slower under TCG.
if [ "$kernel_arg" = debug ] && [ -z "${LSMREVOKE_TIMEOUT:-}" ]; then
	TIMEOUT=5400
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/lsmrevoke-test.XXXXXX")
cleanup() {
	if [ "$keep" = 1 ]; then
		log "work directory kept: $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT

# --- host packages ---------------------------------------------------------

. "$REPO/tests/host-packages.sh"

# --- kernels ---------------------------------------------------------------
#
# tests/kernels.sh finds, downloads and unpacks Debian's kernels: one
# private root per release, $CACHE/kernels/<release>/, complete when it has
# a .complete file (boot/vmlinuz-<release>, usr/src/linux-headers-<release>
# and its -common tree, usr/lib/linux-kbuild-*, lib/modules/<release>/),
# from private apt configurations in $CACHE/apt/<suite>/. A release whose
# headers name a compiler the host lacks is built in a cached Debian build
# root (tests/buildroot.sh).

. "$REPO/tests/kernels.sh"

# The amd64 flavour: what prune_series keeps apart from cloud and rt.
is_amd64_flavour() {
	case $1 in
	*-cloud-amd64|*-rt-amd64) return 1 ;;
	*-amd64) return 0 ;;
	*) return 1 ;;
	esac
}

# Newest complete bootable amd64 root already in the cache for a series.
cached_release() {
	local d rel
	for d in "$CACHE"/kernels/*/.complete; do
		[ -e "$d" ] || continue
		rel=$(basename "$(dirname "$d")")
		[ ! -e "$CACHE/kernels/$rel/.headers-only" ] || continue
		is_amd64_flavour "$rel" || continue
		if [ "$(kernels_series_of "$rel" || true)" = "$1" ]; then
			echo "$rel"
		fi
	done | sort -V | tail -n1
}

# Make the newest release of a series available; prints the release. With
# no package lists (offline) or a failed download, the newest cached one.
fetch_kernel() {
	local series=$1 rel cached
	cached=$(cached_release "$series")
	if rel=$(kernels_fetch "$series" "$flavour"); then
		[ "$flavour" != amd64 ] || prune_series "$series" "$rel"
		echo "$rel"
		return
	fi
	[ "$flavour" = amd64 ] || die "cannot fetch a $series $flavour kernel"
	[ -n "$cached" ] || die "cannot fetch a $series kernel and none is cached"
	log "warning: cannot fetch the newest $series kernel; using cached $cached"
	echo "$cached"
}

# Is the --kernel argument an exact release (6.1.0-57-amd64,
# 7.3.4+deb13-rt-amd64) rather than a series?
is_release() {
	case $1 in
	*-amd64) return 0 ;;
	*) return 1 ;;
	esac
}

# Make one exact release available (any flavour); prints it. It is not
# pruned: the user asked for it by name.
fetch_release() {
	kernels_fetch_release "$1" ||
		die "kernel $1: not in the package lists as a bootable release, and not cached"
}

# Drop the older cached amd64 roots of a series once a newer one is
# complete (by the series each release belongs to, not by a name prefix:
# 6.1.* also matches 6.12 releases).
prune_series() {
	local series=$1 keep_rel=$2 d rel
	for d in "$CACHE"/kernels/*/; do
		rel=$(basename "$d")
		[ "$rel" != "$keep_rel" ] || continue
		is_amd64_flavour "$rel" || continue
		[ "$(kernels_series_of "$rel" || true)" = "$series" ] || continue
		log "removing old kernel $rel from the cache"
		rm -rf "$d"
	done
}

# make against a release's headers: on the host, or in the build root the
# release needs (the debug kernel is built with the host's compiler).
kmake() {	# kmake SERIES RELEASE DIR MAKE-ARG...
	local series=$1 rel=$2 dir=$3
	shift 3
	if [ "$series" = debug ]; then
		make -C "$(kernel_headers debug "$rel")" M="$dir" "$@"
	else
		kernels_make "$rel" "$dir" "$@"
	fi
}

# --- the debug kernel ------------------------------------------------------
#
# tests/debug-kernel.sh builds it (or finds it cached) and prints its cache
# directory: bzImage, release, and src/, the build tree. Its modules are
# built in, so the private root the initramfs takes modules.builtin from
# holds just that: $WORK/debug/root/lib/modules/<release>/.

DEBUG_DIR=

fetch_debug_kernel() {
	local rel m
	DEBUG_DIR=$(LSMREVOKE_CACHE=$CACHE bash "$REPO/tests/debug-kernel.sh" | tail -n 1) ||
		die "tests/debug-kernel.sh failed"
	[ -f "$DEBUG_DIR/.complete" ] || die "no debug kernel in '$DEBUG_DIR'"
	rel=$(cat "$DEBUG_DIR/release")
	m=$WORK/debug/root/lib/modules/$rel
	mkdir -p "$m"
	cp "$DEBUG_DIR"/src/modules.{builtin,builtin.modinfo,order} "$m/"
	: >"$m/modules.dep"
	cp "$DEBUG_DIR/bzImage" "$WORK/debug/vmlinuz"
}

# The root a release's kernel modules are taken from, and its headers.
kernel_root() {
	if [ "$1" = debug ]; then
		echo "$WORK/debug/root"
	else
		echo "$CACHE/kernels/$2"
	fi
}

kernel_headers() {
	if [ "$1" = debug ]; then
		echo "$DEBUG_DIR/src"
	else
		echo "$CACHE/kernels/$2/usr/src/linux-headers-$2"
	fi
}

# --- builds ----------------------------------------------------------------

# Every tests/progs/*.bpf.c into $WORK/progs/<name>.bpf.o.
build_progs() {
	local src name
	mkdir -p "$WORK/progs"
	for src in "$REPO"/tests/progs/*.bpf.c; do
		[ -e "$src" ] || { log "warning: no tests/progs/*.bpf.c"; return 0; }
		name=$(basename "$src" .bpf.c)
		clang -O2 -g -Wall -target bpf -D__TARGET_ARCH_x86 \
			-I/usr/include/x86_64-linux-gnu -I"$REPO/tests/progs" \
			-c "$src" -o "$WORK/progs/$name.bpf.o" ||
			die "cannot build tests/progs/$name.bpf.c"
	done
}

# All of tests/loader/*.c into one static binary, $WORK/bin/lsmrevoke-test.
build_loader() {
	mkdir -p "$WORK/bin"
	if ! compgen -G "$REPO/tests/loader/*.c" >/dev/null; then
		log "warning: no tests/loader/*.c; the guest has no loader"
		return 0
	fi
	gcc -O2 -g -Wall -static -I"$REPO/tests/loader" \
		-o "$WORK/bin/lsmrevoke-test" "$REPO"/tests/loader/*.c \
		-lbpf -lelf -lz -lpthread ||
		die "cannot build the loader (tests/loader/*.c)"
}

# The lsmrevoke command as make tools builds it, static, in $WORK/cli.
build_cli() {
	make -s -C "$REPO" tools LSMREVOKE_STATIC=1 TOOLS_OUT="$WORK/cli" >&2 ||
		die "cannot build the lsmrevoke command (make tools)"
}

# lsmrevoke.ko against a release's headers, in $WORK/<series>/build (a copy
# of Kbuild and module/, so the source tree stays clean).
build_module() {
	local series=$1 rel=$2 b=$WORK/$1/build
	if [ "$module_from" = dkms ]; then
		build_module_dkms "$series" "$rel"
		return
	fi
	rm -rf "$b"
	mkdir -p "$b"
	if [ ! -f "$REPO/Kbuild" ] || [ ! -d "$REPO/module" ]; then
		die "Kbuild or module/ is missing"
	fi
	cp -a "$REPO/Kbuild" "$REPO/module" "$b/"
	if ! kmake "$series" "$rel" "$b" -s -j"$JOBS" LSMREVOKE_DEBUG="$DEBUG_BUILD" \
		modules >"$WORK/$series/build.log" 2>&1; then
		cat "$WORK/$series/build.log" >&2
		die "lsmrevoke.ko does not build against $rel"
	fi
	# Show compiler warnings, but not the headers' chatter.
	grep -E 'warning:|error:' "$WORK/$series/build.log" >&2 || true
	[ -f "$b/lsmrevoke.ko" ] || die "the build for $rel made no lsmrevoke.ko"
	# The addresses lsmrevoke resumes redirected calls at keep their
	# ENDBR64: what IBT hardware would check and TCG cannot.
	bash "$REPO/tests/ibt-entries.sh" "$b/lsmrevoke.ko" \
		"$(kernel_headers "$series" "$rel")/.config" >"$WORK/$series/ibt-entries.txt" ||
		{ cat "$WORK/$series/ibt-entries.txt" >&2; die "an indirect-branch target of lsmrevoke.ko lacks its ENDBR64 ($rel)"; }
	sha256sum <"$b/lsmrevoke.ko" | cut -d' ' -f1 >"$WORK/$series/module.sha256"
	echo extra >"$WORK/$series/module.dir"
	# A debug build too (LSMREVOKE_DEBUG=y: fault injection), for
	# suite.d/60-robust.sh: /opt/lsmrevoke-test/debug/lsmrevoke.ko.
	rm -rf "$WORK/$series/debug"
	mkdir -p "$WORK/$series/debug"
	cp -a "$REPO/Kbuild" "$REPO/module" "$WORK/$series/debug/"
	kmake "$series" "$rel" "$WORK/$series/debug" -s -j"$JOBS" LSMREVOKE_DEBUG=y \
		modules >"$WORK/$series/debug.log" 2>&1 ||
		{ cat "$WORK/$series/debug.log" >&2; die "the debug lsmrevoke.ko does not build against $rel"; }
	# The module's files call one way only (docs/design.md): the debug
	# objects hold every call, fault injection's too.
	bash "$REPO/tests/callgraph.sh" "$WORK/$series/debug/module" \
		>"$WORK/$series/callgraph.txt" ||
		{ tail -n 5 "$WORK/$series/callgraph.txt" >&2; die "the module's files call each other in a cycle ($rel)"; }
}

# dkms where a release's modules are built: on the host, or (kernels_exec)
# in its build root, with the release's root and DIR bound.
kdkms() {	# kdkms host|SUITE RELEASE DIR DKMS-ARG...
	local br=$1 rel=$2 dir=$3
	shift 3
	if [ "$br" = host ]; then
		dkms "$@"
	else
		kernels_exec "$rel" "$dir" dkms "$@"
	fi
}

# lsmrevoke.ko as dkms builds and installs it from dkms.conf (dkms add,
# build, install) against a release's headers, with private dkms, source and
# install trees under $WORK/dkms. Nothing on the host changes, unless it has
# that release's headers installed: dkms then signs the module with its key,
# /var/lib/dkms/mok.key, as on a real machine (creating it if missing). The
# file dkms installed goes to $WORK/<series>/build, its checksum to
# module.sha256 and its directory under /lib/modules/<release> to module.dir.
# A release whose headers name a compiler the host lacks is built by the
# dkms of its build root (tests/buildroot.sh, dkms added to it), with that
# root's compiler, in trees of their own ($WORK/dkms-<suite>: one dkms
# version per tree), the release's root and those trees bound at the same
# paths. The build root has no linux-kbuild and no headers under the
# install tree, so its dkms finds no sign-file and signs nothing, as on a
# host without the release's headers; nothing in the root changes.
build_module_dkms() {
	local series=$1 rel=$2 hdr d=$WORK/dkms ver ko rel_dir
	local log=$WORK/$1/build.log trees br=host
	hdr=$(kernel_headers "$series" "$rel")
	if [ "$series" != debug ]; then
		br=$(kernels_buildroot "$rel") || die "cannot tell which compiler $rel needs"
	fi
	if [ "$br" != host ]; then
		d=$WORK/dkms-$br
		# The compiler the headers name (kernels_exec adds it), and dkms.
		LSMREVOKE_CACHE=$CACHE "$REPO/tests/buildroot.sh" ensure "$br" dkms >/dev/null ||
			die "cannot add dkms to the $br build root"
	fi
	trees=(--dkmstree "$d/var/lib/dkms" --sourcetree "$d/usr/src"
		--installtree "$d/lib/modules")
	ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$REPO/dkms.conf")
	[ -n "$ver" ] || die "dkms.conf has no PACKAGE_VERSION"
	if [ -n "$DEBUG_BUILD" ]; then
		log "warning: LSMREVOKE_DEBUG is ignored with --module-from dkms"
	fi
	if [ ! -d "$d/usr/src/lsmrevoke-$ver" ]; then
		# What the .deb puts in /usr/src (debian/lsmrevoke-dkms.install).
		mkdir -p "$d/usr/src/lsmrevoke-$ver" "$d/var/lib/dkms"
		cp -a "$REPO"/{dkms.conf,Kbuild,Makefile,module} "$d/usr/src/lsmrevoke-$ver/"
		kdkms "$br" "$rel" "$d" add -m lsmrevoke -v "$ver" "${trees[@]}" >"$WORK/dkms-add.log" 2>&1 ||
			{ cat "$WORK/dkms-add.log" >&2; die "dkms add failed"; }
	fi
	rm -rf "$WORK/$series/build"
	mkdir -p "$d/lib/modules/$rel" "$WORK/$series/build"
	if ! { kdkms "$br" "$rel" "$d" build -m "lsmrevoke/$ver" -k "$rel" "${trees[@]}" \
		--kernelsourcedir "$hdr" -j "$JOBS" &&
		kdkms "$br" "$rel" "$d" install -m "lsmrevoke/$ver" -k "$rel" "${trees[@]}" \
		--kernelsourcedir "$hdr" --no-depmod; } >"$log" 2>&1; then
		cat "$log" >&2
		cat "$d/var/lib/dkms/lsmrevoke/$ver/build/make.log" >&2 2>/dev/null || true
		die "dkms cannot build or install lsmrevoke for $rel"
	fi
	grep -E 'warning:|error:|[Ss]ign' "$log" >&2 || true
	ko=$(find "$d/lib/modules/$rel" -name 'lsmrevoke.ko*' -print -quit)
	[ -n "$ko" ] || die "dkms installed no lsmrevoke.ko under $d/lib/modules/$rel"
	rel_dir=$(dirname "${ko#"$d/lib/modules/$rel/"}")
	# dkms compresses like the host's modules of that release, if any;
	# busybox's modprobe reads plain .ko files only.
	case $ko in
	*.xz) xz -dc "$ko" ;;
	*.zst) zstd -qdc "$ko" ;;
	*.gz) gzip -dc "$ko" ;;
	*) cat "$ko" ;;
	esac >"$WORK/$series/build/lsmrevoke.ko"
	sha256sum <"$WORK/$series/build/lsmrevoke.ko" | cut -d' ' -f1 >"$WORK/$series/module.sha256"
	echo "$rel_dir" >"$WORK/$series/module.dir"
	log "kernel $series: dkms built and installed $rel_dir/$(basename "$ko")${br:+ ($br)}"
}

# The suite's test-only modules (tests/kmod/) against a release's headers,
# in $WORK/<series>/kmod.
build_test_kmods() {
	local series=$1 rel=$2 b=$WORK/$1/kmod
	[ -f "$REPO/tests/kmod/Kbuild" ] || return 0
	rm -rf "$b"
	mkdir -p "$b"
	cp -a "$REPO"/tests/kmod/. "$b/"
	if ! kmake "$series" "$rel" "$b" -s -j"$JOBS" modules \
		>"$WORK/$series/kmod.log" 2>&1; then
		cat "$WORK/$series/kmod.log" >&2
		die "tests/kmod does not build against $rel"
	fi
	grep -E 'warning:|error:' "$WORK/$series/kmod.log" >&2 || true
}

# --- initramfs -------------------------------------------------------------

# Copy a Debian kernel module and the ones it depends on, uncompressed
# (busybox's modprobe reads plain .ko files only).
copy_kmod() {
	local root=$1 rel=$2 dst=$3 name=$4 path dep out
	local dir=$root/lib/modules/$rel
	path=$(grep -m1 -E "(^|/)${name//_/[_-]}\.ko(\.xz|\.zst|\.gz)?:" \
		"$dir/modules.dep") || true
	if [ -z "$path" ]; then
		# Built in (or not configured): nothing to copy.
		grep -Eq "/${name//_/[_-]}\.ko\$" "$dir/modules.builtin" ||
			log "warning: kernel module $name not found in $rel"
		return 0
	fi
	for dep in ${path#*:} "${path%%:*}"; do
		out=$dst/lib/modules/$rel/${dep%.*}
		[ "${dep##*.}" = ko ] && out=$dst/lib/modules/$rel/$dep
		[ -e "$out" ] && continue
		mkdir -p "$(dirname "$out")"
		case $dep in
		*.xz) xz -dc "$dir/$dep" >"$out" ;;
		*.zst) zstd -qdc "$dir/$dep" >"$out" ;;
		*.gz) gzip -dc "$dir/$dep" >"$out" ;;
		*) cp "$dir/$dep" "$out" ;;
		esac
	done
}

# A host binary as /usr/sbin/<name> in the guest (ahead of busybox's applets
# in PATH), with the shared libraries ldd names and the dynamic loader.
copy_binary() {
	local bin=$1 dst=$2 lib
	cp -L "$bin" "$dst/usr/sbin/$(basename "$bin")"
	for lib in $(ldd "$bin" | grep -Eo '/[^ ]+'); do
		mkdir -p "$dst$(dirname "$lib")"
		cp -L "$lib" "$dst$lib"
	done
}

# --- third-party BPF software ----------------------------------------------
#
# Real BPF software from Debian 12's archive (the host's suite, so the
# host's libc and libstdc++ serve it), for tests/guest/suite.d/70-tools.sh:
# bpftrace (and the libraries it links that a host may lack: libbcc's,
# LLVM's and clang's), libbpf-tools (CO-RE tools, libbpf linked in),
# libxdp1's BPF objects and systemd (the manager and systemd-shutdown, and
# the libraries of libsystemd-shared a minimal host may lack), which
# 70-tools.sh runs as PID 1 of a PID namespace. apt-get download and dpkg -x into
# $CACHE/tools/<suite>/root, never installed; reused while TOOL_PACKAGES
# is unchanged.

readonly TOOL_PACKAGES=(bpftrace libbpfcc libllvm14 libclang1-14 libbpf1
	libdw1 libbpf-tools libxdp1 systemd libsystemd-shared libseccomp2
	libkmod2 libapparmor1 libip4tc2 libssl3)
# The libbpf-tools put in the guest (70-tools.sh runs these), and those
# whose embedded BPF object is also extracted for bpftool prog loadall.
readonly LIBBPF_TOOLS=(execsnoop exitsnoop opensnoop killsnoop runqslower)
readonly LIBBPF_TOOL_OBJS=(execsnoop opensnoop)
readonly XDP_OBJS=(xdpfilt_alw_all xdp-dispatcher)
TOOLS_DIR=

# Print the BPF ELF object a libbpf skeleton embeds in BIN (bpftool gen
# skeleton puts the whole .o in the binary's data) to OUT.
extract_skel_obj() {	# extract_skel_obj BIN OUT
	perl -e '
		local $/; open(my $f, "<:raw", $ARGV[0]) or die "$ARGV[0]: $!";
		my $d = <$f>; my $p = 1;
		while (($p = index($d, "\x7fELF\x02\x01\x01", $p)) >= 0) {
			my ($mach) = unpack("v", substr($d, $p + 18, 2));
			if ($mach == 247) {	# EM_BPF
				my $shoff = unpack("Q<", substr($d, $p + 40, 8));
				my ($shentsize, $shnum) = unpack("vv", substr($d, $p + 58, 4));
				my $len = $shoff + $shentsize * $shnum;
				open(my $o, ">:raw", $ARGV[1]) or die "$ARGV[1]: $!";
				print $o substr($d, $p, $len); close($o); exit 0;
			}
			$p++;
		}
		die "$ARGV[0]: no embedded BPF object\n";
	' "$1" "$2"
}

fetch_tools() {
	local d=$CACHE/tools/bookworm want deb t o
	d=$CACHE/tools/bookworm
	want="${TOOL_PACKAGES[*]}"
	if [ -f "$d/.complete" ] && [ "$(cat "$d/.complete")" = "$want" ]; then
		TOOLS_DIR=$d
		build_bpftool_skel
		return 0
	fi
	rm -rf "$d"
	mkdir -p "$d/debs" "$d/root" "$d/objs"
	(cd "$d/debs" && apt-get -o APT::Sandbox::User=root -qq download "${TOOL_PACKAGES[@]}" >&2) || {
		apt-get update -q >&2
		(cd "$d/debs" && apt-get -o APT::Sandbox::User=root -qq download "${TOOL_PACKAGES[@]}" >&2)
	} || die "cannot download the third-party BPF software: ${TOOL_PACKAGES[*]}"
	: >"$d/versions"
	for deb in "$d"/debs/*.deb; do
		dpkg -x "$deb" "$d/root" || die "cannot unpack $deb"
		dpkg-deb -W --showformat='${Package} ${Version}\n' "$deb" >>"$d/versions"
	done
	for t in "${LIBBPF_TOOL_OBJS[@]}"; do
		extract_skel_obj "$d/root/usr/sbin/$t" "$d/objs/$t.bpf.o" ||
			die "cannot extract the BPF object of libbpf-tools' $t"
	done
	for o in "${XDP_OBJS[@]}"; do
		cp "$d/root/usr/lib/x86_64-linux-gnu/bpf/$o.o" "$d/objs/" ||
			die "libxdp1 has no $o.o"
	done
	echo "$want" >"$d/.complete"
	TOOLS_DIR=$d
	log "third-party BPF software in $d: $(awk '{ printf "%s %s, ", $1, $2 }' "$d/versions")"
	build_bpftool_skel
}

# bpftool with its BPF skeletons, for `bpftool prog profile`: every
# Debian bpftool is built without them (bookworm's 7.1.0 up to the 7.8.0
# of trixie-backports and unstable say "skeletons": false and refuse
# `prog profile`). Built here from Debian 12's own source of it, the
# linux-source-6.1 tarball (its tools/bpf/bpftool, bpftool 7.1.0 with the
# libbpf 1.1 it carries), with Debian 12's clang, as bpftool's Makefile
# does when clang is present; its profiler.bpf.c is compiled against the
# host kernel's BTF. Cached per linux-source-6.1 version in
# $CACHE/tools/bpftool-skel; about 30 s when not.
BPFTOOL_SKEL=
build_bpftool_skel() {
	local d=$CACHE/tools/bpftool-skel tar=/usr/src/linux-source-6.1.tar.xz
	local v src=$WORK/bpftool-src
	v=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null) ||
		die "linux-source-6.1 is not installed (bpftool prog profile is built from it)"
	if [ -x "$d/bpftool" ] && [ "$(cat "$d/.complete" 2>/dev/null)" = "$v" ]; then
		BPFTOOL_SKEL=$d/bpftool
		return 0
	fi
	[ -r /sys/kernel/btf/vmlinux ] ||
		die "bpftool's profiler needs the host kernel's BTF, /sys/kernel/btf/vmlinux"
	rm -rf "$d" "$src"
	mkdir -p "$d" "$src/out"
	tar -xJf "$tar" -C "$src" linux-source-6.1/tools linux-source-6.1/kernel/bpf \
		linux-source-6.1/include linux-source-6.1/scripts ||
		die "cannot unpack bpftool's source from $tar"
	make -s -C "$src/linux-source-6.1/tools/bpf/bpftool" OUTPUT="$src/out/" \
		-j"$JOBS" >"$d/build.log" 2>&1 ||
		die "cannot build bpftool from linux-source-6.1 $v: $(tail -n 3 "$d/build.log" | tr '\n' ' ')"
	"$src/out/bpftool" --json version | grep -q '"skeletons":true' ||
		die "bpftool built from linux-source-6.1 $v has no skeletons: $("$src/out/bpftool" version | tr '\n' ' ')"
	cp "$src/out/bpftool" "$d/bpftool"
	echo "$v" >"$d/.complete"
	rm -rf "$src"
	BPFTOOL_SKEL=$d/bpftool
	log "bpftool with skeletons built from linux-source-6.1 $v: $("$d/bpftool" version | head -n 1)"
}

# copy_tool SRC GUESTPATH DST: SRC (a host binary or one under the tools
# root) as GUESTPATH in the guest root DST, with every library ldd names
# (those under the tools root where they were unpacked from, at their
# Debian path).
copy_tool() {
	local src=$1 gp=$2 dst=$3 lib rel out libpath
	libpath=$TOOLS_DIR/root/usr/lib/x86_64-linux-gnu:$TOOLS_DIR/root/lib/x86_64-linux-gnu
	# systemd's private libraries (its RUNPATH names them on the host).
	libpath=$libpath:$TOOLS_DIR/root/usr/lib/x86_64-linux-gnu/systemd
	out=$(LD_LIBRARY_PATH=$libpath ldd "$src") || die "ldd $src failed"
	if grep -q 'not found' <<<"$out"; then
		die "$src: libraries not found: $(grep 'not found' <<<"$out" | tr -s ' \t\n' ' ')"
	fi
	mkdir -p "$dst$(dirname "$gp")"
	rm -f "$dst$gp"	# not through a busybox applet's symlink
	cp -L "$src" "$dst$gp"
	for lib in $(grep -Eo '/[^ ]+' <<<"$out"); do
		rel=${lib#"$TOOLS_DIR/root"}
		[ -e "$dst$rel" ] && continue
		mkdir -p "$dst$(dirname "$rel")"
		cp -L "$lib" "$dst$rel"
	done
}

# The tools into the guest root DST (test tree T).
install_tools() {	# install_tools DST T
	local dst=$1 t=$2 b
	mkdir -p "$dst/etc"
	copy_tool "$TOOLS_DIR/root/usr/bin/bpftrace" /usr/bin/bpftrace "$dst"
	for b in "${LIBBPF_TOOLS[@]}"; do
		copy_tool "$TOOLS_DIR/root/usr/sbin/$b" "/usr/sbin/$b" "$dst"
	done
	# systemd where Debian 12 has it: the manager execs systemd-shutdown
	# when it powers off.
	for b in systemd systemd-shutdown; do
		copy_tool "$TOOLS_DIR/root/lib/systemd/$b" "/lib/systemd/$b" "$dst"
	done
	# A time zone file, as every Debian system has: without one, glibc's
	# localtime() tries to open /etc/localtime on every call, and
	# opensnoop, which calls it for each event it prints, traces its own
	# failed open, prints it, and so on, thousands of lines a second.
	cp -L /etc/localtime "$dst/etc/localtime" ||
		die "the host has no /etc/localtime (tzdata) for the guest's tools"
	# bpftool prog profile's bpftool, apart from the guest's own bpftool.
	copy_tool "$BPFTOOL_SKEL" /opt/lsmrevoke-test/tools/bin/bpftool "$dst"
	mkdir -p "$t/tools/objs"
	cp "$TOOLS_DIR"/objs/*.o "$t/tools/objs/"
	cp "$TOOLS_DIR/versions" "$t/tools/versions"
	echo "bpftool-skel linux-source-6.1-$(cat "$CACHE/tools/bpftool-skel/.complete")" \
		>>"$t/tools/versions"
}

# The tools as one gzipped cpio archive, $WORK/tools.cpio.gz, made once
# per run and appended to every kernel's initramfs (the kernel unpacks
# concatenated archives in order; a file of the second replaces the
# first's).
TOOLS_CPIO=
build_tools_archive() {
	local r=$WORK/tools-root
	rm -rf "$r"
	mkdir -p "$r"
	install_tools "$r" "$r/opt/lsmrevoke-test"
	(cd "$r" && find . -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc -R 0:0 --quiet) | gzip -1 >"$WORK/tools.cpio.gz"
	TOOLS_CPIO=$WORK/tools.cpio.gz
	log "third-party BPF software: $(du -sm "$r" | cut -f1) MiB unpacked, $(du -m "$TOOLS_CPIO" | cut -f1) MiB gzipped, added to each initramfs"
	rm -rf "$r"
}

make_initramfs() {
	local series=$1 rel=$2 root
	root=$(kernel_root "$1" "$2")
	local s=$WORK/$1/initramfs t applet a b m
	t=$s/opt/lsmrevoke-test
	rm -rf "$s"
	mkdir -p "$s"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,run,root,etc} \
		"$t"/{bin,progs,guest,add} "$s/lib/modules/$rel/extra"

	# busybox, with a symlink for every applet.
	cp /bin/busybox "$s/bin/busybox"
	for applet in $(/bin/busybox --list-full); do
		[ -e "$s/$applet" ] || ln -s /bin/busybox "$s/$applet"
	done
	install -m 0755 "$REPO/tests/guest-init.sh" "$s/init"

	# The module under test (where make install or dkms puts it, with the
	# checksum of what they produced), and a few of Debian's for the tests'
	# plumbing.
	m=$(cat "$WORK/$series/module.dir")
	mkdir -p "$s/lib/modules/$rel/$m"
	cp "$WORK/$series/build/lsmrevoke.ko" "$s/lib/modules/$rel/$m/"
	cp "$WORK/$series/module.sha256" "$t/module.sha256"
	if [ -f "$WORK/$series/debug/lsmrevoke.ko" ]; then
		mkdir -p "$t/debug"
		cp "$WORK/$series/debug/lsmrevoke.ko" "$t/debug/"
	fi
	if [ -d "$WORK/$series/kmod" ]; then
		cp "$WORK/$series/kmod"/*.ko "$s/lib/modules/$rel/extra/"
	fi
	cp "$root/lib/modules/$rel"/modules.{builtin,builtin.modinfo,order} \
		"$s/lib/modules/$rel/" 2>/dev/null || true
	for m in $KMODS; do
		copy_kmod "$root" "$rel" "$s" "$m"
	done

	# The test tree.
	cp -a "$WORK/bin/." "$t/bin/"
	cp -a "$WORK/progs/." "$t/progs/"
	cp -a "$REPO/tests/guest/." "$t/guest/"
	# The lsmrevoke command where make install puts it, and its JSON schema.
	cp "$WORK/cli/lsmrevoke" "$s/usr/sbin/lsmrevoke"
	cp "$REPO/docs/lsmrevoke.schema.json" "$t/"
	if [ -n "$script" ]; then
		cp "$script" "$t/script"
		for a in "${adds[@]}"; do
			cp -a "$a" "$t/add/"
		done
		echo "MODE=script" >"$s/etc/lsmrevoke-test.conf"
	else
		echo "MODE=suite" >"$s/etc/lsmrevoke-test.conf"
	fi
	echo "MODULE_FROM=$module_from" >>"$s/etc/lsmrevoke-test.conf"
	echo "STRESS_SECS=${LSMREVOKE_STRESS_SECS:-}" >>"$s/etc/lsmrevoke-test.conf"
	# Full bpftool, ip and tc (busybox's know no veth, clsact or BPF).
	for b in /usr/sbin/bpftool /bin/ip /sbin/tc; do
		if [ -x "$b" ]; then
			copy_binary "$b" "$s"
		fi
	done

	(cd "$s" && find . -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc -R 0:0 --quiet) | gzip -1 >"$WORK/$series/initrd.gz"
	if [ -n "$TOOLS_CPIO" ]; then
		cat "$TOOLS_CPIO" >>"$WORK/$series/initrd.gz"
	fi
	log "kernel $series: initramfs $(du -m "$WORK/$series/initrd.gz" | cut -f1) MiB gzipped${TOOLS_CPIO:+ (with the third-party BPF software)}"
}

# --- boot and report -------------------------------------------------------

passed_total=0
failed_total=0
summaries=()

# Boot one kernel; the guest's ttyS0 (console), ttyS1 (results) and ttyS2
# (script output) land in files in $WORK/<series>/.
boot_kernel() {
	local series=$1 rel=$2 d=$WORK/$1 con rc=0 mem=1024
	# Any WARN, oops or task stuck in D state for a minute ends the run
	# with a panic (and its stack traces) instead of a silent timeout.
	# KASLR stays on, as on real systems (LSMREVOKE_APPEND=nokaslr).
	local cmdline="console=ttyS0 panic=-1 panic_on_warn=1 oops=panic"
	cmdline+=" hung_task_panic=1 sysctl.kernel.hung_task_timeout_secs=60"
	# Audit on, with no auditd: records reach the kernel log as
	# "audit: type=1334 ..." lines, which the tests read from /dev/kmsg.
	cmdline+=" audit=1 audit_backlog_limit=8192"
	if [ "$series" = debug ]; then
		# KASAN and KFENCE reports end the run like a WARN; kmemleak is on
		# from boot; a slow kernel may stall a task past 60 s. 4-level
		# paging: with -cpu max's LA57, 6.1's KASAN reports a wild access
		# in the first interrupt, long before any module.
		cmdline+=" kasan.fault=panic kmemleak=on no5lvl"
		cmdline="${cmdline/hung_task_timeout_secs=60/hung_task_timeout_secs=240}"
		mem=3072
	fi
	cmdline+=" loglevel=$LOGLEVEL ${LSMREVOKE_APPEND:-}"
	: >"$d/results.log"
	: >"$d/script.log"
	if [ "$VERBOSE" = 1 ]; then
		con="stdio,id=con,signal=off,logfile=$d/console.log"
	else
		con="file,id=con,path=$d/console.log"
	fi
	timeout --kill-after=10 "$TIMEOUT" \
		qemu-system-x86_64 -accel "${LSMREVOKE_ACCEL:-tcg,thread=single}" -cpu max -m "$mem" -smp 2 \
		-nodefaults -display none -no-reboot \
		-kernel "$d/vmlinuz" -initrd "$d/initrd.gz" -append "$cmdline" \
		-chardev "$con" -serial chardev:con \
		-chardev "file,id=res,path=$d/results.log" -serial chardev:res \
		-chardev "file,id=out,path=$d/script.log" -serial chardev:out \
		</dev/null || rc=$?
	echo "$rc" >"$d/qemu.rc"
}

# A kernel log line (it has a printk timestamp, so what user space prints on
# the console does not count) that reports a warning, a bug or an oops.
readonly KERNEL_TROUBLE='\[ *[0-9]+\.[0-9]+\] .*(WARNING:|BUG:|Oops|Call Trace|[Kk]ernel panic)'

# On the debug kernel, kernel log lines of its checkers, which do not all
# end in a WARN (lockdep prints and goes on) or say that a checker gave up;
# minus the banners they print at boot.
readonly DEBUG_TROUBLE='^\[ *[0-9]+\.[0-9]+\] .*(BUG: KASAN|WARNING: possible|lockdep|KFENCE|kmemleak)'
readonly DEBUG_BANNERS='KFENCE: initialized|kmemleak: Kernel memory leak detector initialized|kmemleak: Automatic memory scanning thread (started|ended)'

debug_trouble() {
	grep -E "$DEBUG_TROUBLE" "$1" | grep -Ev "$DEBUG_BANNERS"
}

# The interesting part of a console log: from just before the first kernel
# trouble line if there is one (a WARN's "cut here" line comes first),
# otherwise its end.
console_excerpt() {
	local clean=$1 first
	first=$(grep -m1 -nE "$KERNEL_TROUBLE" "$clean" | cut -d: -f1) || true
	if [ -n "$first" ]; then
		first=$((first > 5 ? first - 5 : 1))
		echo "-- console from line $first --"
		sed -n "$first,$((first + 99))p" "$clean"
	else
		echo "-- last 60 lines of the console --"
		tail -n 60 "$clean"
	fi
	echo "-- end of console --"
}

# Print a kernel's results, count them, and add a FAIL if the guest did not
# finish or the kernel complained.
report_kernel() {
	local series=$1 rel=$2 d=$WORK/$1 line passed=0 failed=0 done=0 rc why
	local names=()	# what failed, for the summary (a CI log may keep only its end)
	rc=$(cat "$d/qemu.rc")
	strip_escapes "$d/console.log" >"$d/console.txt"

	echo "== kernel $series ($rel) =="
	if [ -n "$script" ]; then
		echo "-- script output --"
		strip_escapes "$d/script.log"
		echo "-- end of script output --"
	fi
	while IFS= read -r line; do
		if [[ $line == *"$DONE_TOKEN"* ]]; then
			done=1
		elif [[ $line =~ \#[0-9A-Za-z_]+(\ [^\ :]+)?:(OK|FAIL|SKIP) ]]; then
			case ${BASH_REMATCH[2]} in
			OK) passed=$((passed + 1)) ;;
			FAIL)
				failed=$((failed + 1))
				names+=("${line#*#}")
				;;
			esac
			# From the '#' on: a result may follow other output.
			echo "[$series] #${line#*#}"
		elif [ -n "$line" ]; then
			echo "[$series] $line"
		fi
	done < <(strip_escapes "$d/results.log")

	if [ "$done" = 0 ]; then
		case $rc in
		124|137) why="timed out after $TIMEOUT s" ;;
		*) why="qemu exited with $rc" ;;
		esac
		if grep -q 'Kernel panic' "$d/console.txt"; then
			why="kernel panic; $why"
		fi
		echo "[$series] #boot:FAIL (no completion token; guest panicked, hung or timed out: $why)"
		failed=$((failed + 1))
		names+=("boot:FAIL")
		console_excerpt "$d/console.txt"
	elif grep -Eq "$KERNEL_TROUBLE" "$d/console.txt"; then
		echo "[$series] #console:FAIL (the kernel log shows a warning, bug or oops)"
		failed=$((failed + 1))
		names+=("console:FAIL")
		console_excerpt "$d/console.txt"
	elif [ "$series" = debug ] && debug_trouble "$d/console.txt" >"$d/debug-trouble.txt"; then
		echo "[$series] #console:FAIL (a debug checker reported: $(head -n 1 "$d/debug-trouble.txt"))"
		failed=$((failed + 1))
		names+=("console:FAIL")
		echo "-- debug checker lines --"
		head -n 40 "$d/debug-trouble.txt"
		echo "-- end of debug checker lines --"
		console_excerpt "$d/console.txt"
	fi
	echo "$series: $passed passed, $failed failed"
	summaries+=("$series: $passed passed, $failed failed")
	# Each failure, whole (its reason), once more under the summary.
	for line in "${names[@]}"; do
		summaries+=("  $series FAILED: ${line:0:300}")
	done
	passed_total=$((passed_total + passed))
	failed_total=$((failed_total + failed))
}

# --- main ------------------------------------------------------------------

t0=$(now)
ensure_host_packages "${HOST_PACKAGES[@]}"
mkdir -p "$CACHE/kernels" 2>/dev/null || true
if [ ! -w "$CACHE/kernels" ]; then
	die "$CACHE is not writable (set LSMREVOKE_CACHE to a directory of yours)"
fi

declare -A release
# The debug kernel has its own lock (its first build takes long).
for k in "${kernels[@]}"; do
	[ "$k" = debug ] || continue
	t=$(now)
	mkdir -p "$WORK/debug"
	fetch_debug_kernel
	release[debug]=$(cat "$DEBUG_DIR/release")
	log "kernel debug: ${release[debug]} ($DEBUG_DIR) [$(since "$t")]"
done

# One run at a time prepares the cache (downloads, prunes).
exec 9>"$CACHE/lock"
flock 9

if [ "$kernel_arg" != debug ]; then
	t=$(now)
	kernels_update
	kernels_load_index || log "warning: no kernel in the package lists; using cached kernels"
	if [ "$kernel_arg" = all ] || [ "$kernel_arg" = every ]; then
		mapfile -t kernels < <(kernels_series)
		[ ${#kernels[@]} -gt 0 ] || die "the package lists offer no kernel series"
	elif [ "$kernel_arg" = newest ]; then
		mapfile -t kernels < <(kernels_series | sort -V | tail -n1)
		[ ${#kernels[@]} -gt 0 ] || die "the package lists offer no kernel series"
	fi
	for k in "${kernels[@]}"; do
		is_release "$k" || kernels_known "$k" ||
			die "--kernel $k: neither a release nor a series tests/kernels.sh knows (KERNELS_KNOWN: ${KERNELS_KNOWN[*]})"
	done
	log "package lists read; series: ${kernels[*]} [$(since "$t")]"
fi

for k in "${kernels[@]}"; do
	[ "$k" != debug ] || continue
	t=$(now)
	if is_release "$k"; then
		release[$k]=$(fetch_release "$k")
	else
		release[$k]=$(fetch_kernel "$k")
	fi
	log "kernel $k: ${release[$k]} ($CACHE/kernels/${release[$k]}) [$(since "$t")]"
	mkdir -p "$WORK/$k"
	cp "$CACHE/kernels/${release[$k]}/boot/vmlinuz-${release[$k]}" "$WORK/$k/vmlinuz"
done

t=$(now)
build_progs
build_loader
build_cli
case $TOOLS in
1) fetch_tools ;;
0) ;;
auto)
	if [ -z "$script" ] && [ -e "$REPO/tests/guest/suite.d/70-tools.sh" ]; then
		fetch_tools
	fi
	;;
*) die "LSMREVOKE_TOOLS must be 0, 1 or auto, not '$TOOLS'" ;;
esac
[ -z "$TOOLS_DIR" ] || build_tools_archive
log "BPF programs and loader built [$(since "$t")]"
for k in "${kernels[@]}"; do
	t=$(now)
	build_module "$k" "${release[$k]}"
	build_test_kmods "$k" "${release[$k]}"
	make_initramfs "$k" "${release[$k]}"
	log "kernel $k: module and initramfs built [$(since "$t")]"
done
exec 9>&-

for k in "${kernels[@]}"; do
	t=$(now)
	log "kernel $k: booting (timeout $TIMEOUT s)"
	boot_kernel "$k" "${release[$k]}"
	log "kernel $k: guest finished [$(since "$t")]"
	report_kernel "$k" "${release[$k]}"
done

echo "== summary =="
printf '%s\n' "${summaries[@]}"
log "total wall time $(since "$t0")"
echo "$passed_total passed, $failed_total failed"
[ "$failed_total" = 0 ] && [ "$passed_total" -gt 0 ]
