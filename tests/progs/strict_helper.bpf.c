// SPDX-License-Identifier: GPL-2.0
/*
 * Strict mode (tests/guest/suite.d/50-strict.sh): programs whose only
 * kernel reads go through the gated helpers, never through a BTF pointer
 * (bpf_get_current_task() is a plain number to the verifier): lsmrevoke
 * must report "bpf_read_kernel" without "btf_read".
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

__u64 hl_word;
char hl_str[16];

SEC("fentry/__x64_sys_getpriority")
int BPF_PROG(hl_fentry, void *regs)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), (void *)bpf_get_current_task());
	hl_word = v;
	return 0;
}

SEC("kprobe/__x64_sys_getpriority")
int hl_kprobe(void *ctx)
{
	bpf_probe_read_kernel_str(hl_str, sizeof(hl_str),
				  (void *)bpf_get_current_task());
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
