// SPDX-License-Identifier: GPL-2.0
/*
 * perf_event offender and control. Not attached at load: "lsmrevoke-test
 * trace fire ... pagefault:N" opens a software page-fault event with
 * sample_period 1 on itself for each of them, so each runs once per fault.
 */
#include <linux/bpf_perf_event.h>
#include "trace.h"

__u64 off_runs;
__u64 ctl_runs;

SEC("perf_event")
int pe_off(struct bpf_perf_event_data *ctx)
{
	if (!monitored())
		return 0;
	read_kernel();
	__sync_fetch_and_add(&off_runs, 1);
	return 0;
}

SEC("perf_event")
int pe_ctl(struct bpf_perf_event_data *ctx)
{
	if (!monitored())
		return 0;
	__sync_fetch_and_add(&ctl_runs, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
