# SPDX-License-Identifier: GPL-2.0
#
# Policy sources other than lockdown (sourced by suite.sh; busybox sh).
# The policy is tightened by attaching policy_deny.bpf.o, a BPF-LSM
# locked_down program denying the lockdown reasons of its mask, and relaxed
# by detaching it; no test here writes revalidate: every pass must come
# from the change itself. The offenders (policy_off.bpf.o) count
# getpriority() calls of the pid that "lsmrevoke-test policy fire" sets:
# po_read (bpf_probe_read_kernel), po_write (bpf_probe_write_user into a
# buffer of that pid) and the control po_ctl.
#
#   policy_attach    attach/detach of the denier revokes/restores at once
#   policy_modprobe  a denier attached before modprobe: revoked on return
#   policy_mode      mode=audit logs and patches nothing; enforce applies
#   policy_audit     one audit record per decision, with the right fields
#   policy_race      loads racing a policy change: no offender runs
#   policy_flood     1,000 policy flips: a bounded number of log lines
#   policy_batch     300 offenders revoked by one pass (several batches of
#                    entry writes) and restored byte-exact by the next
#   policy_drain     a sleepable offender blocked in a page fault when it
#                    is revoked: the attach that revoked it returns after
#                    the 1 s drain bound, reporting the run in flight
#                    (before: at once, nothing reported)
#
# Leaves the module unloaded and every program of its own freed. With
# PO_HELPERS_ONLY set, only defines the helpers (for 90-lockdown.sh).

PP=$PINS/policy		# pins of this file
PW=$WORK/policy		# work files
PN=20			# events per phase
PO_OBJ=$PROGS/policy_off.bpf.o
PO_DENY=$PROGS/policy_deny.bpf.o
PO_RACE=$PROGS/policy_race.bpf.o
PO_VARS='read_runs write_runs ctl_runs'
PO_FLIPS=1000		# policy flips of the flood (40-120 ms each under TCG)
PO_HOLD=
PO_DENY_ID=
PO_BURST=

mkdir -p "$PW"

# --- helpers (po_*: the shell's functions are global) -----------------

po_isnum() {
	case $1 in
	'' | *[!0-9-]*) return 1 ;;
	esac
	return 0
}

# po_eq WHAT EXPECTED ACTUAL / po_ge WHAT MIN ACTUAL (numbers)
po_eq() {
	if po_isnum "$3" && [ "$3" -eq "$2" ]; then
		t_pass
	else
		t_err "$1: expected $2, saw '$3'"
	fi
}

po_ge() {
	if po_isnum "$3" && [ "$3" -ge "$2" ]; then
		t_pass
	else
		t_err "$1: expected >= $2, saw '$3'"
	fi
}

# po_modprobe ARGS...: a fresh load of the module with ARGS.
po_modprobe() {
	module_loaded && to 60 rmmod lsmrevoke
	if to 60 modprobe lsmrevoke $QUIET "$@" >"$PW/modprobe.out" 2>&1 &&
		[ -r "$SFS/programs" ]; then
		return 0
	fi
	t_err "modprobe lsmrevoke $*: expected success, saw '$(cat "$PW/modprobe.out")'"
	return 1
}

po_rmmod() {
	module_loaded || return 0
	to 60 rmmod lsmrevoke >"$PW/rmmod.out" 2>&1 ||
		t_err "rmmod lsmrevoke: expected success, saw '$(cat "$PW/rmmod.out")'"
}

# po_up TAG: policy_off.bpf.o loaded, attached and pinned under $PP/TAG;
# "<name> <id>" lines in $PW/TAG.ids.
po_up() {
	rm -rf "${PP:?}/$1"
	if to 60 "$BIN" policy up "$PO_OBJ" "$PP/$1" >"$PW/$1.ids" 2>"$PW/$1.err"; then
		diag "$1: $(tr '\n' ' ' <"$PW/$1.ids")"
		return 0
	fi
	t_err "load policy_off.bpf.o ($1): expected success, saw '$(tail -n 1 "$PW/$1.err")'"
	return 1
}

# po_id TAG NAME
po_id() {
	awk -v n="$2" '$1 == n { print $2 }' "$PW/$1.ids" 2>/dev/null
}

# po_state ID [SNAPSHOT]: the state of ID in SNAPSHOT (default: now).
po_state() {
	_f=${2:-$SFS/programs}
	_s=$(awk -v id="$1" '$1 == id { print $5 }' "$_f" 2>/dev/null)
	echo "${_s:-none}"
}

# po_want WHAT ID STATE [SNAPSHOT]
po_want() {
	t_eq "$1 (prog $2) state" "$3" "$(po_state "$2" "${4:-}")"
}

# po_fire TAG: PN events with TAG's monitored_pid; the result (var=delta
# ... written=N errors=N) in PO_FIRE.
po_fire() {
	PO_FIRE=
	if ! PO_FIRE=$(to 60 "$BIN" policy fire "$PP/$1" "$PN" $PO_VARS 2>"$PW/fire.err"); then
		t_err "fire ($1): expected success, saw '$(tail -n 1 "$PW/fire.err")'"
		PO_FIRE=
		return 1
	fi
	diag "$1: $PO_FIRE"
}

# po_counts PHASE "R W C" [FIRE]: read/write/control deltas and the
# buffer writes of the last fire (or of FIRE) are exactly R W C, W.
po_counts() {
	if [ $# -ge 3 ]; then
		_f=$3
	else
		_f=$PO_FIRE
	fi
	set -- "$1" $2
	po_eq "$1: po_read runs" "$2" "$(kv "$_f" read_runs)"
	po_eq "$1: po_write runs" "$3" "$(kv "$_f" write_runs)"
	po_eq "$1: buffer writes seen by the monitored task" "$3" "$(kv "$_f" written)"
	po_eq "$1: po_ctl runs" "$4" "$(kv "$_f" ctl_runs)"
	po_eq "$1: failed getpriority calls" 0 "$(kv "$_f" errors)"
}

# po_stat KEY: a value of the stats file.
po_stat() {
	awk -v k="$1" '$1 == k { print $2 }' "$SFS/stats" 2>/dev/null
}

# po_hold_on MASK: a process attaches the denier and holds its link
# (attached when po_hold_on returns); po_hold_off makes it destroy the
# link through its fd, which is synchronous, and waits for it to exit.
po_hold_on() {
	rm -f "$PW/ready" "$PW/stop"
	"$BIN" policy hold "$PO_DENY" "$1" "$PW/ready" "$PW/stop" \
		>"$PW/hold.out" 2>&1 &
	PO_HOLD=$!
	_n=300
	while [ ! -s "$PW/ready" ]; do
		if ! kill -0 "$PO_HOLD" 2>/dev/null || [ "$_n" -le 0 ]; then
			t_err "attach the denier ($1): expected it attached within 30 s, saw '$(cat "$PW/hold.out")'"
			po_hold_off
			return 1
		fi
		_n=$((_n - 1))
		nap
	done
	PO_DENY_ID=$(cat "$PW/ready")
	diag "denier ($1) attached: prog $PO_DENY_ID"
}

po_hold_off() {
	[ -n "$PO_HOLD" ] || return 0
	touch "$PW/stop"
	wait "$PO_HOLD"
	_rc=$?
	PO_HOLD=
	[ "$_rc" -eq 0 ] ||
		t_err "detach the denier: expected exit 0, saw $_rc ('$(cat "$PW/hold.out")')"
}

# po_gone ID SECS: wait until program ID is freed.
po_gone() {
	_n=$(($2 * 10))
	while "$BIN" ids | grep -qx "$1"; do
		_n=$((_n - 1))
		[ "$_n" -gt 0 ] || return 1
		nap
	done
}

# po_free TAG...: unpin and wait until their programs are freed.
po_free() {
	for _t in "$@"; do
		rm -rf "${PP:?}/$_t"
	done
	for _t in "$@"; do
		for _i in $(awk '{ print $2 }' "$PW/$_t.ids" 2>/dev/null); do
			po_gone "$_i" 10 || diag "prog $_i ($_t): still loaded 10 s after unpinning"
		done
	done
}

# po_burst_up / po_burst_down: printk's rate limit off for the kernel's
# audit printk (kauditd prints records through printk_ratelimit() when no
# auditd listens), and put back. The interval goes to 0 (never limit): 7.x
# applies a raised burst only when the current interval ends.
po_burst_up() {
	PO_BURST=$(cat /proc/sys/kernel/printk_ratelimit_burst)
	PO_RLI=$(cat /proc/sys/kernel/printk_ratelimit)
	echo 100000 >/proc/sys/kernel/printk_ratelimit_burst
	echo 0 >/proc/sys/kernel/printk_ratelimit
}

po_burst_down() {
	[ -n "$PO_BURST" ] && echo "$PO_BURST" >/proc/sys/kernel/printk_ratelimit_burst
	[ -n "$PO_RLI" ] && echo "$PO_RLI" >/proc/sys/kernel/printk_ratelimit
	PO_BURST=
	PO_RLI=
}

# po_records FILE: our audit records since the mark (op=revoke, restore or
# unrevocable; the kernel's own type=1334 records say op=LOAD/UNLOAD),
# one per line: op id name type reason uid enforced.
po_records() {
	dmesg_since_mark | grep 'audit: type=1334 ' |
		grep -E ' op=(revoke|restore|unrevocable) ' |
		sed -n 's/.* op=\([a-z]*\) prog-id=\([0-9]*\) prog-name=\([^ ]*\) prog-type=\([^ ]*\) reason=\([^ ]*\) loader-uid=\([-0-9]*\) enforced=\([01]\).*/\1 \2 \3 \4 \5 \6 \7/p' \
		>"$1"
}

# po_wait_records FILE N: poll (5 s) until N records arrived, then give
# stragglers half a second.
po_wait_records() {
	_n=50
	while :; do
		po_records "$1"
		[ "$(wc -l <"$1")" -ge "$2" ] && break
		_n=$((_n - 1))
		[ "$_n" -gt 0 ] || break
		nap
	done
	sleep 0.5 2>/dev/null || sleep 1
	po_records "$1"
}

[ -z "${PO_HELPERS_ONLY:-}" ] || return 0

# --- 1: attach and detach of a locked_down program ---------------------

test_policy_attach() {
	t_begin policy_attach
	if ! po_modprobe || ! po_up att; then
		t_end
		return
	fi
	_r=$(po_id att po_read)
	_w=$(po_id att po_write)
	_c=$(po_id att po_ctl)
	_p0=$(po_stat passes)
	# One process: fire, attach, snapshot, fire, destroy, snapshot, fire.
	if ! to 60 "$BIN" policy cycle "$PO_DENY" read "$PP/att" "$PN" \
		"$PW/att" $PO_VARS >"$PW/cycle.out" 2>"$PW/cycle.err"; then
		t_err "attach/detach cycle: expected success, saw '$(tail -n 1 "$PW/cycle.err")'"
	else
		diag_file "$PW/cycle.out" "cycle: "
		po_counts before "$PN $PN $PN" "$(grep '^before ' "$PW/cycle.out")"
		po_want "po_read right after the attach returned" "$_r" revoked "$PW/att.attached"
		po_want "po_write right after the attach (write allowed)" "$_w" active "$PW/att.attached"
		po_want "po_ctl right after the attach" "$_c" active "$PW/att.attached"
		po_counts attached "0 $PN $PN" "$(grep '^attached ' "$PW/cycle.out")"
		po_want "po_read right after the detach returned" "$_r" active "$PW/att.detached"
		po_counts detached "$PN $PN $PN" "$(grep '^detached ' "$PW/cycle.out")"
	fi
	_p1=$(po_stat passes)
	if po_isnum "$_p0" && po_isnum "$_p1"; then
		po_eq "passes for one attach and one detach" 2 $((_p1 - _p0))
	else
		t_err "stats passes: expected numbers, saw '$_p0' and '$_p1'"
	fi

	# A detach by unpinning: the link goes after an RCU grace period, the
	# pass runs from a worker; poll.
	_id=$(to 60 "$BIN" policy pin "$PO_DENY" read "$PP/att_deny" 2>"$PW/pin.err")
	if [ -z "$_id" ]; then
		t_err "attach and pin the denier: expected its id, saw '$(cat "$PW/pin.err")'"
	else
		po_want "po_read after the attach of a pinned denier" "$_r" revoked
		po_fire att && po_counts "pinned denier" "0 $PN $PN"
		rm -f "$PP/att_deny"
		_n=100
		while [ "$(po_state "$_r")" != active ] && [ "$_n" -gt 0 ]; do
			_n=$((_n - 1))
			nap
		done
		diag "po_read active again $(((100 - _n) * 100)) ms after the unpin (polled)"
		po_want "po_read within 10 s of unpinning the denier" "$_r" active
		po_fire att && po_counts "denier unpinned" "$PN $PN $PN"
		po_gone "$_id" 10 ||
			t_err "denier (prog $_id): expected freed within 10 s of unpinning, still loaded"
	fi
	t_end
}

# --- 2: a denier attached before modprobe --------------------------------

test_policy_modprobe() {
	t_begin policy_modprobe
	po_rmmod
	_r=$(po_id att po_read)
	_c=$(po_id att po_ctl)
	if [ -z "$_r" ] || ! po_hold_on read; then
		[ -n "$_r" ] || t_err "offenders of policy_attach: expected loaded, saw none"
		t_end
		return
	fi
	if po_modprobe; then
		cat "$SFS/programs" >"$PW/modprobe.snap"
		po_want "po_read (loaded before) when modprobe returned" "$_r" revoked "$PW/modprobe.snap"
		po_want "po_ctl when modprobe returned" "$_c" active "$PW/modprobe.snap"
		_l=$(awk -v id="$_r" '$1 == id' "$PW/modprobe.snap")
		t_eq "po_read src (found by the walk)" walk "$(kv "$_l" src)"
		t_eq "po_read uid (no loader known)" - "$(kv "$_l" uid)"
		po_eq "stats revoked after modprobe" 1 "$(po_stat revoked)"
		po_fire att && po_counts "under the denier" "0 $PN $PN"
	fi
	po_hold_off
	po_want "po_read after the denier's link was destroyed" "$_r" active
	po_fire att && po_counts "after the detach" "$PN $PN $PN"
	t_end
}

# --- 3: audit mode ---------------------------------------------------------

# po_mode_write VALUE EXPECT [SNAPSHOT]: one write to mode, its result;
# programs read right after it returned into SNAPSHOT.
po_mode_write() {
	t_eq "write '$1' to mode" "$2" "$("$BIN" policy write "$SFS/mode" "$1" ${3:+"$3"} 2>&1)"
}

test_policy_mode() {
	t_begin policy_mode
	_r=$(po_id att po_read)
	_c=$(po_id att po_ctl)
	if ! po_modprobe mode=audit; then
		t_end
		return
	fi
	t_eq "mode after modprobe mode=audit" audit "$(cat "$SFS/mode")"
	set -- $(ls -ln "$SFS/mode")
	t_eq "mode file permissions" -rw------- "$1"
	po_burst_up
	# Records of earlier tests are printed by kauditd, asynchronously.
	sleep 1
	mark
	if po_hold_on read; then
		po_want "po_read under the denier, audit mode" "$_r" active
		po_eq "stats revocations in audit mode" 0 "$(po_stat revocations)"
		po_fire att && po_counts "audit mode, denier attached" "$PN $PN $PN"
		dmesg_since_mark >"$PW/mode.dmesg"
		diag_file "$PW/mode.dmesg" "dmesg: "
		po_eq "log lines 'lsmrevoke: audit: would revoke prog $_r (po_read, tracepoint): bpf_read_kernel'" 1 \
			"$(grep -cF "lsmrevoke: audit: would revoke prog $_r (po_read, tracepoint): bpf_read_kernel" "$PW/mode.dmesg")"
		po_wait_records "$PW/mode.rec" 1
		diag_file "$PW/mode.rec" "record: "
		po_eq "audit records 'revoke $_r ... enforced=0'" 1 \
			"$(grep -c "^revoke $_r .* 0\$" "$PW/mode.rec")"
		po_eq "audit records with enforced=1 in audit mode" 0 \
			"$(grep -c ' 1$' "$PW/mode.rec")"

		po_mode_write enforce OK "$PW/enforce.snap"
		po_want "po_read right after 'enforce' was written" "$_r" revoked "$PW/enforce.snap"
		po_want "po_ctl after 'enforce'" "$_c" active "$PW/enforce.snap"
		t_eq "mode after 'enforce'" enforce "$(cat "$SFS/mode")"
		po_fire att && po_counts "enforce, denier attached" "0 $PN $PN"

		po_mode_write "audit
" OK "$PW/audit.snap"
		po_want "po_read right after 'audit\\n' was written" "$_r" active "$PW/audit.snap"
		t_eq "mode after 'audit\\n'" audit "$(cat "$SFS/mode")"
		po_fire att && po_counts "back to audit" "$PN $PN $PN"

		for _v in bogus '' Enforce 'audit ' ' audit' enforced audi 'enforce

'; do
			po_mode_write "$_v" write:EINVAL
		done
		t_eq "mode after the rejected writes" audit "$(cat "$SFS/mode")"
		t_eq "uid 65534 writing enforce to mode" open:EACCES \
			"$("$BIN" asuser 65534 "$BIN" policy write "$SFS/mode" enforce 2>&1)"
		_o=$("$BIN" nocap "$BIN" policy write "$SFS/mode" enforce 2>&1)
		case $_o in
		open:EPERM | write:EPERM) t_pass ;;
		*) t_err "uid 0 without capabilities writing enforce to mode: expected EPERM, saw '$_o'" ;;
		esac
		po_want "po_read after the rejected writes" "$_r" active
		po_hold_off
		# The whole sequence: would revoke (attach), revoke (enforce),
		# restore (audit again), then whatever audit mode notes.
		po_wait_records "$PW/mode.rec" 3
		diag_file "$PW/mode.rec" "record: "
		po_eq "audit records 'revoke $_r ... enforced=1' (enforce)" 1 \
			"$(grep -c "^revoke $_r .* 1\$" "$PW/mode.rec")"
		po_eq "audit records 'restore $_r ... enforced=1' (audit again)" 1 \
			"$(grep -c "^restore $_r .* 1\$" "$PW/mode.rec")"
	fi
	po_burst_down
	po_rmmod

	mark
	if to 60 modprobe lsmrevoke $QUIET mode=bogus >"$PW/bogus.out" 2>&1; then
		t_err "modprobe lsmrevoke mode=bogus: expected failure, saw success"
	else
		t_pass
	fi
	module_loaded && t_err "lsmod: expected no lsmrevoke after mode=bogus, saw it"
	dmesg_since_mark >"$PW/bogus.dmesg"
	diag_file "$PW/bogus.dmesg" "dmesg: "
	grep 'lsmrevoke' "$PW/bogus.dmesg" | grep -q mode ||
		t_err "dmesg after mode=bogus: expected a line naming mode, saw none"
	po_rmmod
	t_end
}

# --- 4: the audit trail ------------------------------------------------

# po_check_record FILE OP ID NAME REASON UID: exactly one such record, with
# these fields and enforced=1.
po_check_record() {
	_l=$(awk -v op="$2" -v id="$3" '$1 == op && $2 == id' "$1")
	_k=$(printf '%s' "$_l" | grep -c .)
	if [ "$_k" -ne 1 ]; then
		t_err "audit records op=$2 prog-id=$3: expected 1, saw $_k"
		return
	fi
	t_eq "record op=$2 prog-id=$3" "$2 $3 $4 tracepoint $5 $6 1" "$_l"
}

test_policy_audit() {
	t_begin policy_audit
	_ar=$(po_id att po_read)
	_aw=$(po_id att po_write)
	if [ -z "$_ar" ] || [ -z "$_aw" ]; then
		t_err "offenders of policy_attach: expected loaded, saw none"
		t_end
		return
	fi
	# att was loaded before this modprobe (found by the walk: no loader),
	# aud after it by root.
	if ! po_modprobe || ! po_up aud; then
		t_end
		return
	fi
	_br=$(po_id aud po_read)
	_bw=$(po_id aud po_write)
	po_burst_up
	# Records of earlier tests are printed by kauditd, asynchronously.
	sleep 1
	mark
	if po_hold_on read,write; then
		for _i in $_ar $_aw $_br $_bw; do
			po_want "offender under the denier" "$_i" revoked
		done
		po_hold_off
		for _i in $_ar $_aw $_br $_bw; do
			po_want "offender after the denier left" "$_i" active
		done
	fi
	po_wait_records "$PW/audit.rec" 8
	diag_file "$PW/audit.rec" "record: "
	po_eq "audit records of lsmrevoke for 4 revokes and 4 restores" 8 \
		"$(wc -l <"$PW/audit.rec")"
	po_check_record "$PW/audit.rec" revoke "$_ar" po_read bpf_read_kernel -1
	po_check_record "$PW/audit.rec" revoke "$_aw" po_write bpf_write_user -1
	po_check_record "$PW/audit.rec" revoke "$_br" po_read bpf_read_kernel 0
	po_check_record "$PW/audit.rec" revoke "$_bw" po_write bpf_write_user 0
	po_check_record "$PW/audit.rec" restore "$_ar" po_read allowed -1
	po_check_record "$PW/audit.rec" restore "$_aw" po_write allowed -1
	po_check_record "$PW/audit.rec" restore "$_br" po_read allowed 0
	po_check_record "$PW/audit.rec" restore "$_bw" po_write allowed 0
	# Records come in decision order: every revoke before every restore.
	t_eq "record order" "revoke revoke revoke revoke restore restore restore restore" \
		"$(awk '{ print $1 }' "$PW/audit.rec" | tr '\n' ' ' | sed 's/ $//')"
	# And one log line per decision, no more.
	module_lines_since_mark >"$PW/audit.lines"
	diag_file "$PW/audit.lines" "log: "
	po_eq "lsmrevoke log lines for 8 decisions" 8 "$(grep -c -e ': revoke prog ' -e ': restore prog ' "$PW/audit.lines")"
	po_burst_down
	po_free aud
	t_end
}

# --- 5: the load race ------------------------------------------------------

test_policy_race() {
	t_begin policy_race
	if ! po_modprobe; then
		t_end
		return
	fi
	# policy_race.bpf.o's denier answers the verifier's second question
	# about the helper (do_misc_fixups) as the first: see there why.
	# At least 5 s, until 3 loads fell into the window, at most 30 s.
	if ! to 120 "$BIN" policy race "$PO_RACE" "$PO_DENY" 5 30 3 \
		>"$PW/race.out" 2>"$PW/race.err"; then
		t_err "race: expected success, saw '$(tail -n 1 "$PW/race.err")'"
		diag_file "$PW/race.err" "race: "
	fi
	diag_file "$PW/race.out" "race: "
	_l=$(grep '^rounds=' "$PW/race.out")
	# Under TCG an attach takes 0.2-1.5 s: about a round a second.
	po_ge "race rounds" 3 "$(kv "$_l" rounds)"
	po_ge "offenders loaded" 10 "$(kv "$_l" loads)"
	# Some load must fall into the window (its first run, right after its
	# load returned, found it revoked: lsmrevoke judged it at load), or
	# the run proved nothing.
	_n=$(kv "$_l" window)
	if po_isnum "$_n" && [ "$_n" -ge 1 ]; then
		t_pass
	else
		t_err "offenders revoked at their first run, right after a load that completed after the policy changed: expected >= 1, saw '$_n' (no judgment at load, or the window never hit)"
	fi
	po_eq "offenders not revoked with the denier attached" 0 "$(kv "$_l" not_revoked)"
	po_eq "offenders that ran (test run) with the denier attached" 0 "$(kv "$_l" ran)"
	po_eq "offenders that ran right after a load returning after the attach" 0 "$(kv "$_l" after_ran)"
	po_eq "rounds ended by a load failing other than with EINVAL/EACCES/EPERM" 0 "$(kv "$_l" bad_err)"
	po_eq "rounds whose loads never failed" 0 "$(kv "$_l" overflow)"
	_d=$(grep '^denials=' "$PW/race.out")
	diag "window: $(kv "$_d" fixup_allows) loads were verified before the change and fixed up after it; $(kv "$_l" window) of $(kv "$_l" loads) loads in $(kv "$_l" rounds) rounds completed after the policy changed (revoked at their first run, right after the load returned); $(kv "$_l" after) returned after the attach call returned"
	t_end
}

# --- 6: a flood of policy changes -----------------------------------------

test_policy_flood() {
	t_begin policy_flood
	_r=$(po_id att po_read)
	if ! po_modprobe; then
		t_end
		return
	fi
	_v0=$(po_stat revocations)
	_s0=$(po_stat restores)
	_p0=$(po_stat passes)
	mark
	_t0=$(date +%s)
	if ! to 600 "$BIN" policy flip "$PO_DENY" read "$PO_FLIPS" >"$PW/flood.out" 2>&1; then
		t_err "$PO_FLIPS attach/detach flips: expected success, saw '$(tail -n 1 "$PW/flood.out")'"
	fi
	_secs=$(($(date +%s) - _t0))
	diag "flood: $(cat "$PW/flood.out"), $_secs s (a denier denying nothing stays attached meanwhile)"
	# Rate-limited lines may still be on their way: a moment's pause.
	sleep 1
	# A flood can push the mark out of the kernel's ring buffer: then
	# nothing seems to follow it.
	if ! dmesg | grep -q "lsmrevoke-suite: mark $MARK\$"; then
		t_err "kernel log: expected the mark written before the flood, saw it overwritten (the log overflowed)"
	fi
	dmesg_since_mark >"$PW/flood.dmesg"
	_lsm=$(grep -c 'lsmrevoke: ' "$PW/flood.dmesg")
	_ld=$(grep -c 'Lockdown: ' "$PW/flood.dmesg")
	_au=$(grep -c 'audit: ' "$PW/flood.dmesg")
	_all=$(wc -l <"$PW/flood.dmesg")
	diag "kernel log lines during $PO_FLIPS flips ($((2 * PO_FLIPS)) decisions) in $_secs s: lsmrevoke $_lsm, Lockdown $_ld, audit $_au, all $_all"
	grep -v 'audit: ' "$PW/flood.dmesg" | head -n 5 >"$PW/flood.head"
	diag_file "$PW/flood.head" "dmesg: "
	# The decisions' log line is rate-limited (printk's default: 10 every
	# 5 s), so the bound grows with the time the flood takes: under TCG
	# 1000 flips take 40-120 s. The denier adds no "Lockdown:" line (only
	# the lockdown LSM's own denials print one).
	_max=$((10 * (_secs / 5 + 1) + 10))
	if [ $((_lsm + _ld)) -le "$_max" ]; then
		t_pass
	else
		t_err "lsmrevoke and Lockdown log lines for $PO_FLIPS flips in $_secs s: expected <= $_max, saw $((_lsm + _ld))"
	fi
	[ $((_lsm + _ld)) -lt 100 ] ||
		diag "lsmrevoke and Lockdown lines: $((_lsm + _ld)), not < 100 (the flood took $_secs s)"
	if [ -n "$_r" ]; then
		po_eq "revocations for $PO_FLIPS flips with one offender" "$PO_FLIPS" $(($(po_stat revocations) - _v0))
		po_eq "restores for $PO_FLIPS flips" "$PO_FLIPS" $(($(po_stat restores) - _s0))
		# One per attach and detach, the anchor's two included.
		po_eq "passes for $PO_FLIPS flips" $((2 * PO_FLIPS + 2)) $(($(po_stat passes) - _p0))
		# One question per reason and loader per pass: one denial per
		# attach of the denier (po_read's loader, bpf_read_kernel).
		po_eq "denials answered by the denier" "$PO_FLIPS" "$(kv "$(cat "$PW/flood.out")" denials)"
		po_want "po_read after the flood" "$_r" active
		po_fire att && po_counts "after the flood" "$PN $PN $PN"
	else
		t_err "offenders of policy_attach: expected loaded, saw none"
	fi
	t_end
}

# --- 7: many programs in one pass ----------------------------------------

# One pass writes the entries of up to 128 programs together; 300 copies
# of po_read take three batches each way.
PO_MANY=300

test_policy_batch() {
	t_begin policy_batch
	if ! po_modprobe; then
		t_end
		return
	fi
	_q0=$(kv "$(awk -v f="$POKE_QUEUE" '$1 == f' "$SFS/symbols")" calls)
	_rv0=$(po_stat revocations)
	if ! to 300 "$BIN" policy many "$PO_OBJ" po_read "$PO_MANY" "$PO_DENY" read \
		>"$PW/many.out" 2>"$PW/many.err"; then
		t_err "policy many: expected success, saw '$(tail -n 1 "$PW/many.err")'"
		t_end
		return
	fi
	diag_file "$PW/many.out" "many: "
	_o=$(cat "$PW/many.out")
	t_eq "copies revoked when the denier's attach returned" "$PO_MANY" "$(kv "$_o" revoked)"
	t_eq "copies whose image differs only by the entry jump" "$PO_MANY" "$(kv "$_o" jumps)"
	t_eq "copies active when the denier's detach returned" "$PO_MANY" "$(kv "$_o" active)"
	t_eq "copies byte-identical to their image at load" "$PO_MANY" "$(kv "$_o" identical)"
	_rv1=$(po_stat revocations)
	po_isnum "$_rv0" && po_isnum "$_rv1" &&
		po_ge "revocations counted" "$PO_MANY" $((_rv1 - _rv0))
	_q1=$(kv "$(awk -v f="$POKE_QUEUE" '$1 == f' "$SFS/symbols")" calls)
	if po_isnum "$_q0" && po_isnum "$_q1"; then
		po_ge "text_poke_queue calls (one per entry, each way)" $((2 * PO_MANY)) $((_q1 - _q0))
	else
		t_err "symbols text_poke_queue calls=: expected numbers, saw '$_q0' and '$_q1'"
	fi
	t_end
}

# ---------------------------------------------------------------------------

rm -rf "${PP:?}"
# A sleepable offender's run blocked on a userfaultfd page (inside the
# program) when the denier's attach revokes it: the pass waits for runs
# in flight, 1 s at most for sleepable ones, then reports it.
test_policy_drain() {
	t_begin policy_drain
	if ! po_modprobe; then
		t_end
		return
	fi
	mark
	_o=$(to 120 "$BIN" policy drain "$PROGS/policy_sleepy.bpf.o" "$PO_DENY" \
		read 2>"$PW/drain.err")
	diag "drain: $_o"
	if [ -z "$_o" ]; then
		t_err "policy drain: expected a result line, saw '$(tail -n 1 "$PW/drain.err")'"
		t_end
		return
	fi
	_id=$(kv "$_o" sleepy_id)
	t_eq "sleepy when the attach returned" revoked "$(kv "$_o" state)"
	_ms=$(kv "$_o" attach_ms)
	po_ge "attach time in ms (the 1000 ms drain bound)" 900 "$_ms"
	if po_isnum "$_ms" && [ "$_ms" -lt 30000 ]; then
		t_pass
	else
		t_err "attach time in ms: expected < 30000, saw '$_ms'"
	fi
	t_eq "runs entered and finished" "1 1" \
		"$(kv "$_o" entered) $(kv "$_o" finished)"
	t_eq "the blocked open" OK "$(kv "$_o" open)"
	module_lines_since_mark >"$PW/drain.log"
	diag_file "$PW/drain.log" "log: "
	grep -q "inflight prog $_id (sleepy, lsm): run_outlived_1000ms" \
		"$PW/drain.log" ||
		t_err "log: expected 'inflight prog $_id (sleepy, lsm): run_outlived_1000ms', saw none"
	t_end
}

test_policy_attach
test_policy_modprobe
test_policy_mode
test_policy_audit
test_policy_race
test_policy_flood
test_policy_batch
test_policy_drain

# Leave nothing behind: free our programs with the module loaded, then
# unload it.
po_hold_off
po_burst_down
need_module >/dev/null 2>&1
po_free att aud
rm -rf "${PP:?}"
module_loaded && to 60 rmmod lsmrevoke
module_loaded && diag "30-policy.sh: lsmrevoke still loaded at the end"
