// SPDX-License-Identifier: GPL-2.0
/*
 * The load race of "lsmrevoke-test policy race".
 *
 * race_off is the offender, loaded again and again while the policy
 * tightens and run with BPF_PROG_TEST_RUN (never attached): it reads
 * kernel memory (LOCKDOWN_BPF_READ_KERNEL), counts every run and returns
 * 7; revoked, it lands in lsmrevoke's raw_tracepoint stub, which returns 0.
 *
 * race_deny is the policy change: a BPF-LSM locked_down program denying
 * LOCKDOWN_BPF_READ_KERNEL, except to a task inside do_misc_fixups()
 * (race_fx_in/race_fx_out keep track). The kernel asks about a gated
 * helper twice per load, in check_helper_call() and again in
 * do_misc_fixups(), and dereferences the second answer unchecked: a denial
 * there, for a load whose first question was allowed, is a NULL pointer
 * dereference in the verifier (seen on 6.12). Answering the second
 * question as the first was answered keeps the kernel alive and leaves the
 * window the test is about: verified before the change, loaded after it.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define LOCKDOWN_BPF_READ_KERNEL	24
#define EPERM				1

__u64 race_runs;
__u64 last_read;
__u32 fixups_tid;	/* the task inside do_misc_fixups(), or 0 */
__u64 denials;
__u64 fixup_allows;

SEC("raw_tp/sys_enter")
int race_off(void *ctx)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), (void *)bpf_get_current_task());
	last_read = v;
	__sync_fetch_and_add(&race_runs, 1);
	return 7;
}

SEC("fentry/do_misc_fixups")
int BPF_PROG(race_fx_in)
{
	fixups_tid = (__u32)bpf_get_current_pid_tgid();
	return 0;
}

SEC("fexit/do_misc_fixups")
int BPF_PROG(race_fx_out)
{
	if (fixups_tid == (__u32)bpf_get_current_pid_tgid())
		fixups_tid = 0;
	return 0;
}

SEC("lsm/locked_down")
int BPF_PROG(race_deny, int what, int ret)
{
	if (what != LOCKDOWN_BPF_READ_KERNEL)
		return 0;
	if (fixups_tid && fixups_tid == (__u32)bpf_get_current_pid_tgid()) {
		__sync_fetch_and_add(&fixup_allows, 1);
		return 0;
	}
	__sync_fetch_and_add(&denials, 1);
	return -EPERM;
}

char LICENSE[] SEC("license") = "GPL";
