# SPDX-License-Identifier: GPL-2.0
#
# Real third-party BPF software under revocation (issue 19; sourced by
# suite.sh, busybox sh). tests/run-qemu.sh puts Debian 12's bpftrace,
# libbpf-tools and systemd in the guest, with their libraries, and the BPF
# objects of libxdp1 and those embedded in libbpf-tools in $T/tools/objs.
# Every tool runs at once, as a user runs it (no wrapper, no preload), its
# output in a file of its own ($WORK/tools/<tool>.out); "bpftool prog
# loadall" objects are loaded (not attached) beside them, and systemd runs
# as PID 1 of a PID namespace (see "systemd" below). A tool's programs are
# the ones whose loader= field in programs names its process. The policy
# is changed as in 30-policy.sh, with the BPF-LSM locked_down denier
# (policy_deny.bpf.o) held attached by the loader, plus strict writes;
# lockdown itself is left to 90-lockdown.sh (it only rises):
#
#   phase            policy                                   what it denies
#   before           none
#   integrity        denier of LOCKDOWN_BPF_WRITE_USER        what integrity does
#   confidentiality  denier of WRITE_USER and READ_KERNEL     what confidentiality does
#   strict           the same denier and strict=1             strict=1 under confidentiality
#   after            denier detached, strict=0 (restore)
#
# In every phase each program's state must follow from the requires it
# was recorded with (revoked iff the policy denies one of them:
# bpf_write_user by integrity; also bpf_read_kernel by confidentiality;
# also btf_read, kfunc_read, btf_print, fmt_read and ksym_read with
# strict=1), programs that need nothing stay active and each tool keeps
# running. Every event the tools see comes from one actor process whose
# name (comm) is the phase's tag (lx_before, lx_integrity, lx_confid,
# lx_strict, lx_after): in each phase it opens $TL/<tag>.file, sends
# kill -0, runs $TL/<tag> (busybox under that name: no such applet, exit
# 127) and is woken through a FIFO, TN times. An event is done before the
# actor answers, so no event of one phase can happen under another's
# policy, and a line of output names its phase by the tag. The output is
# counted per phase once the tools have exited on SIGINT (the tools are
# block-buffered into files: nothing is read while they run). A tool
# whose every program is active in a phase must print its lines for that
# phase; a tool with a program revoked there prints none. The requires of each program are checked against its
# instructions (bpftool prog dump xlated): a call of
# bpf_probe_read{,_kernel,_compat}{,_str} iff bpf_read_kernel, of
# bpf_probe_write_user iff bpf_write_user.
#
# Machine-readable lines for tests/compat-table.sh (docs/compatibility.md):
#   # tools: prog <release> <tool> <prog-type> <prog-name> <requires> xlated=<x> \
#       loader=<comm> integrity=<state> confidentiality=<state> strict=<state> after=<state>
#   # tools: tool <release> <tool> <version> <started|skip:reason> \
#       before=N integrity=N confidentiality=N strict=N after=N exit=<rc>
#   # tools: cmd <release> <tool> <the command line, to the end>
# (N: lines of output in that phase, "-" for a tool whose output is not
# counted; the program's name as bpftool shows it, whole, from its BTF.)
#
#   tools_start      every tool starts and its programs are tracked
#   tools_xlated     requires match the xlated instructions
#   tools_before     with no policy: all active, all tools running
#   tools_integrity, tools_confidentiality, tools_strict, tools_after
#   tools_exit       every tool ran through it all and exits cleanly
#   tools_output     each tool's output per phase: lines when active,
#                    none while revoked
#   tools_systemd    systemd (started by tools_start, run through the
#                    phases like the tools) loaded its device and
#                    firewall programs, and is built without its BPF
#                    framework (no restrict-fs, restrict-ifaces or
#                    socket-bind programs to run)
#
# Leaves the module unloaded and every program of its own freed.

command -v po_hold_on >/dev/null 2>&1 ||
	PO_HELPERS_ONLY=1 . "$T/guest/suite.d/30-policy.sh"

TL=$WORK/tools		# work files: <tool>.out/.err/.pid/.ids
TP=$PINS/tools		# loadall pins
TOBJ=$T/tools/objs
TBPFTOOL=$T/tools/bin/bpftool	# bpftool with skeletons (prog profile)
TN=4			# events of each kind per phase
TL_TOOLS=		# tools started (and loadall objects loaded)
TL_ACTOR=		# pid of the actor
TL_REL=$(uname -r)
TL_PHASES='before integrity confidentiality strict after'
TL_T0=$(date +%s)
# The batch dumps every program's instructions; the debug kernel (KASAN,
# lockdep) runs it several times slower (300 s did not do there).
TL_BATCH_SECS=300
case $(uname -r) in
*-lsmrevoke-debug) TL_BATCH_SECS=1200 ;;
esac

mkdir -p "$TL" "$TP"

# tl_tag PHASE: the actor's name in PHASE (at most 15 characters, none a
# prefix of another).
tl_tag() {
	case $1 in
	confidentiality) echo lx_confid ;;
	*) echo "lx_$1" ;;
	esac
}

# The files and names of every phase exist before any tool starts (a
# tool would see them being made).
for _p in $TL_PHASES; do
	: >"$TL/$(tl_tag "$_p").file"
	ln -sf /bin/busybox "$TL/$(tl_tag "$_p")"
done
rm -f "$TL/actor.in" "$TL/actor.out"
mkfifo "$TL/actor.in" "$TL/actor.out"

# --- the tools --------------------------------------------------------

# tl_cmd TOOL: the command line of a libbpf tool.
tl_cmd() {
	case $1 in
	runqslower) echo runqslower -p "$TL_ACTOR" 1 ;;
	*) echo "$1" ;;
	esac
}

# tl_bt TOOL: the bpftrace program of TOOL (BEGIN runs once every probe
# is attached). -B none: bpftrace's own switch for unbuffered output.
tl_bt() {
	case $1 in
	bpftrace-tp)
		printf '%s\n' 'BEGIN { printf("ready\n"); } tracepoint:sched:sched_process_exec /strncmp(comm, "lx_", 3) == 0/ { printf("%s exec %d\n", comm, pid); }' ;;
	bpftrace-kprobe)
		printf '%s\n' 'BEGIN { printf("ready\n"); } kprobe:do_exit /strncmp(comm, "lx_", 3) == 0/ { printf("%s exit ppid %d\n", comm, curtask->real_parent->tgid); }' ;;
	bpftrace-kfunc)
		printf '%s\n' 'BEGIN { printf("ready\n"); } kfunc:vfs_open /strncmp(comm, "lx_", 3) == 0/ { printf("%s open %s\n", comm, str(args->path->dentry->d_name.name)); }' ;;
	esac
}

TL_PROCS='bpftrace-tp bpftrace-kprobe bpftrace-kfunc execsnoop exitsnoop opensnoop killsnoop runqslower'
TL_LOADALL='execsnoop.bpf.o opensnoop.bpf.o xdpfilt_alw_all.o xdp-dispatcher.o'

tl_version() {
	case $1 in
	bpftrace*) _p=bpftrace ;;
	systemd) _p=systemd ;;
	loadall:xdp* | loadall_xdp*) _p=libxdp1 ;;
	bpftool-profile)
		echo "bpftool-$("$TBPFTOOL" version 2>/dev/null | head -n 1 | awk '{ print $2 }')-$(awk '$1 == "bpftool-skel" { print $2 }' "$T/tools/versions" 2>/dev/null)"
		return
		;;
	*) _p=libbpf-tools ;;
	esac
	awk -v p="$_p" '$1 == p { print $1 "-" $2 }' "$T/tools/versions" 2>/dev/null
}

# tl_ids: the ids of every BPF program alive, sorted, after a line "x"
# (busybox grep -f of an empty file matches every line).
tl_ids() {
	echo x
	"$BIN" ids 2>/dev/null | sort -n
}

# tl_loaded_by PID: the ids of the programs in programs whose loader=
# field names process PID, sorted.
tl_loaded_by() {
	awk -v pid="$1" '!/^#/ {
		for (i = 6; i <= NF; i++)
			if ($i ~ /^loader=/) {
				p = $i
				sub(/.*:/, "", p)
				if (p == pid) print $1
			}
	}' "$SFS/programs" 2>/dev/null | sort -n
}

# tl_settled PID TAG: writes the programs PID loaded to $TL/TAG.ids; true
# once that list is not empty and has stayed the same for 2 s (TL_LAST and
# TL_SINCE carry it from one call to the next; set TL_LAST= first).
tl_settled() {
	tl_loaded_by "$1" >"$TL/$2.ids"
	_c=$(tr '\n' ' ' <"$TL/$2.ids")
	if [ -z "$_c" ] || [ "$_c" != "$TL_LAST" ]; then
		TL_SINCE=$(date +%s)
		TL_LAST=$_c
		return 1
	fi
	[ $(($(date +%s) - TL_SINCE)) -ge 2 ]
}

# tl_loader ID [SNAPSHOT]: the loader's name of program ID.
tl_loader() {
	awk -v id="$1" '$1 == id {
		for (i = 6; i <= NF; i++)
			if ($i ~ /^loader=/) {
				l = substr($i, 8)
				sub(/:[0-9]+$/, "", l)
				print l
			}
	}' "${2:-$SFS/programs}" 2>/dev/null
}

# tl_alive TOOL
tl_alive() {
	_pid=$(cat "$TL/$1.pid" 2>/dev/null)
	[ -n "$_pid" ] && kill -0 "$_pid" 2>/dev/null
}

# tl_waiting PID: the process sleeps in poll or epoll_wait (a libbpf
# tool's main loop, entered once every program is attached).
tl_waiting() {
	case $(cat "/proc/$1/wchan" 2>/dev/null) in
	*poll*) return 0 ;;
	esac
	return 1
}

# tl_start TOOL: start TOOL in the background, output into $TL/TOOL.out;
# wait (up to 180 s: bpftrace compiles under TCG) until it is ready and
# the programs it loaded (into $TL/TOOL.ids) stay the same for 2 s.
# Ready: bpftrace printed its BEGIN line (BEGIN runs once every probe is
# attached), a libbpf tool sleeps in its poll loop. Returns 1 (with
# TL_WHY) if it exits or never settles.
tl_start() {
	TL_WHY=
	case $1 in
	bpftrace-*)
		bpftrace -B none -e "$(tl_bt "$1")" \
			>"$TL/$1.out" 2>"$TL/$1.err" </dev/null & ;;
	*)
		_cmd=$(tl_cmd "$1")
		# shellcheck disable=SC2086
		$_cmd >"$TL/$1.out" 2>"$TL/$1.err" </dev/null & ;;
	esac
	_pid=$!
	echo "$_pid" >"$TL/$1.pid"
	_t0=$(date +%s)
	TL_LAST=
	while [ $(($(date +%s) - _t0)) -lt 180 ]; do
		sleep 0.5
		if ! tl_alive "$1"; then
			wait "$_pid"
			TL_WHY="exited with $? before it was ready: $(tail -n 3 "$TL/$1.err" | tr '\n' ' ')"
			return 1
		fi
		case $1 in
		bpftrace-*) grep -q '^ready$' "$TL/$1.out" || continue ;;
		*) tl_waiting "$_pid" || continue ;;
		esac
		tl_settled "$_pid" "$1" && return 0
	done
	TL_WHY="not ready after 180 s (programs: '$TL_LAST'; wchan $(cat "/proc/$_pid/wchan" 2>/dev/null); output: $(head -n 2 "$TL/$1.out" | tr '\n' ' '); errors: $(tail -n 2 "$TL/$1.err" | tr '\n' ' '))"
	return 1
}

# The actor: a subshell that reads one command at a time from the FIFO
# actor.in and answers "ok" through actor.out once it is done:
#   comm NAME  its name becomes NAME (the wakeup that brought the command
#              is still under the old name)
#   tick TAG   open $TL/TAG.file, kill -0 the suite's shell, run $TL/TAG
#              (and wait for it to exit)
#   exit
tl_actor() {
	while :; do
		read -r _c <"$TL/actor.in" || continue
		case $_c in
		exit) echo ok >"$TL/actor.out"; break ;;
		comm\ *) printf '%s' "${_c#comm }" >/proc/self/comm ;;
		tick\ *)
			_g=${_c#tick }
			: <"$TL/$_g.file"
			kill -0 "$TL_SHELL"
			"$TL/$_g" >/dev/null 2>&1
			;;
		esac
		echo ok >"$TL/actor.out"
	done
}

# tl_act CMD: the actor does CMD (the command travels in the environment,
# not in argv, where execsnoop would see the tag); 1 if it does not
# answer within 20 s.
tl_act() {
	TL_CMD=$1 TL_DIR=$TL to 20 sh -c \
		'echo "$TL_CMD" >"$TL_DIR/actor.in" && read -r _r <"$TL_DIR/actor.out" && [ "$_r" = ok ]'
}

# tl_fire PHASE: TN events of each kind under PHASE's tag.
tl_fire() {
	_g=$(tl_tag "$1")
	tl_act "comm $_g" || t_err "actor: no answer to 'comm $_g'"
	_i=0
	while [ "$_i" -lt "$TN" ]; do
		_i=$((_i + 1))
		tl_act "tick $_g" || t_err "actor: no answer to 'tick $_g'"
	done
	tl_act "comm lx_idle" || t_err "actor: no answer to 'comm lx_idle'"
}

# tl_req ID [SNAPSHOT]: the requires of program ID ("none" when untracked).
tl_req() {
	_s=$(awk -v id="$1" '$1 == id { print $4 }' "${2:-$SFS/programs}" 2>/dev/null)
	echo "${_s:-none}"
}

# tl_expect REQUIRES PHASE: the state the policy of PHASE must give a
# program recorded (strict=0) with REQUIRES.
tl_expect() {
	case $2 in
	integrity) _deny='bpf_write_user' ;;
	confidentiality) _deny='bpf_write_user bpf_read_kernel' ;;
	strict) _deny='bpf_write_user bpf_read_kernel btf_read kfunc_read btf_print fmt_read ksym_read' ;;
	*) _deny= ;;
	esac
	for _d in $_deny; do
		case ,$1, in
		*,$_d,*) echo revoked; return ;;
		esac
	done
	echo active
}

# tl_watch_on WHAT / tl_watch_off: while a phase runs, a watchdog that
# after 120 s prints every task's state and kernel stack, once a minute
# (a phase takes under a minute).
tl_watch_on() {
	(
		sleep 120
		while :; do
			diag "watchdog: $1 still running after 120 s"
			for _p in /proc/[0-9]*; do
				diag "watchdog: ${_p#/proc/} $(cat "$_p/comm" 2>/dev/null) $(sed -n 's/^State:[[:space:]]*//p' "$_p/status" 2>/dev/null) wchan=$(cat "$_p/wchan" 2>/dev/null)"
				head -n 8 "$_p/stack" >"$TL/watch.stack" 2>/dev/null
				diag_file "$TL/watch.stack" "watchdog:    "
			done
			sleep 60
		done
	) &
	TL_WATCH=$!
}

tl_watch_off() {
	[ -n "${TL_WATCH:-}" ] || return 0
	kill "$TL_WATCH" 2>/dev/null
	wait "$TL_WATCH" 2>/dev/null
	TL_WATCH=
}

# tl_phase PHASE: record the states ($TL/<tool>.PHASE: "<id> <state>")
# and check them, check every tool runs, fire the phase's events.
tl_phase() {
	to 30 cat "$SFS/programs" >"$TL/programs.$1" || t_err "read programs under $1 failed or hung"
	for _t in $TL_TOOLS; do
		_rev=0
		: >"$TL/$_t.$1"
		for _id in $(cat "$TL/$_t.ids"); do
			_st=$(po_state "$_id" "$TL/programs.$1")
			_rq=$(tl_req "$_id" "$TL/programs.before")
			echo "$_id $_st" >>"$TL/$_t.$1"
			[ "$_st" = revoked ] && _rev=$((_rev + 1))
			t_eq "$_t prog $_id ($_rq) under $1" "$(tl_expect "$_rq" "$1")" "$_st"
		done
		echo "$_rev" >"$TL/$_t.rev.$1"
		if [ -f "$TL/$_t.pid" ]; then
			if tl_alive "$_t"; then
				t_pass
			else
				t_err "$_t under $1: expected it running, saw it gone ($(tail -n 2 "$TL/$_t.err" | tr '\n' ' '))"
			fi
		fi
		diag "$_t $1: $_rev of $(wc -l <"$TL/$_t.ids") programs revoked"
		[ "$_t" != systemd ] || tl_sd_enforce "$1"
	done
	tl_fire "$1"
}

# tl_dump IDS...: one bpftool (batch mode: its start-up is slow under
# TCG) shows and dumps the xlated instructions of every program of IDS:
# $TL/xlated.<id> and "<id> <whole name>" lines in $TL/names.
tl_dump() {
	: >"$TL/batch"
	for _id in "$@"; do
		echo "prog show id $_id" >>"$TL/batch"
		echo "prog dump xlated id $_id" >>"$TL/batch"
	done
	to "$TL_BATCH_SECS" bpftool batch file "$TL/batch" >"$TL/batch.out" 2>"$TL/batch.err" ||
		t_err "bpftool batch file (prog show, prog dump xlated): expected success, saw '$(tail -n 2 "$TL/batch.err" | tr '\n' ' ')'"
	rm -f "$TL"/xlated.*
	# "<id>: <type>  name <name>  tag ..." begins each program; its
	# instructions are "   <n>: (<op>) ..." lines.
	awk -v dir="$TL" '
		/^[0-9]+: [a-z_]+ / {
			id = $1; sub(/:$/, "", id)
			name = "?"
			for (i = 2; i < NF; i++) if ($i == "name") name = $(i + 1)
			print id, name > (dir "/names")
			next
		}
		id != "" { print > (dir "/xlated." id) }
	' "$TL/batch.out"
}

# tl_xlated ID: what the instructions call: "r" bpf_probe_read*, "w"
# bpf_probe_write_user, "-" neither (e.g. "rw"); "?" without a dump.
tl_xlated() {
	[ -s "$TL/xlated.$1" ] || { echo '?'; return; }
	_x=
	grep -Eq 'call bpf_probe_read(_kernel|_compat)?(_str)?#' "$TL/xlated.$1" && _x=r
	grep -Eq 'call bpf_probe_write_user#' "$TL/xlated.$1" && _x=${_x}w
	echo "${_x:--}"
}

# --- systemd ----------------------------------------------------------
#
# Debian 12's systemd as PID 1 of a PID and mount namespace, the way a
# container runs it: chrooted into $TL_SDR (the guest's /usr, /lib,
# /lib64, /bin and /dev bound in, an /etc of its own with its units), in a
# cgroup of its own, $TL_CG, where it makes its slices and services. Two
# services that sleep load its programs: lx-dev.service
# (DevicePolicy=strict, DeviceAllow=/dev/null: a cgroup_device program)
# and lx-ip.service (IPAddressDeny=any with IPAccounting=yes: cgroup_skb
# ingress and egress). Debian 12 builds systemd without its BPF framework
# ("systemctl --version": -BPF_FRAMEWORK), so RestrictFileSystems=,
# RestrictNetworkInterfaces= and SocketBindDeny= load nothing: there are
# no restrict-fs, restrict-ifaces or socket-bind programs to test. It
# logs to the kernel log (its /dev/console, which a container manager
# makes a pty, is a file, $TL/systemd.console: the console stays quiet).
# At the end, SIGRTMIN+4 starts its poweroff.target, which stops both
# services and powers off: systemd-shutdown's reboot() ends the
# namespace.

TL_CGROOT=/sys/fs/cgroup
TL_CG=$TL_CGROOT/lsmrevoke-test-systemd
TL_SDR=$TL/sdroot
TL_SD_UNITS='lx-dev lx-ip'
TL_SD_RTMIN4=38		# SIGRTMIN+4 (glibc's SIGRTMIN is 34): poweroff.target
TL_SD_RC=130		# unshare's status when its child died of SIGINT
TL_SD_LOGLEVEL=info	# its log: the kernel's (it has no console here)

# tl_sd_root: the root systemd runs in, and $TL/sd.sh, which starts it.
tl_sd_root() {
	rm -rf "$TL_SDR"
	mkdir -p "$TL_SDR/etc/systemd/system"
	for _d in usr lib lib64 bin dev proc sys run tmp root; do
		mkdir -p "$TL_SDR/$_d"
	done
	printf '%s\n' 'NAME="lsmrevoke-test"' 'ID=debian' 'PRETTY_NAME="lsmrevoke test container"' \
		>"$TL_SDR/etc/os-release"
	echo 6c73726576306b657465737473797364 >"$TL_SDR/etc/machine-id"
	printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' \
		>"$TL_SDR/etc/passwd"
	printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$TL_SDR/etc/group"
	_u=$TL_SDR/etc/systemd/system
	printf '%s\n' '[Unit]' 'Wants=lx-dev.service lx-ip.service' >"$_u/lx.target"
	printf '%s\n' '[Unit]' 'DefaultDependencies=no' '[Service]' \
		'ExecStart=/bin/sleep 3600' 'DevicePolicy=strict' 'DeviceAllow=/dev/null rw' \
		>"$_u/lx-dev.service"
	printf '%s\n' '[Unit]' 'DefaultDependencies=no' '[Service]' \
		'ExecStart=/bin/sleep 3600' 'IPAccounting=yes' 'IPAddressDeny=any' \
		>"$_u/lx-ip.service"
	# What SIGRTMIN+4 starts: stop the services, then power off (a
	# unit's SuccessAction= runs when it goes inactive: a oneshot's
	# does, a target's does not).
	printf '%s\n' '[Unit]' 'DefaultDependencies=no' 'Requires=lx-poweroff.service' \
		'After=lx-poweroff.service' >"$_u/poweroff.target"
	printf '%s\n' '[Unit]' 'DefaultDependencies=no' \
		'Conflicts=lx-dev.service lx-ip.service' 'After=lx-dev.service lx-ip.service' \
		'SuccessAction=poweroff-force' '[Service]' 'Type=oneshot' 'ExecStart=/bin/true' \
		>"$_u/lx-poweroff.service"
	: >"$TL/systemd.console"
	# "sh $TL/sd.sh": into $TL_CG, then unshare; "sh $TL/sd.sh ns" (PID 1
	# of the namespace): bind, chroot and exec systemd.
	cat >"$TL/sd.sh" <<EOF
if [ "\$1" = ns ]; then
	for d in usr lib lib64 bin dev; do
		mount --bind "/\$d" "$TL_SDR/\$d" || exit 1
	done
	mount --bind "$TL/systemd.console" "$TL_SDR/dev/console" || exit 1
	exec env -i container=lsmrevoke-test chroot "$TL_SDR" /lib/systemd/systemd \\
		--unit=lx.target --log-target=kmsg --log-level=$TL_SD_LOGLEVEL --show-status=no
fi
echo \$\$ >"$TL_CG/cgroup.procs" || exit 1
exec unshare --pid --fork --mount sh "$TL/sd.sh" ns
EOF
}

# tl_sd_log: systemd's last lines in the kernel log, into $TL/systemd.log.
tl_sd_log() {
	dmesg | grep 'systemd\[1\]: ' | tail -n 20 >"$TL/systemd.log"
}

# tl_sd_pid: systemd's PID (the child of unshare, whose PID is in
# $TL/systemd.pid).
tl_sd_pid() {
	_u=$(cat "$TL/systemd.pid" 2>/dev/null)
	[ -n "$_u" ] || return 1
	for _s in /proc/[0-9]*/stat; do
		read -r _sp _sc _ss _spp _rest <"$_s" 2>/dev/null || continue
		if [ "$_spp" = "$_u" ] && [ "$_sc" = "(systemd)" ]; then
			echo "$_sp"
			return 0
		fi
	done
	return 1
}

# tl_sd_start: start systemd; wait (up to 120 s) until both services
# run and the programs systemd loaded (into $TL/systemd.ids) stay the
# same for 2 s. Returns 1 (with TL_WHY) if it exits or never settles.
tl_sd_start() {
	TL_WHY=
	if ! [ -x /lib/systemd/systemd ]; then
		TL_WHY="no /lib/systemd/systemd in the guest"
		return 1
	fi
	if ! grep -q " $TL_CGROOT cgroup2 " /proc/mounts; then
		if ! mount -t cgroup2 cgroup2 "$TL_CGROOT"; then
			TL_WHY="cannot mount cgroup2 on $TL_CGROOT"
			return 1
		fi
		TL_CG_MOUNTED=1
	fi
	if ! mkdir -p "$TL_CG"; then
		TL_WHY="cannot make $TL_CG"
		return 1
	fi
	tl_sd_root
	sh "$TL/sd.sh" >"$TL/systemd.out" 2>"$TL/systemd.err" </dev/null &
	echo "$!" >"$TL/systemd.pid"
	_t0=$(date +%s)
	TL_LAST=
	while [ $(($(date +%s) - _t0)) -lt 120 ]; do
		sleep 0.5
		if ! tl_alive systemd; then
			wait "$(cat "$TL/systemd.pid")"
			_rc=$?
			tl_sd_log
			TL_WHY="exited with $_rc before it was ready: $(tr '\n' ' ' <"$TL/systemd.err") $(tail -n 3 "$TL/systemd.log" | tr '\n' ' ')"
			return 1
		fi
		_sd=$(tl_sd_pid) || continue
		_up=0
		for _s in $TL_SD_UNITS; do
			# (cgroup files have no size: read it)
			grep -q . "$TL_CG/system.slice/$_s.service/cgroup.procs" 2>/dev/null &&
				_up=$((_up + 1))
		done
		[ "$_up" = 2 ] || continue
		tl_settled "$_sd" systemd && return 0
	done
	tl_sd_log
	TL_WHY="not ready after 120 s (programs: '$TL_LAST'; log: $(tail -n 3 "$TL/systemd.log" | tr '\n' ' '))"
	return 1
}

# tl_in_unit UNIT CMD...: run CMD in UNIT's cgroup, killed after 10 s
# (its exit status). Only CMD enters the cgroup (timeout's watchdog
# stays out), so none of ours is left there when systemd stops UNIT.
tl_in_unit() {
	_g=$TL_CG/system.slice/$1.service
	shift
	# shellcheck disable=SC2016
	to 10 sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$_g" "$@"
}

# tl_sd_enforce PHASE: systemd's programs still do their job: in
# lx-dev.service /dev/null opens and /dev/zero does not; in
# lx-ip.service a ping of 127.0.0.1 is refused (it works outside).
tl_sd_enforce() {
	tl_in_unit lx-dev cat /dev/null >/dev/null 2>"$TL/sd.err"
	t_eq "systemd under $1: cat /dev/null in lx-dev.service (DeviceAllow=/dev/null rw), exit status" 0 "$?"
	if tl_in_unit lx-dev head -c 1 /dev/zero >/dev/null 2>"$TL/sd.err"; then
		t_err "systemd under $1: head -c 1 /dev/zero in lx-dev.service (DevicePolicy=strict): expected EPERM, saw it read"
	else
		t_eq "systemd under $1: /dev/zero in lx-dev.service, EPERM" 1 "$(grep -c 'not permitted' "$TL/sd.err")"
	fi
	to 10 ping -c 1 -W 2 127.0.0.1 >"$TL/sd.err" 2>&1 ||
		t_err "systemd under $1: ping 127.0.0.1 outside the services: expected a reply, saw '$(tail -n 1 "$TL/sd.err")'"
	if tl_in_unit lx-ip ping -c 1 -W 2 127.0.0.1 >"$TL/sd.err" 2>&1; then
		t_err "systemd under $1: ping 127.0.0.1 in lx-ip.service (IPAddressDeny=any): expected EPERM, saw a reply"
	else
		t_eq "systemd under $1: ping 127.0.0.1 in lx-ip.service, EPERM" 1 "$(grep -c 'not permitted' "$TL/sd.err")"
	fi
}

# tl_sd_clean: remove what systemd left in $TL_CG (a program attached to
# a cgroup stays until the cgroup goes), then $TL_CG; unmount cgroup2 if
# tl_sd_start mounted it.
tl_sd_clean() {
	[ ! -d "$TL_CG" ] || find "$TL_CG" -depth -type d -exec rmdir {} \; 2>/dev/null
	[ -z "${TL_CG_MOUNTED:-}" ] || umount "$TL_CGROOT" 2>/dev/null
	TL_CG_MOUNTED=
}

# tl_sd_gone: once systemd powered off: it removed its services' cgroups
# on the way; what it left (its slices, init.scope) is removed and its
# programs are freed within 30 s.
tl_sd_gone() {
	for _s in $TL_SD_UNITS; do
		t_eq "systemd stopped $_s.service: its cgroup is gone" no \
			"$([ -d "$TL_CG/system.slice/$_s.service" ] && echo yes || echo no)"
	done
	tl_sd_clean
	t_eq "cgroup $TL_CG removed" no "$([ -d "$TL_CG" ] && echo yes || echo no)"
	_ts=$(date +%s)
	while :; do
		tl_ids | grep -xF -f "$TL/systemd.ids" >"$TL/sd.left"
		[ -s "$TL/sd.left" ] || break
		if [ $(($(date +%s) - _ts)) -ge 30 ]; then
			t_err "systemd's programs after power-off: expected freed, saw $(tr '\n' ' ' <"$TL/sd.left")"
			break
		fi
		nap
	done
	diag "systemd's programs freed $(($(date +%s) - _ts)) s after its cgroups were removed"
}

# tl_sd_kill: if systemd still runs, end its namespace (SIGKILL to its
# PID 1); then clean up.
tl_sd_kill() {
	[ -f "$TL/systemd.pid" ] || return 0
	if tl_alive systemd; then
		_sd=$(tl_sd_pid) && kill -KILL "$_sd" 2>/dev/null
		wait "$(cat "$TL/systemd.pid")" 2>/dev/null
	fi
	tl_sd_clean
}

# --- tests --------------------------------------------------------------

tl_stop_all() {
	for _t in $TL_PROCS; do
		tl_alive "$_t" && kill -INT "$(cat "$TL/$_t.pid")" 2>/dev/null
	done
	if [ -n "$TL_ACTOR" ] && kill -0 "$TL_ACTOR" 2>/dev/null; then
		tl_act exit || kill "$TL_ACTOR" 2>/dev/null
		wait "$TL_ACTOR" 2>/dev/null
	fi
	TL_ACTOR=
	tl_sd_kill
}

test_tools_start() {
	t_begin tools_start
	if ! po_modprobe; then
		t_end
		return 1
	fi
	if ! command -v bpftrace >/dev/null || ! [ -d "$TOBJ" ]; then
		t_err "no third-party software in the guest (run-qemu.sh LSMREVOKE_TOOLS=0?)"
		t_end
		return 1
	fi
	TL_SHELL=$$
	tl_actor &
	TL_ACTOR=$!
	tl_act "comm lx_idle" || t_err "actor: no answer"
	for _t in $TL_PROCS; do
		_ts=$(date +%s)
		if tl_start "$_t"; then
			TL_TOOLS="$TL_TOOLS $_t"
			_pid=$(cat "$TL/$_t.pid")
			diag "$_t started in $(($(date +%s) - _ts)) s (pid $_pid): programs $(tr '\n' ' ' <"$TL/$_t.ids")"
			# Each program's loader= names the tool's process.
			for _id in $(cat "$TL/$_t.ids"); do
				case $_t in
				bpftrace-*) _want=bpftrace ;;
				*) _want=$_t ;;
				esac
				t_eq "$_t prog $_id loader" "$_want" "$(tl_loader "$_id")"
			done
			t_pass
		else
			skip "tools_start $_t" "$TL_WHY"
			diag "tools: tool $TL_REL $_t $(tl_version "$_t") skip:$(echo "$TL_WHY" | tr ' ' '_')"
			tl_alive "$_t" && kill -KILL "$(cat "$TL/$_t.pid")"
			rm -f "$TL/$_t.pid"
		fi
	done
	# systemd, as PID 1 of a PID namespace.
	_ts=$(date +%s)
	if tl_sd_start; then
		TL_TOOLS="$TL_TOOLS systemd"
		diag "systemd started in $(($(date +%s) - _ts)) s (pid $(tl_sd_pid), unshare $(cat "$TL/systemd.pid")): programs $(tr '\n' ' ' <"$TL/systemd.ids")"
		po_ge "systemd: programs loaded" 3 "$(wc -l <"$TL/systemd.ids")"
		for _id in $(cat "$TL/systemd.ids"); do
			t_eq "systemd prog $_id loader" systemd "$(tl_loader "$_id")"
		done
	else
		skip "tools_start systemd" "$TL_WHY"
		diag "tools: tool $TL_REL systemd $(tl_version systemd) skip:$(echo "$TL_WHY" | tr ' ' '_')"
		diag_file "$TL/systemd.log" "systemd: "
		tl_sd_kill
		rm -f "$TL/systemd.pid"
	fi
	# bpftool prog profile: fentry/fexit programs on a running program
	# and a hardware perf event per CPU and metric. Every Debian bpftool
	# is built without the BPF skeletons it needs (7.1.0 here, up to the
	# 7.8.0 of trixie-backports and unstable: "not supported"), so the
	# harness builds one from Debian 12's linux-source-6.1, with them
	# ($TBPFTOOL). Its profiler then loads, but needs a PMU: QEMU's TCG
	# has none ("PMU not available due to virtualization" at boot), and
	# perf_event_open() of every metric bpftool offers (all hardware
	# events) fails; so this is a SKIP with bpftool's words, and the
	# kernel's.
	# The target: killsnoop's first program (it needs nothing and has the
	# BTF profile needs; bpftrace 0.17 loads its programs without any).
	_target=$(head -n 1 "$TL/killsnoop.ids" 2>/dev/null)
	if [ -n "$_target" ] && [ -x "$TBPFTOOL" ]; then
		"$TBPFTOOL" prog profile id "$_target" duration 3600 cycles instructions \
			>"$TL/bpftool-profile.out" 2>"$TL/bpftool-profile.err" &
		_pid=$!
		TL_LAST=
		_k=0
		while [ "$_k" -lt 20 ] && kill -0 "$_pid" 2>/dev/null &&
			! tl_settled "$_pid" bpftool-profile; do
			_k=$((_k + 1))
			sleep 0.5
		done
		if kill -0 "$_pid" 2>/dev/null && [ -s "$TL/bpftool-profile.ids" ]; then
			echo "$_pid" >"$TL/bpftool-profile.pid"
			TL_TOOLS="$TL_TOOLS bpftool-profile"
			diag "bpftool-profile started: programs $(tr '\n' ' ' <"$TL/bpftool-profile.ids")"
			t_pass
		else
			kill "$_pid" 2>/dev/null
			wait "$_pid" 2>/dev/null
			_why="bpftool prog profile: $(tr '\n' ' ' <"$TL/bpftool-profile.err" | cut -c1-200)"
			# x86 registers its "cpu" PMU only when it found one
			# (no "_" in a reason: tools lines carry spaces as "_").
			[ -e /sys/bus/event_source/devices/cpu ] ||
				_why="${_why}(no hardware PMU: no cpu event source in sysfs; QEMU's TCG emulates none)"
			skip "tools_start bpftool-profile" "$_why"
			diag "tools: tool $TL_REL bpftool-profile $(tl_version bpftool-profile) skip:$(echo "$_why" | tr ' ' '_')"
		fi
	elif [ -n "$_target" ]; then
		t_err "bpftool prog profile: no bpftool with skeletons at $TBPFTOOL (tests/run-qemu.sh builds it)"
	fi
	# bpftool prog loadall: third-party objects, loaded and pinned, not
	# attached (no output to count).
	for _o in $TL_LOADALL; do
		_t=loadall:${_o%.o}
		_t=${_t%.bpf}
		# bpffs refuses names with dots.
		_f=$(echo "$_t" | tr ':.-' '___')
		tl_ids >"$TL/ids.pre"
		if to 120 bpftool prog loadall "$TOBJ/$_o" "$TP/$_f" >"$TL/$_f.err" 2>&1; then
			tl_ids | grep -vxF -f "$TL/ids.pre" >"$TL/$_f.ids"
			if [ -s "$TL/$_f.ids" ]; then
				TL_TOOLS="$TL_TOOLS $_f"
				echo "$_o" >"$TL/$_f.obj"
				diag "$_t loaded: programs $(tr '\n' ' ' <"$TL/$_f.ids")"
				for _id in $(cat "$TL/$_f.ids"); do
					t_eq "$_t prog $_id loader" bpftool "$(tl_loader "$_id")"
				done
			else
				t_err "bpftool prog loadall $_o: expected programs, saw none"
			fi
		else
			diag_file "$TL/$_f.err" "$_t: "
			_why="bpftool prog loadall failed: $(grep -v -e '^$' -e 'legacy' "$TL/$_f.err" | tail -n 2 | tr '\n' ' ' | cut -c1-200)"
			skip "tools_start $_t" "$_why"
			diag "tools: tool $TL_REL $_t $(tl_version "$_t") skip:$(echo "$_why" | tr ' ' '_')"
		fi
	done
	diag "tools started after $(($(date +%s) - TL_T0)) s"
	t_end
}

test_tools_xlated() {
	t_begin tools_xlated
	_ts=$(date +%s)
	# shellcheck disable=SC2046
	tl_dump $(for _t in $TL_TOOLS; do cat "$TL/$_t.ids"; done)
	for _t in $TL_TOOLS; do
		for _id in $(cat "$TL/$_t.ids"); do
			_rq=$(tl_req "$_id")
			_x=$(tl_xlated "$_id")
			awk -v id="$_id" '$1 == id' "$TL/names" >>"$TL/$_t.names"
			echo "$_id $_x" >>"$TL/$_t.xlated"
			case ,$_rq, in *,bpf_read_kernel,*) _wr=r ;; *) _wr= ;; esac
			case ,$_rq, in *,bpf_write_user,*) _wr=${_wr}w ;; esac
			t_eq "$_t prog $_id: probe_read/probe_write_user calls in xlated vs requires '$_rq'" "${_wr:--}" "$_x"
		done
	done
	diag "xlated of every program compared in $(($(date +%s) - _ts)) s"
	t_end
}

tl_policy_test() {	# tl_policy_test PHASE
	t_begin "tools_$1"
	if [ -z "$TL_TOOLS" ]; then
		t_err "no tool running"
		t_end
		return
	fi
	tl_watch_on "tools_$1"
	case $1 in
	integrity) po_hold_on write ;;
	confidentiality) po_hold_on read,write ;;
	strict) echo 1 >"$SFS/strict" || t_err "echo 1 > strict failed" ;;
	after)
		echo 0 >"$SFS/strict" || t_err "echo 0 > strict failed"
		po_hold_off ;;
	esac
	tl_phase "$1"
	[ "$1" = integrity ] && po_hold_off
	tl_watch_off
	diag "phase $1 done after $(($(date +%s) - TL_T0)) s"
	t_end
}

# tl_stacks PID WHAT: the state, wchan and kernel stack of every thread
# of PID, as diagnostics.
tl_stacks() {
	for _task in /proc/"$1"/task/*; do
		diag "$2: thread ${_task##*/} $(sed -n 's/^State:[[:space:]]*//p' "$_task/status" 2>/dev/null) wchan=$(cat "$_task/wchan" 2>/dev/null)"
		cat "$_task/stack" >"$TL/stack" 2>/dev/null
		diag_file "$TL/stack" "$2:    "
	done
}

test_tools_exit() {
	t_begin tools_exit
	for _t in $TL_TOOLS; do
		[ -f "$TL/$_t.pid" ] || continue
		_pid=$(cat "$TL/$_t.pid")
		if ! kill -0 "$_pid" 2>/dev/null; then
			wait "$_pid"
			echo $? >"$TL/$_t.rc"
			t_err "$_t: expected running until stopped, saw it exit with $(cat "$TL/$_t.rc")"
			diag_file "$TL/$_t.err" "$_t: "
			continue
		fi
		case $_t in
		systemd) kill -"$TL_SD_RTMIN4" "$(tl_sd_pid)" ;;
		*) kill -INT "$_pid" ;;
		esac
	done
	_ts=$(date +%s)
	for _t in $TL_TOOLS; do
		[ -f "$TL/$_t.pid" ] && ! [ -f "$TL/$_t.rc" ] || continue
		_pid=$(cat "$TL/$_t.pid")
		_ints=1
		while kill -0 "$_pid" 2>/dev/null &&
			[ $(($(date +%s) - _ts)) -lt 60 ]; do
			nap
			# bpftrace 0.17 looks at its exit flag only when the
			# signal interrupts its epoll_wait(); a SIGINT that lands
			# while it handles the 100 ms timeout is lost and it polls
			# on (seen once every few runs under TCG: do_epoll_wait in
			# its stack). A user presses Ctrl-C again; so does this,
			# every 5 s.
			case $_t in
			bpftrace-*)
				if [ $(($(date +%s) - _ts)) -ge $((_ints * 5)) ] &&
					kill -INT "$_pid" 2>/dev/null; then
					_ints=$((_ints + 1))
				fi
				;;
			esac
		done
		[ "$_ints" -gt 1 ] &&
			diag "$_t: $_ints SIGINTs sent before it exited (bpftrace's lost-SIGINT race)"
		if kill -0 "$_pid" 2>/dev/null; then
			t_err "$_t: expected it to exit within 60 s of SIGINT, saw it running"
			tl_stacks "$_pid" "$_t"
			case $_t in
			systemd)
				tl_stacks "$(tl_sd_pid)" systemd
				tl_sd_log
				diag_file "$TL/systemd.log" "systemd: "
				kill -KILL "$(tl_sd_pid)"
				;;
			*) kill -KILL "$_pid" ;;
			esac
		else
			diag "$_t exited by $(($(date +%s) - _ts)) s after $([ "$_t" = systemd ] && echo SIGRTMIN+4 || echo SIGINT)"
		fi
		wait "$_pid"
		_rc=$?
		echo "$_rc" >"$TL/$_t.rc"
		case $_t in
		systemd)
			t_eq "systemd (unshare) exit status after SIGRTMIN+4" "$TL_SD_RC" "$_rc"
			[ "$_rc" = "$TL_SD_RC" ] || { tl_sd_log; diag_file "$TL/systemd.log" "systemd: "; }
			continue
			;;
		esac
		# bpftool prog profile ends with its counts and exit 0.
		t_eq "$_t exit status after SIGINT" 0 "$_rc"
		[ "$_rc" = 0 ] || diag_file "$TL/$_t.err" "$_t: "
	done
	case " $TL_TOOLS " in
	*" systemd "*) tl_sd_gone ;;
	esac
	tl_stop_all
	t_pass
	t_end
}

# tl_counted TOOL: the tool's output is made of the actor's events.
tl_counted() {
	case $1 in
	bpftrace-* | execsnoop | exitsnoop | opensnoop | killsnoop | runqslower) return 0 ;;
	esac
	return 1
}

test_tools_output() {
	t_begin tools_output
	for _t in $TL_TOOLS; do
		tl_counted "$_t" && [ -f "$TL/$_t.rc" ] || continue
		for _p in $TL_PHASES; do
			_c=$(grep -cF "$(tl_tag "$_p")" "$TL/$_t.out")
			echo "$_c" >"$TL/$_t.n.$_p"
			_rev=$(cat "$TL/$_t.rev.$_p")
			_all=$(wc -l <"$TL/$_t.ids")
			# Every program of these tools is on the path of
			# the actor's events (an entry program records what
			# the exit one prints; runqslower's wakeup programs
			# stamp what its sched_switch one prints), but
			# opensnoop's open (not openat) pair, which never
			# needs anything: one revoked program silences it.
			if [ "$_rev" = 0 ]; then
				po_ge "$_t output lines under $_p (nothing revoked)" 1 "$_c"
			else
				po_eq "$_t output lines under $_p ($_rev of $_all programs revoked)" 0 "$_c"
			fi
		done
		diag "$_t output lines: $(for _p in $TL_PHASES; do printf '%s=%s ' "$_p" "$(cat "$TL/$_t.n.$_p")"; done)"
		diag_file "$TL/$_t.err" "$_t stderr: "
	done
	t_end
}

# One line per program and per tool, for tests/compat-table.sh.
tl_report() {
	for _t in $TL_TOOLS; do
		_name=$(echo "$_t" | sed 's/^loadall_/loadall:/; s/^loadall:xdp_dispatcher$/loadall:xdp-dispatcher/')
		for _id in $(cat "$TL/$_t.ids"); do
			_l=$(awk -v id="$_id" '$1 == id' "$TL/programs.before")
			# shellcheck disable=SC2086
			set -- $_l
			# The kernel keeps 15 characters of a name; bpftool
			# shows the whole one from the program's BTF.
			_full=$(awk -v id="$_id" '$1 == id { print $2 }' "$TL/$_t.names" 2>/dev/null)
			_line="tools: prog $TL_REL $_name ${2:-?} ${_full:-${3:-?}} ${4:-?} xlated=$(awk -v id="$_id" '$1 == id { print $2 }' "$TL/$_t.xlated" 2>/dev/null)"
			_line="$_line loader=$(tl_loader "$_id" "$TL/programs.before")"
			for _p in integrity confidentiality strict after; do
				_line="$_line $_p=$(awk -v id="$_id" '$1 == id { print $2 }' "$TL/$_t.$_p" 2>/dev/null)"
			done
			diag "$_line"
		done
		case $_t in
		bpftrace-*) _cmd="bpftrace -B none -e '$(tl_bt "$_t")'" ;;
		loadall_*) _cmd="bpftool prog loadall $(cat "$TL/$_t.obj") <pin dir>" ;;
		bpftool-profile) _cmd="bpftool prog profile id <id> duration 3600 cycles instructions" ;;
		systemd) _cmd="unshare --pid --fork --mount; chroot <root> /lib/systemd/systemd --unit=lx.target (lx-dev.service: DevicePolicy=strict, DeviceAllow=/dev/null rw; lx-ip.service: IPAccounting=yes, IPAddressDeny=any)" ;;
		runqslower) _cmd="runqslower -p <actor pid> 1" ;;
		*) _cmd=$(tl_cmd "$_t") ;;
		esac
		diag "tools: cmd $TL_REL $_name $_cmd"
		_line="tools: tool $TL_REL $_name $(tl_version "$_name") started"
		for _p in $TL_PHASES; do
			if [ -f "$TL/$_t.n.$_p" ]; then
				_line="$_line $_p=$(cat "$TL/$_t.n.$_p")"
			else
				_line="$_line $_p=-"
			fi
		done
		diag "$_line exit=$(cat "$TL/$_t.rc" 2>/dev/null || echo -)"
	done
}

test_tools_systemd() {
	t_begin tools_systemd
	case " $TL_TOOLS " in
	*" systemd "*) ;;
	*)
		t_skip "systemd did not start (tools_start)"
		return
		;;
	esac
	# The programs its units ask for, one of each kind.
	for _id in $(cat "$TL/systemd.ids"); do
		awk -v id="$_id" '$1 == id { print $2, $3 }' "$TL/programs.before"
	done | sort >"$TL/sd.kinds"
	t_eq "systemd's programs (type name)" "cgroup_device sd_devices,cgroup_skb sd_fw_egress,cgroup_skb sd_fw_ingress," \
		"$(tr '\n' ',' <"$TL/sd.kinds")"
	# Without the BPF framework there is nothing more to load; with it,
	# this group should add the units that load restrict-fs,
	# restrict-ifaces and socket-bind.
	_v=$(/lib/systemd/systemd --version 2>/dev/null | grep -o '[-+]BPF_FRAMEWORK')
	t_eq "systemd --version: built with the BPF framework?" -BPF_FRAMEWORK "$_v"
	t_end
}

test_tools_start
test_tools_xlated
tl_policy_test before
tl_policy_test integrity
tl_policy_test confidentiality
tl_policy_test strict
tl_policy_test after
test_tools_exit
test_tools_output
tl_report
test_tools_systemd
tl_stop_all
rm -rf "${TP:?}"
echo 0 >"$SFS/strict" 2>/dev/null
po_rmmod
