# SPDX-License-Identifier: GPL-2.0
#
# Helpers for suite.sh (sourced; POSIX sh as busybox runs it).
#
# Results go to $RESULTS one line each: "#N name:OK", "#N name:FAIL why",
# "#N name:SKIP why"; diagnostics as "# ..." lines. Everything is echoed
# to stdout as well, for the console log.

N=0
PASSED=0
FAILED=0
SKIPPED=0
CUR=
CUR_ERR=
MARK=0

emit() {
	printf '%s\n' "$*"
	[ -z "$RESULTS" ] || printf '%s\n' "$*" >>"$RESULTS"
}

diag() {
	emit "# $*"
}

# diag_file FILE [PREFIX]: every line of FILE as a diagnostic.
diag_file() {
	[ -s "$1" ] || return 0
	while IFS= read -r _l; do
		diag "${2:-}$_l"
	done <"$1"
}

ok() {
	N=$((N + 1))
	PASSED=$((PASSED + 1))
	emit "#$N $1:OK"
}

fail() {
	N=$((N + 1))
	FAILED=$((FAILED + 1))
	emit "#$N $1:FAIL $2"
}

skip() {
	N=$((N + 1))
	SKIPPED=$((SKIPPED + 1))
	emit "#$N $1:SKIP $2"
}

# A test: t_begin NAME; t_err "expected X, saw Y" for every failed check
# (the first one is reported on the result line, every one as a
# diagnostic); t_end reports. A test that checks nothing is a failure.
T_CHECKS=0
t_begin() {
	CUR=$1
	CUR_ERR=
	T_CHECKS=0
	diag "--- $CUR"
}

t_err() {
	T_CHECKS=$((T_CHECKS + 1))
	diag "$CUR: $*"
	[ -n "$CUR_ERR" ] || CUR_ERR=$*
}

t_pass() {
	T_CHECKS=$((T_CHECKS + 1))
}

# t_eq WHAT EXPECTED ACTUAL
t_eq() {
	if [ "$2" = "$3" ]; then
		t_pass
	else
		t_err "$1: expected '$2', saw '$3'"
	fi
}

t_end() {
	if [ -n "$CUR_ERR" ]; then
		fail "$CUR" "$CUR_ERR"
	elif [ "$T_CHECKS" -eq 0 ]; then
		fail "$CUR" "no check ran"
	else
		ok "$CUR"
	fi
}

t_skip() {
	skip "$CUR" "$*"
}

# nap: a short pause for polls (busybox sleep takes fractions).
nap() {
	sleep 0.1 2>/dev/null || sleep 1
}

# to SECS CMD...: run CMD, killed after SECS seconds if it hangs.
if timeout 1 true 2>/dev/null; then
	to() {
		_s=$1
		shift
		timeout "$_s" "$@"
	}
else
	to() {
		shift
		"$@"
	}
fi

# Kernel log from the last mark on. mark writes a unique line into the
# kernel log; dmesg_since_mark prints what came after it.
mark() {
	MARK=$((MARK + 1))
	echo "lsmrevoke-suite: mark $MARK" >/dev/kmsg
}

dmesg_since_mark() {
	dmesg | sed -n "/lsmrevoke-suite: mark $MARK\$/,\$p" | sed 1d
}

# The module's own lines since the mark: "lsmrevoke: ..." without the
# kernel's taint notices, which carry the module name too.
module_lines_since_mark() {
	dmesg_since_mark | grep 'lsmrevoke: ' |
		grep -v -e 'taints kernel' -e 'tainting kernel'
}

module_loaded() {
	grep -q '^lsmrevoke ' /proc/modules
}

# Body of a programs/symbols file without its header line(s).
body() {
	grep -v '^#' "$1"
}

# prog_line ID: the line of program ID in the programs file, or nothing.
prog_line() {
	awk -v id="$1" '$1 == id' "$SFS/programs"
}

# kv LINE KEY: the value of KEY=value in LINE, or nothing.
kv() {
	printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1
}

# poll_gone SECS ID: wait until program ID has no line in programs.
poll_gone() {
	_n=$(($1 * 10))
	while [ "$_n" -gt 0 ]; do
		[ -z "$(prog_line "$2")" ] && return 0
		nap
		_n=$((_n - 1))
	done
	return 1
}

# The kernel's names of the int3 text-poke batch lsmrevoke writes entries
# with (7.x renamed both; the symbols file shows the kernel's names).
if grep -qw smp_text_poke_batch_add /proc/kallsyms 2>/dev/null; then
	POKE_QUEUE=smp_text_poke_batch_add
	POKE_FINISH=smp_text_poke_batch_finish
else
	POKE_QUEUE=text_poke_queue
	POKE_FINISH=text_poke_finish
fi

# plan_ids FILE KIND: the sorted IDs of the KIND lines (revoke, restore,
# stays, unknown, withdraw) of "lsmrevoke plan" output FILE, one line.
plan_ids() {
	awk -v k="$2" '$1 == k { print $2 }' "$1" | sort -n | tr '\n' ' '
}

# plan_json_ids FILE LIST: the sorted IDs in "lsmrevoke plan --json"
# output FILE's LIST (revoke, restore, stays_running, undetermined,
# withdraw), one line.
plan_json_ids() {
	sed -n "s/.*\"$2\":\\[\\(.*\\)/\\1/p" "$1" |
		sed 's/\],"[a-z_]*":\[.*//' | grep -o '"id":[0-9]*' |
		cut -d: -f2 | sort -n | tr '\n' ' '
}

# snap_ids FILE STATE: the sorted IDs of a programs snapshot FILE whose
# state is STATE (unrevocable: any reason), one line.
snap_ids() {
	awk -v s="$2" '!/^#/ { st = $5; sub(/:.*/, "", st); if (st == s) print $1 }' \
		"$1" | sort -n | tr '\n' ' '
}

# ids_minus A B: the IDs of list A not in list B, sorted, one line.
ids_minus() {
	for _im in $1; do
		case " $2 " in
		*" $_im "*) ;;
		*) echo "$_im" ;;
		esac
	done | sort -n | tr '\n' ' '
}

# newly_withdrawn BEFORE AFTER: the programs withdrawn in programs snapshot
# AFTER and not in BEFORE.
newly_withdrawn() {
	ids_minus "$(snap_ids "$2" withdrawn)" "$(snap_ids "$1" withdrawn)"
}

# t_plan_agree WHAT PLAN BEFORE AFTER: what the change really did, from
# programs snapshots BEFORE and AFTER it, is what "lsmrevoke plan" output
# PLAN said: the newly revoked are its revoke lines, the restored its
# restore lines, the newly withdrawn its withdraw lines, exactly; the
# unrevocable after it include its stays lines.
t_plan_agree() {
	_rb=$(snap_ids "$3" revoked)
	_ra=$(snap_ids "$4" revoked)
	t_eq "$1: revoked by the change vs plan's revoke" \
		"$(plan_ids "$2" revoke)" "$(ids_minus "$_ra" "$_rb")"
	t_eq "$1: restored by the change vs plan's restore" \
		"$(plan_ids "$2" restore)" "$(ids_minus "$_rb" "$_ra")"
	t_eq "$1: plan's stays not unrevocable after the change" "" \
		"$(ids_minus "$(plan_ids "$2" stays)" "$(snap_ids "$4" unrevocable)")"
	t_eq "$1: withdrawn by the change vs plan's withdraw" \
		"$(plan_ids "$2" withdraw)" "$(newly_withdrawn "$3" "$4")"
}
