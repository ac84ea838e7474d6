// SPDX-License-Identifier: GPL-2.0
/*
 * Strict mode (tests/guest/suite.d/50-strict.sh): a printer that prints the
 * current task_struct with bpf_snprintf_btf, which reads any address as
 * any BTF type and which the kernel does not gate under lockdown
 * (lsmrevoke reports btf_print), and a control, on the same hook. Both
 * count only the pid "lsmrevoke-test trace fire" writes into
 * monitored_pid; print_ok counts the runs whose output starts with
 * "(struct task_struct)", that is, that really read the kernel object.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

struct task_struct {
	int pid;
} __attribute__((preserve_access_index));

int monitored_pid;
__u64 print_runs;
__u64 print_ok;
__u64 ctl_runs;
char out[64];

static __always_inline int monitored(void)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	return monitored_pid && pid == (__u32)monitored_pid;
}

SEC("fentry/__x64_sys_getpriority")
int BPF_PROG(sx_print)
{
	struct btf_ptr p = {};

	if (!monitored())
		return 0;
	p.ptr = (void *)bpf_get_current_task();
	p.type_id = bpf_core_type_id_kernel(struct task_struct);
	out[0] = 0;
	if (bpf_snprintf_btf(out, sizeof(out), &p, sizeof(p), 0) < 0)
		return 0;
	__sync_fetch_and_add(&print_runs, 1);
	if (out[0] == '(' && out[1] == 's' && out[8] == 't' && out[9] == 'a')
		__sync_fetch_and_add(&print_ok, 1);
	return 0;
}

SEC("fentry/__x64_sys_getpriority")
int BPF_PROG(sx_pctl)
{
	if (!monitored())
		return 0;
	__sync_fetch_and_add(&ctl_runs, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
