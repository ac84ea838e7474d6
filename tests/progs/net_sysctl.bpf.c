// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup_sysctl programs for the cgroup_sysctl test, on the cgroup that
 * holds only the test's short-lived sysctl-reading process. The offender
 * reads kernel memory and denies every read (0: read() fails with EPERM);
 * the control counts reads and allows. Writes are left alone.
 */
#include "net.h"

__u64 sysctl_off_runs;
__u64 sysctl_ctl_runs;
__u64 sysctl_word;

SEC("cgroup/sysctl")
int sysctl_offender(struct bpf_sysctl *ctx)
{
	if (ctx->write)
		return 1;
	__sync_fetch_and_add(&sysctl_off_runs, 1);
	net_read_kernel(&sysctl_word);
	return 0;
}

SEC("cgroup/sysctl")
int sysctl_control(struct bpf_sysctl *ctx)
{
	if (!ctx->write)
		__sync_fetch_and_add(&sysctl_ctl_runs, 1);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
