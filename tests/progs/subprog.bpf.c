// SPDX-License-Identifier: GPL-2.0
/*
 * The gated helper (bpf_probe_read_kernel) is called only inside a static
 * subprogram that stays a bpf-to-bpf call (noinline): lsmrevoke must still
 * report "bpf_read_kernel" for the main program.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

struct task_struct {
	int tgid;
} __attribute__((preserve_access_index));

int monitored_pid;
int seen_tgid;

static __noinline int read_tgid(struct task_struct *t)
{
	int tgid = 0;

	bpf_probe_read_kernel(&tgid, sizeof(tgid), &t->tgid);
	return tgid;
}

SEC("kprobe/__x64_sys_getpid")
int subprog_main(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	if (monitored_pid && pid != (__u32)monitored_pid)
		return 0;
	seen_tgid = read_tgid(t);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
