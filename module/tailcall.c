// SPDX-License-Identifier: GPL-2.0
/*
 * Tail-call slots of revoked programs.
 *
 * Tail calls enter a program past its entry no-op, so a revoked program V
 * is taken out of its prog-array slots instead: as if detached, each slot
 * is empty and the caller's bpf_tail_call() goes on with the caller's next
 * instruction. This is what the kernel's own slot delete does (swap under
 * the array's poke_mutex, then map_poke_run() to re-point the callers'
 * constant-key jumps), except that the slot's reference to V is kept, in a
 * slot record, so that V stays alive and is put back on restore.
 *
 * A record holds V's slot reference and one map reference. It is put back
 * on restore only if the slot is still empty, the map still has users and
 * no user deleted the slot meanwhile; otherwise the kept reference is
 * dropped as the kernel would have dropped it (map_fd_put_ptr). Putting a
 * program back into a map whose users are gone would make the map's free
 * path find a non-empty slot.
 *
 * Probes (see hooks.c). They allocate nothing and take no reference, so
 * they cannot fail open:
 *  - prog_fd_array_get_ptr (return): a revoked V cannot be put into a prog
 *    array: the update fails with -EPERM; the reference it took is kept
 *    on V's table entry (a counter: nothing is allocated) and dropped
 *    from a worker, as the map's own put would (the kernel's put takes
 *    a mutex, which a probe cannot). An insert it lets
 *    through is counted in flight until it lands (the next probe);
 *  - prog_array_map_poke_run, called under poke_mutex after every change
 *    of a slot: a backstop for an insert of a revoked V that the return
 *    probe did not see (it missed, out of instances). The slot is emptied
 *    in place and the callers' constant-key jumps are not pointed at V;
 *    the insert's reference is kept and dropped the same way, so that
 *    slot stays empty on
 *    restore (as if the insert had been refused). When it reports an empty
 *    slot deleted (old and new both NULL), the user's delete of an emptied
 *    slot is remembered so that restore does not undo it;
 *  - prog_array_map_clear (the map's last user went): kept references are
 *    dropped at once.
 * Inserts in flight: an insert that passed the return probe before V was
 * marked as being revoked lands later; lsmrevoke_tailcall_empty() waits
 * for those to land before it looks at the slots, so that it finds them
 * and records them (a bounded wait: past it, the backstop still empties
 * any that lands).
 *
 * Locking: slots_mutex serialises refill, release and exit (the only code
 * that removes records); it nests inside the revocation mutex and outside
 * each array's poke_mutex. slots_lock (a raw spinlock, irqsave: the probes
 * take it, also on PREEMPT_RT) protects the list
 * and the records' flags, and is the only lock the probes take.
 */
#include <linux/filter.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/ratelimit.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "fault.h"
#include "prog_walk.h"
#include "tailcall.h"

struct slot {
	struct list_head node;
	struct bpf_prog *prog;	/* the slot's own reference */
	struct bpf_map *map;	/* one reference */
	u32 key;
	bool user_deleted;
	bool released;
};

static LIST_HEAD(slots);
static DEFINE_RAW_SPINLOCK(slots_lock);
static DEFINE_MUTEX(slots_mutex);
static struct workqueue_struct *wq;
static struct work_struct release_work;
/* The task putting programs back, whose own map_poke_run() is ours. */
static struct task_struct *refill_task;
/* Inserts past the return probe that have not reached poke_run yet. */
static atomic_t inflight = ATOMIC_INIT(0);
/* The program table's answers, registered at init. */
static const struct lsmrevoke_tailcall_ops *ops;
/* Drops the references the probes refused (ops->keep_ref). */
static struct work_struct kept_work;

static struct bpf_array *array_of(struct bpf_map *map)
{
	return container_of(map, struct bpf_array, map);
}

static void add_slot(struct slot *s)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&slots_lock, flags);
	list_add_tail(&s->node, &slots);
	raw_spin_unlock_irqrestore(&slots_lock, flags);
}

static void del_slot(struct slot *s)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&slots_lock, flags);
	list_del(&s->node);
	raw_spin_unlock_irqrestore(&slots_lock, flags);
}

/* Drops a record's references without refilling; slots_mutex held. */
static void drop_slot(struct slot *s)
{
	lockdep_assert_held(&slots_mutex);
	del_slot(s);
	s->map->ops->map_fd_put_ptr(s->map, s->prog, true);
	bpf_map_put(s->map);
	kfree(s);
}

/* A slot we emptied was deleted (by a user, or by the map's release). */
static void mark_deleted(struct bpf_map *map, u32 key)
{
	unsigned long flags;
	struct slot *s;

	raw_spin_lock_irqsave(&slots_lock, flags);
	list_for_each_entry(s, &slots, node)
		if (s->map == map && s->key == key)
			s->user_deleted = true;
	raw_spin_unlock_irqrestore(&slots_lock, flags);
}

/* Marks @map's records released; the worker drops their references. */
static void mark_released(struct bpf_map *map)
{
	unsigned long flags;
	bool any = false;
	struct slot *s;

	raw_spin_lock_irqsave(&slots_lock, flags);
	list_for_each_entry(s, &slots, node) {
		if (s->map == map) {
			s->released = true;
			any = true;
		}
	}
	raw_spin_unlock_irqrestore(&slots_lock, flags);
	if (any)
		queue_work(wq, &release_work);
}

static int empty_in_map(struct bpf_map *map, void *data)
{
	struct bpf_array *array = array_of(map);
	struct bpf_prog *prog = data;
	struct slot *s = NULL;
	int ret = 0;
	u32 key;

	mutex_lock(&array->aux->poke_mutex);
	for (key = 0; key < map->max_entries; key++) {
		if (!(key & 1023))
			cond_resched();
		if (READ_ONCE(array->ptrs[key]) != prog)
			continue;
		if (!s && !lsmrevoke_fault("alloc:slot"))
			s = kzalloc(sizeof(*s), GFP_KERNEL);
		if (!s) {
			ret = -ENOMEM;
			break;
		}
		if (cmpxchg(&array->ptrs[key], prog, NULL) != prog)
			continue;
		map->ops->map_poke_run(map, key, prog, NULL);
		bpf_map_inc(map);
		s->prog = prog;
		s->map = map;
		s->key = key;
		add_slot(s);
		s = NULL;
	}
	mutex_unlock(&array->aux->poke_mutex);
	kfree(s);
	/* Its last user went before we looked: the release probe is past. */
	if (!atomic64_read(&map->usercnt))
		mark_released(map);
	return ret;
}

/* How long a revocation waits for the inserts in flight to land. */
#define INFLIGHT_WAIT_MS 100

/*
 * Empties every prog-array slot that holds @prog. Caller holds the
 * revocation mutex and a reference on @prog, and has marked @prog as being
 * revoked, so that inserts from now on are refused or emptied by the
 * probes. On failure every slot is put back.
 */
int lsmrevoke_tailcall_empty(struct bpf_prog *prog)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(INFLIGHT_WAIT_MS);
	int ret;

	while (atomic_read(&inflight) > 0 && time_before(jiffies, deadline))
		usleep_range(100, 200);

	if (!lsmrevoke_in_prog_arrays(prog))
		return 0;

	ret = lsmrevoke_map_walk(BPF_MAP_TYPE_PROG_ARRAY, empty_in_map, prog);
	if (ret) {
		pr_err("prog %u: cannot empty its prog-array slots: %d\n",
		       prog->aux->id, ret);
		lsmrevoke_tailcall_refill(prog);
	}
	return ret;
}

/* The next record of @prog, or NULL; records stay listed while in use. */
static struct slot *next_slot(const struct bpf_prog *prog)
{
	struct slot *s, *found = NULL;
	unsigned long flags;

	raw_spin_lock_irqsave(&slots_lock, flags);
	list_for_each_entry(s, &slots, node) {
		if (s->prog == prog) {
			found = s;
			break;
		}
	}
	raw_spin_unlock_irqrestore(&slots_lock, flags);
	return found;
}

static void refill_slot(struct slot *s)
{
	struct bpf_array *array = array_of(s->map);
	struct bpf_map *map = s->map;
	unsigned long flags;
	bool wanted, done = false;

	mutex_lock(&array->aux->poke_mutex);
	raw_spin_lock_irqsave(&slots_lock, flags);
	wanted = !s->user_deleted && !s->released;
	raw_spin_unlock_irqrestore(&slots_lock, flags);
	if (wanted && atomic64_read(&map->usercnt) > 0 &&
	    !cmpxchg(&array->ptrs[s->key], NULL, s->prog)) {
		map->ops->map_poke_run(map, s->key, NULL, s->prog);
		done = true;
	}
	mutex_unlock(&array->aux->poke_mutex);

	if (done) {
		del_slot(s);
		bpf_map_put(map);
		kfree(s);
	} else {
		drop_slot(s);
	}
}

/*
 * Puts @prog back into the slots it was taken out of, where that is still
 * right. Caller holds the revocation mutex and a reference on @prog.
 */
void lsmrevoke_tailcall_refill(struct bpf_prog *prog)
{
	struct slot *s;

	mutex_lock(&slots_mutex);
	WRITE_ONCE(refill_task, current);
	while ((s = next_slot(prog)))
		refill_slot(s);
	WRITE_ONCE(refill_task, NULL);
	mutex_unlock(&slots_mutex);
}

static void release_fn(struct work_struct *work)
{
	struct slot *s, *found;
	unsigned long flags;

	mutex_lock(&slots_mutex);
	do {
		found = NULL;
		raw_spin_lock_irqsave(&slots_lock, flags);
		list_for_each_entry(s, &slots, node) {
			if (s->released) {
				found = s;
				break;
			}
		}
		raw_spin_unlock_irqrestore(&slots_lock, flags);
		if (found)
			drop_slot(found);
	} while (found);
	mutex_unlock(&slots_mutex);
}

/* Entry of prog_fd_array_get_ptr(map, map_file, fd): remember the map. */
int lsmrevoke_tailcall_get_ptr_entry(struct kretprobe_instance *ri,
				     struct pt_regs *regs)
{
	*(struct bpf_map **)ri->data = (void *)regs_get_kernel_argument(regs, 0);
	return 0;
}

/*
 * Return of prog_fd_array_get_ptr(): refuse a revoked program, or count
 * the insert in flight until poke_run sees it land.
 */
int lsmrevoke_tailcall_get_ptr_ret(struct kretprobe_instance *ri,
				   struct pt_regs *regs)
{
	struct bpf_map *map = *(struct bpf_map **)ri->data;
	struct bpf_prog *prog = (void *)regs_return_value(regs);

	if (IS_ERR_OR_NULL(prog))
		return 0;
	if (!ops->revoked(prog) || lsmrevoke_fault("tailcall:refuse")) {
		atomic_inc(&inflight);
		return 0;
	}
	if (!ops->keep_ref(prog)) {	/* untracked: it cannot be revoked */
		atomic_inc(&inflight);
		return 0;
	}
	regs_set_return_value(regs, (unsigned long)ERR_PTR(-EPERM));
	queue_work(wq, &kept_work);
	pr_info_ratelimited("prog %u is revoked: refused its insertion into map %u\n",
			    prog->aux->id, map->id);
	return 0;
}

/*
 * prog_array_map_poke_run(map, key, old, new), called with poke_mutex held
 * right after ptrs[key] became @new. If @new is revoked, empty the slot and
 * turn the call into "old -> nothing" so no caller jumps into @new.
 */
int lsmrevoke_tailcall_poke_run(struct kprobe *p, struct pt_regs *regs)
{
	struct bpf_map *map = (void *)regs_get_kernel_argument(regs, 0);
	u32 key = regs_get_kernel_argument(regs, 1);
	struct bpf_prog *old = (void *)regs_get_kernel_argument(regs, 2);
	struct bpf_prog *prog = (void *)regs_get_kernel_argument(regs, 3);

	if (!prog) {
		if (!old)
			mark_deleted(map, key);
		return 0;
	}
	if (current == READ_ONCE(refill_task))
		return 0;
	/* An insert landed; a miss of the return probe may leave it at 0. */
	atomic_dec_if_positive(&inflight);
	if (!ops->revoked(prog))
		return 0;
	if (cmpxchg(&array_of(map)->ptrs[key], prog, NULL) != prog)
		return 0;
	/* Its reference keeps it tracked, so its entry can count it. */
	if (!ops->keep_ref(prog)) {
		WRITE_ONCE(array_of(map)->ptrs[key], prog);
		return 0;
	}
	regs->cx = 0;	/* the fourth argument, new */
	queue_work(wq, &kept_work);
	pr_warn_ratelimited("prog %u entered slot %u of map %u while revoked: emptied, and left empty on restore\n",
			    prog->aux->id, key, map->id);
	return 0;
}

/* prog_array_map_clear(map): the map's last user is gone. */
int lsmrevoke_tailcall_release(struct kprobe *p, struct pt_regs *regs)
{
	mark_released((void *)regs_get_kernel_argument(regs, 0));
	return 0;
}

static void kept_fn(struct work_struct *work)
{
	ops->drop_kept(lsmrevoke_prog_array_put);
}

/* @table_ops answers the probes, from any context. */
int lsmrevoke_tailcall_init(const struct lsmrevoke_tailcall_ops *table_ops)
{
	ops = table_ops;
	INIT_WORK(&release_work, release_fn);
	INIT_WORK(&kept_work, kept_fn);
	wq = lsmrevoke_fault("alloc:wq") ? NULL :
	     alloc_workqueue("lsmrevoke", WQ_UNBOUND, 0);
	if (!wq) {
		pr_err("cannot create the tail-call workqueue\n");
		return -ENOMEM;
	}
	return 0;
}

/*
 * The probes are gone and every revoked program was restored. Waits for
 * queued work, then drops any record left (none is expected).
 */
void lsmrevoke_tailcall_exit(void)
{
	struct slot *s, *tmp;

	destroy_workqueue(wq);
	ops->drop_kept(lsmrevoke_prog_array_put);
	mutex_lock(&slots_mutex);
	list_for_each_entry_safe(s, tmp, &slots, node) {
		pr_warn("prog %u: slot %u of map %u left empty at unload\n",
			s->prog->aux->id, s->key, s->map->id);
		drop_slot(s);
	}
	mutex_unlock(&slots_mutex);
}
