// SPDX-License-Identifier: GPL-2.0
/*
 * Sleepable offender and control: fentry.s on getpriority(2), allowed
 * because syscalls are on the error-injection list.
 */
#include "trace.h"

__u64 off_runs;
__u64 ctl_runs;

SEC("fentry.s/__x64_sys_getpriority")
int sl_off(void *ctx)
{
	if (!monitored())
		return 0;
	read_kernel();
	__sync_fetch_and_add(&off_runs, 1);
	return 0;
}

SEC("fentry.s/__x64_sys_getpriority")
int sl_ctl(void *ctx)
{
	if (!monitored())
		return 0;
	__sync_fetch_and_add(&ctl_runs, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
