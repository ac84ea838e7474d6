# SPDX-License-Identifier: GPL-2.0
#
# lsmrevoke guest test suite (busybox sh, run as root by the guest's /init).
#
# Environment: LSMREVOKE_TEST (the test tree: bin/, progs/, guest/) and
# LSMREVOKE_RESULTS (where result lines go besides stdout). The module is installed but
# not loaded when the suite starts. One line per test goes to
# $LSMREVOKE_RESULTS ("#N name:OK|FAIL|SKIP[ reason]"), diagnostics as
# "# ..." lines, and the run ends with "N passed, N failed". The exit
# status is 0 only if no test failed.
#
# Every test checks what it expects and fails otherwise; polls are
# bounded; a failed test never stops the run.

set -u

T=${LSMREVOKE_TEST:-/opt/lsmrevoke-test}
RESULTS=${LSMREVOKE_RESULTS:-}	# unset: stdout only
BIN=$T/bin/lsmrevoke-test
PROGS=$T/progs
SFS=/sys/kernel/security/lsmrevoke
PINS=/sys/fs/bpf/lsmrevoke-test
WORK=/tmp/lsmrevoke-test

. "$T/guest/lib.sh"

SUITE_T0=$(date +%s)

# The objects and what lsmrevoke must report for each of their programs:
# object, program name, type (libbpf's name), requires.
EXPECT='plain plain_tp tracepoint -
plain plain_sock socket_filter -
read_kernel read_kernel kprobe bpf_read_kernel task
write_user write_user tracepoint bpf_write_user
subprog subprog_main kprobe bpf_read_kernel task
fentry_btf fentry_btf tracing btf_read'
OBJECTS='plain read_kernel write_user subprog fentry_btf'

# One line of programs: id type name requires state [key=value ...].
PROG_RE='^[0-9]+ [a-z0-9_]+ [^ ]+ (-|[a-z_]+(,[a-z_]+)*) (active|revoked|unrevocable:[^ ]+)( [a-z_]+=[^ ]+)*$'
# One line of symbols: name address entry via [key=value ...].
SYM_RE='^[^ ]+ [0-9a-f]{16} (endbr|sealed|plain|data) (thunk|redirect|-)( [a-z_]+=[^ ]+)*$'

# Debug builds (-DDEBUG) turn every pr_debug on from the start; the
# "exactly one line" checks are about a quiet module, so every load but
# the balance test's turns them off.
QUIET=dyndbg=-p

# The running kernel's series by major.minor (6.1, 6.12, 7.3, ...): tests
# that differ between kernels compare it; 6.1 is the one without IBT.
KVER=$(uname -r | cut -d. -f1,2)
# The kernel's select-runtime function, where lsmrevoke's compile hook
# sits (module/compat.h): 7.x calls __bpf_prog_select_runtime() from
# bpf_check().
SELECT_RUNTIME=bpf_prog_select_runtime
grep -q ' __bpf_prog_select_runtime$' /proc/kallsyms &&
	SELECT_RUNTIME=__bpf_prog_select_runtime
# 7.x inlines bpf_get_current_task(_btf) into a read of current_task; in a
# program lsmrevoke did not see verified (loaded before it) that read counts
# as btf_read, conservatively (docs/kernel-reads.md): the suffix the
# requires of such a program that calls bpf_get_current_task gets.
case $KVER in
6.*) TASK_INLINE= ;;
*) TASK_INLINE=,btf_read ;;
esac

# load_objects TAG: load every object, pinned under $PINS/TAG/<object>/;
# "<name> <id>" lines go to $WORK/TAG.ids. Fails the current test for
# any object that does not load.
load_objects() {
	: >"$WORK/$1.ids"
	for _o in $OBJECTS; do
		if ! to 60 "$BIN" load "$PROGS/$_o.bpf.o" "$PINS/$1/$_o" \
			>>"$WORK/$1.ids" 2>"$WORK/$1.$_o.err"; then
			t_err "load $_o.bpf.o: expected success, saw failure"
			diag_file "$WORK/$1.$_o.err" "$_o: "
		fi
	done
	diag "loaded ($1):" $(cat "$WORK/$1.ids")
}

# id_of TAG NAME: the id recorded for program NAME by load_objects TAG.
id_of() {
	awk -v n="$2" '$1 == n { print $2 }' "$WORK/$1.ids" 2>/dev/null
}

# check_prog TAG NAME: the programs line of NAME matches EXPECT and is
# active.
check_prog() {
	_tag=$1
	_name=$2
	_id=$(id_of "$1" "$_name")
	if [ -z "$_id" ]; then
		t_err "$_name: not loaded, cannot check"
		return
	fi
	_exp=$(printf '%s\n' "$EXPECT" | awk -v n="$_name" '$2 == n')
	_l=$(prog_line "$_id")
	if [ -z "$_l" ]; then
		t_err "$_name (id $_id): expected a line in programs, saw none"
		return
	fi
	diag "$_name: $_l"
	set -- $_l
	t_eq "$_name type" "$(echo "$_exp" | cut -d' ' -f3)" "$2"
	t_eq "$_name name" "$(echo "$_exp" | cut -d' ' -f2)" "$3"
	_req=$(echo "$_exp" | cut -d' ' -f4)
	# A walked caller of bpf_get_current_task (the fifth column says
	# "task") reads current_task inline on 7.x.
	[ "$_tag" = before ] && [ "$(echo "$_exp" | cut -d' ' -f5)" = task ] &&
		_req=$_req$TASK_INLINE
	t_eq "$_name requires" "$_req" "$4"
	t_eq "$_name state" active "$5"
}

# check_prog_src TAG NAME SRC UIDS: src= and uid= of NAME's line.
check_prog_src() {
	_id=$(id_of "$1" "$2")
	[ -n "$_id" ] || return
	_l=$(prog_line "$_id")
	[ -n "$_l" ] || return
	t_eq "$2 src" "$3" "$(kv "$_l" src)"
	_u=$(kv "$_l" uid)
	case " $4 " in
	*" $_u "*) t_pass ;;
	*) t_err "$2 uid: expected one of '$4', saw '$_u'" ;;
	esac
}

# check_requires TAG NAME REQUIRES: just the requires field of NAME.
check_requires() {
	_id=$(id_of "$1" "$2")
	if [ -z "$_id" ]; then
		t_err "$2 ($1): not loaded, cannot check"
		return
	fi
	_l=$(prog_line "$_id")
	if [ -z "$_l" ]; then
		t_err "$2 ($1, id $_id): expected a line in programs, saw none"
		return
	fi
	t_eq "$2 ($1) requires" "$3" "$(echo "$_l" | cut -d' ' -f4)"
}

# check_format: programs has a '#' header, then only well-formed lines,
# and its type and name agree with what the kernel tells user space.
check_format() {
	if ! cat "$SFS/programs" >"$WORK/programs" 2>"$WORK/programs.err"; then
		t_err "read programs: expected success, saw $(cat "$WORK/programs.err")"
		return
	fi
	case $(head -n 1 "$WORK/programs") in
	'#'*) t_pass ;;
	*) t_err "programs header: expected a '#' line, saw '$(head -n 1 "$WORK/programs")'" ;;
	esac
	_bad=$(body "$WORK/programs" | grep -Ev "$PROG_RE" | head -n 1)
	if [ -n "$_bad" ]; then
		t_err "programs line format: expected '$PROG_RE', saw '$_bad'"
	fi
	"$BIN" show >"$WORK/show" 2>"$WORK/show.err" ||
		t_err "lsmrevoke-test show failed: $(cat "$WORK/show.err")"
	_mism=$(awk 'FILENAME == ARGV[1] { t[$1] = $2; n[$1] = $3; next }
		!/^#/ && ($1 in t) && (t[$1] != $2 || n[$1] != $3) {
			print $1 ": kernel says " t[$1] " " n[$1] ", programs says " $2 " " $3
			exit
		}' "$WORK/show" "$WORK/programs")
	[ -z "$_mism" ] || t_err "type/name: $_mism"
}

# need_module: load the module if a previous test left it unloaded.
need_module() {
	module_loaded && [ -r "$SFS/programs" ] && return 0
	to 60 modprobe lsmrevoke $QUIET >/dev/null 2>&1
	module_loaded && [ -r "$SFS/programs" ]
}

# ---------------------------------------------------------------------

test_walk() {
	t_begin walk
	if module_loaded; then
		diag "module already loaded at start; unloading it"
		rmmod lsmrevoke
	fi
	load_objects before
	mark
	if ! to 60 modprobe lsmrevoke $QUIET >"$WORK/modprobe.out" 2>&1; then
		t_err "modprobe lsmrevoke: expected success, saw '$(cat "$WORK/modprobe.out")'"
		diag_file "$WORK/modprobe.out"
		dmesg_since_mark | tail -n 20 >"$WORK/dmesg.tail"
		diag_file "$WORK/dmesg.tail" "dmesg: "
		t_end
		return
	fi
	module_lines_since_mark >"$WORK/load.lines"
	diag_file "$WORK/load.lines" "load: "
	t_eq "lines logged by modprobe" 1 "$(wc -l <"$WORK/load.lines")"
	check_format
	for _n in $(printf '%s\n' "$EXPECT" | awk '{ print $2 }'); do
		check_prog before "$_n"
		check_prog_src before "$_n" walk "0 -"
	done
	t_end
}

test_symbols() {
	t_begin symbols
	if ! need_module; then
		t_err "module not loaded"
		t_end
		return
	fi
	if ! cat "$SFS/symbols" >"$WORK/symbols" 2>"$WORK/symbols.err"; then
		t_err "read symbols: expected success, saw $(cat "$WORK/symbols.err")"
		t_end
		return
	fi
	diag_file "$WORK/symbols" "symbols: "
	case $(head -n 1 "$WORK/symbols") in
	'#'*) t_pass ;;
	*) t_err "symbols header: expected a '#' line, saw '$(head -n 1 "$WORK/symbols")'" ;;
	esac
	_bad=$(body "$WORK/symbols" | grep -Ev "$SYM_RE" | head -n 1)
	[ -z "$_bad" ] || t_err "symbols line format: expected '$SYM_RE', saw '$_bad'"

	_l=$(awk '$1 == "kallsyms_lookup_name"' "$WORK/symbols")
	if [ -z "$_l" ]; then
		t_err "kallsyms_lookup_name: expected a line, saw none"
	else
		set -- $_l
		t_eq "kallsyms_lookup_name via" thunk "$4"
		_c=$(kv "$_l" calls)
		case $_c in
		'' | *[!0-9]*) t_err "kallsyms_lookup_name calls: expected a number > 0, saw '$_c'" ;;
		0) t_err "kallsyms_lookup_name calls: expected > 0, saw 0" ;;
		*) t_pass ;;
		esac
		case $KVER in
		6.1) t_eq "kallsyms_lookup_name entry on 6.1 (no IBT)" plain "$3" ;;
		*) t_eq "kallsyms_lookup_name entry on $KVER (IBT seal)" sealed "$3" ;;
		esac
	fi
	# Every function the module calls through the thunk says how often.
	_nocalls=$(awk '!/^#/ && $4 == "thunk" && $0 !~ / calls=[0-9]+/ { print $1; exit }' "$WORK/symbols")
	[ -z "$_nocalls" ] || t_err "$_nocalls via thunk: expected calls=<n>, saw none"
	# 6.1 has no IBT: no function can carry an ENDBR or a seal.
	if [ "$KVER" = 6.1 ]; then
		_ibt=$(awk '!/^#/ && ($3 == "endbr" || $3 == "sealed") { print $1 " " $3; exit }' "$WORK/symbols")
		[ -z "$_ibt" ] || t_err "6.1 has no IBT: expected plain or data, saw '$_ibt'"
	fi

	# Addresses equal /proc/kallsyms (one pass over kallsyms; a name may
	# occur more than once there, the module's address must be one of them).
	echo 0 >/proc/sys/kernel/kptr_restrict 2>/dev/null
	awk 'FILENAME == ARGV[1] { if ($1 !~ /^#/) want[$1] = $2; next }
		($3 in want) && NF == 3 { seen[$3] = seen[$3] " " $1 }
		END {
			for (n in want) {
				if (index(seen[n] " ", " " want[n] " "))
					print "match " n
				else
					print "mismatch " n " module " want[n] " kallsyms" (n in seen ? seen[n] : " none")
			}
		}' "$WORK/symbols" /proc/kallsyms >"$WORK/symbols.cmp"
	_nmatch=$(grep -c '^match ' "$WORK/symbols.cmp")
	diag "symbols matching /proc/kallsyms: $_nmatch"
	if [ "$_nmatch" -eq 0 ]; then
		t_err "addresses: expected matches with /proc/kallsyms, saw none"
	fi
	grep '^mismatch ' "$WORK/symbols.cmp" >"$WORK/symbols.bad"
	if [ -s "$WORK/symbols.bad" ]; then
		diag_file "$WORK/symbols.bad"
		t_err "address: expected /proc/kallsyms' value, saw $(head -n 1 "$WORK/symbols.bad")"
	fi
	# (Per-cpu symbols are 0 in kallsyms by nature; text must not be.)
	if grep -q '^0000000000000000 [Tt] ' /proc/kallsyms; then
		diag "/proc/kallsyms hides text addresses: kptr_restrict not lifted"
	fi
	t_end
}

# The requirements table (module/requirement.c): a header, then one row
# per requirement in flag order, whose names are the ones programs uses,
# with the kernel's lockdown reasons for the two the kernel gates.
REQ_RE='^[a-z_]+ (LOCKDOWN_[A-Z_]+ [0-9]+ (integrity|confidentiality)|- -1 -) ([a-z_,]+|-) .+$'

test_requirements() {
	t_begin requirements
	if ! need_module; then
		t_err "module not loaded"
		t_end
		return
	fi
	if ! cat "$SFS/requirements" >"$WORK/reqs" 2>"$WORK/reqs.err"; then
		t_err "read requirements: expected success, saw $(cat "$WORK/reqs.err")"
		t_end
		return
	fi
	diag_file "$WORK/reqs" "requirements: "
	t_eq "requirements header" \
		'# name reason reason_nr level strict_adds detected_by' \
		"$(head -n 1 "$WORK/reqs")"
	_bad=$(body "$WORK/reqs" | grep -Ev "$REQ_RE" | head -n 1)
	[ -z "$_bad" ] || t_err "requirements line format: expected '$REQ_RE', saw '$_bad'"
	t_eq "requirement names in flag order" 'bpf_read_kernel bpf_write_user btf_read kfunc_read btf_print fmt_read ksym_read' \
		"$(body "$WORK/reqs" | awk '{ printf "%s%s", (NR > 1 ? " " : ""), $1 }')"
	t_eq "bpf_read_kernel row" 'LOCKDOWN_BPF_READ_KERNEL confidentiality -' \
		"$(awk '$1 == "bpf_read_kernel" { print $2, $4, $5 }' "$WORK/reqs")"
	t_eq "bpf_write_user row" 'LOCKDOWN_BPF_WRITE_USER integrity -' \
		"$(awk '$1 == "bpf_write_user" { print $2, $4, $5 }' "$WORK/reqs")"
	t_eq "btf_read row (strict adds bpf_read_kernel)" '- -1 - bpf_read_kernel' \
		"$(awk '$1 == "btf_read" { print $2, $3, $4, $5 }' "$WORK/reqs")"
	t_eq "kfunc_read row (strict adds bpf_read_kernel)" '- -1 - bpf_read_kernel' \
		"$(awk '$1 == "kfunc_read" { print $2, $3, $4, $5 }' "$WORK/reqs")"
	t_eq "btf_print row (strict adds bpf_read_kernel)" '- -1 - bpf_read_kernel' \
		"$(awk '$1 == "btf_print" { print $2, $3, $4, $5 }' "$WORK/reqs")"
	t_eq "fmt_read row (strict adds bpf_read_kernel)" '- -1 - bpf_read_kernel' \
		"$(awk '$1 == "fmt_read" { print $2, $3, $4, $5 }' "$WORK/reqs")"
	t_eq "ksym_read row (strict adds bpf_read_kernel)" '- -1 - bpf_read_kernel' \
		"$(awk '$1 == "ksym_read" { print $2, $3, $4, $5 }' "$WORK/reqs")"
	# The kernel orders integrity reasons before confidentiality ones.
	_w=$(awk '$1 == "bpf_write_user" { print $3 }' "$WORK/reqs")
	_r=$(awk '$1 == "bpf_read_kernel" { print $3 }' "$WORK/reqs")
	[ "${_w:-0}" -gt 0 ] && [ "${_r:-0}" -gt "${_w:-0}" ] ||
		t_err "reason numbers: expected 0 < bpf_write_user < bpf_read_kernel, saw '$_w' and '$_r'"
	t_end
}

test_load() {
	t_begin load
	if ! need_module; then
		t_err "module not loaded"
		t_end
		return
	fi
	load_objects after
	check_format
	for _n in $(printf '%s\n' "$EXPECT" | awk '{ print $2 }'); do
		check_prog after "$_n"
		check_prog_src after "$_n" load 0
	done
	t_end
}

test_subprog() {
	t_begin subprog
	if ! need_module; then
		t_err "module not loaded"
		t_end
		return
	fi
	# The helper must sit in a real subprogram, or the test proves nothing.
	_id=$(id_of after subprog_main)
	[ -n "$_id" ] || _id=$(id_of before subprog_main)
	if [ -z "$_id" ]; then
		t_err "subprog_main: not loaded, cannot check"
	else
		_f=$("$BIN" show | awk -v id="$_id" '$1 == id' | sed -n 's/.* funcs=//p')
		t_eq "subprog_main functions (main + subprogram)" 2 "$_f"
	fi
	check_requires before subprog_main "bpf_read_kernel$TASK_INLINE"
	check_requires after subprog_main bpf_read_kernel
	t_end
}

test_fentry_btf() {
	t_begin fentry_btf
	if ! need_module; then
		t_err "module not loaded"
		t_end
		return
	fi
	check_requires before fentry_btf btf_read
	check_requires after fentry_btf btf_read
	t_end
}

test_plain() {
	t_begin plain
	if ! need_module; then
		t_err "module not loaded"
		t_end
		return
	fi
	for _t in before after; do
		check_requires "$_t" plain_tp -
		check_requires "$_t" plain_sock -
	done
	t_end
}

test_free() {
	t_begin free
	if ! need_module; then
		t_err "module not loaded"
		t_end
		return
	fi
	if ! to 60 "$BIN" load "$PROGS/plain.bpf.o" "$PINS/free" \
		>"$WORK/free.ids" 2>"$WORK/free.err"; then
		t_err "load plain.bpf.o: expected success, saw $(cat "$WORK/free.err")"
		t_end
		return
	fi
	_tp=$(id_of free plain_tp)
	_sk=$(id_of free plain_sock)
	diag "free: plain_tp $_tp, plain_sock $_sk"
	if [ -z "$(prog_line "$_tp")" ] || [ -z "$(prog_line "$_sk")" ]; then
		t_err "expected lines for $_tp and $_sk before the free, saw none"
	fi
	rm "$PINS/free/plain_tp"
	if "$BIN" ids | grep -qx "$_tp"; then
		t_err "prog $_tp: expected gone from the kernel after rm, still listed"
	fi
	if poll_gone 5 "$_tp"; then
		t_pass
	else
		t_err "prog $_tp: expected its line gone within 5 s, saw '$(prog_line "$_tp")'"
	fi
	# The other program of the object is still alive and still listed.
	if [ -n "$(prog_line "$_sk")" ]; then
		t_pass
	else
		t_err "prog $_sk: expected still listed while pinned, saw no line"
	fi
	rm "$PINS/free/plain_sock"
	if poll_gone 5 "$_sk"; then
		t_pass
	else
		t_err "prog $_sk: expected its line gone within 5 s, saw '$(prog_line "$_sk")'"
	fi
	rmdir "$PINS/free" 2>/dev/null
	t_end
}

# ids_compare: $WORK/ids.module vs $WORK/ids.kernel, true when equal.
ids_compare() {
	body "$SFS/programs" | awk '{ print $1 }' | sort -n >"$WORK/ids.module"
	"$BIN" ids | sort -n >"$WORK/ids.kernel"
	cmp -s "$WORK/ids.module" "$WORK/ids.kernel"
}

test_churn() {
	t_begin churn
	if ! need_module; then
		t_err "module not loaded"
		t_end
		return
	fi
	rm -f "$WORK/stop" "$WORK/reader.out" "$WORK/reader.bad"
	# A reader that keeps reading programs, whole (cat) and in small
	# pieces (dd bs=61, many read() calls), and checks every snapshot:
	# each line well formed, no id twice.
	(
		_r=0
		_b=0
		while [ ! -e "$WORK/stop" ]; do
			_rc=0
			if [ $((_r % 2)) -eq 0 ]; then
				cat "$SFS/programs" >"$WORK/reader.snap" 2>&1 || _rc=1
			elif ! dd if="$SFS/programs" bs=61 2>"$WORK/reader.dd" \
				>"$WORK/reader.snap"; then
				_rc=1
				cat "$WORK/reader.dd" >>"$WORK/reader.snap"
			fi
			if [ "$_rc" -ne 0 ] ||
				body "$WORK/reader.snap" | grep -Evq "$PROG_RE" ||
				[ -n "$(body "$WORK/reader.snap" | awk '{ print $1 }' | sort | uniq -d)" ]; then
				_b=$((_b + 1))
				cp "$WORK/reader.snap" "$WORK/reader.bad"
			fi
			_r=$((_r + 1))
		done
		echo "$_r $_b" >"$WORK/reader.out"
	) &
	_rpid=$!
	# And one that reads without forking, thousands of times meanwhile.
	"$BIN" read-loop "$SFS/programs" "$WORK/stop" 120 >"$WORK/loop.out" 2>&1 &
	_lpid=$!

	# 100 sequential tracepoint programs alongside 100 socket filters
	# from 4 threads: 200 loads and frees, some overlapping.
	to 300 "$BIN" churn "$PROGS/plain.bpf.o" 100 1 plain_tp \
		>"$WORK/churn1.out" 2>&1 &
	_c1=$!
	to 300 "$BIN" churn "$PROGS/plain.bpf.o" 100 4 plain_sock \
		>"$WORK/churn2.out" 2>&1
	_rc2=$?
	wait "$_c1"
	_rc1=$?
	diag_file "$WORK/churn1.out" "churn1: "
	diag_file "$WORK/churn2.out" "churn2: "
	t_eq "sequential churn exit status" 0 "$_rc1"
	t_eq "parallel churn exit status" 0 "$_rc2"
	grep -q 'loaded 100 failed 0' "$WORK/churn1.out" ||
		t_err "sequential churn: expected 'loaded 100 failed 0', saw '$(tail -n 1 "$WORK/churn1.out")'"
	grep -q 'loaded 100 failed 0' "$WORK/churn2.out" ||
		t_err "parallel churn: expected 'loaded 100 failed 0', saw '$(tail -n 1 "$WORK/churn2.out")'"

	touch "$WORK/stop"
	_n=300
	while [ ! -s "$WORK/reader.out" ] && [ "$_n" -gt 0 ]; do
		nap
		_n=$((_n - 1))
	done
	if [ -s "$WORK/reader.out" ]; then
		wait "$_rpid"
		set -- $(cat "$WORK/reader.out")
		diag "reader: $1 reads, $2 bad"
		[ "$1" -gt 0 ] || t_err "reader: expected reads of programs, saw $1"
		t_eq "failed, malformed or duplicate-id reads of programs" 0 "$2"
		if [ -s "$WORK/reader.bad" ]; then
			diag_file "$WORK/reader.bad" "bad read: "
		fi
	else
		kill "$_rpid" 2>/dev/null
		t_err "reader: expected it to stop within 30 s, it hangs"
	fi

	wait "$_lpid"
	_lrc=$?
	diag_file "$WORK/loop.out" "read-loop: "
	t_eq "read-loop exit status (0: every snapshot well formed)" 0 "$_lrc"
	grep -q 'reads [1-9]' "$WORK/loop.out" ||
		t_err "read-loop: expected reads of programs, saw '$(cat "$WORK/loop.out")'"

	# Frees are deferred: wait until programs settles on the kernel's set.
	_n=100
	until ids_compare; do
		_n=$((_n - 1))
		[ "$_n" -gt 0 ] || break
		nap
	done
	if ids_compare; then
		t_pass
		diag "ids after churn: $(wc -l <"$WORK/ids.kernel") in both"
	else
		_stale=$(grep -vxF -f "$WORK/ids.kernel" "$WORK/ids.module" | head -n 10 | tr '\n' ' ')
		_miss=$(grep -vxF -f "$WORK/ids.module" "$WORK/ids.kernel" | head -n 10 | tr '\n' ' ')
		diag "stale: $(grep -cvxF -f "$WORK/ids.kernel" "$WORK/ids.module"), missing: $(grep -cvxF -f "$WORK/ids.module" "$WORK/ids.kernel")"
		t_err "ids in programs: expected the kernel's set after 10 s, saw stale [${_stale}] missing [${_miss}] (at most 10 each)"
	fi
	t_end
}

test_unpriv_read() {
	t_begin unpriv_read
	if ! need_module; then
		t_err "module not loaded"
		t_end
		return
	fi
	for _f in programs symbols; do
		set -- $(ls -ln "$SFS/$_f")
		t_eq "$_f mode" -r-------- "$1"
		t_eq "$_f owner uid" 0 "$3"
		t_eq "$_f owner gid" 0 "$4"
	done
	# The dropped user can run things at all, or the refusal means nothing.
	if "$BIN" asuser 65534 cat /proc/version >/dev/null 2>"$WORK/asuser.err"; then
		t_pass
	else
		t_err "asuser 65534 cat /proc/version: expected success, saw $(cat "$WORK/asuser.err")"
	fi
	for _f in programs symbols; do
		if "$BIN" asuser 65534 cat "$SFS/$_f" >"$WORK/unpriv.out" 2>&1; then
			t_err "uid 65534 reading $_f: expected refusal, saw success"
		elif grep -qi -e 'permission denied' -e 'not permitted' "$WORK/unpriv.out"; then
			t_pass
		else
			t_err "uid 65534 reading $_f: expected EACCES or EPERM, saw '$(cat "$WORK/unpriv.out")'"
		fi
	done
	# uid 0 without capabilities: file permissions allow it, the module's
	# CAP_SYS_ADMIN check must not.
	_capeff=$("$BIN" nocap cat /proc/self/status 2>&1 | sed -n 's/^CapEff:[[:space:]]*//p')
	t_eq "CapEff under nocap" 0000000000000000 "$_capeff"
	if "$BIN" nocap cat "$SFS/programs" >"$WORK/nocap.out" 2>&1; then
		t_err "uid 0 without capabilities reading programs: expected refusal, saw success"
	elif grep -qi -e 'permission denied' -e 'not permitted' "$WORK/nocap.out"; then
		t_pass
	else
		t_err "uid 0 without capabilities reading programs: expected EPERM, saw '$(cat "$WORK/nocap.out")'"
	fi
	t_end
}

# What the module places in the kernel and must take out again: every
# kprobe, and the ftrace users on the functions it redirects (hooks.c's
# redirects are ftrace_ops, not kprobes; tracefs enabled_functions).
kprobes_list() {
	cat /sys/kernel/debug/kprobes/list 2>/dev/null
	grep -E "^($SELECT_RUNTIME|__x64_sys_delete_module|__ia32_sys_delete_module|write_enabled_file_bool) " \
		/sys/kernel/tracing/enabled_functions 2>/dev/null | sed 's/^/ftrace: /'
}

test_missing_symbol() {
	t_begin missing_symbol
	if module_loaded && ! to 60 rmmod lsmrevoke >"$WORK/rmmod.out" 2>&1; then
		t_err "rmmod lsmrevoke: expected success, saw '$(cat "$WORK/rmmod.out")'"
		t_end
		return
	fi
	[ -d /sys/kernel/debug/kprobes ] ||
		mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	kprobes_list >"$WORK/kprobes.before"
	mark
	if to 60 modprobe lsmrevoke $QUIET test_require_symbol=lsmrevoke_no_such_sym \
		>"$WORK/modprobe.out" 2>&1; then
		t_err "modprobe with a missing required symbol: expected failure, saw success"
	else
		diag_file "$WORK/modprobe.out" "modprobe: "
		if grep -qi -e 'unknown symbol in module' -e 'no such file or directory' \
			"$WORK/modprobe.out"; then
			t_pass
		else
			t_err "modprobe error: expected ENOENT, saw '$(cat "$WORK/modprobe.out")'"
		fi
	fi
	dmesg_since_mark >"$WORK/dmesg.missing"
	diag_file "$WORK/dmesg.missing" "dmesg: "
	if grep 'lsmrevoke: ' "$WORK/dmesg.missing" | grep -q 'lsmrevoke_no_such_sym'; then
		t_pass
	else
		t_err "dmesg: expected a 'lsmrevoke: ' line naming lsmrevoke_no_such_sym, saw none"
	fi
	if module_loaded; then
		t_err "lsmod: expected no lsmrevoke after the failed load, saw it"
	else
		t_pass
	fi
	[ -e "$SFS" ] && t_err "securityfs: expected no $SFS after the failed load, saw it"
	if [ -d /sys/kernel/debug/kprobes ]; then
		kprobes_list >"$WORK/kprobes.after"
		if cmp -s "$WORK/kprobes.before" "$WORK/kprobes.after"; then
			t_pass
		else
			diag_file "$WORK/kprobes.after" "kprobes after: "
			t_err "kprobes: expected the list from before the failed load, saw a different one"
		fi
	else
		diag "no debugfs: kprobes list not compared"
	fi
	if to 60 modprobe lsmrevoke $QUIET >"$WORK/modprobe.out" 2>&1 &&
		[ -r "$SFS/programs" ]; then
		t_pass
	else
		t_err "plain modprobe after the failure: expected success, saw '$(cat "$WORK/modprobe.out")'"
	fi
	t_end
}

# track_sets: the ids of "track prog N" and "untrack prog N" lines since
# the last mark, sorted, into $WORK/tracked and $WORK/untracked.
track_sets() {
	dmesg_since_mark >"$WORK/dmesg.dbg"
	sed -n 's/.*lsmrevoke: track prog \([0-9][0-9]*\).*/\1/p' "$WORK/dmesg.dbg" |
		sort -n >"$WORK/tracked"
	sed -n 's/.*lsmrevoke: untrack prog \([0-9][0-9]*\).*/\1/p' "$WORK/dmesg.dbg" |
		sort -n >"$WORK/untracked"
}

# freed_but_tracked: ids tracked since the mark, never untracked, and no
# longer alive in the kernel (at most 10).
freed_but_tracked() {
	track_sets
	"$BIN" ids >"$WORK/ids.live"
	grep -vxF -f "$WORK/untracked" "$WORK/tracked" |
		grep -vxF -f "$WORK/ids.live" | head -n 10 | tr '\n' ' '
}

test_unload_balance() {
	t_begin unload_balance
	if ! need_module; then
		t_err "module not loaded"
		t_end
		return
	fi
	mark
	if to 60 rmmod lsmrevoke >"$WORK/rmmod.out" 2>&1; then
		module_lines_since_mark >"$WORK/unload.lines"
		diag_file "$WORK/unload.lines" "unload: "
		t_eq "lines logged by rmmod" 1 "$(wc -l <"$WORK/unload.lines")"
	else
		t_err "rmmod lsmrevoke: expected success, saw '$(cat "$WORK/rmmod.out")'"
		t_end
		return
	fi
	module_loaded && t_err "lsmod: expected no lsmrevoke after rmmod, saw it"

	# Debug lines on: the walk, loads, a churn, frees, then the unload.
	mark
	if ! to 60 modprobe lsmrevoke dyndbg=+p >"$WORK/modprobe.out" 2>&1; then
		t_err "modprobe lsmrevoke dyndbg=+p: expected success, saw '$(cat "$WORK/modprobe.out")'"
		t_end
		return
	fi
	to 60 "$BIN" load "$PROGS/read_kernel.bpf.o" "$PINS/dbg" >"$WORK/dbg.ids" 2>&1 ||
		t_err "load read_kernel.bpf.o: expected success, saw $(cat "$WORK/dbg.ids")"
	to 300 "$BIN" churn "$PROGS/plain.bpf.o" 50 2 >"$WORK/dbg.churn" 2>&1 ||
		t_err "churn: expected success, saw $(cat "$WORK/dbg.churn")"
	_id=$(awk '{ print $2 }' "$WORK/dbg.ids" | head -n 1)
	rm -f "$PINS/dbg/read_kernel"
	rmdir "$PINS/dbg" 2>/dev/null
	[ -z "$_id" ] || poll_gone 5 "$_id" ||
		t_err "prog $_id: expected its line gone within 5 s, saw '$(prog_line "$_id")'"
	# Before the unload, every freed program has had its untrack line
	# (the unload would hide a leak by untracking everything).
	_n=50
	until [ -z "$(freed_but_tracked)" ]; do
		_n=$((_n - 1))
		[ "$_n" -gt 0 ] || break
		nap
	done
	_leak=$(freed_but_tracked)
	if [ -z "$_leak" ]; then
		t_pass
	else
		t_err "freed programs without an untrack line before rmmod: [${_leak}]"
	fi
	if ! to 60 rmmod lsmrevoke >"$WORK/rmmod.out" 2>&1; then
		t_err "rmmod lsmrevoke (debug): expected success, saw '$(cat "$WORK/rmmod.out")'"
	fi
	track_sets
	_nt=$(wc -l <"$WORK/tracked")
	_nu=$(wc -l <"$WORK/untracked")
	diag "track lines $_nt, untrack lines $_nu"
	# At least the churn's 50 programs and the pinned ones went through.
	if [ "$_nt" -ge 50 ]; then
		t_pass
	else
		t_err "track lines: expected >= 50 (churn of 50), saw $_nt"
	fi
	_dup=$(uniq -d "$WORK/tracked" | head -n 1)
	[ -z "$_dup" ] || t_err "prog $_dup: expected tracked once, saw more"
	_dup=$(uniq -d "$WORK/untracked" | head -n 1)
	[ -z "$_dup" ] || t_err "prog $_dup: expected untracked once, saw more"
	_lost=$(grep -vxF -f "$WORK/untracked" "$WORK/tracked" | head -n 5 | tr '\n' ' ')
	[ -z "$_lost" ] || t_err "tracked but never untracked: [${_lost}]"
	_extra=$(grep -vxF -f "$WORK/tracked" "$WORK/untracked" | head -n 5 | tr '\n' ' ')
	[ -z "$_extra" ] || t_err "untracked but never tracked: [${_extra}]"
	[ "$_nt" -eq "$_nu" ] || t_err "track/untrack lines: expected equal counts, saw $_nt and $_nu"
	t_end
}

test_dmesg_clean() {
	t_begin dmesg_clean
	dmesg >"$WORK/dmesg.all"
	grep -n -e 'WARNING:' -e 'BUG:' -e 'Oops' -e 'general protection fault' \
		-e 'Call Trace:' "$WORK/dmesg.all" >"$WORK/dmesg.bad"
	if [ -s "$WORK/dmesg.bad" ]; then
		diag_file "$WORK/dmesg.bad" "dmesg: "
		t_err "dmesg: expected no WARNING/BUG/Oops, saw '$(head -n 1 "$WORK/dmesg.bad")'"
	else
		t_pass
	fi
	t_end
}

# Leave nothing behind: free every pinned program with the module loaded
# (its free path runs for each), then unload it.
cleanup() {
	need_module >/dev/null 2>&1
	rm -rf "$PINS" 2>/dev/null
	_n=50
	until ids_compare 2>/dev/null; do
		_n=$((_n - 1))
		[ "$_n" -gt 0 ] || break
		nap
	done
	ids_compare 2>/dev/null || diag "cleanup: programs and the kernel disagree after 5 s"
	module_loaded && to 60 rmmod lsmrevoke
}

# ---------------------------------------------------------------------

mkdir -p "$WORK"
diag "lsmrevoke suite on $(uname -r) ($KVER)"
for _p in "$BIN" $(for _o in $OBJECTS; do echo "$PROGS/$_o.bpf.o"; done); do
	[ -e "$_p" ] || diag "setup: missing $_p"
done
grep -q ' /sys/fs/bpf bpf ' /proc/mounts || diag "setup: no bpffs at /sys/fs/bpf"
grep -q ' /sys/kernel/security securityfs ' /proc/mounts ||
	diag "setup: no securityfs at /sys/kernel/security"

test_walk
test_symbols
test_requirements
test_load
test_subprog
test_fentry_btf
test_plain
test_free
test_churn
test_unpriv_read
test_missing_symbol
test_unload_balance

# Scenario groups, one file each, run in name order. Each starts with no
# test program loaded and the module unloaded, runs its own tests when
# sourced, and leaves things that way.
# Each group's wall time goes to the log ("# NN-name.sh: N s"): CI's
# lane times in the README come from these lines.
diag "core tests: $(($(date +%s) - SUITE_T0)) s"
cleanup
for _t in "$T"/guest/suite.d/*.sh; do
	[ -e "$_t" ] || continue
	diag "running $(basename "$_t")"
	SUITE_GROUP=$(basename "$_t")
	SUITE_GROUP_T0=$(date +%s)
	. "$_t"
	diag "$SUITE_GROUP: $(($(date +%s) - SUITE_GROUP_T0)) s"
done

cleanup
test_dmesg_clean

emit "$PASSED passed, $FAILED failed"
diag "$SKIPPED skipped"
[ "$FAILED" -eq 0 ]
