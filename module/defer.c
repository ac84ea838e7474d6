// SPDX-License-Identifier: GPL-2.0
/*
 * Deferral: work that a probe cannot do (it may not sleep) runs in the
 * process context of the same change, before the task that made it
 * returns to user space (task work), or soon from a worker when that task
 * never will (a kernel thread, or a task past its last return).
 *
 * A call is allocated (GFP_ATOMIC); when that fails it takes the one
 * record kept in reserve, so a probe's call is lost only when memory is
 * short and another call holds the reserve (the periodic revalidation in
 * sources.c is the backstop for that).
 *
 * Deferred calls in flight are counted, so that module exit, and init's
 * unwinding, wait until none can still run; defer_lock orders "stopping"
 * against new calls. A call queued before stopping but run after it does
 * nothing.
 */
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/task_work.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "defer.h"
#include "fault.h"

struct deferred {
	struct callback_head twork;
	struct work_struct work;
	void (*fn)(u32 arg, const void *ptr);
	u32 arg;
	const void *ptr;
};

static struct deferred reserve;
static atomic_t reserve_busy = ATOMIC_INIT(0);
static struct workqueue_struct *defer_wq;
static DEFINE_RAW_SPINLOCK(defer_lock);
static bool stopping;
static atomic_t pending = ATOMIC_INIT(0);
static DECLARE_WAIT_QUEUE_HEAD(pending_wait);

static void release(struct deferred *d)
{
	if (d == &reserve)
		atomic_set_release(&reserve_busy, 0);
	else
		kfree(d);
}

static void run(struct deferred *d)
{
	if (!READ_ONCE(stopping))
		d->fn(d->arg, d->ptr);
	release(d);
	if (atomic_dec_and_test(&pending))
		wake_up(&pending_wait);
}

static void task_fn(struct callback_head *head)
{
	run(container_of(head, struct deferred, twork));
}

static void work_fn(struct work_struct *work)
{
	run(container_of(work, struct deferred, work));
}

/*
 * Calls @fn(@arg, @ptr) in process context before current returns to user
 * space, or from a worker. Any context. -ENOMEM when there is no memory
 * for it, -ESHUTDOWN once the module is stopping.
 */
int lsmrevoke_defer(void (*fn)(u32 arg, const void *ptr), u32 arg,
		    const void *ptr)
{
	struct deferred *d;
	unsigned long flags;
	bool queued = false;

	d = lsmrevoke_fault("alloc:defer") || lsmrevoke_fault("defer:reserve") ?
	    NULL : kzalloc(sizeof(*d), GFP_ATOMIC | __GFP_NOWARN);
	if (!d && !lsmrevoke_fault("defer:reserve") &&
	    !atomic_cmpxchg_acquire(&reserve_busy, 0, 1)) {
		d = &reserve;
		memset(d, 0, sizeof(*d));
	}
	if (!d)
		return -ENOMEM;
	d->fn = fn;
	d->arg = arg;
	d->ptr = ptr;

	raw_spin_lock_irqsave(&defer_lock, flags);
	if (!stopping) {
		atomic_inc(&pending);
		queued = true;
	}
	raw_spin_unlock_irqrestore(&defer_lock, flags);
	if (!queued) {
		release(d);
		return -ESHUTDOWN;
	}
	if (!(current->flags & PF_KTHREAD)) {
		init_task_work(&d->twork, task_fn);
		if (!task_work_add(current, &d->twork, TWA_RESUME))
			return 0;
	}
	INIT_WORK(&d->work, work_fn);
	queue_work(defer_wq, &d->work);
	return 0;
}

int lsmrevoke_defer_init(void)
{
	defer_wq = lsmrevoke_fault("alloc:wq") ? NULL :
		   alloc_workqueue("lsmrevoke_policy", WQ_UNBOUND, 0);
	if (!defer_wq) {
		pr_err("cannot create the policy workqueue\n");
		return -ENOMEM;
	}
	return 0;
}

/* No new deferred call; waits for the queued ones. Safe after no init. */
void lsmrevoke_defer_exit(void)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&defer_lock, flags);
	stopping = true;
	raw_spin_unlock_irqrestore(&defer_lock, flags);
	wait_event(pending_wait, !atomic_read(&pending));
	if (defer_wq)
		destroy_workqueue(defer_wq);
	defer_wq = NULL;
}
