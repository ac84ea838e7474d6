// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_timer: each main program (fentry on getpriority(2)) arms its timer;
 * the timer's callback subprogram counts and re-arms itself. Only the
 * offender's callback calls the gated helper, so off_runs counts runs of
 * a subprogram entered from a timer, not from the trampoline. A revoked
 * callback's stub does not re-arm, and a revoked main program does not
 * arm: the count freezes until the offender is restored and armed again.
 */
#include "trace.h"

#define CLOCK_MONOTONIC	1
#define PERIOD_NS	(5 * 1000 * 1000)

struct elem {
	struct bpf_timer t;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, int);
	__type(value, struct elem);
} timers SEC(".maps");

__u64 off_runs;
__u64 ctl_runs;

static int off_cb(void *map, int *key, struct elem *e)
{
	read_kernel();
	__sync_fetch_and_add(&off_runs, 1);
	bpf_timer_start(&e->t, PERIOD_NS, 0);
	return 0;
}

static int ctl_cb(void *map, int *key, struct elem *e)
{
	__sync_fetch_and_add(&ctl_runs, 1);
	bpf_timer_start(&e->t, PERIOD_NS, 0);
	return 0;
}

SEC("fentry/__x64_sys_getpriority")
int tm_off(void *ctx)
{
	int key = 0;
	struct elem *e;

	if (!monitored())
		return 0;
	e = bpf_map_lookup_elem(&timers, &key);
	if (!e)
		return 0;
	bpf_timer_init(&e->t, &timers, CLOCK_MONOTONIC);	/* -EBUSY later */
	bpf_timer_set_callback(&e->t, off_cb);
	bpf_timer_start(&e->t, PERIOD_NS, 0);
	return 0;
}

SEC("fentry/__x64_sys_getpriority")
int tm_ctl(void *ctx)
{
	int key = 1;
	struct elem *e;

	if (!monitored())
		return 0;
	e = bpf_map_lookup_elem(&timers, &key);
	if (!e)
		return 0;
	bpf_timer_init(&e->t, &timers, CLOCK_MONOTONIC);
	bpf_timer_set_callback(&e->t, ctl_cb);
	bpf_timer_start(&e->t, PERIOD_NS, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
