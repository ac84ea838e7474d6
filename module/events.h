/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LSMREVOKE_EVENTS_H
#define _LSMREVOKE_EVENTS_H

#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/types.h>

void lsmrevoke_event(const char *op, u32 id, const char *type,
		     const char *name, const char *detail, bool enforced);
u64 lsmrevoke_events_oldest(void);
ssize_t lsmrevoke_events_read(u64 *cursor, char __user *ubuf, size_t len,
			      bool nonblock);
__poll_t lsmrevoke_events_poll(struct file *file, poll_table *wait,
			       const u64 *cursor);

#endif /* _LSMREVOKE_EVENTS_H */
