// SPDX-License-Identifier: GPL-2.0
/* kprobe offender and control on getpriority(2). */
#include "trace.h"

__u64 off_runs;
__u64 ctl_runs;

SEC("kprobe/__x64_sys_getpriority")
int kp_off(void *ctx)
{
	if (!monitored())
		return 0;
	read_kernel();
	__sync_fetch_and_add(&off_runs, 1);
	return 0;
}

SEC("kprobe/__x64_sys_getpriority")
int kp_ctl(void *ctx)
{
	if (!monitored())
		return 0;
	__sync_fetch_and_add(&ctl_runs, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
