// SPDX-License-Identifier: GPL-2.0
/*
 * Socket filters for the receiving UDP sockets of the sockfilter test.
 * The offender reads kernel memory and truncates every datagram to its UDP
 * header and 4 bytes of payload, so a whole datagram delivered while it is
 * revoked (on_revoke=detach) comes from the stub, not from the program.
 * The control accepts every packet whole. Each is attached to its own
 * socket only, so every run is one of the test's datagrams.
 */
#include "net.h"

/* UDP header plus the first 4 payload bytes (the round number). */
#define SF_TRUNCATED	(sizeof(struct udphdr) + 4)

__u64 sf_off_runs;
__u64 sf_ctl_runs;
__u64 sf_off_word;

SEC("socket")
int sf_offender(struct __sk_buff *skb)
{
	__sync_fetch_and_add(&sf_off_runs, 1);
	net_read_kernel(&sf_off_word);
	return SF_TRUNCATED;
}

SEC("socket")
int sf_control(struct __sk_buff *skb)
{
	__sync_fetch_and_add(&sf_ctl_runs, 1);
	return skb->len;
}

char LICENSE[] SEC("license") = "GPL";
