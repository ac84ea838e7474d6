// SPDX-License-Identifier: GPL-2.0
/*
 * A minimal sched_ext scheduler ("lsmr_scx") whose running op reads kernel
 * memory: the sched_ext offender of tests/guest/suite.d/10-trace.sh,
 * trace_sched_ext. Every op it does not set takes sched_ext's default (one
 * global FIFO queue), so it schedules like any scheduler. Its exit op needs
 * nothing and counts its calls. Registered with
 * "bpftool struct_ops register"; only the members it sets are declared
 * (libbpf matches them by name against the kernel's struct sched_ext_ops).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct task_struct;
struct scx_exit_info;

struct sched_ext_ops {
	void (*running)(struct task_struct *p);
	void (*exit)(struct scx_exit_info *ei);
	char name[128];
};

__u64 scx_word;
__u64 scx_exits;

SEC("struct_ops/lsmr_scx_run")
void BPF_PROG(lsmr_scx_run, struct task_struct *p)
{
	bpf_probe_read_kernel(&scx_word, sizeof(scx_word), (const void *)p);
}

SEC("struct_ops/lsmr_scx_exit")
void BPF_PROG(lsmr_scx_exit, struct scx_exit_info *ei)
{
	__sync_fetch_and_add(&scx_exits, 1);
}

SEC(".struct_ops")
struct sched_ext_ops lsmr_scx = {
	.running = (void *)lsmr_scx_run,
	.exit = (void *)lsmr_scx_exit,
	.name = "lsmr_scx",
};

char LICENSE[] SEC("license") = "GPL";
