// SPDX-License-Identifier: GPL-2.0
/*
 * The load window under strict mode ("lsmrevoke-test strict window",
 * tests/guest/suite.d/50-strict.sh): sx_window reads the current task's
 * comm through bpf_get_current_task_btf(), which the verifier allows and
 * strict mode counts as a kernel read. Run with BPF_PROG_TEST_RUN it
 * returns 7 (6 for an empty comm); revoked, lsmrevoke's raw_tracepoint
 * stub returns 0.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct task_struct {
	char comm[16];
} __attribute__((preserve_access_index));

SEC("raw_tp")
int sx_window(void *ctx)
{
	struct task_struct *t = bpf_get_current_task_btf();

	return t->comm[0] ? 7 : 6;
}

char LICENSE[] SEC("license") = "GPL";
