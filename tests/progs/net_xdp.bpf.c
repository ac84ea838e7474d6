// SPDX-License-Identifier: GPL-2.0
/*
 * XDP programs for the xdp_native and xdp_generic tests. Both modes run
 * programs through the kernel's XDP dispatcher. The offenders read kernel
 * memory and return XDP_DROP for UDP to their port; the controls (on
 * another device in the same mode) count that port and pass.
 *
 * xdp_ext_tgt is the program whose function net_xdpext.bpf.c's extension
 * replaces: it counts its port's datagrams and leaves the verdict to
 * xdp_ext_verdict(), which counts its own runs and passes them.
 * xdp_ext_tgt2 (never attached, run with BPF_PROG_TEST_RUN) is the same
 * with a function of its own, xdp_ext_verdict2(), where the suite moves
 * the extension to while it is revoked.
 */
#include "net.h"

__u64 xdp_off_drv_runs;
__u64 xdp_off_gen_runs;
__u64 xdp_ctl_drv_runs;
__u64 xdp_ctl_gen_runs;
__u64 xdp_word;
__u64 xdp_ext_ctl_runs;
__u64 xdp_ext_own_runs;
__u64 xdp_ext_own2_runs;

/* UDP destination port (host order) of an Ethernet/IPv4 frame, or 0. */
static __always_inline int xdp_dport(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	struct udphdr *udp = (void *)(ip + 1);

	if ((void *)(udp + 1) > end)
		return 0;
	if (eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5 ||
	    ip->protocol != IPPROTO_UDP)
		return 0;
	return bpf_ntohs(udp->dest);
}

SEC("xdp")
int xdp_off_drv(struct xdp_md *ctx)
{
	if (xdp_dport(ctx) != NET_PORT_XDP)
		return XDP_PASS;
	__sync_fetch_and_add(&xdp_off_drv_runs, 1);
	net_read_kernel(&xdp_word);
	return XDP_DROP;
}

SEC("xdp")
int xdp_off_gen(struct xdp_md *ctx)
{
	if (xdp_dport(ctx) != NET_PORT_XDP_GENERIC)
		return XDP_PASS;
	__sync_fetch_and_add(&xdp_off_gen_runs, 1);
	net_read_kernel(&xdp_word);
	return XDP_DROP;
}

SEC("xdp")
int xdp_ctl_drv(struct xdp_md *ctx)
{
	if (xdp_dport(ctx) == NET_PORT_XDP)
		__sync_fetch_and_add(&xdp_ctl_drv_runs, 1);
	return XDP_PASS;
}

SEC("xdp")
int xdp_ctl_gen(struct xdp_md *ctx)
{
	if (xdp_dport(ctx) == NET_PORT_XDP_GENERIC)
		__sync_fetch_and_add(&xdp_ctl_gen_runs, 1);
	return XDP_PASS;
}

/* Global: verified on its own, and replaceable by an extension. */
__noinline int xdp_ext_verdict(struct xdp_md *ctx)
{
	if (!ctx)
		return XDP_ABORTED;
	__sync_fetch_and_add(&xdp_ext_own_runs, 1);
	return XDP_PASS;
}

SEC("xdp")
int xdp_ext_tgt(struct xdp_md *ctx)
{
	if (xdp_dport(ctx) != NET_PORT_XDP_EXT)
		return XDP_PASS;
	__sync_fetch_and_add(&xdp_ext_ctl_runs, 1);
	return xdp_ext_verdict(ctx);
}

__noinline int xdp_ext_verdict2(struct xdp_md *ctx)
{
	if (!ctx)
		return XDP_ABORTED;
	__sync_fetch_and_add(&xdp_ext_own2_runs, 1);
	return XDP_PASS;
}

SEC("xdp")
int xdp_ext_tgt2(struct xdp_md *ctx)
{
	if (xdp_dport(ctx) != NET_PORT_XDP_EXT)
		return XDP_PASS;
	return xdp_ext_verdict2(ctx);
}

char LICENSE[] SEC("license") = "GPL";
