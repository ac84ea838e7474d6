// SPDX-License-Identifier: GPL-2.0
/*
 * Strict mode (tests/guest/suite.d/50-strict.sh): readers through pointers
 * the verifier trusts, which 6.12 and later read with plain loads (on 6.1
 * they are probe loads), and a control, all on getpriority:
 *  - sx_task reads the comm of bpf_get_current_task_btf() field by field
 *    ("lsmr", the loader "lsmrevoke-test" fires the syscall);
 *  - sx_tpbtf, a tp_btf program on sys_enter, reads the syscall number out
 *    of its pt_regs argument (__NR_getpriority, 140);
 *  - sx_memarg (6.12 and later, where a trusted object may be a helper's
 *    memory argument) compares the comm with bpf_strncmp, no load at all.
 * Each counts only the pid "lsmrevoke-test trace fire" writes into
 * monitored_pid; the *_ok counters count the runs that really read the
 * kernel's value.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct task_struct {
	char comm[16];
} __attribute__((preserve_access_index));

struct pt_regs {
	unsigned long orig_ax;
} __attribute__((preserve_access_index));

int monitored_pid;
__u64 task_runs, task_ok;
__u64 tp_runs, tp_ok;
__u64 ctl_runs;

static __always_inline int monitored(void)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	return monitored_pid && pid == (__u32)monitored_pid;
}

SEC("fentry/__x64_sys_getpriority")
int BPF_PROG(sx_task)
{
	struct task_struct *t;

	if (!monitored())
		return 0;
	t = bpf_get_current_task_btf();
	__sync_fetch_and_add(&task_runs, 1);
	if (t->comm[0] == 'l' && t->comm[1] == 's' && t->comm[2] == 'm' &&
	    t->comm[3] == 'r')
		__sync_fetch_and_add(&task_ok, 1);
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(sx_tpbtf, struct pt_regs *regs, long id)
{
	if (!monitored())
		return 0;
	if (id != 140)
		return 0;
	__sync_fetch_and_add(&tp_runs, 1);
	if (regs->orig_ax == 140)
		__sync_fetch_and_add(&tp_ok, 1);
	return 0;
}

SEC("fentry/__x64_sys_getpriority")
int BPF_PROG(sx_tctl)
{
	if (!monitored())
		return 0;
	__sync_fetch_and_add(&ctl_runs, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
