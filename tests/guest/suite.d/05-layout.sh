# SPDX-License-Identifier: GPL-2.0
#
# The guard against unknown kernels (sourced by suite.sh, busybox sh).
# At init lsmrevoke JITs a two-instruction program and checks its entry
# against the layout it patches; test_bad_layout=1 makes the expected
# entry wrong, so modprobe must fail, name what differs, and leave nothing
# behind. The real layout must pass (a plain modprobe works) and the thunks
# into the kernel's text-poke functions must be the ones listed.
# Starts and ends with the module unloaded.

t_begin layout_guard
module_loaded && to 60 rmmod lsmrevoke
mark
if to 60 modprobe lsmrevoke test_bad_layout=1 >"$WORK/layout.out" 2>&1; then
	t_err "modprobe test_bad_layout=1: expected failure, saw success"
	to 60 rmmod lsmrevoke
else
	t_pass
fi
_l=$(dmesg_since_mark | grep 'lsmrevoke: unknown JIT entry: expected' | head -n 1)
if [ -n "$_l" ]; then
	t_pass
	diag "dmesg: $_l"
else
	t_err "dmesg: expected 'unknown JIT entry: expected ...', saw none"
fi
module_loaded && t_err "lsmod: expected no lsmrevoke after the refusal, saw it"
[ -e /sys/kernel/security/lsmrevoke ] &&
	t_err "securityfs: expected no lsmrevoke directory after the refusal"
if to 60 modprobe lsmrevoke >"$WORK/layout.out" 2>&1; then
	t_pass
	for _f in $POKE_QUEUE $POKE_FINISH; do
		_s=$(grep "^$_f " /sys/kernel/security/lsmrevoke/symbols |
			cut -d' ' -f4)
		t_eq "$_f via" thunk "$_s"
	done
	to 60 rmmod lsmrevoke || t_err "rmmod: expected success"
else
	t_err "plain modprobe after the refusal: expected success, saw '$(tail -n 1 "$WORK/layout.out")'"
fi
t_end
