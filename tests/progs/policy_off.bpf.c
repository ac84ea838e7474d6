// SPDX-License-Identifier: GPL-2.0
/*
 * The offenders of the policy and lockdown tests, with their control, all
 * on the getpriority() tracepoint and counting only events of
 * monitored_pid (set by "lsmrevoke-test policy fire"):
 *   po_read   reads kernel memory (bpf_probe_read_kernel: LOCKDOWN_BPF_
 *             READ_KERNEL, denied by lockdown=confidentiality);
 *   po_write  writes a word into a user buffer of the monitored task
 *             (bpf_probe_write_user: LOCKDOWN_BPF_WRITE_USER, denied from
 *             lockdown=integrity on); the loader checks the buffer;
 *   po_ctl    calls no gated helper: it must count in every phase.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define PO_MAGIC	0x5a5a5a5a

int monitored_pid;
__u64 target_addr;
__u64 last_read;
__u64 read_runs;
__u64 write_runs;
__u64 ctl_runs;

static __always_inline int monitored(void)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	return monitored_pid && pid == (__u32)monitored_pid;
}

SEC("tracepoint/syscalls/sys_enter_getpriority")
int po_read(void *ctx)
{
	__u64 v = 0;

	if (!monitored())
		return 0;
	bpf_probe_read_kernel(&v, sizeof(v), (void *)bpf_get_current_task());
	last_read = v;
	__sync_fetch_and_add(&read_runs, 1);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_getpriority")
int po_write(void *ctx)
{
	__u32 val = PO_MAGIC;

	if (!monitored() || !target_addr)
		return 0;
	if (!bpf_probe_write_user((void *)target_addr, &val, sizeof(val)))
		__sync_fetch_and_add(&write_runs, 1);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_getpriority")
int po_ctl(void *ctx)
{
	if (!monitored())
		return 0;
	__sync_fetch_and_add(&ctl_runs, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
