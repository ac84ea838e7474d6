// SPDX-License-Identifier: GPL-2.0
/*
 * Tail calls into an offender. Two callers on getpriority(2), neither
 * calling a gated helper: tc_const tail-calls slot 0 with a constant key
 * (a direct jump the JIT patches), tc_var slot var_key (1, read from .data
 * at run time: an indirect jump). Each counts the tail calls that return
 * to it (*_fall: the slot was empty). The target tc_target (the offender)
 * and tc_other (a plain program) are not attached; the test puts them into
 * jmp_table.
 */
#include "trace.h"

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} jmp_table SEC(".maps");

__u32 var_key = 1;

__u64 const_calls;
__u64 const_fall;
__u64 var_calls;
__u64 var_fall;
__u64 target_runs;
__u64 other_runs;

SEC("kprobe/__x64_sys_getpriority")
int tc_const(void *ctx)
{
	if (!monitored())
		return 0;
	__sync_fetch_and_add(&const_calls, 1);
	bpf_tail_call_static(ctx, &jmp_table, 0);
	__sync_fetch_and_add(&const_fall, 1);
	return 0;
}

SEC("kprobe/__x64_sys_getpriority")
int tc_var(void *ctx)
{
	if (!monitored())
		return 0;
	__sync_fetch_and_add(&var_calls, 1);
	bpf_tail_call(ctx, &jmp_table, var_key);
	__sync_fetch_and_add(&var_fall, 1);
	return 0;
}

SEC("kprobe")
int tc_target(void *ctx)
{
	read_kernel();
	__sync_fetch_and_add(&target_runs, 1);
	return 0;
}

SEC("kprobe")
int tc_other(void *ctx)
{
	__sync_fetch_and_add(&other_runs, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
