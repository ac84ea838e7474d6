// SPDX-License-Identifier: GPL-2.0
/*
 * tests/guest/suite.d/60-robust.sh, stress: a caller that tail-calls
 * through a prog array into a gated target or a plain one.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} rs_jmp SEC(".maps");

__u64 calls, fall, target_runs, other_runs;

SEC("kprobe/__x64_sys_getppid")
int rs_caller(void *ctx)
{
	__sync_fetch_and_add(&calls, 1);
	bpf_tail_call(ctx, &rs_jmp, (__u32)(bpf_get_prandom_u32() & 3));
	__sync_fetch_and_add(&fall, 1);
	return 0;
}

SEC("kprobe")
int rs_target(void *ctx)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), (void *)bpf_get_current_task());
	__sync_fetch_and_add(&target_runs, 1);
	return 0;
}

SEC("kprobe")
int rs_other(void *ctx)
{
	__sync_fetch_and_add(&other_runs, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
