// SPDX-License-Identifier: GPL-2.0
/*
 * Stubs, the as-if-detached table, and revocation of a program's entries.
 *
 * A revoked program keeps its JIT image, its bpf_func, its attachments and
 * its references; only the 5-byte no-op at the entry of each image (main
 * program and every subprogram) becomes a jump to a stub. Every path the
 * kernel uses to enter a JITed program lands there: indirect calls through
 * bpf_func, the XDP dispatcher's direct jumps, trampolines' direct calls,
 * bpf-to-bpf calls and callback/timer entries of subprograms. Tail calls
 * enter past the entry no-op; tailcall.c empties the program's prog-array
 * slots instead.
 *
 * The stubs are functions of this module with the JIT's calling convention
 * (ctx, insn -> return value). The jump keeps the caller's return address,
 * so a stub returns straight to whoever entered the program. Stubs never
 * sleep and touch nothing but their context; module exit restores every
 * entry and waits for tasks-RCU before the stubs go away.
 *
 * Entries are written in batches (struct lsmrevoke_batch) with the
 * kernel's int3 protocol, text_poke_queue() and text_poke_finish(), under
 * text_mutex: the same mutex bpf_arch_text_poke() takes, so the five bytes
 * compared before the write are still there when it happens. A site that
 * holds anything else (an fentry/fexit/freplace attachment's call or jump)
 * is never overwritten, and a restore only removes our own jump. Only the
 * rollback of a revocation that failed half-way pokes entry by entry,
 * through bpf_arch_text_poke().
 */
#include <linux/bitmap.h>
#include <linux/bpf_verifier.h>
#include <linux/filter.h>
#include <linux/moduleparam.h>
#include <linux/rcupdate.h>
#include <linux/rcupdate_wait.h>
#include <linux/skbuff.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <uapi/linux/pkt_cls.h>

#include "fault.h"
#include "ksyms.h"
#include "layout.h"
#include "stub_prog.h"
#include "tailcall.h"
#include "track.h"

/* Fail-closed values instead of as-if-detached ones. */
static bool on_revoke_deny;

static int on_revoke_set(const char *val, const struct kernel_param *kp)
{
	if (sysfs_streq(val, "detach")) {
		on_revoke_deny = false;
		return 0;
	}
	if (sysfs_streq(val, "deny")) {
		on_revoke_deny = true;
		return 0;
	}
	pr_err("on_revoke: '%s' is neither 'detach' nor 'deny'\n", val);
	return -EINVAL;
}

static int on_revoke_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", on_revoke_deny ? "deny" : "detach");
}

static const struct kernel_param_ops on_revoke_ops = {
	.set = on_revoke_set,
	.get = on_revoke_get,
};

module_param_cb(on_revoke, &on_revoke_ops, NULL, 0444);
MODULE_PARM_DESC(on_revoke,
		 "what a revoked program returns: detach (as if detached) or deny (fail closed) [detach]");

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
	STUB_NONE,	/* the type cannot be revoked */
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
#ifdef LSMREVOKE_HAVE_PROG_TYPE_NETFILTER
	[BPF_PROG_TYPE_NETFILTER] = { STUB_ONE, STUB_ZERO },
#endif
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
#ifdef LSMREVOKE_HAVE_CGROUP_UNIX
	case BPF_CGROUP_UNIX_RECVMSG:
	case BPF_CGROUP_UNIX_GETPEERNAME:
	case BPF_CGROUP_UNIX_GETSOCKNAME:
#endif
		return true;
	default:
		return false;
	}
}

/* The stub for @prog's main image, or STUB_NONE with *why set. */
static unsigned int stub_for(const struct bpf_prog *prog, unsigned int *why)
{
	enum bpf_attach_type t = prog->expected_attach_type;
	bool deny = READ_ONCE(on_revoke_deny);

	switch (prog->type) {
	case BPF_PROG_TYPE_STRUCT_OPS:
		*why = LSMREVOKE_WHY_STRUCT_OPS;
		return STUB_NONE;
	case BPF_PROG_TYPE_EXT:
		*why = LSMREVOKE_WHY_EXT;
		return STUB_NONE;
	case BPF_PROG_TYPE_LSM:
		if (t == BPF_LSM_CGROUP)
			return deny ? STUB_ZERO : STUB_ONE;
		break;
	case BPF_PROG_TYPE_CGROUP_SOCK_ADDR:
		if (sock_addr_allow_only(t))
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

/*
 * The images a revocation patches: the main program's, and those of the
 * subprograms whose address the program takes (bpf_timer and bpf_wq
 * callbacks, bpf_loop and for-each callbacks), which may be entered
 * without going through the main program. Static subprograms that are
 * only called directly are left alone: the main program no longer calls
 * them, and a run already in progress must get the return values the
 * verifier reasoned about. The 6.12 exception callback is never address-
 * taken, so it is never patched (a stubbed one would return to bpf_throw).
 *
 * After jit_subprogs() an ld_imm64 with src_reg BPF_PSEUDO_FUNC in the main
 * program's instructions names its subprogram in insn[1].imm.
 */
struct images {
	unsigned int nr;		/* image slots: func_cnt, or 1 */
	DECLARE_BITMAP(patched, BPF_MAX_SUBPROGS);
};

static int find_images(const struct bpf_prog *prog, struct images *im)
{
	const struct bpf_insn *insn = prog->insnsi;
	u32 i, sub;

	bitmap_zero(im->patched, BPF_MAX_SUBPROGS);
	im->nr = lsmrevoke_func_cnt(prog->aux) ?: 1;
	if (im->nr > BPF_MAX_SUBPROGS)
		return -E2BIG;
	__set_bit(0, im->patched);
	for (i = 0; i + 1 < prog->len; i++) {
		if (insn[i].code != (BPF_LD | BPF_IMM | BPF_DW) ||
		    insn[i].src_reg != BPF_PSEUDO_FUNC)
			continue;
		sub = insn[i + 1].imm;
		if (sub < im->nr)
			__set_bit(sub, im->patched);
	}
	return 0;
}

static void *image(const struct bpf_prog *prog, unsigned int i)
{
	if (!lsmrevoke_func_cnt(prog->aux))
		return prog->bpf_func;
	return prog->aux->func[i]->bpf_func;
}

/* Callbacks: 0 is a valid return for every callback kind. */
static void *image_stub(unsigned int stub, unsigned int i)
{
	return stubs[i ? STUB_ZERO : stub];
}

/* Removes our jump from the patched images below @upto, one by one. */
static void unpoke(const struct bpf_prog *prog, unsigned int stub,
		   const struct images *im, unsigned int upto)
{
	unsigned int i;
	int ret;

	for_each_set_bit(i, im->patched, upto) {
		ret = lsmrevoke_thunk_bpf_arch_text_poke(image(prog, i),
							 BPF_MOD_JUMP,
							 image_stub(stub, i),
							 NULL);
		if (ret < 0)
			pr_err("prog %u: image %u not restored: %d\n",
			       prog->aux->id, i, ret);
	}
}

/* The jump from @ip to @target, or -ERANGE when rel32 cannot reach it. */
static int encode_jump(u8 insn[LSMREVOKE_INSN_SIZE], const u8 *ip,
		       const void *target)
{
	long rel = (long)target - (long)(ip + LSMREVOKE_INSN_SIZE);
	s32 rel32 = rel;

	if (rel != rel32)
		return -ERANGE;
	insn[0] = 0xe9;
	memcpy(insn + 1, &rel32, sizeof(rel32));
	return 0;
}

/*
 * Queues one change per image of @prog in @b: the entry goes from the
 * JIT's no-op to a jump to the stub (@revoke) or back. Returns 0, -ENOSPC
 * when @b has no room left (nothing queued), or a reason why @prog cannot
 * be revoked. On success @b holds a reference on @prog.
 */
static int add(struct lsmrevoke_batch *b, struct bpf_prog *prog,
	       struct lsmrevoke_entry *e, bool revoke, unsigned int stub)
{
	struct lsmrevoke_change *c = &b->changes[b->nr];
	unsigned int i, n = b->nr_sites;
	struct images im;
	u8 jump[LSMREVOKE_INSN_SIZE];

	if (find_images(prog, &im))
		return LSMREVOKE_WHY_UNKNOWN_LAYOUT;
	if (b->nr == ARRAY_SIZE(b->changes) ||
	    n + bitmap_weight(im.patched, im.nr) > ARRAY_SIZE(b->sites))
		return -ENOSPC;

	for_each_set_bit(i, im.patched, im.nr) {
		struct lsmrevoke_site *s = &b->sites[n++];

		s->ip = lsmrevoke_layout_site(image(prog, i));
		s->change = b->nr;
		s->image = i;
		if (encode_jump(jump, s->ip, image_stub(stub, i)))
			return LSMREVOKE_WHY_OUT_OF_RANGE;
		memcpy(revoke ? s->old : s->new, lsmrevoke_layout_nop(),
		       LSMREVOKE_INSN_SIZE);
		memcpy(revoke ? s->new : s->old, jump, LSMREVOKE_INSN_SIZE);
	}

	bpf_prog_inc(prog);
	c->prog = prog;
	c->e = e;
	c->revoke = revoke;
	c->stub = stub;
	c->why = LSMREVOKE_WHY_NONE;
	b->nr++;
	b->nr_sites = n;
	return 0;
}

/*
 * Queues the revocation of @prog: a jump at the entry of each of its
 * images, written by lsmrevoke_stub_write(). Returns 0, -ENOSPC (write
 * @b, then add again), or the reason @prog cannot be revoked, with
 * nothing queued. Caller holds the revocation mutex and a reference on
 * @prog.
 */
int lsmrevoke_stub_add_revoke(struct lsmrevoke_batch *b,
			      struct bpf_prog *prog, struct lsmrevoke_entry *e)
{
	unsigned int i, stub, why = LSMREVOKE_WHY_NONE;
	struct images im;
	int ret;

	stub = stub_for(prog, &why);
	if (stub == STUB_NONE)
		return why;
	if (!prog->jited)
		return LSMREVOKE_WHY_INTERPRETED;
	if (find_images(prog, &im))
		return LSMREVOKE_WHY_UNKNOWN_LAYOUT;
	for_each_set_bit(i, im.patched, im.nr)
		if (!lsmrevoke_layout_known(image(prog, i)))
			return LSMREVOKE_WHY_UNKNOWN_LAYOUT;
	ret = add(b, prog, e, true, stub);
	if (!ret && lsmrevoke_fault("poke"))
		b->changes[b->nr - 1].why = LSMREVOKE_WHY_POKE_FAILED;
	return ret;
}

/*
 * Queues putting back what a revocation of @prog wrote, and refills its
 * prog-array slots (tail calls enter past the entry, so the order does
 * not matter to them). Returns 0 or -ENOSPC (write @b, then add again).
 * Caller holds the revocation mutex and a reference on @prog.
 */
int lsmrevoke_stub_add_restore(struct lsmrevoke_batch *b,
			       struct bpf_prog *prog, struct lsmrevoke_entry *e)
{
	int ret = add(b, prog, e, false, e->stub);

	if (ret == -ENOSPC)
		return ret;
	if (ret)	/* cannot be: the revocation found the same images */
		pr_err("prog %u: cannot restore its entries: %d\n",
		       prog->aux->id, ret);
	lsmrevoke_tailcall_refill(prog);
	return 0;
}

static int site_cmp(const void *a, const void *b)
{
	const struct lsmrevoke_site *x = a, *y = b;

	if (x->ip == y->ip)
		return 0;
	return x->ip < y->ip ? -1 : 1;
}

/*
 * Every site whose five bytes are what its change expects is rewritten,
 * all of them with one int3 protocol (text_poke_queue sorts nothing, so
 * the sites go in address order: one batch per TP_VEC_MAX sites). A
 * revocation is all or nothing: one site that holds something else (an
 * fentry or freplace attachment's call or jump) keeps every site of that
 * program as it is. A restore puts back whatever it still finds ours.
 */
static void write_sites(struct lsmrevoke_batch *b)
{
	unsigned int i, queued = 0;

	sort(b->sites, b->nr_sites, sizeof(b->sites[0]), site_cmp, NULL);

	mutex_lock(lsmrevoke_ksyms.text_mutex);
	for (i = 0; i < b->nr_sites; i++) {
		struct lsmrevoke_site *s = &b->sites[i];
		struct lsmrevoke_change *c = &b->changes[s->change];

		s->match = !memcmp(s->ip, s->old, LSMREVOKE_INSN_SIZE);
		if (!s->match && c->revoke && !c->why)
			c->why = LSMREVOKE_WHY_ENTRY_IN_USE;
	}
	for (i = 0; i < b->nr_sites; i++) {
		struct lsmrevoke_site *s = &b->sites[i];

		if (!s->match || b->changes[s->change].why)
			continue;
		lsmrevoke_thunk_text_poke_queue(s->ip, s->new,
						LSMREVOKE_INSN_SIZE, NULL);
		queued++;
	}
	if (queued)
		lsmrevoke_thunk_text_poke_finish();
	mutex_unlock(lsmrevoke_ksyms.text_mutex);

	for (i = 0; i < b->nr_sites; i++) {
		struct lsmrevoke_site *s = &b->sites[i];
		struct lsmrevoke_change *c = &b->changes[s->change];

		if (!c->revoke && !s->match)
			pr_err("prog %u: image %u not restored: its entry is not our jump\n",
			       c->prog->aux->id, s->image);
	}
}

/*
 * Writes every change queued in @b, then finishes each revocation whose
 * entries are in place: with its entry marked "revoking", so that the
 * tail-call probes act, its prog-array slots are emptied. Afterwards each
 * revocation's why is 0 (revoked) or why it is not, with every entry of
 * that program as it was; the caller then refills any slot
 * (lsmrevoke_tailcall_refill) and drops the references with
 * lsmrevoke_stub_batch_done(). Caller holds the revocation mutex.
 */
void lsmrevoke_stub_write(struct lsmrevoke_batch *b)
{
	unsigned int i;

	write_sites(b);
	for (i = 0; i < b->nr; i++) {
		struct lsmrevoke_change *c = &b->changes[i];
		struct images im;

		if (!c->revoke || c->why)
			continue;
		WRITE_ONCE(c->e->state, LSMREVOKE_STATE_REVOKING);
		if (lsmrevoke_tailcall_empty(c->prog)) {
			if (!find_images(c->prog, &im))
				unpoke(c->prog, c->stub, &im, im.nr);
			c->why = LSMREVOKE_WHY_NOMEM;
			continue;
		}
		c->e->stub = c->stub;
	}
}

/* Drops the references @b holds and empties it. */
void lsmrevoke_stub_batch_done(struct lsmrevoke_batch *b)
{
	unsigned int i;

	for (i = 0; i < b->nr; i++)
		bpf_prog_put(b->changes[i].prog);
	b->nr = 0;
	b->nr_sites = 0;
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

static const char * const state_names[] = {
	[LSMREVOKE_STATE_ACTIVE] = "active",
	[LSMREVOKE_STATE_REVOKING] = "revoking",
	[LSMREVOKE_STATE_REVOKED] = "revoked",
	[LSMREVOKE_STATE_RESTORING] = "restoring",
	[LSMREVOKE_STATE_UNREVOCABLE] = "unrevocable",
};

const char *lsmrevoke_state_name(unsigned int state)
{
	if (state < ARRAY_SIZE(state_names) && state_names[state])
		return state_names[state];
	return "unknown";
}

static const char * const why_names[LSMREVOKE_WHY_MAX] = {
	[LSMREVOKE_WHY_NONE] = "none",
	[LSMREVOKE_WHY_INTERPRETED] = "interpreted",
	[LSMREVOKE_WHY_ENTRY_IN_USE] = "entry_in_use",
	[LSMREVOKE_WHY_NO_KSYM] = "no_ksym",
	[LSMREVOKE_WHY_OUT_OF_RANGE] = "out_of_range",
	[LSMREVOKE_WHY_POKE_FAILED] = "poke_failed",
	[LSMREVOKE_WHY_STRUCT_OPS] = "struct_ops",
	[LSMREVOKE_WHY_EXT] = "ext",
	[LSMREVOKE_WHY_UNKNOWN_TYPE] = "unknown_type",
	[LSMREVOKE_WHY_NOMEM] = "nomem",
	[LSMREVOKE_WHY_UNKNOWN_LAYOUT] = "unknown_layout",
	[LSMREVOKE_WHY_UNKNOWN_ATTACH] = "unknown_attach",
};

const char *lsmrevoke_why_name(unsigned int why)
{
	if (why < ARRAY_SIZE(why_names) && why_names[why])
		return why_names[why];
	return "unknown";
}
