// SPDX-License-Identifier: GPL-2.0
/*
 * Strict mode (tests/guest/suite.d/50-strict.sh): a typed ksym of a
 * non-struct type, read with a plain load. sx_ksym, a kprobe on
 * getpriority, reads this CPU's bpf_prog_active, which the kernel sets to
 * 1 while it runs a kprobe program; sx_kctl is its control.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

extern const int bpf_prog_active __ksym;

int monitored_pid;
__u64 ksym_runs, ksym_ok;
__u64 ctl_runs;

static __always_inline int monitored(void)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	return monitored_pid && pid == (__u32)monitored_pid;
}

SEC("kprobe/__x64_sys_getpriority")
int sx_ksym(void *ctx)
{
	const int *active;

	if (!monitored())
		return 0;
	active = bpf_this_cpu_ptr(&bpf_prog_active);
	__sync_fetch_and_add(&ksym_runs, 1);
	if (*active == 1)
		__sync_fetch_and_add(&ksym_ok, 1);
	return 0;
}

SEC("fentry/__x64_sys_getpriority")
int BPF_PROG(sx_kctl)
{
	if (!monitored())
		return 0;
	__sync_fetch_and_add(&ctl_runs, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
