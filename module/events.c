// SPDX-License-Identifier: GPL-2.0
/*
 * The decision log behind securityfs "events": a bounded ring of lines,
 *
 *   <seq> <time_ns> <op> <id> <type> <name> <detail> enforced=<0|1>
 *
 * one per revoke, restore or unrevocable decision, or run still in flight
 * after a revocation (op is "revoke", "restore", "unrevocable" or
 * "inflight"; time is CLOCK_MONOTONIC). Each open file
 * has its own cursor, starting at the oldest line still held. A reader
 * that falls more than EVENTS lines behind first reads "# missed <n>" and
 * then continues with the oldest line held. read() blocks until there is
 * a line (unless O_NONBLOCK) and poll() reports readable lines. A read
 * returns whole lines only: a buffer smaller than the next line (at most
 * LINE bytes) gets -EINVAL.
 *
 * events_lock (a spinlock, interrupts saved) protects the ring and head.
 * fs.c owns the file; this file only holds the ring and reads it for a
 * cursor.
 */
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "events.h"

#define EVENTS 512
#define LINE 160

static char ring[EVENTS][LINE];
static u64 head;		/* sequence number of the next line */
static DEFINE_SPINLOCK(events_lock);
static DECLARE_WAIT_QUEUE_HEAD(events_wait);

/*
 * Appends one decision about program @id; process context (called with no
 * spinlock held).
 */
void lsmrevoke_event(const char *op, u32 id, const char *type,
		     const char *name, const char *detail, bool enforced)
{
	char line[LINE];
	unsigned long flags;

	spin_lock_irqsave(&events_lock, flags);
	snprintf(line, sizeof(line), "%llu %llu %s %u %s %s %s enforced=%d\n",
		 head, ktime_get_ns(), op, id, type, name, detail, enforced);
	memcpy(ring[head % EVENTS], line, sizeof(line));
	head++;
	spin_unlock_irqrestore(&events_lock, flags);
	wake_up_interruptible(&events_wait);
}

/* A new reader's cursor: the oldest line still held. */
u64 lsmrevoke_events_oldest(void)
{
	u64 cursor;

	spin_lock_irq(&events_lock);
	cursor = head > EVENTS ? head - EVENTS : 0;
	spin_unlock_irq(&events_lock);
	return cursor;
}

static bool readable(const u64 *cursor)
{
	return *cursor != READ_ONCE(head);
}

/*
 * Copies whole lines from @cursor on into @ubuf and moves @cursor past
 * them; blocks for the first line unless @nonblock. A buffer too small for
 * one line is -EINVAL.
 */
ssize_t lsmrevoke_events_read(u64 *cursor, char __user *ubuf, size_t len,
			      bool nonblock)
{
	char line[LINE];
	size_t done = 0, n;
	int ret;

	while (!readable(cursor)) {
		if (nonblock)
			return -EAGAIN;
		ret = wait_event_interruptible(events_wait, readable(cursor));
		if (ret)
			return ret;
	}
	for (;;) {
		spin_lock_irq(&events_lock);
		if (*cursor == head) {
			spin_unlock_irq(&events_lock);
			break;
		}
		if (head - *cursor > EVENTS) {
			snprintf(line, sizeof(line), "# missed %llu\n",
				 head - EVENTS - *cursor);
		} else {
			memcpy(line, ring[*cursor % EVENTS], sizeof(line));
		}
		spin_unlock_irq(&events_lock);

		n = strnlen(line, sizeof(line));
		if (n > len - done)
			break;
		if (copy_to_user(ubuf + done, line, n))
			return done ? done : -EFAULT;
		done += n;
		spin_lock_irq(&events_lock);
		if (line[0] == '#')
			*cursor = head - EVENTS;
		else
			(*cursor)++;
		spin_unlock_irq(&events_lock);
	}
	return done ? done : -EINVAL;
}

/* Readable lines for @cursor, waiting on the ring through @file. */
__poll_t lsmrevoke_events_poll(struct file *file, poll_table *wait,
			       const u64 *cursor)
{
	poll_wait(file, &events_wait, wait);
	return readable(cursor) ? EPOLLIN | EPOLLRDNORM : 0;
}
