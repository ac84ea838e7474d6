# SPDX-License-Identifier: GPL-2.0
#
# Real third-party BPF software under revocation (issue 19; sourced by
# suite.sh, busybox sh). tests/run-qemu.sh puts Debian 12's bpftrace and
# libbpf-tools in the guest, with their libraries, and the BPF objects of
# libxdp1 and those embedded in libbpf-tools in $T/tools/objs. Every tool
# runs at once, as a user runs it (no wrapper, no preload), its output in
# a file of its own ($WORK/tools/<tool>.out); "bpftool prog loadall"
# objects are loaded (not attached) beside them. A tool's programs are
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
#   tools_systemd    SKIP: why systemd's programs are not run
#
# Leaves the module unloaded and every program of its own freed.

command -v po_hold_on >/dev/null 2>&1 ||
	PO_HELPERS_ONLY=1 . "$T/guest/suite.d/30-policy.sh"

TL=$WORK/tools		# work files: <tool>.out/.err/.pid/.ids
TP=$PINS/tools		# loadall pins
TOBJ=$T/tools/objs
TN=4			# events of each kind per phase
TL_TOOLS=		# tools started (and loadall objects loaded)
TL_ACTOR=		# pid of the actor
TL_REL=$(uname -r)
TL_PHASES='before integrity confidentiality strict after'
TL_T0=$(date +%s)

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
	loadall:xdp* | loadall_xdp*) _p=libxdp1 ;;
	bpftool-profile) echo "bpftool-$(bpftool version 2>/dev/null | head -n 1 | awk '{ print $2 }')"; return ;;
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
	_since=
	_last=
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
		tl_loaded_by "$_pid" >"$TL/$1.ids"
		_c=$(tr '\n' ' ' <"$TL/$1.ids")
		if [ -z "$_c" ] || [ "$_c" != "$_last" ]; then
			_since=$(date +%s)
			_last=$_c
			continue
		fi
		[ $(($(date +%s) - _since)) -lt 2 ] || return 0
	done
	TL_WHY="not ready after 180 s (programs: '$_last'; wchan $(cat "/proc/$_pid/wchan" 2>/dev/null); output: $(head -n 2 "$TL/$1.out" | tr '\n' ' '); errors: $(tail -n 2 "$TL/$1.err" | tr '\n' ' '))"
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
	to 300 bpftool batch file "$TL/batch" >"$TL/batch.out" 2>"$TL/batch.err" ||
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
	# bpftool prog profile: perf events (cycles) and fentry/fexit on a
	# program; Debian's bpftool is built without it (then a SKIP with
	# bpftool's words).
	_target=$(head -n 1 "$TL/bpftrace-tp.ids" 2>/dev/null)
	if [ -n "$_target" ]; then
		bpftool prog profile id "$_target" duration 3600 cycles instructions \
			>"$TL/bpftool-profile.out" 2>"$TL/bpftool-profile.err" &
		_pid=$!
		sleep 3
		tl_loaded_by "$_pid" >"$TL/bpftool-profile.ids"
		if kill -0 "$_pid" 2>/dev/null && [ -s "$TL/bpftool-profile.ids" ]; then
			echo "$_pid" >"$TL/bpftool-profile.pid"
			TL_TOOLS="$TL_TOOLS bpftool-profile"
			diag "bpftool-profile started: programs $(tr '\n' ' ' <"$TL/bpftool-profile.ids")"
			t_pass
		else
			kill "$_pid" 2>/dev/null
			wait "$_pid" 2>/dev/null
			_why="bpftool prog profile: $(tr '\n' ' ' <"$TL/bpftool-profile.err" | cut -c1-200)"
			skip "tools_start bpftool-profile" "$_why"
			diag "tools: tool $TL_REL bpftool-profile $(tl_version bpftool-profile) skip:$(echo "$_why" | tr ' ' '_')"
		fi
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
		kill -INT "$_pid"
	done
	_ts=$(date +%s)
	for _t in $TL_TOOLS; do
		[ -f "$TL/$_t.pid" ] && ! [ -f "$TL/$_t.rc" ] || continue
		_pid=$(cat "$TL/$_t.pid")
		while kill -0 "$_pid" 2>/dev/null &&
			[ $(($(date +%s) - _ts)) -lt 60 ]; do
			nap
		done
		if kill -0 "$_pid" 2>/dev/null; then
			t_err "$_t: expected it to exit within 60 s of SIGINT, saw it running"
			tl_stacks "$_pid" "$_t"
			kill -KILL "$_pid"
		else
			diag "$_t exited by $(($(date +%s) - _ts)) s after SIGINT"
		fi
		wait "$_pid"
		_rc=$?
		echo "$_rc" >"$TL/$_t.rc"
		# bpftool prog profile ends with its counts and exit 0.
		t_eq "$_t exit status after SIGINT" 0 "$_rc"
		[ "$_rc" = 0 ] || diag_file "$TL/$_t.err" "$_t: "
	done
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
	t_skip "systemd's BPF programs (restrict-fs, restrict-ifaces, socket-bind, cgroup device and firewall) are loaded only by systemd itself as PID 1 from skeletons in libsystemd-shared; the guest's PID 1 is busybox, and a nested systemd needs a container manager and a root file system the initramfs has not"
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
diag "70-tools.sh: $(($(date +%s) - TL_T0)) s"
