// SPDX-License-Identifier: GPL-2.0
/*
 * Strict mode, 6.12 only (bpf_rdonly_cast is from 6.2): a kprobe program,
 * which has no BTF pointer of its own, casts the current task to a BTF
 * pointer with bpf_rdonly_cast and reads through it. The verifier turns
 * that load into BPF_PROBE_MEM: lsmrevoke must report btf_read.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include "kfuncs.h"

struct task_struct {
	int pid;
} __attribute__((preserve_access_index));

__u64 cast_pid;

SEC("kprobe/__x64_sys_getpriority")
int sx_cast(void *ctx)
{
	struct task_struct *t;

	t = bpf_rdonly_cast((void *)bpf_get_current_task(),
			    bpf_core_type_id_kernel(struct task_struct));
	cast_pid = t->pid;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
