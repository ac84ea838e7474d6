// SPDX-License-Identifier: GPL-2.0
/*
 * The entry-patching engine: revocation and restore of a program's
 * entries, written in batches.
 *
 * A revoked program keeps its JIT image, its bpf_func, its attachments and
 * its references; only the 5-byte no-op at the entry of some of its images
 * becomes a jump to a stub (stub_prog.c), or for an extension's main image
 * a jump into the body of the function it replaces (ext.c). Every path the kernel uses to
 * enter a JITed program lands there: indirect calls through bpf_func, the
 * XDP dispatcher's direct jumps, trampolines' direct calls, and callback
 * and timer entries of subprograms. Tail calls enter past the entry no-op;
 * tailcall.c empties the program's prog-array slots instead.
 *
 * Entries are written in batches (struct lsmrevoke_batch) with the
 * kernel's int3 protocol, text_poke_queue() and text_poke_finish(), under
 * text_mutex: the same mutex bpf_arch_text_poke() takes, so the five bytes
 * compared before the write are still there when it happens. A site that
 * holds anything else (an fentry/fexit/freplace attachment's call or jump)
 * is never overwritten, and a restore only removes our own jump. The
 * rollback of a revocation that failed half-way is a restore written the
 * same way, so it works for every image the revocation could write.
 *
 * An interpreted program (bpf_jit_enable=0) has no image: the kernel
 * enters it through prog->bpf_func, the interpreter. Its revocation points
 * bpf_func at the stub, one aligned 8-byte store made with the program's
 * read-only pages writable for that store, under text_mutex and only if
 * bpf_func still holds what was expected; the restore puts the
 * interpreter it held back. Tail calls in the interpreter take the
 * target's instructions, not its bpf_func: tailcall.c empties its slots
 * as for a JITed program.
 *
 * After entries changed, runs that entered a program before its jump
 * landed may still be inside it: lsmrevoke_patch_drain() waits for them
 * (the grace periods that cover program runs), the sleepable ones for a
 * bounded time.
 */
#include <linux/bitmap.h>
#include <linux/bpf_verifier.h>
#include <linux/completion.h>
#include <linux/filter.h>
#include <linux/module.h>
#include <linux/rcupdate_trace.h>
#include <linux/rcupdate_wait.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>

#include "fault.h"
#include "ksyms.h"
#include "layout.h"
#include "patch.h"
#include "state.h"
#include "stub_prog.h"

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

/*
 * The entry instruction at @ip: a jump to @target, or the JIT's no-op
 * when @target is NULL; -ERANGE when rel32 cannot reach @target.
 */
static int encode(u8 insn[LSMREVOKE_INSN_SIZE], const u8 *ip,
		  const void *target)
{
	long rel = (long)target - (long)(ip + LSMREVOKE_INSN_SIZE);
	s32 rel32 = rel;

	if (!target) {
		memcpy(insn, lsmrevoke_layout_nop(), LSMREVOKE_INSN_SIZE);
		return 0;
	}
	if (rel != rel32)
		return -ERANGE;
	insn[0] = 0xe9;
	memcpy(insn + 1, &rel32, sizeof(rel32));
	return 0;
}

/*
 * Takes the next change of @b for @prog, with a reference on it: a
 * revocation when @jump (where the main entry will jump) is set, else a
 * restore. Caller checked that @b has room.
 */
static struct lsmrevoke_change *queue(struct lsmrevoke_batch *b,
				      struct bpf_prog *prog, void *owner,
				      unsigned int stub, const void *jump)
{
	struct lsmrevoke_change *c = &b->changes[b->nr++];

	bpf_prog_inc(prog);
	memset(c, 0, sizeof(*c));
	c->prog = prog;
	c->owner = owner;
	c->revoke = jump;
	c->stub = stub;
	c->jump = jump;
	c->why = LSMREVOKE_WHY_NONE;
	return c;
}

/*
 * Queues one change of @prog in @b: its main image's entry goes from a
 * jump to @from to a jump to @to (NULL: the no-op), and the entries of its
 * callback subprograms between the no-op and the zero stub with it (a
 * retarget, @from and @to both set, leaves them). Returns 0, -ENOSPC when
 * @b has no room left (nothing queued), or a reason why @prog cannot be
 * revoked. On success @b holds a reference on @prog.
 */
static int add(struct lsmrevoke_batch *b, struct bpf_prog *prog,
	       void *owner, unsigned int stub, const void *from,
	       const void *to)
{
	unsigned int i, n = b->nr_sites;
	struct images im;

	if (find_images(prog, &im))
		return LSMREVOKE_WHY_UNKNOWN_LAYOUT;
	if (b->nr == ARRAY_SIZE(b->changes) ||
	    n + bitmap_weight(im.patched, im.nr) > ARRAY_SIZE(b->sites))
		return -ENOSPC;

	for_each_set_bit(i, im.patched, im.nr) {
		struct lsmrevoke_site *s = &b->sites[n];
		const void *f = from, *t = to;

		if (i) {
			if (from && to)
				continue;
			f = from ? lsmrevoke_stub_addr(stub, true) : NULL;
			t = to ? lsmrevoke_stub_addr(stub, true) : NULL;
		}
		s->ip = lsmrevoke_layout_site(image(prog, i));
		s->change = b->nr;
		s->image = i;
		if (encode(s->old, s->ip, f) || encode(s->new, s->ip, t))
			return LSMREVOKE_WHY_OUT_OF_RANGE;
		n++;
	}

	queue(b, prog, owner, stub, to)->retarget = from && to;
	b->nr_sites = n;
	return 0;
}

/*
 * Queues the switch of interpreted @prog's bpf_func from @old to @new.
 * Returns 0 or -ENOSPC; on success @b holds a reference on @prog.
 */
static int add_interp(struct lsmrevoke_batch *b, struct bpf_prog *prog,
		      void *owner, bool revoke, unsigned int stub, void *old,
		      void *new)
{
	struct lsmrevoke_change *c;

	if (b->nr == ARRAY_SIZE(b->changes))
		return -ENOSPC;
	c = queue(b, prog, owner, stub,
		  revoke ? lsmrevoke_stub_addr(stub, false) : NULL);
	c->interp = true;
	c->func_old = old;
	c->func_new = new;
	return 0;
}

/*
 * Writes an interpreted program's bpf_func change, text_mutex held: the
 * program's pages are writable for the one store. A bpf_func that holds
 * anything else is left alone (for a revocation: unrevocable, interpreted).
 */
static void write_interp(struct lsmrevoke_change *c)
{
	struct bpf_prog *prog = c->prog;
	unsigned long addr = (unsigned long)prog;

	if (READ_ONCE(prog->bpf_func) != c->func_old) {
		if (c->revoke)
			c->why = LSMREVOKE_WHY_INTERPRETED;
		else
			pr_err("prog %u: not restored: its bpf_func is not our stub\n",
			       prog->aux->id);
		return;
	}
	if (lsmrevoke_fault("interp:rw") ||
	    lsmrevoke_thunk_set_memory_rw(addr, prog->pages)) {
		if (c->revoke)
			c->why = LSMREVOKE_WHY_POKE_FAILED;
		else
			pr_err("prog %u: not restored: its pages stay read-only\n",
			       prog->aux->id);
		return;
	}
	WRITE_ONCE(prog->bpf_func, c->func_new);
	if (lsmrevoke_thunk_set_memory_ro(addr, prog->pages))
		pr_err("prog %u: its pages could not be made read-only again\n",
		       prog->aux->id);
}

/*
 * Queues the revocation of @prog: a jump at the entry of each of its
 * images, written by lsmrevoke_patch_write(); @owner is the caller's.
 * The main image jumps to @ext_body, the body of the function an
 * extension replaces (ext.c), or when that is NULL to @prog's stub.
 * Returns 0, -ENOSPC (write @b, then add again), or the reason @prog
 * cannot be revoked (enum lsmrevoke_why), with nothing queued. Caller
 * holds the revocation mutex and a reference on @prog.
 */
int lsmrevoke_patch_add_revoke(struct lsmrevoke_batch *b,
			       struct bpf_prog *prog, void *owner,
			       const void *ext_body)
{
	unsigned int i, stub, why = LSMREVOKE_WHY_NONE;
	struct images im;
	int ret;

	stub = lsmrevoke_stub_for(prog, &why);
	if (stub == LSMREVOKE_STUB_NONE)
		return why;
	if (!prog->jited)
		return add_interp(b, prog, owner, true, stub, prog->bpf_func,
				  (void *)lsmrevoke_stub_addr(stub, false));
	if (find_images(prog, &im))
		return LSMREVOKE_WHY_UNKNOWN_LAYOUT;
	for_each_set_bit(i, im.patched, im.nr)
		if (!lsmrevoke_layout_known(image(prog, i)))
			return LSMREVOKE_WHY_UNKNOWN_LAYOUT;
	ret = add(b, prog, owner, stub, NULL,
		  ext_body ?: lsmrevoke_stub_addr(stub, false));
	if (!ret && lsmrevoke_fault("poke"))
		b->changes[b->nr - 1].why = LSMREVOKE_WHY_POKE_FAILED;
	return ret;
}

/*
 * Queues moving revoked extension @prog's main entry from a jump to @from
 * to a jump to @ext_body, or to its stub when that is NULL: the function
 * it replaces changed while it was revoked. Returns 0, -EALREADY when it
 * jumps there already, -ENOSPC, or why it cannot be (nothing queued).
 * Caller holds the revocation mutex and a reference on @prog.
 */
int lsmrevoke_patch_add_retarget(struct lsmrevoke_batch *b,
				 struct bpf_prog *prog, void *owner,
				 const void *from, const void *ext_body)
{
	unsigned int why = LSMREVOKE_WHY_NONE;
	unsigned int stub = lsmrevoke_stub_for(prog, &why);
	const void *to = ext_body ?: lsmrevoke_stub_addr(stub, false);

	if (to == from)
		return -EALREADY;
	return add(b, prog, owner, stub, from, to);
}

/*
 * Queues putting back what a revocation of @prog wrote: @jump is where its
 * main entry jumps (struct lsmrevoke_change's jump), and for an
 * interpreted program @interp_func the bpf_func it replaced.
 * Returns 0, -ENOSPC (write @b, then add again), or why it cannot be
 * (nothing queued: the entries stay as they are). Caller holds the
 * revocation mutex and a reference on @prog.
 */
int lsmrevoke_patch_add_restore(struct lsmrevoke_batch *b,
				struct bpf_prog *prog, void *owner,
				unsigned int stub, const void *jump,
				void *interp_func)
{
	int ret;

	if (lsmrevoke_fault("restore"))
		ret = LSMREVOKE_WHY_POKE_FAILED;
	else if (!prog->jited)
		ret = add_interp(b, prog, owner, false, stub,
				 (void *)lsmrevoke_stub_addr(stub, false),
				 interp_func);
	else
		ret = add(b, prog, owner, stub, jump, NULL);

	if (ret && ret != -ENOSPC)	/* the revocation found the same images */
		pr_err_ratelimited("prog %u: cannot restore its entries: %d\n",
				   prog->aux->id, ret);
	return ret;
}

static int site_cmp(const void *a, const void *b)
{
	const struct lsmrevoke_site *x = a, *y = b;

	if (x->ip == y->ip)
		return 0;
	return x->ip < y->ip ? -1 : 1;
}

/*
 * Writes every change queued in @b. Caller holds the revocation mutex.
 *
 * Every site whose five bytes are what its change expects is rewritten,
 * all of them with one int3 protocol (text_poke_queue sorts nothing, so
 * the sites go in address order: one batch per TP_VEC_MAX sites). A
 * revocation is all or nothing: one site that holds something else (an
 * fentry or freplace attachment's call or jump) keeps every site of that
 * program as it is. A restore puts back whatever it still finds ours.
 * Afterwards each revocation's why is 0 (its entries jump to the stub) or
 * why it is not (enum lsmrevoke_why); the caller settles each change, then
 * drops the references with lsmrevoke_patch_done().
 */
void lsmrevoke_patch_write(struct lsmrevoke_batch *b)
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
	for (i = 0; i < b->nr; i++)
		if (b->changes[i].interp && !b->changes[i].why)
			write_interp(&b->changes[i]);
	mutex_unlock(lsmrevoke_ksyms.text_mutex);

	for (i = 0; i < b->nr_sites; i++) {
		struct lsmrevoke_site *s = &b->sites[i];
		struct lsmrevoke_change *c = &b->changes[s->change];

		if (!c->revoke && !s->match)
			pr_err("prog %u: image %u not restored: its entry is not our jump\n",
			       c->prog->aux->id, s->image);
	}
}

/* Drops the references @b holds and empties it. */
void lsmrevoke_patch_done(struct lsmrevoke_batch *b)
{
	unsigned int i;

	for (i = 0; i < b->nr; i++)
		bpf_prog_put(b->changes[i].prog);
	b->nr = 0;
	b->nr_sites = 0;
}

/*
 * A wait for the RCU tasks-trace grace period that covers sleepable runs.
 * The callback holds a reference on the module, so that a grace period
 * that outlives its waiter keeps lsmrevoke loaded until it ends (module
 * exit then waits for the callback itself: rcu_barrier_tasks_trace()).
 */
struct drain {
	struct rcu_head rcu;
	struct completion done;
	refcount_t users;	/* the waiter and the callback */
};

static atomic_t drains_pending = ATOMIC_INIT(0);

static void drain_put(struct drain *d)
{
	if (refcount_dec_and_test(&d->users))
		kfree(d);
}

static void drain_done(struct rcu_head *rcu)
{
	struct drain *d = container_of(rcu, struct drain, rcu);

	complete(&d->done);
	drain_put(d);
	atomic_dec(&drains_pending);
	module_put(THIS_MODULE);
}

/*
 * Waits until no run that entered a program before now is still inside
 * it: every non-sleepable run (an RCU reader); with @sleepable, also every
 * sleepable run (an RCU tasks-trace reader), for at most @ms. Returns
 * false when a sleepable run outlived that (or there was no memory to
 * wait for it). Process context; sleeps.
 */
bool lsmrevoke_patch_drain(bool sleepable, unsigned int ms)
{
	struct drain *d;
	bool drained;

	/* Revocations are rare and a writer waits: expedite the grace period. */
	synchronize_rcu_expedited();
	if (!sleepable)
		return true;
	d = lsmrevoke_fault("alloc:drain") ? NULL :
	    kmalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return false;
	init_completion(&d->done);
	refcount_set(&d->users, 2);
	__module_get(THIS_MODULE);
	atomic_inc(&drains_pending);
	call_rcu_tasks_trace(&d->rcu, drain_done);
	drained = wait_for_completion_timeout(&d->done, msecs_to_jiffies(ms));
	drain_put(d);
	return drained;
}

/* Sleepable runs still waited for after their waiter gave up. */
unsigned int lsmrevoke_patch_draining(void)
{
	return atomic_read(&drains_pending);
}

/* Module exit: waits for the drain callbacks still queued. */
void lsmrevoke_patch_exit(void)
{
	rcu_barrier_tasks_trace();
}
