// SPDX-License-Identifier: GPL-2.0
/*
 * An exemption done with policy, not inside lsmrevoke (README "Exemptions"):
 * a BPF-LSM locked_down program that denies reading kernel memory
 * (LOCKDOWN_BPF_READ_KERNEL, 24) to everyone but the agent's user,
 * exempt_uid. lsmrevoke asks security_locked_down() under each program's
 * loader's credentials, so the agent's programs keep running and everyone
 * else's are revoked. The lockdown LSM runs first and stops at its own
 * denial: this policy takes the place of lockdown=confidentiality, it
 * cannot relax it.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define EPERM			1
#define LOCKDOWN_BPF_READ_KERNEL	24

__u32 exempt_uid;

SEC("lsm/locked_down")
int BPF_PROG(ex_policy, int what, int ret)
{
	__u32 uid = bpf_get_current_uid_gid();

	if (ret)
		return ret;
	if (what != LOCKDOWN_BPF_READ_KERNEL || uid == exempt_uid)
		return 0;
	return -EPERM;
}

char LICENSE[] SEC("license") = "GPL";
