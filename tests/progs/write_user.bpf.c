// SPDX-License-Identifier: GPL-2.0
/*
 * A tracepoint program that writes user memory with bpf_probe_write_user
 * (LOCKDOWN_BPF_WRITE_USER): lsmrevoke must report "bpf_write_user".
 * It is never attached; target_addr stays 0 unless a test sets it.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int monitored_pid;
__u64 target_addr;
__u64 writes;

SEC("tracepoint/syscalls/sys_enter_getpid")
int write_user(void *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__u32 val = 0x5a5a5a5a;

	if (!target_addr || pid != (__u32)monitored_pid)
		return 0;
	if (!bpf_probe_write_user((void *)target_addr, &val, sizeof(val)))
		__sync_fetch_and_add(&writes, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
