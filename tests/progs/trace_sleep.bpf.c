// SPDX-License-Identifier: GPL-2.0
/*
 * Sleepable offender and control: lsm.s/capget, a hook the kernel lets
 * sleepable BPF-LSM programs use, consulted on every capget(2). (Sleepable
 * fentry needs function error injection, which Debian's kernels lack.)
 */
#include "trace.h"

__u64 off_runs;
__u64 ctl_runs;

SEC("lsm.s/capget")
int sl_off(void *ctx)
{
	if (!monitored())
		return 0;
	read_kernel();
	__sync_fetch_and_add(&off_runs, 1);
	return 0;
}

SEC("lsm.s/capget")
int sl_ctl(void *ctx)
{
	if (!monitored())
		return 0;
	__sync_fetch_and_add(&ctl_runs, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
