# SPDX-License-Identifier: GPL-2.0
#
# kmemleak, second half (sourced by suite.sh; busybox sh). Runs after
# every other group, with lsmrevoke unloaded: two scans of kmemleak, a few
# seconds apart (it reports only objects older than 5 s, and deferred
# frees need a moment), must find no unreferenced object. The report is
# printed as diagnostics. Uses the file 00-kmemleak.sh opened before
# lockdown was raised. Kernels without kmemleak (Debian's) skip it; the
# debug kernel (release *-lsmrevoke-debug) must have it.

test_kmemleak() {
	t_begin kmemleak
	if [ "${KL_OPEN:-0}" != 1 ]; then
		case $(uname -r) in
		*-lsmrevoke-debug)
			t_err "$KL_FILE: expected it open since 00-kmemleak.sh on the debug kernel, it is not"
			t_end
			;;
		*)
			t_skip "no kmemleak in $(uname -r) (make check-debug runs this)"
			;;
		esac
		return
	fi
	if module_loaded && ! to 60 rmmod lsmrevoke >"$WORK/kl.rmmod" 2>&1; then
		t_err "rmmod lsmrevoke before the scan: expected success, saw '$(cat "$WORK/kl.rmmod")'"
	fi
	module_loaded && t_err "lsmod: expected no lsmrevoke before the scan, saw it"
	sleep 6
	if echo scan >&7; then
		t_pass
	else
		t_err "echo scan > $KL_FILE: expected success, saw failure (kmemleak disabled?)"
	fi
	sleep 6
	echo scan >&7 || t_err "second echo scan > $KL_FILE: expected success, saw failure"
	cat <&6 >"$WORK/kmemleak.report" 2>&1
	if [ -s "$WORK/kmemleak.report" ]; then
		diag_file "$WORK/kmemleak.report" "kmemleak: "
		t_err "kmemleak: expected no unreferenced object, saw $(grep -c '^unreferenced object' "$WORK/kmemleak.report"): $(head -n 1 "$WORK/kmemleak.report")"
	else
		diag "kmemleak: two scans, nothing reported"
	fi
	exec 6<&- 7>&-
	KL_OPEN=0
	t_end
}

test_kmemleak
