// SPDX-License-Identifier: GPL-2.0
/*
 * Programs that call no lockdown-gated helper and read no kernel memory
 * through BTF pointers: lsmrevoke must report them as requiring nothing
 * ("-"). The tracepoint program is also the churn test's workload.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int monitored_pid;
__u64 getpid_calls;

SEC("tracepoint/syscalls/sys_enter_getpid")
int plain_tp(void *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	if (monitored_pid && pid != (__u32)monitored_pid)
		return 0;
	__sync_fetch_and_add(&getpid_calls, 1);
	return 0;
}

/* Accept every packet whole: a socket filter with no helper at all. */
SEC("socket")
int plain_sock(struct __sk_buff *skb)
{
	return skb->len;
}

char LICENSE[] SEC("license") = "GPL";
