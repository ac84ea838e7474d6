// SPDX-License-Identifier: GPL-2.0
/*
 * The reversible policy of the policy tests: a BPF-LSM locked_down program
 * that denies the lockdown reasons set in deny_mask (bit N: reason N; the
 * loader sets it before attaching; LOCKDOWN_BPF_WRITE_USER is 17,
 * LOCKDOWN_BPF_READ_KERNEL 24) and allows everything else. The lockdown
 * LSM runs first and stops at its own denial, so this only ever turns an
 * allow into a deny. It calls no gated helper itself.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define EPERM	1

__u64 deny_mask = 1ULL << 24;
__u64 denials;

SEC("lsm/locked_down")
int BPF_PROG(po_deny, int what, int ret)
{
	if (what < 0 || what >= 64 || !(deny_mask & (1ULL << what)))
		return 0;
	__sync_fetch_and_add(&denials, 1);
	return -EPERM;
}

char LICENSE[] SEC("license") = "GPL";
