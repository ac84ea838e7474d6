// SPDX-License-Identifier: GPL-2.0
/*
 * The reversible policy source of the net tests: while attached, this
 * BPF-LSM program denies LOCKDOWN_BPF_READ_KERNEL (24) and nothing else.
 * The lockdown LSM runs first and stops at its own denial, so when this
 * runs the earlier answer was 0; returning 0 keeps it.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define LOCKDOWN_BPF_READ_KERNEL	24
#define EPERM				1

__u64 denier_denials;

SEC("lsm/locked_down")
int BPF_PROG(net_denier, int what, int ret)
{
	if (what != LOCKDOWN_BPF_READ_KERNEL)
		return 0;
	__sync_fetch_and_add(&denier_denials, 1);
	return -EPERM;
}

char LICENSE[] SEC("license") = "GPL";
