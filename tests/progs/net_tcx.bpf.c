// SPDX-License-Identifier: GPL-2.0
/*
 * tcx programs (BPF_TCX_INGRESS links, kernel >= 6.6) for the tcx test, on
 * the veth peer. libbpf 1.1 knows no "tcx/" section, so they are plain
 * "tc" programs; a sched_cls program attaches as tcx all the same. The
 * control's link comes first and returns TCX_NEXT; the offender reads
 * kernel memory and returns TCX_DROP. Both act only on UDP to their port.
 */
#include "net.h"

/* include/uapi/linux/bpf.h of 6.6+, absent from the 6.1 headers. */
#define TCX_NEXT	-1
#define TCX_DROP	2

__u64 tcx_off_runs;
__u64 tcx_ctl_runs;
__u64 tcx_word;

SEC("tc")
int tcx_offender(struct __sk_buff *skb)
{
	if (net_tc_dport(skb) != NET_PORT_TCX)
		return TCX_NEXT;
	__sync_fetch_and_add(&tcx_off_runs, 1);
	net_read_kernel(&tcx_word);
	return TCX_DROP;
}

SEC("tc")
int tcx_control(struct __sk_buff *skb)
{
	if (net_tc_dport(skb) == NET_PORT_TCX)
		__sync_fetch_and_add(&tcx_ctl_runs, 1);
	return TCX_NEXT;
}

char LICENSE[] SEC("license") = "GPL";
