// SPDX-License-Identifier: GPL-2.0
/* Tracepoint offender and control on sys_enter_getpriority. */
#include "trace.h"

__u64 off_runs;
__u64 ctl_runs;

SEC("tracepoint/syscalls/sys_enter_getpriority")
int tp_off(void *ctx)
{
	if (!monitored())
		return 0;
	read_kernel();
	__sync_fetch_and_add(&off_runs, 1);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_getpriority")
int tp_ctl(void *ctx)
{
	if (!monitored())
		return 0;
	__sync_fetch_and_add(&ctl_runs, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
