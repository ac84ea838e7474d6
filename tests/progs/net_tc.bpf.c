// SPDX-License-Identifier: GPL-2.0
/*
 * tc (clsact, direct-action) programs for the tc test: on the veth peer's
 * ingress and on the near end's egress. Each acts only on UDP to its own
 * port (net.h). The controls are attached first (lower priority number)
 * and return TC_ACT_UNSPEC, so the offender behind them still runs; the
 * offenders read kernel memory and return TC_ACT_SHOT.
 */
#include <linux/pkt_cls.h>
#include "net.h"

__u64 tc_off_in_runs;
__u64 tc_off_eg_runs;
__u64 tc_ctl_in_runs;
__u64 tc_ctl_eg_runs;
__u64 tc_word;

SEC("tc")
int tc_off_in(struct __sk_buff *skb)
{
	if (net_tc_dport(skb) != NET_PORT_TC_IN)
		return TC_ACT_UNSPEC;
	__sync_fetch_and_add(&tc_off_in_runs, 1);
	net_read_kernel(&tc_word);
	return TC_ACT_SHOT;
}

SEC("tc")
int tc_off_eg(struct __sk_buff *skb)
{
	if (net_tc_dport(skb) != NET_PORT_TC_EG)
		return TC_ACT_UNSPEC;
	__sync_fetch_and_add(&tc_off_eg_runs, 1);
	net_read_kernel(&tc_word);
	return TC_ACT_SHOT;
}

SEC("tc")
int tc_ctl_in(struct __sk_buff *skb)
{
	if (net_tc_dport(skb) == NET_PORT_TC_IN)
		__sync_fetch_and_add(&tc_ctl_in_runs, 1);
	return TC_ACT_UNSPEC;
}

SEC("tc")
int tc_ctl_eg(struct __sk_buff *skb)
{
	if (net_tc_dport(skb) == NET_PORT_TC_EG)
		__sync_fetch_and_add(&tc_ctl_eg_runs, 1);
	return TC_ACT_UNSPEC;
}

char LICENSE[] SEC("license") = "GPL";
