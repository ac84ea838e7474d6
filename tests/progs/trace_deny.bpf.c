// SPDX-License-Identifier: GPL-2.0
/*
 * The reversible policy of the trace tests: a BPF-LSM locked_down program
 * that denies LOCKDOWN_BPF_READ_KERNEL (24) to everyone while attached and
 * passes every other answer through. It calls no gated helper itself.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define LOCKDOWN_BPF_READ_KERNEL	24
#define EPERM				1

__u64 denials;

SEC("lsm/locked_down")
int BPF_PROG(deny_read, int what, int ret)
{
	if (ret)
		return ret;
	if (what != LOCKDOWN_BPF_READ_KERNEL)
		return 0;
	__sync_fetch_and_add(&denials, 1);
	return -EPERM;
}

char LICENSE[] SEC("license") = "GPL";
