// SPDX-License-Identifier: GPL-2.0
/*
 * The stubs a revoked program's entries jump to, and the table of what
 * each program type returns when revoked.
 *
 * A stub returns what the kernel would act on if the program were not
 * attached at all (on_revoke=detach), or a fail-closed value
 * (on_revoke=deny): docs/stub-semantics.md gives the reasons row by row.
 * Stubs are functions of this module with the JIT's calling convention
 * (ctx, insn -> return value). The entry jump keeps the caller's return
 * address, so a stub returns straight to whoever entered the program.
 * Stubs never sleep and touch nothing but their context.
 *
 * Subprograms entered as callbacks (timers, bpf_loop, for-each) get the
 * zero stub: 0 is a valid return for every callback kind.
 */
#include <linux/bpf.h>
#include <linux/rcupdate.h>
#include <linux/rcupdate_wait.h>
#include <linux/skbuff.h>
#include <uapi/linux/pkt_cls.h>

#include "params.h"
#include "state.h"
#include "stub_prog.h"

static unsigned int stub_zero(const void *ctx, const struct bpf_insn *insn)
{
	return 0;
}

static unsigned int stub_one(const void *ctx, const struct bpf_insn *insn)
{
	return 1;
}

static unsigned int stub_two(const void *ctx, const struct bpf_insn *insn)
{
	return 2;
}

static unsigned int stub_tc_pipe(const void *ctx, const struct bpf_insn *insn)
{
	return TC_ACT_PIPE;
}

static unsigned int stub_tc_unspec(const void *ctx,
				   const struct bpf_insn *insn)
{
	return (unsigned int)TC_ACT_UNSPEC;
}

static unsigned int stub_eperm(const void *ctx, const struct bpf_insn *insn)
{
	return (unsigned int)-EPERM;
}

static unsigned int stub_accept_all(const void *ctx,
				    const struct bpf_insn *insn)
{
	return UINT_MAX;
}

static unsigned int stub_flow_continue(const void *ctx,
				       const struct bpf_insn *insn)
{
	return BPF_FLOW_DISSECTOR_CONTINUE;
}

/* A stream parser's "no parser": the whole skb is one message. */
static unsigned int stub_skb_len(const void *ctx, const struct bpf_insn *insn)
{
	return ((const struct sk_buff *)ctx)->len;
}

enum stub_id {
	STUB_NONE = LSMREVOKE_STUB_NONE,	/* the type cannot be revoked */
	STUB_ZERO,
	STUB_ONE,
	STUB_TWO,
	STUB_TC_PIPE,
	STUB_TC_UNSPEC,
	STUB_EPERM,
	STUB_ACCEPT_ALL,
	STUB_FLOW_CONTINUE,
	STUB_SKB_LEN,
	STUB_MAX,
};

static const bpf_func_t stubs[STUB_MAX] = {
	[STUB_ZERO] = stub_zero,
	[STUB_ONE] = stub_one,
	[STUB_TWO] = stub_two,
	[STUB_TC_PIPE] = stub_tc_pipe,
	[STUB_TC_UNSPEC] = stub_tc_unspec,
	[STUB_EPERM] = stub_eperm,
	[STUB_ACCEPT_ALL] = stub_accept_all,
	[STUB_FLOW_CONTINUE] = stub_flow_continue,
	[STUB_SKB_LEN] = stub_skb_len,
};

/*
 * What the kernel does when no program is there (detach) and the closed
 * choice (deny), per program type; docs/stub-semantics.md gives the
 * reasons row by row. Attach types that differ are handled in stub_for().
 */
static const struct {
	u8 detach;
	u8 deny;
} table[] = {
	[BPF_PROG_TYPE_SOCKET_FILTER] = { STUB_ACCEPT_ALL, STUB_ZERO },
	[BPF_PROG_TYPE_KPROBE] = { STUB_ONE, STUB_ZERO },
	[BPF_PROG_TYPE_SCHED_CLS] = { STUB_TC_UNSPEC, STUB_TWO },
	[BPF_PROG_TYPE_SCHED_ACT] = { STUB_TC_PIPE, STUB_TWO },
	[BPF_PROG_TYPE_TRACEPOINT] = { STUB_ONE, STUB_ZERO },
	[BPF_PROG_TYPE_XDP] = { STUB_TWO, STUB_ONE },
	[BPF_PROG_TYPE_PERF_EVENT] = { STUB_ONE, STUB_ZERO },
	[BPF_PROG_TYPE_CGROUP_SKB] = { STUB_ONE, STUB_ZERO },
	[BPF_PROG_TYPE_CGROUP_SOCK] = { STUB_ONE, STUB_ZERO },
	[BPF_PROG_TYPE_LWT_IN] = { STUB_ZERO, STUB_TWO },
	[BPF_PROG_TYPE_LWT_OUT] = { STUB_ZERO, STUB_TWO },
	[BPF_PROG_TYPE_LWT_XMIT] = { STUB_ZERO, STUB_TWO },
	[BPF_PROG_TYPE_SOCK_OPS] = { STUB_ONE, STUB_ZERO },
	[BPF_PROG_TYPE_SK_SKB] = { STUB_ONE, STUB_ZERO },
	[BPF_PROG_TYPE_CGROUP_DEVICE] = { STUB_ONE, STUB_ZERO },
	[BPF_PROG_TYPE_SK_MSG] = { STUB_ONE, STUB_ZERO },
	[BPF_PROG_TYPE_RAW_TRACEPOINT] = { STUB_ZERO, STUB_ZERO },
	[BPF_PROG_TYPE_CGROUP_SOCK_ADDR] = { STUB_ONE, STUB_ZERO },
	[BPF_PROG_TYPE_LWT_SEG6LOCAL] = { STUB_ZERO, STUB_TWO },
	[BPF_PROG_TYPE_LIRC_MODE2] = { STUB_ZERO, STUB_ZERO },
	[BPF_PROG_TYPE_SK_REUSEPORT] = { STUB_ONE, STUB_ZERO },
	[BPF_PROG_TYPE_FLOW_DISSECTOR] = { STUB_FLOW_CONTINUE, STUB_TWO },
	[BPF_PROG_TYPE_CGROUP_SYSCTL] = { STUB_ONE, STUB_ZERO },
	[BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE] = { STUB_ZERO, STUB_ZERO },
	[BPF_PROG_TYPE_CGROUP_SOCKOPT] = { STUB_ONE, STUB_ZERO },
	[BPF_PROG_TYPE_TRACING] = { STUB_ZERO, STUB_ZERO },
	[BPF_PROG_TYPE_LSM] = { STUB_ZERO, STUB_EPERM },
	[BPF_PROG_TYPE_SK_LOOKUP] = { STUB_ONE, STUB_ZERO },
	[BPF_PROG_TYPE_SYSCALL] = { STUB_ZERO, STUB_EPERM },
	[LSMREVOKE_PROG_TYPE_NETFILTER] = { STUB_ONE, STUB_ZERO },
};

/* Hooks that cannot refuse: only "allow" (1) is a valid return. */
static bool sock_addr_allow_only(enum bpf_attach_type t)
{
	switch (t) {
	case BPF_CGROUP_UDP4_RECVMSG:
	case BPF_CGROUP_UDP6_RECVMSG:
	case BPF_CGROUP_INET4_GETPEERNAME:
	case BPF_CGROUP_INET6_GETPEERNAME:
	case BPF_CGROUP_INET4_GETSOCKNAME:
	case BPF_CGROUP_INET6_GETSOCKNAME:
		return true;
	default:
		return false;
	}
}

/*
 * The stub for @prog's main image, or LSMREVOKE_STUB_NONE with *why set
 * (enum lsmrevoke_why).
 */
unsigned int lsmrevoke_stub_for(const struct bpf_prog *prog, unsigned int *why)
{
	enum bpf_attach_type t = prog->expected_attach_type;
	bool deny = lsmrevoke_params_deny();

	switch (prog->type) {
	case BPF_PROG_TYPE_STRUCT_OPS:
		*why = LSMREVOKE_WHY_STRUCT_OPS;
		return STUB_NONE;
	case BPF_PROG_TYPE_EXT:
		/*
		 * Its main entry jumps into the function it replaces (ext.c);
		 * this stub is for its callbacks, and for an extension that
		 * replaces no function or several.
		 */
		return STUB_ZERO;
	case BPF_PROG_TYPE_LSM:
		if (t == BPF_LSM_CGROUP)
			return deny ? STUB_ZERO : STUB_ONE;
		break;
	case BPF_PROG_TYPE_CGROUP_SOCK_ADDR:
		if (sock_addr_allow_only(t) || lsmrevoke_is_unix_query_hook(t))
			return STUB_ONE;
		break;
	case BPF_PROG_TYPE_SK_SKB:
		/* Parser and verdict need different values: know which. */
		if (t == BPF_SK_SKB_STREAM_PARSER)
			return STUB_SKB_LEN;
		if (t != BPF_SK_SKB_STREAM_VERDICT && t != BPF_SK_SKB_VERDICT) {
			*why = LSMREVOKE_WHY_UNKNOWN_ATTACH;
			return STUB_NONE;
		}
		break;
	default:
		break;
	}
	if (prog->type >= ARRAY_SIZE(table) || !table[prog->type].detach) {
		*why = LSMREVOKE_WHY_UNKNOWN_TYPE;
		return STUB_NONE;
	}
	return deny ? table[prog->type].deny : table[prog->type].detach;
}

/* The address of @stub, or of the zero stub for a @callback image. */
const void *lsmrevoke_stub_addr(unsigned int stub, bool callback)
{
	return stubs[callback ? STUB_ZERO : stub];
}

/*
 * Every entry we could reach was restored; waits until no CPU and no task
 * can still be inside a stub, so that the module's text may go: runs of
 * non-sleepable programs are RCU readers (synchronize_rcu), a task may be
 * preempted in a stub (synchronize_rcu_tasks), and sleepable programs are
 * RCU-tasks-trace readers which a revoked program freed meanwhile, its
 * jump still in place, may be entered by (synchronize_rcu_tasks_trace).
 */
void lsmrevoke_stub_exit(void)
{
	synchronize_rcu();
	synchronize_rcu_tasks();
	synchronize_rcu_tasks_trace();
}
