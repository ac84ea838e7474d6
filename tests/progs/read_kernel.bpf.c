// SPDX-License-Identifier: GPL-2.0
/*
 * A kprobe program that reads kernel memory with bpf_probe_read_kernel
 * (LOCKDOWN_BPF_READ_KERNEL): lsmrevoke must report "bpf_read_kernel".
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

struct task_struct {
	int pid;
} __attribute__((preserve_access_index));

int monitored_pid;
int seen_pid;

SEC("kprobe/__x64_sys_getpid")
int read_kernel(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	int kpid = 0;

	if (monitored_pid && pid != (__u32)monitored_pid)
		return 0;
	bpf_probe_read_kernel(&kpid, sizeof(kpid), &t->pid);
	seen_pid = kpid;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
