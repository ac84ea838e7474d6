# SPDX-License-Identifier: GPL-2.0
#
# Real third-party BPF software under revocation (issue 19; sourced by
# suite.sh, busybox sh). tests/run-qemu.sh puts Debian 12's bpftrace and
# libbpf-tools in the guest, with their libraries, and the BPF objects of
# libxdp1 and those embedded in libbpf-tools in $T/tools/objs. Every tool
# runs at once, its output captured to a file of its own
# ($WORK/tools/<tool>.out) and counted phase by phase; "bpftool prog
# loadall" objects are loaded (not attached) beside them. The policy is
# changed as in 30-policy.sh, with the BPF-LSM locked_down denier
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
# In every phase each program's state must follow from its requires
# (revoked iff the policy denies one of them: bpf_write_user by integrity;
# also bpf_read_kernel by confidentiality; also btf_read, kfunc_read,
# btf_print with strict=1), programs that need nothing stay active, each
# tool keeps running, and a tool's output stops while one of its programs
# is revoked and flows otherwise (at least one line per phase: every
# phase fires TN events of each kind). The requires of each program are
# checked against its instructions (bpftool prog dump xlated): a call of
# bpf_probe_read{,_kernel}{,_str} iff bpf_read_kernel, of
# bpf_probe_write_user iff bpf_write_user.
#
# Machine-readable lines for tests/compat-table.sh (docs/compatibility.md):
#   # tools: prog <release> <tool> <prog-type> <prog-name> <requires> xlated=<x> \
#       integrity=<state> confidentiality=<state> strict=<state> after=<state>
#   # tools: tool <release> <tool> <version> <started|skip:reason> \
#       before=N integrity=N confidentiality=N strict=N after=N exit=<rc>
# (N: output lines in that phase, "-" for a tool with no output; the
# program's name as bpftool shows it, whole, from its BTF.)
#
#   tools_start      every tool starts and its programs are tracked
#   tools_xlated     requires match the xlated instructions
#   tools_before     with no policy: all active, all output flows
#   tools_integrity, tools_confidentiality, tools_strict, tools_after
#   tools_exit       every tool ran through it all and exits cleanly
#   tools_systemd    SKIP: why systemd's programs are not run
#
# Leaves the module unloaded and every program of its own freed.

command -v po_hold_on >/dev/null 2>&1 ||
	PO_HELPERS_ONLY=1 . "$T/guest/suite.d/30-policy.sh"

TL=$WORK/tools		# work files: <tool>.out/.err/.pid/.ids/.cnt
TP=$PINS/tools		# loadall pins
TOBJ=$T/tools/objs
TN=8			# events of each kind per phase
TL_TOOLS=		# tools started (and loadall objects loaded)
TL_TARGET=		# pid of the task runqslower watches
TL_REL=$(uname -r)
TL_PHASES='before integrity confidentiality strict after'

mkdir -p "$TL" "$TP"
: >"$TL/lsmrvk.file"
ln -sf /bin/busybox "$TL/lsmrvk"	# exec'd as "lsmrvk": no such applet, exits 127

# --- the tools --------------------------------------------------------

# "<tool> <pattern of its event lines> <command ...>": every tool's
# command line. The events are those tl_fire makes: an exec of
# $TL/lsmrvk, an open of $TL/lsmrvk.file, a kill -0 of
# TL_TARGET; runqslower watches TL_TARGET's wakeups.
tl_cmd() {
	case $1 in
	bpftrace-*) echo bpftrace ;;
	runqslower) echo runqslower -p "$TL_TARGET" 1 ;;
	*) echo "$1" ;;
	esac
}

# tl_bt TOOL: the bpftrace program of TOOL (BEGIN runs once every probe
# is attached).
tl_bt() {
	case $1 in
	bpftrace-tp)
		printf '%s\n' 'BEGIN { printf("ready\n"); } tracepoint:sched:sched_process_exec /comm == "lsmrvk"/ { printf("lsmrvk exec %d\n", pid); }' ;;
	bpftrace-kprobe)
		printf '%s\n' 'BEGIN { printf("ready\n"); } kprobe:do_exit /comm == "lsmrvk"/ { printf("lsmrvk exit ppid %d\n", curtask->real_parent->tgid); }' ;;
	bpftrace-kfunc)
		printf '%s\n' 'BEGIN { printf("ready\n"); } kfunc:vfs_open /comm == "cat"/ { printf("open %s\n", str(args->path->dentry->d_name.name)); }' ;;
	esac
}

# tl_pattern TOOL: what an event line of TOOL's output matches (grep -E).
tl_pattern() {
	case $1 in
	bpftrace-tp | bpftrace-kprobe | execsnoop | exitsnoop) echo 'lsmrvk' ;;
	bpftrace-kfunc | opensnoop) echo 'lsmrvk\.file' ;;
	killsnoop) echo "[[:space:]]$TL_TARGET[[:space:]]" ;;
	runqslower) echo "[[:space:]]$TL_TARGET[[:space:]]" ;;
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

# tl_count TOOL: event lines of TOOL's output so far.
tl_count() {
	to 30 grep -cE "$(tl_pattern "$1")" "$TL/$1.out" 2>/dev/null || true
}

# tl_alive TOOL
tl_alive() {
	_pid=$(cat "$TL/$1.pid" 2>/dev/null)
	[ -n "$_pid" ] && kill -0 "$_pid" 2>/dev/null
}

# tl_start TOOL: start TOOL in the background, line-buffered into
# $TL/TOOL.out; wait (up to 180 s: bpftrace compiles under TCG) until it
# is ready and its new program ids (into $TL/TOOL.ids) stay the same for
# 3 s. Ready: bpftrace printed its BEGIN line (BEGIN runs once every probe
# is attached), a libbpf tool its header (printed once attached).
# Returns 1 (with TL_WHY) if it exits or never settles.
tl_start() {
	TL_WHY=
	tl_ids >"$TL/ids.pre"
	case $1 in
	bpftrace-*)
		stdbuf -oL -eL bpftrace -e "$(tl_bt "$1")" \
			>"$TL/$1.out" 2>"$TL/$1.err" </dev/null & ;;
	*)
		# shellcheck disable=SC2046
		stdbuf -oL -eL $(tl_cmd "$1") >"$TL/$1.out" 2>"$TL/$1.err" </dev/null & ;;
	esac
	echo $! >"$TL/$1.pid"
	_t0=$(date +%s)
	_since=
	_last=
	while [ $(($(date +%s) - _t0)) -lt 180 ]; do
		sleep 0.5
		if ! tl_alive "$1"; then
			wait "$(cat "$TL/$1.pid")"
			TL_WHY="exited with $? before it was ready: $(tail -n 3 "$TL/$1.err" | tr '\n' ' ')"
			return 1
		fi
		[ -s "$TL/$1.out" ] || continue
		tl_ids | grep -vxF -f "$TL/ids.pre" >"$TL/$1.ids"
		_c=$(tr '\n' ' ' <"$TL/$1.ids")
		if [ -z "$_c" ] || [ "$_c" != "$_last" ]; then
			_since=$(date +%s)
			_last=$_c
			continue
		fi
		[ $(($(date +%s) - _since)) -lt 3 ] || return 0
	done
	TL_WHY="not settled after 180 s (programs: '$_last'; output: $(head -n 2 "$TL/$1.out" | tr '\n' ' '); errors: $(tail -n 2 "$TL/$1.err" | tr '\n' ' '))"
	return 1
}

# tl_fire: TN events of each kind, then 3 s for the tools to print.
tl_fire() {
	_i=0
	while [ "$_i" -lt "$TN" ]; do
		_i=$((_i + 1))
		to 10 "$TL/lsmrvk" >/dev/null 2>&1
		to 10 cat "$TL/lsmrvk.file" >/dev/null
		to 10 /bin/kill -0 "$TL_TARGET"
	done
	# perf and ring buffers are polled every 100 ms: 3 s is plenty.
	sleep 3
	ls -l "$TL"/*.out | awk '{ printf "%s=%s ", $NF, $5 }' >"$TL/sizes"
	diag "output sizes: $(sed "s|$TL/||g" "$TL/sizes")"
}

# tl_state ID: the state of program ID now ("none" when untracked).
tl_req() {
	_s=$(awk -v id="$1" '$1 == id { print $4 }' "$SFS/programs" 2>/dev/null)
	echo "${_s:-none}"
}

# tl_expect REQUIRES PHASE: the state the policy of PHASE must give.
tl_expect() {
	case $2 in
	integrity) _deny='bpf_write_user' ;;
	confidentiality) _deny='bpf_write_user bpf_read_kernel' ;;
	strict) _deny='bpf_write_user bpf_read_kernel btf_read kfunc_read btf_print' ;;
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
				cat "$_p/stack" 2>/dev/null | head -n 8 >"$TL/watch.stack"
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

# tl_phase PHASE: record the states ($TL/<tool>.PHASE: "<id> <state>"),
# fire, count; check states and output of every tool.
tl_phase() {
	to 30 cat "$SFS/programs" >"$TL/programs.$1" || t_err "read programs under $1 failed or hung"
	diag "phase $1: programs read"
	for _t in $TL_TOOLS; do
		_rev=0
		: >"$TL/$_t.$1"
		for _id in $(cat "$TL/$_t.ids"); do
			_st=$(po_state "$_id" "$TL/programs.$1")
			_rq=$(awk -v id="$_id" '$1 == id { print $4 }' "$TL/programs.$1")
			echo "$_id $_st" >>"$TL/$_t.$1"
			[ "$_st" = revoked ] && _rev=1
			t_eq "$_t prog $_id ($_rq) under $1" "$(tl_expect "$_rq" "$1")" "$_st"
		done
		echo "$_rev" >"$TL/$_t.rev.$1"
		[ -f "$TL/$_t.pid" ] && [ -n "$(tl_pattern "$_t")" ] && tl_count "$_t" >"$TL/$_t.c0"
	done
	diag "phase $1: states checked"
	tl_fire
	diag "phase $1: fired"
	for _t in $TL_TOOLS; do
		[ -f "$TL/$_t.pid" ] || continue
		if [ -z "$(tl_pattern "$_t")" ]; then
			# No event lines (bpftool prog profile prints at its end).
			tl_alive "$_t" && t_pass ||
				t_err "$_t under $1: expected it running, saw it gone ($(tail -n 2 "$TL/$_t.err" | tr '\n' ' '))"
			continue
		fi
		_c=$(($(tl_count "$_t") - $(cat "$TL/$_t.c0")))
		echo "$_c" >"$TL/$_t.n.$1"
		if ! tl_alive "$_t"; then
			t_err "$_t under $1: expected it running, saw it gone ($(tail -n 2 "$TL/$_t.err" | tr '\n' ' '))"
		elif [ "$(cat "$TL/$_t.rev.$1")" = 1 ]; then
			t_eq "$_t output lines while revoked ($1)" 0 "$_c"
		elif [ "$_c" -ge 1 ]; then
			t_pass
		else
			t_err "$_t output under $1 (nothing of it revoked): expected lines, saw none"
		fi
		diag "$_t $1: $_c lines"
	done
}

# tl_xlated ID: what the instructions call: "r" bpf_probe_read*, "w"
# bpf_probe_write_user, "-" neither (e.g. "rw").
tl_xlated() {
	bpftool prog dump xlated id "$1" >"$TL/xlated.$1" 2>&1
	_x=
	grep -Eq 'call bpf_probe_read(_kernel)?(_str)?#' "$TL/xlated.$1" && _x=r
	grep -Eq 'call bpf_probe_write_user#' "$TL/xlated.$1" && _x=${_x}w
	echo "${_x:--}"
}

# --- tests --------------------------------------------------------------

tl_stop_all() {
	for _t in $TL_PROCS bpftool-profile; do
		tl_alive "$_t" && kill -INT "$(cat "$TL/$_t.pid")" 2>/dev/null
	done
	[ -z "$TL_TARGET" ] || kill "$TL_TARGET" 2>/dev/null
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
	# runqslower's and killsnoop's target: a task that wakes up every 0.2 s.
	(while :; do sleep 0.2; done) &
	TL_TARGET=$!
	for _t in $TL_PROCS; do
		if tl_start "$_t"; then
			TL_TOOLS="$TL_TOOLS $_t"
			diag "$_t started (pid $(cat "$TL/$_t.pid")): programs $(tr '\n' ' ' <"$TL/$_t.ids")"
			for _id in $(cat "$TL/$_t.ids"); do
				[ "$(tl_req "$_id")" != none ] ||
					t_err "$_t prog $_id: expected a line in programs, saw none"
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
	# program. TCG has no PMU for cycles; then a SKIP with bpftool's words.
	_target=$(head -n 1 "$TL/bpftrace-tp.ids" 2>/dev/null)
	if [ -n "$_target" ]; then
		tl_ids >"$TL/ids.pre"
		bpftool prog profile id "$_target" duration 3600 cycles instructions \
			>"$TL/bpftool-profile.out" 2>"$TL/bpftool-profile.err" &
		echo $! >"$TL/bpftool-profile.pid"
		sleep 5
		tl_ids | grep -vxF -f "$TL/ids.pre" >"$TL/bpftool-profile.ids"
		if tl_alive bpftool-profile && [ -s "$TL/bpftool-profile.ids" ]; then
			TL_TOOLS="$TL_TOOLS bpftool-profile"
			diag "bpftool-profile started: programs $(tr '\n' ' ' <"$TL/bpftool-profile.ids")"
			t_pass
		else
			wait "$(cat "$TL/bpftool-profile.pid")" 2>/dev/null
			_why="bpftool prog profile: $(tr '\n' ' ' <"$TL/bpftool-profile.err" | cut -c1-200)"
			skip "tools_start bpftool-profile" "$_why"
			diag "tools: tool $TL_REL bpftool-profile $(tl_version bpftool-profile) skip:$(echo "$_why" | tr ' ' '_')"
			rm -f "$TL/bpftool-profile.pid"
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
				diag "$_t loaded: programs $(tr '\n' ' ' <"$TL/$_f.ids")"
				t_pass
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
	t_end
}

test_tools_xlated() {
	t_begin tools_xlated
	for _t in $TL_TOOLS; do
		for _id in $(cat "$TL/$_t.ids"); do
			_rq=$(tl_req "$_id")
			_x=$(tl_xlated "$_id")
			echo "$_id $(bpftool prog show id "$_id" 2>/dev/null | sed -n 's/.* name \([^ ]*\) .*/\1/p' | head -n 1)" >>"$TL/$_t.names"
			echo "$_id $_x" >>"$TL/$_t.xlated"
			case ,$_rq, in *,bpf_read_kernel,*) _wr=r ;; *) _wr= ;; esac
			case ,$_rq, in *,bpf_write_user,*) _wr=${_wr}w ;; esac
			t_eq "$_t prog $_id: probe_read/probe_write_user calls in xlated vs requires '$_rq'" "${_wr:--}" "$_x"
		done
	done
	t_end
}

tl_policy_test() {	# tl_policy_test PHASE
	t_begin "tools_$1"
	tl_watch_on "tools_$1"
	if [ -z "$TL_TOOLS" ]; then
		tl_watch_off
		t_err "no tool running"
		t_end
		return
	fi
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
	t_end
}

# One line per program and per tool, for tests/compat-table.sh.
tl_report() {
	for _t in $TL_TOOLS; do
		_name=$(echo "$_t" | sed 's/^loadall_/loadall:/; s/^loadall:xdp_dispatcher$/loadall:xdp-dispatcher/')
		for _id in $(cat "$TL/$_t.ids"); do
			_l=$(awk -v id="$_id" '$1 == id' "$TL/programs.before")
			set -- $_l
			# The kernel keeps 15 characters of a name; bpftool
			# shows the whole one from the program's BTF.
			_full=$(awk -v id="$_id" '$1 == id { print $2 }' "$TL/$_t.names" 2>/dev/null)
			_line="tools: prog $TL_REL $_name ${2:-?} ${_full:-${3:-?}} ${4:-?} xlated=$(awk -v id="$_id" '$1 == id { print $2 }' "$TL/$_t.xlated" 2>/dev/null)"
			for _p in integrity confidentiality strict after; do
				_line="$_line $_p=$(awk -v id="$_id" '$1 == id { print $2 }' "$TL/$_t.$_p" 2>/dev/null)"
			done
			diag "$_line"
		done
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
		_n=300
		while kill -0 "$_pid" 2>/dev/null && [ "$_n" -gt 0 ]; do
			_n=$((_n - 1))
			nap
		done
		if kill -0 "$_pid" 2>/dev/null; then
			t_err "$_t: expected it to exit within 30 s of SIGINT, saw it running"
			kill -KILL "$_pid"
		fi
		wait "$_pid"
		_rc=$?
		echo "$_rc" >"$TL/$_t.rc"
		t_eq "$_t exit status after SIGINT" 0 "$_rc"
		[ "$_rc" = 0 ] || diag_file "$TL/$_t.err" "$_t: "
	done
	[ -z "$TL_TARGET" ] || { kill "$TL_TARGET"; wait "$TL_TARGET"; } 2>/dev/null
	TL_TARGET=
	t_pass
	t_end
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
tl_report
test_tools_systemd
tl_stop_all
rm -rf "${TP:?}"
echo 0 >"$SFS/strict" 2>/dev/null
po_rmmod
