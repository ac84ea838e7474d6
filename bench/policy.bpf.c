// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmarks' reloadable policy: a BPF-LSM locked_down program that,
 * while deny_read_kernel (in .bss) is non-zero, denies
 * LOCKDOWN_BPF_READ_KERNEL (24) and passes every other answer through.
 * It stays attached for the whole of figure 4; a policy change is a write
 * of the flag (bpf_map_update_elem on the .bss map), which lsmrevoke does
 * not see, followed by the policy manager's notification, a write of "1"
 * to securityfs lsmrevoke/revalidate, which runs the pass.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define LOCKDOWN_BPF_READ_KERNEL	24
#define EPERM				1

int deny_read_kernel;
/* Denials so far; in a section (map) of its own, so that .bss is the flag. */
SEC(".data.denials") __u64 denials;

SEC("lsm/locked_down")
int BPF_PROG(bench_policy, int what, int ret)
{
	if (ret)
		return ret;
	if (!deny_read_kernel || what != LOCKDOWN_BPF_READ_KERNEL)
		return 0;
	/*
	 * Also keeps the compiler from folding the answer into
	 * -(flag & match), which the 6.12 verifier cannot bound to the
	 * hook's [-4095, 0].
	 */
	__sync_fetch_and_add(&denials, 1);
	return -EPERM;
}

char LICENSE[] SEC("license") = "GPL";
