// SPDX-License-Identifier: GPL-2.0
/*
 * A second minimal sched_ext scheduler ("lsmr_scxb") whose running op
 * reads a field of its task argument, a pointer the kernel trusts: a
 * btf_read, which the verifier never refuses, so it loads under the
 * locked_down denier, and which strict mode counts as bpf_read_kernel.
 * tests/guest/suite.d/10-trace.sh, trace_sched_ext, registers it while the
 * policy already denies it: lsmrevoke takes it out of service again.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct task_struct {
	int pid;
} __attribute__((preserve_access_index));

struct sched_ext_ops {
	void (*running)(struct task_struct *p);
	char name[128];
};

__u64 scxb_pid;

SEC("struct_ops/lsmr_scxb_run")
void BPF_PROG(lsmr_scxb_run, struct task_struct *p)
{
	scxb_pid = p->pid;
}

SEC(".struct_ops")
struct sched_ext_ops lsmr_scxb = {
	.running = (void *)lsmr_scxb_run,
	.name = "lsmr_scxb",
};

char LICENSE[] SEC("license") = "GPL";
