// SPDX-License-Identifier: GPL-2.0
/*
 * tests/guest/suite.d/60-robust.sh, stress: a kprobe program that needs
 * LOCKDOWN_BPF_READ_KERNEL in its main function and in a bpf_loop
 * callback (whose entry lsmrevoke patches too).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 runs;
__u64 last;

static long cb(__u32 i, void *ctx)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), (void *)bpf_get_current_task());
	last = v + i;
	return 0;
}

SEC("kprobe/__x64_sys_getppid")
int rs_gated(void *ctx)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), (void *)bpf_get_current_task());
	bpf_loop(2, cb, NULL, 0);
	__sync_fetch_and_add(&runs, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
