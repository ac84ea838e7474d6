// SPDX-License-Identifier: GPL-2.0
/*
 * Root's attempt to blind lsmrevoke's compile hook (50-strict.sh,
 * strict_window_traced): an fexit program on the kernel's select-runtime
 * function, whose ftrace site the hook's kprobe shares. The loader points
 * it at the function this kernel has ("lsmrevoke-test trace up ...
 * --attach-to - FUNC"); it counts the calls it saw return.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 blind_runs;

SEC("fexit/bpf_prog_select_runtime")
int sx_blind(void *ctx)
{
	__sync_fetch_and_add(&blind_runs, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
