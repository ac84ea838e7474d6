// SPDX-License-Identifier: GPL-2.0
/*
 * Strict mode, 6.12 and later (tests/guest/suite.d/50-strict.sh): a
 * trusted BTF object given to a helper as memory. sx_memarg compares the
 * current task's comm with "lsmr" through bpf_strncmp: the helper reads
 * the task_struct, the program has no load instruction for it. 6.1 refuses
 * the program (a BTF object is not memory there). sx_mctl is its control.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct task_struct {
	char comm[16];
} __attribute__((preserve_access_index));

/* In .rodata, which bpffs can pin (a literal's .rodata.str1.1 it cannot). */
static const char want[] = "lsmr";

int monitored_pid;
__u64 mem_runs, mem_ok;
__u64 ctl_runs;

static __always_inline int monitored(void)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	return monitored_pid && pid == (__u32)monitored_pid;
}

SEC("fentry/__x64_sys_getpriority")
int BPF_PROG(sx_memarg)
{
	struct task_struct *t;

	if (!monitored())
		return 0;
	t = bpf_get_current_task_btf();
	__sync_fetch_and_add(&mem_runs, 1);
	if (!bpf_strncmp(t->comm, 4, want))
		__sync_fetch_and_add(&mem_ok, 1);
	return 0;
}

SEC("fentry/__x64_sys_getpriority")
int BPF_PROG(sx_mctl)
{
	if (!monitored())
		return 0;
	__sync_fetch_and_add(&ctl_runs, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
