// SPDX-License-Identifier: GPL-2.0
/*
 * A TCP congestion control ("lsmr_cc") whose ssthresh reads kernel memory:
 * a struct_ops offender (tests/guest/suite.d/10-trace.sh,
 * trace_struct_ops). The kernel calls struct_ops programs through a table
 * of function pointers with no "not attached" value, so lsmrevoke leaves
 * such a program running, loudly. Registered with
 * "bpftool struct_ops register"; only the members it sets are declared
 * (libbpf matches them by name).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct sock;

struct tcp_congestion_ops {
	__u32 (*ssthresh)(struct sock *sk);
	void (*cong_avoid)(struct sock *sk, __u32 ack, __u32 acked);
	__u32 (*undo_cwnd)(struct sock *sk);
	char name[16];
};

__u64 cc_word;

SEC("struct_ops/lsmr_ssthresh")
__u32 BPF_PROG(lsmr_ssthresh, struct sock *sk)
{
	__u64 task = bpf_get_current_task();

	bpf_probe_read_kernel(&cc_word, sizeof(cc_word), (const void *)task);
	return 10;
}

SEC("struct_ops/lsmr_cong_avoid")
void BPF_PROG(lsmr_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
}

SEC("struct_ops/lsmr_undo_cwnd")
__u32 BPF_PROG(lsmr_undo_cwnd, struct sock *sk)
{
	return 10;
}

SEC(".struct_ops")
struct tcp_congestion_ops lsmr_cc = {
	.ssthresh = (void *)lsmr_ssthresh,
	.cong_avoid = (void *)lsmr_cong_avoid,
	.undo_cwnd = (void *)lsmr_undo_cwnd,
	.name = "lsmr_cc",
};

char LICENSE[] SEC("license") = "GPL";
