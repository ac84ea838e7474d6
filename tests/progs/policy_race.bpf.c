// SPDX-License-Identifier: GPL-2.0
/*
 * The offender of the load race: loaded again and again by
 * "lsmrevoke-test policy race" while the policy tightens, and run with
 * BPF_PROG_TEST_RUN afterwards (never attached). It reads kernel memory
 * (LOCKDOWN_BPF_READ_KERNEL), counts every run and returns 7; revoked, its
 * entry lands in lsmrevoke's raw_tracepoint stub, which returns 0 and
 * counts nothing.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 race_runs;
__u64 last_read;

SEC("raw_tp/sys_enter")
int race_off(void *ctx)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), (void *)bpf_get_current_task());
	last_read = v;
	__sync_fetch_and_add(&race_runs, 1);
	return 7;
}

char LICENSE[] SEC("license") = "GPL";
