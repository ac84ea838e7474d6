// SPDX-License-Identifier: GPL-2.0
/*
 * BPF-LSM offender and control on task_setnice, which setpriority(2)
 * consults on every call. Both allow (return 0); a revoked offender's stub
 * allows too under on_revoke=detach and denies (-EPERM) under deny.
 */
#include "trace.h"

__u64 off_runs;
__u64 ctl_runs;

SEC("lsm/task_setnice")
int lsm_off(void *ctx)
{
	if (!monitored())
		return 0;
	read_kernel();
	__sync_fetch_and_add(&off_runs, 1);
	return 0;
}

SEC("lsm/task_setnice")
int lsm_ctl(void *ctx)
{
	if (!monitored())
		return 0;
	__sync_fetch_and_add(&ctl_runs, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
