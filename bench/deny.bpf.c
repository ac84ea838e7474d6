// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmarks' policy change: a BPF-LSM locked_down program denying
 * LOCKDOWN_BPF_READ_KERNEL (24). Attaching it from the bench process makes
 * lsmrevoke revoke every program that calls bpf_probe_read_kernel() before
 * the attach returns; destroying its link restores them the same way.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define EPERM	1

SEC("lsm/locked_down")
int BPF_PROG(bench_deny, int what, int ret)
{
	if (what == 24)
		return -EPERM;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
