// SPDX-License-Identifier: GPL-2.0
/*
 * Strict mode (tests/guest/suite.d/50-strict.sh): on the same hook, a BTF
 * reader that dereferences kernel pointers with no helper (the verifier
 * turns those loads into BPF_PROBE_MEM: lsmrevoke reports btf_read) and a
 * control that reads only its context and maps. Both count only the pid
 * that "lsmrevoke-test trace fire" writes into monitored_pid.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct task_struct {
	int pid;
} __attribute__((preserve_access_index));

/* The kernel's struct pt_regs; the ___ suffix keeps it apart from uapi's. */
struct pt_regs___sx {
	unsigned long di;
} __attribute__((preserve_access_index));

int monitored_pid;
__u64 btf_runs;
__u64 ctl_runs;
__u64 seen_pid;
__u64 seen_which;

static __always_inline int monitored(void)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	return monitored_pid && pid == (__u32)monitored_pid;
}

SEC("fentry/__x64_sys_getpriority")
int BPF_PROG(sx_btf, struct pt_regs___sx *regs)
{
	struct task_struct *t = bpf_get_current_task_btf();

	if (!monitored())
		return 0;
	seen_pid = t->pid;		/* PROBE_MEM through a task pointer */
	seen_which = regs->di;		/* PROBE_MEM through a BTF argument */
	__sync_fetch_and_add(&btf_runs, 1);
	return 0;
}

SEC("fentry/__x64_sys_getpriority")
int BPF_PROG(sx_ctl, struct pt_regs___sx *regs)
{
	if (!monitored())
		return 0;
	__sync_fetch_and_add(&ctl_runs, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
