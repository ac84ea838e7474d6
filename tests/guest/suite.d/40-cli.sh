# SPDX-License-Identifier: GPL-2.0
#
# The lsmrevoke command, /usr/sbin/lsmrevoke (sourced by suite.sh; busybox
# sh, set -u; lib.sh and suite.sh's variables).
#
#   cli_usage      wrong arguments: exit 2 and the usage; -h everywhere: 0
#   cli_unloaded   every subcommand without the module: exit 1, a clear
#                  message
#   cli_status     status (text and JSON, validated against the schema)
#                  and stats with nothing revoked: states, requirements,
#                  loader uid, load time, link attach points
#   cli_explain    explain: sites decoded, lockdown's answer, stub value
#   cli_loader     who loaded each program (loader=<comm>:<pid>, escaped,
#                  or walk) in programs, status, explain and JSON
#   cli_plan       plan lockdown=... and strict=... against what the
#                  module's files say (computed apart), JSON valid; strict
#                  writes made for real agree with the plan
#   cli_hidden_none  hidden with nothing hidden: exit 0
#   cli_watch      watch started before a policy change (the BPF-LSM denier
#                  net_denier attached) shows the revokes; JSON lines valid
#   cli_revoked    status, stats, explain, revalidate, hidden with programs
#                  revoked
#   cli_mode       mode audit restores (watch shows it), enforce revokes
#   cli_nonroot    uid 65534, and uid 0 without capabilities: exit 1, the
#                  documented message
#   cli_relax      denier detached: restores seen by status and watch
#   cli_hidden     a BPF program on the bpf syscall path (cli_hide) hides a
#                  program from BPF_PROG_GET_NEXT_ID: hidden reports it,
#                  exit 1. It runs with no denial in force: under the
#                  denier libbpf's probe of bpf_probe_read_kernel fails and
#                  it would turn the hider's bpf_probe_read_user into the
#                  gated bpf_probe_read.
#
# The offenders are read_kernel.bpf.o (twice: pinned, and attached through
# a kprobe link), write_user.bpf.o, fentry_btf.bpf.o (attached through a
# tracing link) and plain.bpf.o. Leaves the module unloaded and every
# program of its own freed.

CLI=/usr/sbin/lsmrevoke
CW=$WORK/cli			# work files
CP=$PINS/cli			# pins
SCHEMA=$T/lsmrevoke.schema.json
CLI_HOLDERS=			# pids of "lsmrevoke-test cli attach|hide"
CLI_BROKEN=
# The test loader under a name with a space and a backslash: its comm,
# which the programs file shows as cli\x20ld\x5cx.
CLI_LOADER="$CW/cli ld\\x"
CLI_LOADER_ESC='cli\x20ld\x5cx'

mkdir -p "$CW"
ln -sf "$BIN" "$CLI_LOADER"

# cli NAME WANT ARGS...: runs lsmrevoke ARGS (stdout $CW/NAME.out, stderr
# $CW/NAME.err) and checks its exit status is WANT; returns the status.
cli() {
	_n=$1
	_want=$2
	shift 2
	to 60 "$CLI" "$@" >"$CW/$_n.out" 2>"$CW/$_n.err"
	_rc=$?
	if [ "$_rc" = "$_want" ]; then
		t_pass
	else
		t_err "lsmrevoke $*: expected exit $_want, saw $_rc ($(head -n 2 "$CW/$_n.err" | tr '\n' ' '))"
		diag_file "$CW/$_n.out" "$_n: "
	fi
	return "$_rc"
}

# cli_has NAME FILE PATTERN: FILE ($CW/NAME.out or .err) has a line
# matching the extended regular expression PATTERN.
cli_has() {
	if grep -Eq -- "$3" "$CW/$1.$2"; then
		t_pass
	else
		t_err "lsmrevoke $1: expected $2 matching '$3', saw '$(head -n 3 "$CW/$1.$2" | tr '\n' '|')'"
	fi
}

cli_hasnt() {
	if grep -Eq -- "$3" "$CW/$1.$2"; then
		t_err "lsmrevoke $1: expected no $2 line matching '$3', saw '$(grep -E -- "$3" "$CW/$1.$2" | head -n 1)'"
	else
		t_pass
	fi
}

# cli_json NAME DEF [--lines]: $CW/NAME.out is valid against #/$defs/DEF.
cli_json() {
	if "$BIN" cli json-check "$SCHEMA" "$2" "$CW/$1.out" ${3:-} \
		>"$CW/$1.check" 2>&1; then
		t_pass
	else
		diag_file "$CW/$1.check" "json-check $1: "
		t_err "lsmrevoke $1 JSON: expected valid against #/\$defs/$2, saw '$(head -n 1 "$CW/$1.check")'"
	fi
}

# cli_prog NAME ID: the object of program ID in status --json output NAME.
cli_prog() {
	sed 's/"programs":\[{"id":/"programs":[\n{"id":/; s/},{"id":/}\n{"id":/g' \
		"$CW/$1.out" | grep "^{\"id\":$2,"
}

# cli_row NAME ID FIELD: field FIELD (1 = ID) of ID's row in status NAME.
cli_row() {
	awk -v id="$2" -v f="$3" '$1 == id { print $f }' "$CW/$1.out"
}

# cli_state ID: the state of ID in the module's programs file.
cli_state() {
	_s=$(awk -v id="$1" '$1 == id { print $5 }' "$SFS/programs" 2>/dev/null)
	echo "${_s:-none}"
}

# cli_poll_state SECS ID STATE: wait until ID is in STATE.
cli_poll_state() {
	_n=$(($1 * 10))
	while [ "$(cli_state "$2")" != "$3" ] && [ "$_n" -gt 0 ]; do
		nap
		_n=$((_n - 1))
	done
	t_eq "prog $2 state" "$3" "$(cli_state "$2")"
}

# cli_wait_file FILE PID SECS: FILE appears while PID lives.
cli_wait_file() {
	_n=$(($3 * 10))
	while [ ! -s "$1" ]; do
		kill -0 "$2" 2>/dev/null || return 1
		[ "$_n" -gt 0 ] || return 1
		nap
		_n=$((_n - 1))
	done
	return 0
}

# cli_hold TAG OBJ [HIDE]: "lsmrevoke-test cli attach" holding OBJ's links
# in the background until cli_release TAG, "<name> <prog> <link>" lines in
# $CW/TAG.ready; with HIDE, "lsmrevoke-test cli hide OBJ HIDE" instead.
cli_hold() {
	rm -f "$CW/$1.ready" "$CW/$1.stop"
	if [ -n "${3:-}" ]; then
		"$BIN" cli hide "$2" "$3" "$CW/$1.ready" "$CW/$1.stop" \
			>"$CW/$1.hold" 2>&1 &
	else
		"$BIN" cli attach "$2" "$CW/$1.ready" "$CW/$1.stop" \
			>"$CW/$1.hold" 2>&1 &
	fi
	eval "CLI_PID_$1=$!"
	CLI_HOLDERS="$CLI_HOLDERS $1"
	if cli_wait_file "$CW/$1.ready" "$!" 30; then
		diag "$1: $(tr '\n' ' ' <"$CW/$1.ready")"
		return 0
	fi
	t_err "$1: expected $(basename "$2") attached within 30 s, saw '$(cat "$CW/$1.hold")'"
	return 1
}

# cli_release TAG: the holder destroys its links (synchronously) and exits.
cli_release() {
	eval "_p=\${CLI_PID_$1:-}"
	[ -n "$_p" ] || return 0
	touch "$CW/$1.stop"
	_n=300
	while kill -0 "$_p" 2>/dev/null && [ "$_n" -gt 0 ]; do
		nap
		_n=$((_n - 1))
	done
	if kill -0 "$_p" 2>/dev/null; then
		kill "$_p" 2>/dev/null
		t_err "$1: expected the holder to exit within 30 s, it hangs"
	fi
	wait "$_p" 2>/dev/null
	diag_file "$CW/$1.hold" "$1: "
	eval "CLI_PID_$1="
}

# cli_watching PID: PID has the module's events file open.
cli_watching() {
	for _fd in /proc/"$1"/fd/*; do
		case $(readlink "$_fd" 2>/dev/null) in
		*/lsmrevoke/events) return 0 ;;
		esac
	done
	return 1
}

# cli_watch_start TAG ARGS...: lsmrevoke watch ARGS (always with its own
# --timeout) in the background, output in $CW/TAG.out; returns once it has
# the events file open.
cli_watch_start() {
	_tag=$1
	shift
	"$CLI" watch "$@" >"$CW/$_tag.out" 2>"$CW/$_tag.err" &
	eval "CLI_WATCH_$_tag=$!"
	_n=300
	until cli_watching "$!"; do
		if ! kill -0 "$!" 2>/dev/null || [ "$_n" -le 0 ]; then
			t_err "watch $*: expected it to open events, saw '$(cat "$CW/$_tag.err")'"
			return 1
		fi
		nap
		_n=$((_n - 1))
	done
	return 0
}

# cli_watch_end TAG WANT: waits (60 s at most) for watch TAG to exit with
# status WANT.
cli_watch_end() {
	eval "_p=\${CLI_WATCH_$1:-}"
	[ -n "$_p" ] || return 1
	wait "$_p"
	_rc=$?
	eval "CLI_WATCH_$1="
	t_eq "watch $1 exit status" "$2" "$_rc"
	diag_file "$CW/$1.out" "watch $1: "
	diag_file "$CW/$1.err" "watch $1: "
}

cli_id() {
	awk -v n="$2" '$1 == n { print $2 }' "$CW/$1" 2>/dev/null
}

# ---------------------------------------------------------------------

test_cli_usage() {
	t_begin cli_usage
	cli usage0 2
	cli_has usage0 err '^lsmrevoke: no command given$'
	cli_has usage0 err '^usage: lsmrevoke <command>'
	cli usage1 2 bogus
	cli_has usage1 err '^lsmrevoke: unknown command bogus$'
	_i=0
	while read -r _args; do
		_i=$((_i + 1))
		# shellcheck disable=SC2086
		cli "usage_$_i" 2 $_args
		_c=${_args%% *}
		cli_has "usage_$_i" err "^usage: lsmrevoke $_c"
		cli_has "usage_$_i" err "^lsmrevoke: $_c: "
		[ -s "$CW/usage_$_i.out" ] &&
			t_err "lsmrevoke $_args: expected nothing on stdout, saw '$(head -n 1 "$CW/usage_$_i.out")'"
	done <<'EOF'
status extra
status --bogus
stats -x
explain
explain abc
explain 0
explain 1 2
revalidate now
mode bogus
mode audit enforce
watch -n
watch -n 0
watch --timeout x
watch extra
hidden extra
plan
plan bogus
plan strict=2
plan lockdown=secret
plan strict=1 strict=0
plan lockdown=none lockdown=integrity
plan --bogus strict=1
plan strict=1 -x
EOF
	for _c in status explain revalidate mode stats watch hidden plan; do
		cli "help_$_c" 0 "$_c" -h
		cli_has "help_$_c" out "^usage: lsmrevoke $_c"
		cli "help2_$_c" 0 "$_c" --help
		cli_has "help2_$_c" out "^usage: lsmrevoke $_c"
	done
	cli help 0 -h
	for _c in status explain revalidate mode stats watch hidden plan; do
		cli_has help out "^  lsmrevoke $_c"
	done
	cli version 0 -V
	cli_has version out '^lsmrevoke [0-9]+\.[0-9]+\.[0-9]+ \(libbpf v?1\.'
	t_end
}

test_cli_unloaded() {
	t_begin cli_unloaded
	if module_loaded; then
		diag "cli: module loaded at start; unloading it"
		to 60 rmmod lsmrevoke
	fi
	_i=0
	for _args in status 'status --json' 'explain 1' revalidate mode \
		'mode audit' stats 'watch -t 5' hidden 'plan strict=1'; do
		_i=$((_i + 1))
		# shellcheck disable=SC2086
		cli "unloaded_$_i" 1 $_args
		cli_has "unloaded_$_i" err '^lsmrevoke: /sys/kernel/security/lsmrevoke: No such file or directory$'
		cli_has "unloaded_$_i" err '^lsmrevoke: the lsmrevoke module is not loaded \(modprobe lsmrevoke\)$'
	done
	t_end
}

# Loads the module and the offenders; attaches two of them through links.
cli_setup() {
	t_begin cli_setup
	# Loaded before the module: found by its walk, no loader known.
	if ! to 60 "$BIN" load "$PROGS/plain.bpf.o" "$CP/walked" \
		>"$CW/walked.ids" 2>"$CW/walked.err"; then
		CLI_BROKEN="load plain.bpf.o before modprobe: $(tail -n 1 "$CW/walked.err")"
		t_err "$CLI_BROKEN"
	fi
	WK=$(cli_id walked.ids plain_tp)
	if ! to 60 modprobe lsmrevoke $QUIET >"$CW/modprobe.out" 2>&1; then
		CLI_BROKEN="modprobe lsmrevoke failed: $(cat "$CW/modprobe.out")"
		t_err "$CLI_BROKEN"
		t_end
		return 1
	fi
	: >"$CW/pinned.ids"
	# Loaded by the test loader under another name, one with a space and
	# a backslash (its comm, which programs escapes as \xHH); "<object>
	# <pid>" lines in loaders.pids.
	: >"$CW/loaders.pids"
	for _o in read_kernel write_user fentry_btf plain; do
		"$CLI_LOADER" load "$PROGS/$_o.bpf.o" "$CP/$_o" \
			>>"$CW/pinned.ids" 2>"$CW/load.err" &
		_lp=$!
		echo "$_o $_lp" >>"$CW/loaders.pids"
		if ! wait "$_lp"; then
			CLI_BROKEN="load $_o.bpf.o: $(tail -n 1 "$CW/load.err")"
			t_err "$CLI_BROKEN"
		fi
	done
	diag "cli: pinned $(tr '\n' ' ' <"$CW/pinned.ids")"
	cli_hold rk "$PROGS/read_kernel.bpf.o" || CLI_BROKEN="attach read_kernel"
	cli_hold fb "$PROGS/fentry_btf.bpf.o" || CLI_BROKEN="attach fentry_btf"
	RK=$(cli_id pinned.ids read_kernel)
	WU=$(cli_id pinned.ids write_user)
	FB=$(cli_id pinned.ids fentry_btf)
	PT=$(cli_id pinned.ids plain_tp)
	RKL=$(cli_id rk.ready read_kernel)
	FBL=$(cli_id fb.ready fentry_btf)
	DEN=
	[ -z "$CLI_BROKEN" ] && t_pass
	t_end
	[ -z "$CLI_BROKEN" ]
}

# cli_check_row NAME ID TYPE PROGNAME REQUIRES STATE ATTACHED (- for none)
cli_check_row() {
	_l=$(awk -v id="$2" '$1 == id' "$CW/$1.out")
	if [ -z "$_l" ]; then
		t_err "status: expected a row for prog $2 ($4), saw none"
		return
	fi
	set -- "$@" $_l
	# $8.. : ID TYPE NAME REQUIRES STATE UID LOADER LOADED ATTACHED
	t_eq "status row $2 type" "$3" "$9"
	t_eq "status row $2 name" "$4" "${10}"
	t_eq "status row $2 requires" "$5" "${11}"
	t_eq "status row $2 state" "$6" "${12}"
	t_eq "status row $2 uid" 0 "${13}"
	case ${15} in
	[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9][+-][0-9][0-9][0-9][0-9]) t_pass ;;
	*) t_err "status row $2 loaded: expected an ISO 8601 time, saw '${15}'" ;;
	esac
	[ -z "$7" ] || t_eq "status row $2 attached" "$7" "${16}"
}

# cli_loader_of OBJECT: the pid that loaded OBJECT in cli_setup.
cli_loader_of() {
	awk -v o="$1" '$1 == o { print $2 }' "$CW/loaders.pids"
}

# The attach point status shows for read_kernel's kprobe link: 6.1 does
# not tell what a perf_event link is attached to, 6.12 does.
cli_kprobe_at() {
	case $KVER in
	6.1) echo perf_event ;;
	*) echo kprobe:__x64_sys_getpid ;;
	esac
}

test_cli_status() {
	t_begin cli_status
	cli status 0 status
	diag_file "$CW/status.out" "status: "
	cli_has status out '^ID +TYPE +NAME +REQUIRES +STATE +UID +LOADER +LOADED +ATTACHED$'
	cli_check_row status "$RK" kprobe read_kernel bpf_read_kernel active -
	cli_check_row status "$RKL" kprobe read_kernel bpf_read_kernel active "$(cli_kprobe_at)"
	cli_check_row status "$WU" tracepoint write_user bpf_write_user active -
	cli_check_row status "$FB" tracing fentry_btf btf_read active -
	cli_check_row status "$FBL" tracing fentry_btf btf_read active trace_fentry:__x64_sys_getpriority
	cli_check_row status "$PT" tracepoint plain_tp - active -
	cli_has status out "^[0-9]+ programs: [0-9]+ active, 0 revoked, [0-9]+ unrevocable; mode enforce; [0-9]+ revocations, [0-9]+ restores, [0-9]+ passes since load$"
	t_eq "status rows" "$(tail -n 1 "$CW/status.out" | cut -d' ' -f1)" \
		"$(($(wc -l <"$CW/status.out") - 2))"

	cli status_json 0 status --json
	cli_json status_json status
	cli_has status_json out '^\{"version":1,"mode":"enforce","strict":false,"on_revoke":"detach","lockdown":"none",'
	_p=$(cli_prog status_json "$RKL")
	case $_p in
	*'"type":"kprobe","name":"read_kernel","requires":["bpf_read_kernel"],"sites":{"bpf_read_kernel":'*'"state":"active","unrevocable_reason":null,"source":"load","tracked_uid":0,"loader_uid":0,"loaded_at":'*'"attached":[{"link_id":'*'"link_type":"perf_event"'*) t_pass ;;
	*) t_err "status --json prog $RKL: expected an active kprobe with a perf_event link, saw '$_p'" ;;
	esac
	_p=$(cli_prog status_json "$FBL")
	case $_p in
	*'"link_type":"tracing","attach_type":"trace_fentry","target":"__x64_sys_getpriority"'*) t_pass ;;
	*) t_err "status --json prog $FBL: expected a trace_fentry link to __x64_sys_getpriority, saw '$_p'" ;;
	esac
	_p=$(cli_prog status_json "$PT")
	case $_p in
	*'"requires":[],"sites":{},"state":"active"'*'"attached":[],'*) t_pass ;;
	*) t_err "status --json prog $PT: expected no requirement, no site, no link, saw '$_p'" ;;
	esac
	cli_has status_json out '"summary":\{"programs":[0-9]+,"active":[0-9]+,"revoked":0,'
	t_eq "status --json programs" \
		"$(sed -n 's/.*"summary":{"programs":\([0-9]*\),.*/\1/p' "$CW/status_json.out")" \
		"$(sed 's/},{"id":/}\n{"id":/g' "$CW/status_json.out" | grep -c '"id":')"
	# loaded_at is now, give or take the time since the setup.
	_t=$(cli_prog status_json "$RK" | sed -n 's/.*"loaded_at":\([0-9]*\).*/\1/p')
	_now=$(date +%s)
	if [ -n "$_t" ] && [ "$_t" -le "$_now" ] && [ "$_t" -ge $((_now - 600)) ]; then
		t_pass
	else
		t_err "status --json prog $RK loaded_at: expected within 600 s before $_now, saw '$_t'"
	fi

	cli stats 0 stats
	for _k in tracked active revoked unrevocable revocations restores passes; do
		cli_has stats out "^$_k +[0-9]+$"
	done
	cli_has stats out '^revoked +0$'
	cli stats_json 0 stats --json
	cli_json stats_json stats
	t_eq "stats --json tracked" "$(awk '$1 == "tracked" { print $2 }' "$SFS/stats")" \
		"$(sed -n 's/.*"tracked":\([0-9]*\).*/\1/p' "$CW/stats_json.out")"
	cli mode 0 mode
	t_eq "mode" enforce "$(cat "$CW/mode.out")"
	cli revalidate 0 revalidate
	cli_has revalidate out '^revalidated: [0-9]+ active, 0 revoked, [0-9]+ unrevocable$'
	t_end
}

# cli_site ID REQ: the first site of REQ in ID's programs line.
cli_site() {
	awk -v id="$1" '$1 == id' "$SFS/programs" | tr ' ,' '\n\n' |
		sed -n "s/^\(sites=\)\{0,1\}$2@//p"
}

# The reason number of requirement $1 in this kernel, from the module.
cli_reason_nr() {
	awk -v n="$1" '$1 == n { print $3 }' "$SFS/requirements"
}

test_cli_explain() {
	t_begin cli_explain
	cli explain_rk 0 explain "$RK"
	diag_file "$CW/explain_rk.out" "explain: "
	cli_has explain_rk out "^prog $RK: read_kernel \(kprobe\), active$"
	cli_has explain_rk out '^  loaded by uid 0 at [0-9-]+T[0-9:]+[+-][0-9]{4}; tracked since its load$'
	cli_has explain_rk out "^  bpf_read_kernel: lockdown reason LOCKDOWN_BPF_READ_KERNEL \\($(cli_reason_nr bpf_read_kernel)\\)$"
	# The words come from the module's requirements table.
	cli_has explain_rk out '^    needed by a call of bpf_probe_read_kernel'
	cli_has explain_rk out "^    first site: instruction $(cli_site "$RK" bpf_read_kernel): call bpf_probe_read_kernel$"
	cli_has explain_rk out '^    lockdown \(none\): allows it \(denied from confidentiality on\)$'
	cli_has explain_rk out '^  lockdown: none '
	cli_has explain_rk out '^  BPF-LSM on locked_down: none attached'
	cli_has explain_rk out '^verdict \(the module.s\): active$'
	cli_has explain_rk out '^  policy allows every requirement for its loader$'
	cli_has explain_rk out '^if revoked \(on_revoke=detach\):$'
	cli_has explain_rk out '^  returns 1: the perf event records the sample'
	cli_has explain_rk out '^  \(on_revoke=deny: 0\)$'

	cli explain_rkl 0 explain "$RKL"
	case $KVER in
	6.1) cli_has explain_rkl out "^  attached: perf_event link [0-9]+ \\(perf_event\\)$" ;;
	*) cli_has explain_rkl out "^  attached: perf_event link [0-9]+ \\(kprobe:__x64_sys_getpid\\)$" ;;
	esac

	cli explain_wu 0 explain "$WU"
	cli_has explain_wu out "^  bpf_write_user: lockdown reason LOCKDOWN_BPF_WRITE_USER \\($(cli_reason_nr bpf_write_user)\\)$"
	cli_has explain_wu out '^    needed by a call of bpf_probe_write_user$'
	cli_has explain_wu out "^    first site: instruction $(cli_site "$WU" bpf_write_user): call bpf_probe_write_user$"
	cli_has explain_wu out '^    lockdown \(none\): allows it \(denied from integrity on\)$'
	cli_has explain_wu out '^  returns 1: '

	cli explain_fb 0 explain "$FBL"
	cli_has explain_fb out '^  btf_read: no lockdown reason \(informational\)$'
	cli_has explain_fb out "^    first site: instruction $(cli_site "$FBL" btf_read): r[0-9]+ = \\*\\(u(8|16|32|64) \\*\\)\\(r[0-9]+ [+-][0-9]+\\)$"
	cli_has explain_fb out "^  attached: tracing link [0-9]+ \\(trace_fentry:__x64_sys_getpriority\\)$"
	cli_has explain_fb out '^  it needs nothing policy can deny$'
	cli_has explain_fb out '^  returns 0: fentry, fexit and tp_btf ignore it'

	cli explain_pt 0 explain "$PT"
	cli_has explain_pt out '^  nothing lockdown can deny$'
	cli_has explain_pt out '^  it needs nothing policy can deny$'

	cli explain_none 1 explain 4000000000
	cli_has explain_none err '^lsmrevoke: prog 4000000000: No such file or directory$'
	t_end
}

# cli_has_line NAME FILE LINE: FILE ($CW/NAME.out or .err) has LINE, as is.
cli_has_line() {
	if grep -Fxq -- "$3" "$CW/$1.$2"; then
		t_pass
	else
		t_err "lsmrevoke $1: expected $2 line '$3', saw '$(head -n 3 "$CW/$1.$2" | tr '\n' '|')'"
	fi
}

# Who loaded each program: the test loader under the name "cli ld\x" (a
# space and a backslash) for the pinned ones, "lsmrevoke-test" holding
# the links, and the walk for one loaded before the module. The exact
# name and pid in programs, status, explain and status --json.
test_cli_loader() {
	t_begin cli_loader
	_lp=$(cli_loader_of read_kernel)
	_lw=$(cli_loader_of write_user)
	eval "_hp=\${CLI_PID_rk:-}"
	diag "cli: loaders: read_kernel $_lp, write_user $_lw, holder $_hp"
	t_eq "programs loader= of prog $RK" "$CLI_LOADER_ESC:$_lp" \
		"$(kv "$(prog_line "$RK")" loader)"
	t_eq "programs loader= of prog $WU" "$CLI_LOADER_ESC:$_lw" \
		"$(kv "$(prog_line "$WU")" loader)"
	t_eq "programs loader= of prog $RKL" "lsmrevoke-test:$_hp" \
		"$(kv "$(prog_line "$RKL")" loader)"
	t_eq "programs loader= of prog $WK" walk "$(kv "$(prog_line "$WK")" loader)"
	t_eq "programs src= of prog $WK" walk "$(kv "$(prog_line "$WK")" src)"
	# The new field is the last one.
	case $(prog_line "$RK") in
	*" loader=$CLI_LOADER_ESC:$_lp") t_pass ;;
	*) t_err "programs line of $RK: expected loader= last, saw '$(prog_line "$RK")'" ;;
	esac

	cli status_l 0 status
	t_eq "status LOADER of prog $RK" "$CLI_LOADER_ESC:$_lp" "$(cli_row status_l "$RK" 7)"
	t_eq "status LOADER of prog $RKL" "lsmrevoke-test:$_hp" "$(cli_row status_l "$RKL" 7)"
	t_eq "status LOADER of prog $WK" walk "$(cli_row status_l "$WK" 7)"

	cli explain_l 0 explain "$RK"
	cli_has_line explain_l out "  loader: $CLI_LOADER_ESC, pid $_lp"
	cli explain_lh 0 explain "$RKL"
	cli_has_line explain_lh out "  loader: lsmrevoke-test, pid $_hp"
	cli explain_lw 0 explain "$WK"
	cli_has_line explain_lw out "  loader: walk (found by the module's walk: no loader known)"
	cli_has explain_lw out '; found when the module was loaded$'

	cli status_lj 0 status --json
	cli_json status_lj status
	_p=$(cli_prog status_lj "$RK")
	case $_p in
	*'"source":"load",'*'"loader_comm":"cli ld\\x","loader_pid":'"$_lp"'}'*) t_pass ;;
	*) t_err "status --json prog $RK: expected loader_comm \"cli ld\\\\x\" and loader_pid $_lp, saw '$_p'" ;;
	esac
	_p=$(cli_prog status_lj "$RKL")
	case $_p in
	*'"loader_comm":"lsmrevoke-test","loader_pid":'"$_hp"'}'*) t_pass ;;
	*) t_err "status --json prog $RKL: expected loader_comm lsmrevoke-test and loader_pid $_hp, saw '$_p'" ;;
	esac
	_p=$(cli_prog status_lj "$WK")
	case $_p in
	*'"source":"walk","tracked_uid":null,'*'"loader_comm":null,"loader_pid":null}'*) t_pass ;;
	*) t_err "status --json prog $WK: expected a walk program with no loader, saw '$_p'" ;;
	esac
	t_end
}

# cli_expect LEVEL STRICT: the IDs lockdown at LEVEL (0 none, 1 integrity,
# 2 confidentiality) with strict mode STRICT denies among the active
# programs, from the module's requirements and each program's sites=
# (what it has itself), computed here, apart from the command.
cli_expect() {
	awk -v L="$1" -v S="$2" '
	FILENAME == ARGV[1] {
		if (/^#/)
			next
		lv[$1] = $4 == "integrity" ? 1 : $4 == "confidentiality" ? 2 : 0
		ad[$1] = $5
		next
	}
	/^#/ { next }
	{
		own = ""
		for (i = 6; i <= NF; i++)
			if ($i ~ /^sites=/)
				own = substr($i, 7)
		n = split(own, a, ",")
		den = 0
		for (j = 1; j <= n; j++) {
			r = a[j]
			sub(/@.*/, "", r)
			if (lv[r] && lv[r] <= L)
				den = 1
			if (S == 1 && ad[r] != "-" && ad[r] != "") {
				m = split(ad[r], b, ",")
				for (k = 1; k <= m; k++)
					if (lv[b[k]] && lv[b[k]] <= L)
						den = 1
			}
		}
		if (den && $5 == "active" && $2 != "struct_ops")
			print $1
	}' "$SFS/requirements" "$SFS/programs" | sort -n | tr '\n' ' '
}

# cli_json_ids NAME LIST: the sorted IDs in plan --json output NAME's LIST.
cli_json_ids() {
	plan_json_ids "$CW/$1.out" "$2"
}

# cli_plan_check NAME LEVEL STRICT MUST SETTING...: plan SETTING lists to
# revoke exactly what cli_expect LEVEL STRICT computes, MUST among them,
# nothing to restore; the same in JSON, valid against the schema. (Its
# variables are its own: cli and diag_file set _n, _want, _l.)
cli_plan_check() {
	_pcn=$1
	_pcl=$2
	_pcs=$3
	_pcm=$4
	shift 4
	cli "$_pcn" 0 plan "$@"
	diag_file "$CW/$_pcn.out" "plan $*: "
	_pcw=$(cli_expect "$_pcl" "$_pcs")
	t_eq "plan $*: revoke" "$_pcw" "$(plan_ids "$CW/$_pcn.out" revoke)"
	t_eq "plan $*: restore" "" "$(plan_ids "$CW/$_pcn.out" restore)"
	for _pci in $_pcm; do
		case " $_pcw " in
		*" $_pci "*) t_pass ;;
		*) t_err "plan $*: expected prog $_pci to be revoked, saw '$_pcw'" ;;
		esac
	done
	cli "${_pcn}_j" 0 plan "$@" --json
	cli_json "${_pcn}_j" plan
	t_eq "plan $* --json: revoke" "$_pcw" "$(cli_json_ids "${_pcn}_j" revoke)"
}

# plan with nothing revoked and lockdown none: lockdown=LEVEL computed
# apart from the command; strict writes, the only change lockdown none
# allows to be made here (lockdown only rises: 90-lockdown.sh compares
# plans with real lockdown raises and strict=1 under confidentiality).
test_cli_plan() {
	t_begin cli_plan
	_lw=$(cli_loader_of write_user)
	cli_plan_check plan_i 1 0 "$WU" lockdown=integrity
	cli_has_line plan_i out "revoke $WU tracepoint write_user: bpf_write_user (loader $CLI_LOADER_ESC:$_lw)"
	cli_has plan_i out '^plan: lockdown none -> integrity, strict 0 -> 0; mode enforce$'
	cli_has plan_i out '^[0-9]+ to revoke, 0 to restore, 0 stay running \(unrevocable\), 0 undetermined, 0 to withdraw$'
	cli_plan_check plan_c 2 0 "$WU $RK $RKL" lockdown=confidentiality
	cli_hasnt plan_c out "^revoke ($FB|$FBL) "
	cli_plan_check plan_cs 2 1 "$WU $RK $RKL $FB $FBL" strict=1 lockdown=confidentiality
	cli_has plan_cs out '^plan: lockdown none -> confidentiality, strict 0 -> 1; '
	cli_plan_check plan_n 0 0 "" lockdown=none
	cli_plan_check plan_s 0 1 "" strict=1
	t_eq "plan strict=1 under lockdown none: revoke" "" "$(plan_ids "$CW/plan_s.out" revoke)"

	# Made for real: nothing to revoke or restore under lockdown none.
	cat "$SFS/programs" >"$CW/plan_s.before"
	echo 1 >"$SFS/strict" || t_err "echo 1 > strict: expected success"
	cat "$SFS/programs" >"$CW/plan_s.after"
	t_plan_agree "strict=1" "$CW/plan_s.out" "$CW/plan_s.before" "$CW/plan_s.after"
	cli plan_s0 0 plan strict=0
	cli_has plan_s0 out '^plan: lockdown none -> none, strict 1 -> 0; '
	echo 0 >"$SFS/strict" || t_err "echo 0 > strict: expected success"
	cat "$SFS/programs" >"$CW/plan_s0.after"
	t_plan_agree "strict=0" "$CW/plan_s0.out" "$CW/plan_s.after" "$CW/plan_s0.after"
	t_eq "strict at the end" 0 "$(cat "$SFS/strict")"
	t_end
}

test_cli_hidden_none() {
	t_begin cli_hidden_none
	cli hidden_none 0 hidden
	cli_has hidden_none out '^[0-9]+ programs in the kernel, [0-9]+ visible to user space, 0 hidden$'
	cli_hasnt hidden_none out '^prog '
	cli hidden_none_json 0 hidden --json
	cli_json hidden_none_json hidden
	cli_has hidden_none_json out '"hidden":\[\]\}$'
	t_end
}

# cli_count STATE: programs in STATE that require bpf_read_kernel (the
# suite's earlier tests may have left some of their own loaded).
cli_count() {
	awk -v s="$1" '$4 ~ /(^|,)bpf_read_kernel(,|$)/ && $5 ~ "^" s' \
		"$SFS/programs" | wc -l
}

# cli_summary NAME: "<revoked> <revoked rows>" of status output NAME.
cli_summary() {
	echo "$(tail -n 1 "$CW/$1.out" | sed -n 's/.* \([0-9]*\) revoked,.*/\1/p')" \
		"$(awk '$5 == "revoked"' "$CW/$1.out" | wc -l)"
}

test_cli_watch() {
	t_begin cli_watch
	NRK=$(cli_count active)
	diag "cli: $NRK active programs require bpf_read_kernel"
	if cli_watch_start w1 --count 1 --timeout 60 &&
		cli_watch_start wj --json --count "$NRK" --timeout 60 &&
		cli_watch_start wt --timeout 20; then
		# The policy tightens after watch started: the denier's attach
		# revokes every read_kernel offender before it returns.
		cli_hold den "$PROGS/net_denier.bpf.o" || CLI_BROKEN="attach net_denier"
		DEN=$(cli_id den.ready net_denier)
		cli_watch_end w1 0
		cli_watch_end wj 0
		cli_watch_end wt 0
		cli_has w1 out "^[0-9-]+T[0-9:]+\\.[0-9]{3}[+-][0-9]{4} (revoke|unrevocable) prog [0-9]+ [^ ]+ \\([a-z_]+\\): [a-z_]+$"
		t_eq "watch --count 1 lines" 1 "$(wc -l <"$CW/w1.out")"
		t_eq "watch --count $NRK lines" "$NRK" "$(wc -l <"$CW/wj.out")"
		cli_json wj watch_line --lines
		for _id in "$RK" "$RKL"; do
			cli_has wj out "\"op\":\"revoke\",\"id\":$_id,\"type\":\"kprobe\",\"name\":\"read_kernel\",\"detail\":\"bpf_read_kernel\",\"enforced\":true\\}$"
		done
		cli_has wt out "revoke prog $RK "
		cli_has wt out "revoke prog $RKL "
		# Started after the revokes: nothing new without --all.
		cli wlate 0 watch --timeout 2
		t_eq "watch started after the revokes: lines" 0 "$(wc -l <"$CW/wlate.out")"
		cli wall 0 watch --all --timeout 2
		cli_has wall out "revoke prog $RK read_kernel \\(kprobe\\): bpf_read_kernel$"
		cli_has wall out "revoke prog $RKL read_kernel \\(kprobe\\): bpf_read_kernel$"
		cli wcount 1 watch --all --count 10000 --timeout 2
		cli_has wcount err '^lsmrevoke: watch: [0-9]+ of 10000 decisions in 2 s: Connection timed out$'
	fi
	t_end
}

test_cli_revoked() {
	t_begin cli_revoked
	t_eq "prog $RK state" revoked "$(cli_state "$RK")"
	t_eq "prog $RKL state" revoked "$(cli_state "$RKL")"
	cli status_r 0 status
	diag_file "$CW/status_r.out" "status: "
	cli_check_row status_r "$RK" kprobe read_kernel bpf_read_kernel revoked -
	cli_check_row status_r "$RKL" kprobe read_kernel bpf_read_kernel revoked "$(cli_kprobe_at)"
	cli_check_row status_r "$WU" tracepoint write_user bpf_write_user active -
	cli_check_row status_r "$DEN" lsm net_denier - active lsm_mac:bpf_lsm_locked_down
	cli_has status_r out '^[0-9]+ programs: [0-9]+ active, [0-9]+ revoked, [0-9]+ unrevocable; mode enforce; [0-9]+ revocations'
	set -- $(cli_summary status_r)
	t_eq "status: revoked in the summary line vs revoked rows" "${2:-x}" "${1:-y}"
	NREV=$(awk '$1 == "revoked" { print $2 }' "$SFS/stats")
	t_eq "status: revoked rows vs the module's stats" "$NREV" "${2:-}"
	cli status_rj 0 status --json
	cli_json status_rj status
	for _id in "$RK" "$RKL"; do
		case $(cli_prog status_rj "$_id") in
		*'"state":"revoked","unrevocable_reason":null,'*) t_pass ;;
		*) t_err "status --json prog $_id: expected revoked, saw '$(cli_prog status_rj "$_id")'" ;;
		esac
	done
	case $(cli_prog status_rj "$DEN") in
	*'"link_type":"tracing","attach_type":"lsm_mac","target":"bpf_lsm_locked_down"'*) t_pass ;;
	*) t_err "status --json prog $DEN: expected an lsm_mac link to bpf_lsm_locked_down, saw '$(cli_prog status_rj "$DEN")'" ;;
	esac
	cli_has status_rj out "\"summary\":\\{\"programs\":[0-9]+,\"active\":[0-9]+,\"revoked\":$NREV,"
	t_eq "status --json revoked programs" "$NREV" \
		"$(sed 's/},{"id":/}\n{"id":/g' "$CW/status_rj.out" | grep -c '"state":"revoked"')"

	cli stats_r 0 stats
	cli_has stats_r out "^revoked +$NREV\$"
	cli stats_rj 0 stats --json
	cli_json stats_rj stats
	cli_has stats_rj out "\"revoked\":$NREV,"

	cli explain_r 0 explain "$RK"
	diag_file "$CW/explain_r.out" "explain: "
	cli_has explain_r out "^prog $RK: read_kernel \\(kprobe\\), revoked$"
	cli_has explain_r out '^    lockdown \(none\): allows it'
	cli_has explain_r out "^  BPF-LSM on locked_down: prog $DEN net_denier: may deny any reason"
	cli_has explain_r out '^verdict \(the module.s\): revoked$'
	cli_has explain_r out 'the denial comes from the BPF-LSM program\(s\) on locked_down above$'
	cli_has explain_r out '^while revoked \(on_revoke=detach\):$'
	cli_has explain_r out '^  returns 1: '
	cli explain_rw 0 explain "$WU"
	cli_has explain_rw out "^prog $WU: write_user \\(tracepoint\\), active$"
	cli_has explain_rw out '^  policy allows every requirement for its loader$'

	cli revalidate_r 0 revalidate
	cli_has revalidate_r out "^revalidated: [0-9]+ active, $NREV revoked, [0-9]+ unrevocable\$"
	cli hidden_r 0 hidden
	cli_has hidden_r out ', 0 hidden$'
	t_end
}

test_cli_mode() {
	t_begin cli_mode
	# audit: per revoked program a restore and a logged revoke, per
	# unrevocable one a logged revoke.
	NREV=$(awk '$1 == "revoked" { print $2 }' "$SFS/stats")
	_nu=$(awk '$1 == "unrevocable" { print $2 }' "$SFS/stats")
	if cli_watch_start wm --count $((2 * NREV + _nu)) --timeout 60; then
		cli mode_a 0 mode audit
		cli mode_ra 0 mode
		t_eq "mode after mode audit" audit "$(cat "$CW/mode_ra.out")"
		t_eq "prog $RK state in audit mode" active "$(cli_state "$RK")"
		cli explain_a 0 explain "$RK"
		cli_has explain_a out '^  audit mode: denials are logged, nothing is revoked$'
		cli status_a 0 status --json
		cli_json status_a status
		cli_has status_a out '"mode":"audit",'
		cli mode_e 0 mode enforce
		t_eq "prog $RK state after mode enforce" revoked "$(cli_state "$RK")"
		cli_watch_end wm 0
		cli_has wm out "restore prog $RK read_kernel \\(kprobe\\): allowed$"
		cli_has wm out "revoke prog $RK read_kernel \\(kprobe\\): bpf_read_kernel \\[audit: not enforced\\]$"
	fi
	cli mode_now 0 mode
	t_eq "mode at the end" enforce "$(cat "$CW/mode_now.out")"
	t_end
}

test_cli_hidden() {
	t_begin cli_hidden
	if cli_hold hide "$PROGS/cli_hide.bpf.o" "$RK"; then
		if "$BIN" ids | grep -qx "$RK"; then
			t_err "prog $RK: expected hidden from BPF_PROG_GET_NEXT_ID (lsmrevoke-test ids), still listed"
		else
			t_pass
		fi
		grep -qx "$RK" "$SFS/kernel_programs" ||
			t_err "prog $RK: expected in kernel_programs, not there"
		cli hidden 1 hidden
		diag_file "$CW/hidden.out" "hidden: "
		cli_has hidden out "^prog $RK kprobe read_kernel: in the kernel's list, hidden from BPF_PROG_GET_NEXT_ID; state active$"
		cli_has hidden out ', 1 hidden$'
		t_eq "hidden lines" 2 "$(wc -l <"$CW/hidden.out")"
		cli hidden_j 1 hidden --json
		cli_json hidden_j hidden
		cli_has hidden_j out "\"hidden\":\\[\\{\"id\":$RK,\"type\":\"kprobe\",\"name\":\"read_kernel\",\"state\":\"active\"\\}\\]\\}$"
		# The module's view still has it.
		cli status_h 0 status
		[ -n "$(cli_row status_h "$RK" 1)" ] ||
			t_err "status: expected a row for the hidden prog $RK, saw none"
		cli_release hide
		grep -Eq '^hide: [1-9][0-9]* calls rewritten$' "$CW/hide.hold" ||
			t_err "hider: expected rewritten calls, saw '$(cat "$CW/hide.hold")'"
		cli hidden_after 0 hidden
		cli_has hidden_after out ', 0 hidden$'
	fi
	t_end
}

test_cli_nonroot() {
	t_begin cli_nonroot
	_i=0
	for _args in status 'status --json' "explain $RK" revalidate mode \
		'mode audit' stats 'watch -t 5' hidden 'plan strict=1'; do
		_i=$((_i + 1))
		# shellcheck disable=SC2086
		to 60 "$BIN" asuser 65534 "$CLI" $_args >"$CW/nonroot_$_i.out" \
			2>"$CW/nonroot_$_i.err"
		t_eq "lsmrevoke $_args as uid 65534: exit status" 1 $?
		cli_has "nonroot_$_i" err '^lsmrevoke: /sys/kernel/security/lsmrevoke/[a-z_]+: Permission denied$'
		cli_has "nonroot_$_i" err '^lsmrevoke: permission denied: run lsmrevoke as root \(the module.s files need CAP_SYS_ADMIN\)$'
		to 60 "$BIN" nocap "$CLI" $_args >"$CW/nocap_$_i.out" \
			2>"$CW/nocap_$_i.err"
		t_eq "lsmrevoke $_args as uid 0 without capabilities: exit status" 1 $?
		cli_has "nocap_$_i" err '^lsmrevoke: /sys/kernel/security/lsmrevoke/[a-z_]+: Operation not permitted$'
		cli_has "nocap_$_i" err '^lsmrevoke: permission denied: run lsmrevoke as root'
	done
	t_eq "mode after the refused mode audit" enforce "$(tr -d '\n' <"$SFS/mode")"
	t_end
}

test_cli_relax() {
	t_begin cli_relax
	NREV=$(awk '$1 == "revoked" { print $2 }' "$SFS/stats")
	if cli_watch_start wr --count "$NREV" --timeout 60; then
		cli_release den
		cli_poll_state 10 "$RK" active
		cli_poll_state 10 "$RKL" active
		cli_watch_end wr 0
		cli_has wr out "restore prog $RK read_kernel \\(kprobe\\): allowed$"
		cli_has wr out "restore prog $RKL read_kernel \\(kprobe\\): allowed$"
	fi
	cli status_x 0 status
	cli_check_row status_x "$RK" kprobe read_kernel bpf_read_kernel active -
	cli_has status_x out '^[0-9]+ programs: [0-9]+ active, 0 revoked, '
	t_end
}

cli_cleanup() {
	for _h in $CLI_HOLDERS; do
		cli_release "$_h"
	done
	for _w in w1 wj wt wm wr; do
		eval "_p=\${CLI_WATCH_$_w:-}"
		[ -z "$_p" ] || kill "$_p" 2>/dev/null
	done
	rm -rf "$CP"
	if module_loaded && ! to 60 rmmod lsmrevoke >"$CW/rmmod.out" 2>&1; then
		diag "cli: rmmod lsmrevoke failed: $(cat "$CW/rmmod.out")"
	fi
}

# ---------------------------------------------------------------------

test_cli_usage
test_cli_unloaded
if cli_setup; then
	test_cli_status
	test_cli_explain
	test_cli_loader
	test_cli_plan
	test_cli_hidden_none
	test_cli_watch
else
	for _t in cli_status cli_explain cli_loader cli_plan cli_hidden_none cli_watch; do
		skip "$_t" "setup failed: $CLI_BROKEN"
	done
fi
if [ -z "$CLI_BROKEN" ]; then
	test_cli_revoked
	test_cli_mode
	test_cli_nonroot
	test_cli_relax
	test_cli_hidden
else
	for _t in cli_revoked cli_mode cli_nonroot cli_relax cli_hidden; do
		skip "$_t" "not run: $CLI_BROKEN"
	done
fi
cli_cleanup
