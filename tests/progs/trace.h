/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the trace_*.bpf.c programs of tests/guest/suite.d/10-trace.sh.
 *
 * Every object has a monitored_pid (set by "lsmrevoke-test trace fire" to
 * its own pid while it fires events; 0 means nobody is watched) and
 * counters in .bss. An offender calls bpf_probe_read_kernel (so lsmrevoke
 * must revoke it under a denying policy); its control is the same program
 * without that call.
 */
#ifndef LSMREVOKE_TEST_TRACE_H
#define LSMREVOKE_TEST_TRACE_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int monitored_pid;
__u64 last_read;

static __always_inline int monitored(void)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	return monitored_pid && pid == (__u32)monitored_pid;
}

/* The gated helper: read the first word of the current task_struct. */
static __always_inline void read_kernel(void)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), (void *)bpf_get_current_task());
	last_read = v;
}

#endif /* LSMREVOKE_TEST_TRACE_H */
