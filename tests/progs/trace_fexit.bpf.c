// SPDX-License-Identifier: GPL-2.0
/* fexit offender and control on getpriority(2) (a BPF trampoline). */
#include "trace.h"

__u64 off_runs;
__u64 ctl_runs;

SEC("fexit/__x64_sys_getpriority")
int fx_off(void *ctx)
{
	if (!monitored())
		return 0;
	read_kernel();
	__sync_fetch_and_add(&off_runs, 1);
	return 0;
}

SEC("fexit/__x64_sys_getpriority")
int fx_ctl(void *ctx)
{
	if (!monitored())
		return 0;
	__sync_fetch_and_add(&ctl_runs, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
