// SPDX-License-Identifier: GPL-2.0
/*
 * The sleepable offender of the drain test: on every file open by the
 * thread monitored_tid it reads kernel memory (bpf_probe_read_kernel, so
 * it requires bpf_read_kernel), then copies 8 bytes from user_addr in the
 * opener's memory. The test puts a userfaultfd page there: the run blocks
 * inside the program until the test resolves the fault.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct file;

__u32 monitored_tid;
__u64 user_addr;
__u64 entered;
__u64 finished;

SEC("lsm.s/file_open")
int BPF_PROG(sleepy, struct file *file)
{
	__u64 v = 0;

	if ((__u32)bpf_get_current_pid_tgid() != monitored_tid || !user_addr)
		return 0;
	__sync_fetch_and_add(&entered, 1);
	bpf_probe_read_kernel(&v, sizeof(v), file);
	bpf_copy_from_user(&v, sizeof(v), (void *)user_addr);
	__sync_fetch_and_add(&finished, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
