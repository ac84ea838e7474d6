// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_loop: each main program (fentry on getpriority(2)) runs its
 * callback subprogram LOOPS times; the callbacks count. Only the
 * offender's callback calls the gated helper.
 */
#include "trace.h"

#define LOOPS	4

__u64 off_runs;
__u64 ctl_runs;

static int off_step(__u32 i, void *data)
{
	read_kernel();
	__sync_fetch_and_add(&off_runs, 1);
	return 0;
}

static int ctl_step(__u32 i, void *data)
{
	__sync_fetch_and_add(&ctl_runs, 1);
	return 0;
}

SEC("fentry/__x64_sys_getpriority")
int lp_off(void *ctx)
{
	if (!monitored())
		return 0;
	bpf_loop(LOOPS, off_step, NULL, 0);
	return 0;
}

SEC("fentry/__x64_sys_getpriority")
int lp_ctl(void *ctx)
{
	if (!monitored())
		return 0;
	bpf_loop(LOOPS, ctl_step, NULL, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
