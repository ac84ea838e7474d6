// SPDX-License-Identifier: GPL-2.0
/*
 * The shadow table: one entry per live BPF program, keyed by the program's
 * address (its identity, also before it has an ID).
 *
 * Entries are added when a program is compiled, before its ID exists
 * (sources.c's hook on the kernel's select-runtime step: the entry's ID
 * is 0, "unpublished", and the program is reachable by its loader only),
 * and published when its load completes (sources.c's probe on
 * perf_event_bpf_event with PERF_BPF_EVENT_PROG_LOAD, which bpf_prog_load
 * raises after the ID is allocated and before the fd exists, also adds
 * the entries that hook missed), and, at module init, for every program
 * already in prog_idr. Each entry records what the scanner found in the
 * program's instructions (scan.c).
 *
 * Entries are dropped when bpf_prog_put_deferred raises
 * PERF_BPF_EVENT_PROG_UNLOAD, before the ID is released and long before the
 * program's memory goes away, or, for a load that failed after its
 * program was compiled, when bpf_prog_free is called for it: the table
 * never names a freed program, so an address is never mistaken for the
 * program that had it before (and should both probes miss a free, an
 * entry records its program's load time too: a new program at the same
 * address replaces the stale entry).
 *
 * An entry's state (state.h) is written by pass.c under the revocation
 * mutex and read locklessly.
 *
 * Locking rule:
 *  - table_lock (a raw spinlock: probes take it, also on PREEMPT_RT;
 *    interrupts saved) serialises every
 *    change to the table and to nr_entries; it is a leaf lock, never held
 *    across anything that sleeps or takes another lock;
 *  - readers walk the table under rcu_read_lock() and only read an entry's
 *    fields; entries are freed after a grace period (call_rcu), together
 *    with their credentials reference;
 *  - an entry never dereferences its program: the load and unload probes
 *    run while the kernel holds the program alive, and the init walk holds
 *    a reference of its own.
 * Add and remove race only with each other on the same program, which its
 * lifetime orders (unload comes after load); adding a program that is
 * already present keeps the first entry (and publishes its ID), so the
 * walk and the load probe may both see a program loaded while the module
 * initialises.
 */
#include <linux/hashtable.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "fault.h"
#include "layout.h"
#include "prog_walk.h"
#include "scan.h"
#include "state.h"
#include "track.h"
#include "verify.h"

#define TABLE_BITS 10

static DEFINE_HASHTABLE(table, TABLE_BITS);
static DEFINE_RAW_SPINLOCK(table_lock);
static unsigned int nr_entries;
static struct kmem_cache *entry_cache;

static unsigned long key(const struct bpf_prog *prog)
{
	return (unsigned long)prog;
}

static struct lsmrevoke_entry *find(const struct bpf_prog *prog)
{
	struct lsmrevoke_entry *e;

	hash_for_each_possible_rcu(table, e, node, key(prog),
				   lockdep_is_held(&table_lock))
		if (e->prog == prog)
			return e;
	return NULL;
}

static void free_entry_rcu(struct rcu_head *rcu)
{
	struct lsmrevoke_entry *e = container_of(rcu, struct lsmrevoke_entry,
						 rcu);

	if (e->cred)
		put_cred(e->cred);
	if (e->ext_tgt)
		bpf_prog_put(e->ext_tgt);
	kmem_cache_free(entry_cache, e);
}

/*
 * A revoked program keeps lsmrevoke loaded: unloading would restore it
 * while the policy still denies it (guard.c refuses the unloads that get
 * past the reference). Caller holds the revocation mutex, or frees @e.
 */
void lsmrevoke_track_hold_module(struct lsmrevoke_entry *e, bool hold)
{
	if (e->holds_module == hold)
		return;
	e->holds_module = hold;
	if (hold)
		__module_get(THIS_MODULE);
	else
		module_put(THIS_MODULE);
}

static void remove_entry(struct lsmrevoke_entry *e, const char *why)
{
	lockdep_assert_held(&table_lock);
	/* A revoked program's last reference went: it can run no more. */
	lsmrevoke_track_hold_module(e, false);
	hash_del_rcu(&e->node);
	nr_entries--;
	if (e->id)
		pr_debug("untrack prog %u (%s)\n", e->id, why);
	else
		pr_debug("forget an unpublished program (%s)\n", why);
	call_rcu(&e->rcu, free_entry_rcu);
}

/*
 * What @prog needs: what the verifier decided while it was verified
 * (verify.c), where lsmrevoke saw that, and what its instructions show
 * (scan.c); a site the image shows is preferred.
 */
static u32 requirements_of(const struct bpf_prog *prog,
			   u32 sites[LSMREVOKE_NR_REQ])
{
	u32 r, flags, vflags = 0, vsites[LSMREVOKE_NR_REQ];
	bool seen = lsmrevoke_verify_claim(prog, &vflags, vsites);

	flags = lsmrevoke_scan(prog, sites, seen);
	for (r = 0; r < LSMREVOKE_NR_REQ; r++)
		if ((vflags & BIT(r)) && !(flags & BIT(r)))
			sites[r] = vsites[r];
	return flags | vflags;
}

/*
 * The loader of a program seen by the load probe, which runs in the
 * loader's context: its credentials, command name and PID (the thread
 * group's, in the initial PID namespace). The name is copied as
 * bpf_get_current_comm() does, without task_lock() (a probe must not take
 * it): a rename racing with the copy can tear the name, never overrun it.
 */
static void record_loader(struct lsmrevoke_entry *e)
{
	e->cred = get_cred(current_cred());
	e->loader_pid = task_tgid_nr(current);
	strscpy_pad(e->loader_comm, current->comm, sizeof(e->loader_comm));
}

/*
 * The entry of @prog, which its caller holds alive; table_lock. An entry
 * at its address for an older program (loaded at another time) is one
 * whose program was freed while both probes that drop entries missed it
 * (a kprobe misses when it fires inside another probe's handler, say a
 * softirq freeing a program on top of the load probe): it is removed, not
 * mistaken for @prog, since a new program reuses a freed one's memory.
 */
static struct lsmrevoke_entry *find_current(const struct bpf_prog *prog)
{
	struct lsmrevoke_entry *e = find(prog);

	if (e && e->load_time != prog->aux->load_time) {
		pr_warn_ratelimited("prog %u was freed unseen; its entry is dropped\n",
				    e->id);
		remove_entry(e, "stale");
		e = NULL;
	}
	return e;
}

/*
 * @prog is tracked already (added before its ID existed, or by the walk):
 * publishes its ID and sets *@flags. False when it is not tracked.
 */
static bool publish(const struct bpf_prog *prog, u32 *flags)
{
	struct lsmrevoke_entry *e;
	unsigned long irqflags;

	raw_spin_lock_irqsave(&table_lock, irqflags);
	e = find_current(prog);
	if (e) {
		if (!e->id && prog->aux->id) {
			WRITE_ONCE(e->id, prog->aux->id);
			pr_debug("track prog %u flags %#x (published)\n",
				 e->id, e->flags);
		}
		*flags = e->flags;
	}
	raw_spin_unlock_irqrestore(&table_lock, irqflags);
	return e;
}

/*
 * Records @prog and sets *@flags to its requirement flags; from the
 * compile hook or the load probe (@src LOAD: current is the loader) or
 * found otherwise (WALK: no loader known). A program tracked already
 * keeps its entry, which gets the program's ID if it has none yet. The
 * caller keeps @prog alive. Never sleeps: it runs from the load probe as
 * well as from the init walk. -ENOMEM when there is no memory for the
 * entry.
 */
int lsmrevoke_track_add(const struct bpf_prog *prog, enum lsmrevoke_src src,
			u32 *flags)
{
	struct lsmrevoke_entry *e;
	unsigned long irqflags;
	u32 id = prog->aux->id;

	if (publish(prog, flags))
		return 0;
	e = lsmrevoke_fault("alloc:entry") ? NULL :
	    kmem_cache_zalloc(entry_cache, GFP_ATOMIC | __GFP_NOWARN);
	if (!e)
		return -ENOMEM;
	e->prog = prog;
	e->load_time = prog->aux->load_time;
	e->id = id;
	e->type = prog->type;
	e->flags = requirements_of(prog, e->sites);
	*flags = e->flags;
	e->state = LSMREVOKE_STATE_ACTIVE;
	e->src = src;
	strscpy(e->name, prog->aux->name, sizeof(e->name));
	if (src == LSMREVOKE_SRC_LOAD)
		record_loader(e);

	raw_spin_lock_irqsave(&table_lock, irqflags);
	if (find_current(prog)) {
		raw_spin_unlock_irqrestore(&table_lock, irqflags);
		if (e->cred)
			put_cred(e->cred);
		kmem_cache_free(entry_cache, e);
		return 0;
	}
	hash_add_rcu(table, &e->node, key(prog));
	nr_entries++;
	raw_spin_unlock_irqrestore(&table_lock, irqflags);

	if (id)
		pr_debug("track prog %u flags %#x (%s)\n", id, e->flags,
			 src == LSMREVOKE_SRC_LOAD ? "load" : "walk");
	return 0;
}

/* Forgets @prog, whose last reference is gone; any context. */
void lsmrevoke_track_del(const struct bpf_prog *prog)
{
	struct lsmrevoke_entry *e;
	unsigned long irqflags;

	raw_spin_lock_irqsave(&table_lock, irqflags);
	e = find(prog);
	if (e)
		remove_entry(e, "freed");
	raw_spin_unlock_irqrestore(&table_lock, irqflags);
}

static int track_walked(struct bpf_prog *prog, void *data)
{
	u32 flags;
	int ret;

	if (lsmrevoke_layout_is_check_prog(prog))
		return 0;
	ret = lsmrevoke_track_add(prog, LSMREVOKE_SRC_WALK, &flags);

	if (ret)
		pr_err("prog %u not tracked: %d\n", prog->aux->id, ret);
	return ret;
}

/*
 * The entry of @prog, or NULL. Caller is in an RCU read-side section, or
 * holds a reference on @prog: an entry is only removed when its program's
 * last reference is gone (or at module exit, after every other user).
 */
struct lsmrevoke_entry *lsmrevoke_track_find(const struct bpf_prog *prog)
{
	struct lsmrevoke_entry *e;

	rcu_read_lock();
	e = find(prog);
	rcu_read_unlock();
	return e;
}

/*
 * The entry of @prog, adding one (as if found by the walk) when the load
 * probe missed it. Caller holds a reference on @prog. May fail: NULL.
 */
struct lsmrevoke_entry *lsmrevoke_track_get(struct bpf_prog *prog)
{
	struct lsmrevoke_entry *e = lsmrevoke_track_find(prog);
	u32 flags;

	if (e)
		return e;
	if (lsmrevoke_track_add(prog, LSMREVOKE_SRC_WALK, &flags))
		return NULL;
	return lsmrevoke_track_find(prog);
}

/* The state of @prog, ACTIVE when untracked; any context. */
unsigned int lsmrevoke_track_state(const struct bpf_prog *prog)
{
	struct lsmrevoke_entry *e;
	unsigned int state = LSMREVOKE_STATE_ACTIVE;

	rcu_read_lock();
	e = find(prog);
	if (e)
		state = READ_ONCE(e->state);
	rcu_read_unlock();
	return state;
}

/* Is @prog being revoked, or revoked? Any context. */
bool lsmrevoke_track_revoked(const struct bpf_prog *prog)
{
	return lsmrevoke_state_revoked(lsmrevoke_track_state(prog));
}

/*
 * Keeps one reference to @prog, which a tail-call probe took and cannot
 * drop where it runs: the entry counts it, so that keeping it allocates
 * nothing, and lsmrevoke_track_drop_kept() drops it. Any context. False
 * when @prog is not tracked. The reference keeps @prog, and so its entry,
 * alive until it is dropped.
 */
bool lsmrevoke_track_keep_ref(const struct bpf_prog *prog)
{
	struct lsmrevoke_entry *e;
	bool kept = false;

	rcu_read_lock();
	e = find(prog);
	if (e) {
		atomic_inc(&e->kept_refs);
		kept = true;
	}
	rcu_read_unlock();
	return kept;
}

/*
 * Drops every kept reference through @put, which may sleep: one entry at
 * a time, outside the RCU read section (its references keep it listed).
 */
void lsmrevoke_track_drop_kept(void (*put)(struct bpf_prog *prog))
{
	struct lsmrevoke_entry *e;
	struct bpf_prog *prog;
	unsigned int bkt;
	int n;

	do {
		prog = NULL;
		n = 0;
		rcu_read_lock();
		hash_for_each_rcu(table, bkt, e, node) {
			n = atomic_xchg(&e->kept_refs, 0);
			if (n) {
				prog = (struct bpf_prog *)e->prog;
				break;
			}
		}
		rcu_read_unlock();
		while (n-- > 0)
			put(prog);
	} while (prog);
}

/* Records every program loaded before the module; the load probe is live. */
int lsmrevoke_track_existing(void)
{
	return lsmrevoke_prog_walk(track_walked, NULL);
}

unsigned int lsmrevoke_track_count(void)
{
	return READ_ONCE(nr_entries);
}

/*
 * Calls @fn for every entry under rcu_read_lock(); @fn must not sleep and
 * must not keep the pointer.
 */
void lsmrevoke_track_for_each(void (*fn)(const struct lsmrevoke_entry *e,
					 void *data),
			      void *data)
{
	struct lsmrevoke_entry *e;
	unsigned int bkt;

	rcu_read_lock();
	hash_for_each_rcu(table, bkt, e, node)
		fn(e, data);
	rcu_read_unlock();
}

int lsmrevoke_track_init(void)
{
	entry_cache = lsmrevoke_fault("alloc:cache") ? NULL :
		      KMEM_CACHE(lsmrevoke_entry, 0);
	if (!entry_cache) {
		pr_err("cannot create the shadow table's slab cache\n");
		return -ENOMEM;
	}
	return 0;
}

/* The load probe is gone; empties the table and frees the cache. */
void lsmrevoke_track_exit(void)
{
	struct lsmrevoke_entry *e;
	struct hlist_node *tmp;
	unsigned long irqflags;
	unsigned int bkt;

	raw_spin_lock_irqsave(&table_lock, irqflags);
	hash_for_each_safe(table, bkt, tmp, e, node)
		remove_entry(e, "unload");
	raw_spin_unlock_irqrestore(&table_lock, irqflags);

	/* Wait for every free_entry_rcu() before the cache goes. */
	rcu_barrier();
	kmem_cache_destroy(entry_cache);
}
