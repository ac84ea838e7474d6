// SPDX-License-Identifier: GPL-2.0
/* tests/guest/suite.d/60-robust.sh, stress: no gated helper. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 runs;

SEC("tracepoint/syscalls/sys_enter_getppid")
int rs_plain(void *ctx)
{
	__sync_fetch_and_add(&runs, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
