// SPDX-License-Identifier: GPL-2.0
/*
 * The two programs of "make demo" (tests/demo.sh), on the getpriority()
 * tracepoint, counting calls of monitored_pid ("lsmrevoke-test policy
 * fire" sets it): reader reads kernel memory with bpf_probe_read_kernel
 * (denied by lockdown=confidentiality), control does not.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int monitored_pid;
__u64 last_read;
__u64 read_runs;
__u64 ctl_runs;

static __always_inline int monitored(void)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	return monitored_pid && pid == (__u32)monitored_pid;
}

SEC("tracepoint/syscalls/sys_enter_getpriority")
int reader(void *ctx)
{
	__u64 v = 0;

	if (!monitored())
		return 0;
	bpf_probe_read_kernel(&v, sizeof(v), (void *)bpf_get_current_task());
	last_read = v;
	__sync_fetch_and_add(&read_runs, 1);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_getpriority")
int control(void *ctx)
{
	if (!monitored())
		return 0;
	__sync_fetch_and_add(&ctl_runs, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
