/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the net_*.bpf.c test programs (tests/guest/suite.d/20-net.sh):
 * the UDP ports each hook's offender drops and its control counts (the
 * suite's flows use the same numbers), the kernel read that makes an
 * offender need LOCKDOWN_BPF_READ_KERNEL, and UDP header parsing.
 */
#ifndef LSMREVOKE_TEST_NET_H
#define LSMREVOKE_TEST_NET_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define NET_PORT_CGSKB_IN	4703
#define NET_PORT_CGSKB_EG	4704
#define NET_PORT_TC_IN		4705
#define NET_PORT_TC_EG		4706
#define NET_PORT_TCX		4707
#define NET_PORT_XDP		4708
#define NET_PORT_XDP_GENERIC	4709
#define NET_PORT_XDP_EXT	4710

/*
 * The gated helper: read the first word of the current task_struct (in
 * softirq context whatever task was interrupted). What is read does not
 * matter; that the program calls bpf_probe_read_kernel does.
 */
static __always_inline void net_read_kernel(__u64 *dst)
{
	__u64 task = bpf_get_current_task();

	bpf_probe_read_kernel(dst, sizeof(*dst), (const void *)task);
}

/*
 * The UDP destination port (host order) of an IPv4 packet whose IP header
 * starts at byte @off of @skb, or 0 for anything else.
 */
static __always_inline int net_skb_dport(struct __sk_buff *skb, __u32 off)
{
	struct iphdr ip;
	struct udphdr udp;

	if (bpf_skb_load_bytes(skb, off, &ip, sizeof(ip)))
		return 0;
	if (ip.version != 4 || ip.protocol != IPPROTO_UDP || ip.ihl < 5)
		return 0;
	if (bpf_skb_load_bytes(skb, off + ip.ihl * 4, &udp, sizeof(udp)))
		return 0;
	return bpf_ntohs(udp.dest);
}

/* Same for a tc program: Ethernet first. */
static __always_inline int net_tc_dport(struct __sk_buff *skb)
{
	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 0;
	return net_skb_dport(skb, ETH_HLEN);
}

#endif
