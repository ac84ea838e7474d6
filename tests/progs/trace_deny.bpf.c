// SPDX-License-Identifier: GPL-2.0
/*
 * The reversible policy of the trace tests: a BPF-LSM locked_down program
 * that, while attached and enabled, denies LOCKDOWN_BPF_READ_KERNEL (24)
 * to everyone and passes every other answer through. It calls no gated
 * helper itself. Its attach and detach are events lsmrevoke reacts to;
 * flipping enabled (a write to .bss) is not, so a test can change the
 * policy silently and show that its own trigger (revalidate, the LSM
 * notifier) is what makes lsmrevoke act.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define LOCKDOWN_BPF_READ_KERNEL	24
#define EPERM				1

int enabled;
__u64 denials;

SEC("lsm/locked_down")
int BPF_PROG(deny_read, int what, int ret)
{
	if (ret)
		return ret;
	if (!enabled || what != LOCKDOWN_BPF_READ_KERNEL)
		return 0;
	__sync_fetch_and_add(&denials, 1);
	return -EPERM;
}

char LICENSE[] SEC("license") = "GPL";
