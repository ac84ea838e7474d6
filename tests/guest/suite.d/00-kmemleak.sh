# SPDX-License-Identifier: GPL-2.0
#
# kmemleak, first half (sourced by suite.sh; busybox sh). On a kernel with
# kmemleak (the debug kernel of `make check-debug`) the final scan is
# 99-kmemleak.sh's, after every group has run and lsmrevoke is unloaded.
# By then 90-lockdown.sh has raised lockdown, which refuses to open
# writable debugfs files; it checks only at open, so the suite's shell
# opens /sys/kernel/debug/kmemleak here, once, and keeps it: fd 7 to write
# commands, fd 6 to read the report. No test of its own: 99-kmemleak.sh
# fails if this did not work on a kernel that has kmemleak.

KL_FILE=/sys/kernel/debug/kmemleak
KL_OPEN=0
[ -d /sys/kernel/debug/kprobes ] || [ -e "$KL_FILE" ] ||
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
if [ -e "$KL_FILE" ]; then
	# A failed redirection of exec would end the suite: try it first.
	if (exec 7>>"$KL_FILE" 6<"$KL_FILE") 2>/dev/null; then
		exec 7>>"$KL_FILE" 6<"$KL_FILE"
		KL_OPEN=1
		diag "kmemleak: $KL_FILE held open for 99-kmemleak.sh"
	else
		diag "kmemleak: cannot open $KL_FILE (lockdown already raised?)"
	fi
fi
