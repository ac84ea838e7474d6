// SPDX-License-Identifier: GPL-2.0
/*
 * An fentry program that reads kernel memory only through BTF pointers,
 * with no probe_read helper: the verifier turns these loads into
 * BPF_PROBE_MEM. lsmrevoke must report "btf_read" and not
 * "bpf_read_kernel".
 *
 * Two kinds of BTF pointer are read, so the test does not hang on one
 * verifier detail: the fentry argument (plain PTR_TO_BTF_ID on both
 * kernels) and bpf_get_current_task_btf() (trusted on 6.12).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct task_struct {
	int pid;
} __attribute__((preserve_access_index));

/* The kernel's struct pt_regs; the ___ suffix keeps it apart from uapi's. */
struct pt_regs___lsmrevoke {
	unsigned long di;
} __attribute__((preserve_access_index));

int monitored_pid;
int seen_pid;
long seen_which;

/* fentry cannot attach to __x64_sys_getpid (no BTF for argument-less
 * syscalls on these kernels); getpriority has one argument struct.
 */
SEC("fentry/__x64_sys_getpriority")
int BPF_PROG(fentry_btf, struct pt_regs___lsmrevoke *regs)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	if (monitored_pid && pid != (__u32)monitored_pid)
		return 0;
	seen_pid = t->pid;
	seen_which = regs->di;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
