// SPDX-License-Identifier: GPL-2.0
/*
 * Strict mode (tests/guest/suite.d/50-strict.sh): programs that read only
 * their context, the stack, maps and (tc, xdp) packet data through direct
 * packet access. None of these loads reads kernel memory through a BTF
 * pointer, so lsmrevoke must report "-" for every one, strict or not.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} sx_hash SEC(".maps");

int monitored_pid;
__u64 pl_runs;
__u64 pl_sum;
__u64 pl_bytes;

static __always_inline int monitored(void)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	return monitored_pid && pid == (__u32)monitored_pid;
}

/* The context (an fexit program's return value), a hash map value and
 * the stack.
 */
SEC("fexit/__x64_sys_getpriority")
int BPF_PROG(pl_fexit, void *regs, long ret)
{
	__u64 stack[4];
	__u32 key = 1;
	__u64 *v, one = 1;

	if (!monitored())
		return 0;
	stack[0] = ret;
	stack[1] = pl_runs;
	/* The compiler must store both and load them again afterwards. */
	asm volatile("" : "+m"(stack));
	v = bpf_map_lookup_elem(&sx_hash, &key);
	if (v)
		__sync_fetch_and_add(v, *v + 1);
	else
		bpf_map_update_elem(&sx_hash, &key, &one, BPF_ANY);
	pl_sum += stack[0] + stack[1];
	__sync_fetch_and_add(&pl_runs, 1);
	return 0;
}

/* A tracepoint's context: syscalls/sys_enter_getpriority's which and who. */
struct sx_enter_getpriority {
	__u64 common;
	__s32 nr;
	__u32 pad;
	__u64 which;
	__u64 who;
};

SEC("tracepoint/syscalls/sys_enter_getpriority")
int pl_tp(struct sx_enter_getpriority *ctx)
{
	if (!monitored())
		return 0;
	pl_sum += ctx->which + ctx->who + ctx->nr;
	__sync_fetch_and_add(&pl_runs, 1);
	return 0;
}

/* A socket filter's context (no direct packet access for this type). */
SEC("socket")
int pl_sock(struct __sk_buff *skb)
{
	__u32 key = 2;
	__u64 *v;

	v = bpf_map_lookup_elem(&sx_hash, &key);
	if (v)
		pl_bytes += *v;
	return skb->len + (skb->protocol & 0);
}

/* tc: the context and packet data through direct packet access. */
SEC("tc")
int pl_tc(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > end)
		return -1;
	pl_bytes += eth->h_proto + eth->h_dest[0];
	return -1;
}

/* xdp: the same. */
SEC("xdp")
int pl_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	pl_bytes += eth->h_proto;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
