// SPDX-License-Identifier: GPL-2.0
/*
 * fmod_ret offender and control on security_task_setnice, which
 * setpriority(2) calls every time (Debian's kernels have no function error
 * injection, so fmod_ret is allowed on security_* functions only). Both
 * return 0, so the call runs unchanged whether the offender runs or its
 * stub does.
 */
#include "trace.h"

__u64 off_runs;
__u64 ctl_runs;

SEC("fmod_ret/security_task_setnice")
int fmr_off(void *ctx)
{
	if (!monitored())
		return 0;
	read_kernel();
	__sync_fetch_and_add(&off_runs, 1);
	return 0;
}

SEC("fmod_ret/security_task_setnice")
int fmr_ctl(void *ctx)
{
	if (!monitored())
		return 0;
	__sync_fetch_and_add(&ctl_runs, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
