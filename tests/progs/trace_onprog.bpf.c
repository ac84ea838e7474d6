// SPDX-License-Identifier: GPL-2.0
/*
 * An fentry program attached TO another BPF program: the loader sets the
 * target ("lsmrevoke-test trace up ... --attach-to PIN FUNC"); kp_off of
 * trace_kprobe.bpf.c is the default. It takes the target's entry, so
 * lsmrevoke cannot revoke the target while it is attached. It counts every
 * entry of its target, which filters on its own monitored_pid.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 on_runs;

SEC("fentry/kp_off")
int on_victim(void *ctx)
{
	__sync_fetch_and_add(&on_runs, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
