// SPDX-License-Identifier: GPL-2.0
/* Raw tracepoint offender and control on sys_enter, getpriority only. */
#include "trace.h"

#define NR_GETPRIORITY	140	/* x86-64 */

__u64 off_runs;
__u64 ctl_runs;

/* args[1] of sys_enter is the syscall number. */
SEC("raw_tp/sys_enter")
int rtp_off(struct bpf_raw_tracepoint_args *ctx)
{
	if (!monitored() || ctx->args[1] != NR_GETPRIORITY)
		return 0;
	read_kernel();
	__sync_fetch_and_add(&off_runs, 1);
	return 0;
}

SEC("raw_tp/sys_enter")
int rtp_ctl(struct bpf_raw_tracepoint_args *ctx)
{
	if (!monitored() || ctx->args[1] != NR_GETPRIORITY)
		return 0;
	__sync_fetch_and_add(&ctl_runs, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
