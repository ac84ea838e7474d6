// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup_skb programs for the cgroup_skb test, attached to the cgroup that
 * holds the test's traffic process. Each acts only on UDP to its own port
 * (net.h), so the other tests' traffic from that process passes untouched.
 * The offenders read kernel memory and drop (return 0); the controls on
 * the same hooks count and allow. cgroup_skb data starts at the IP header
 * on both ingress and egress.
 */
#include "net.h"

__u64 cgskb_off_in_runs;
__u64 cgskb_off_eg_runs;
__u64 cgskb_ctl_in_runs;
__u64 cgskb_ctl_eg_runs;
__u64 cgskb_word;

SEC("cgroup_skb/ingress")
int cgskb_off_in(struct __sk_buff *skb)
{
	if (net_skb_dport(skb, 0) != NET_PORT_CGSKB_IN)
		return 1;
	__sync_fetch_and_add(&cgskb_off_in_runs, 1);
	net_read_kernel(&cgskb_word);
	return 0;
}

SEC("cgroup_skb/egress")
int cgskb_off_eg(struct __sk_buff *skb)
{
	if (net_skb_dport(skb, 0) != NET_PORT_CGSKB_EG)
		return 1;
	__sync_fetch_and_add(&cgskb_off_eg_runs, 1);
	net_read_kernel(&cgskb_word);
	return 0;
}

SEC("cgroup_skb/ingress")
int cgskb_ctl_in(struct __sk_buff *skb)
{
	if (net_skb_dport(skb, 0) == NET_PORT_CGSKB_IN)
		__sync_fetch_and_add(&cgskb_ctl_in_runs, 1);
	return 1;
}

SEC("cgroup_skb/egress")
int cgskb_ctl_eg(struct __sk_buff *skb)
{
	if (net_skb_dport(skb, 0) == NET_PORT_CGSKB_EG)
		__sync_fetch_and_add(&cgskb_ctl_eg_runs, 1);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
