// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup_sock (sock_create) programs for the cgroup_sock test. They sit
 * on a cgroup that holds only the test's short-lived socket-creating
 * process, so every run is one of its socket() calls. The offender reads
 * kernel memory and denies (0: socket() fails with EPERM); the control
 * counts and allows.
 */
#include "net.h"

__u64 sock_off_runs;
__u64 sock_ctl_runs;
__u64 sock_word;

SEC("cgroup/sock_create")
int sock_offender(struct bpf_sock *sk)
{
	__sync_fetch_and_add(&sock_off_runs, 1);
	net_read_kernel(&sock_word);
	return 0;
}

SEC("cgroup/sock_create")
int sock_control(struct bpf_sock *sk)
{
	__sync_fetch_and_add(&sock_ctl_runs, 1);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
