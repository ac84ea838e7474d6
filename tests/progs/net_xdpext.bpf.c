// SPDX-License-Identifier: GPL-2.0
/*
 * The extension offender of the xdp_ext test: it replaces xdp_ext_verdict()
 * of net_xdp.bpf.c's xdp_ext_tgt, reads kernel memory, and drops what the
 * function it replaces would pass. Revoked, the function's own code runs
 * again: the datagrams pass and xdp_ext_own_runs counts them.
 */
#include "net.h"

__u64 xdp_ext_off_runs;
__u64 xdp_ext_word;

SEC("freplace/xdp_ext_verdict")
int xdp_ext_off(struct xdp_md *ctx)
{
	__sync_fetch_and_add(&xdp_ext_off_runs, 1);
	net_read_kernel(&xdp_ext_word);
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
