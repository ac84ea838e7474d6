// SPDX-License-Identifier: GPL-2.0
/*
 * Hot-path programs of the lsmrevoke benchmarks (bench/bench.c). Each of the
 * three "allowed" programs calls bpf_probe_read_kernel() once, so lsmrevoke
 * tracks it as requiring bpf_read_kernel and the denier (deny.bpf.c) makes
 * it revocable. hot_xdp_none is the baseline of the revoked XDP path: the
 * cheapest program the hook can run (XDP test runs need a program).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

__u64 hits;

SEC("tracepoint/syscalls/sys_enter_getpriority")
int hot_tp(void *ctx)
{
	long v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), ctx);
	hits += v != 0;
	return 0;
}

SEC("fentry/__x64_sys_getpriority")
int BPF_PROG(hot_fentry, void *regs)
{
	long v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), regs);
	hits += v != 0;
	return 0;
}

SEC("xdp")
int hot_xdp(struct xdp_md *ctx)
{
	long v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), (void *)(long)ctx->data);
	hits += v != 0;
	return XDP_PASS;
}

SEC("xdp")
int hot_xdp_none(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
