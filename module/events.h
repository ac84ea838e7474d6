/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LSMREVOKE_EVENTS_H
#define _LSMREVOKE_EVENTS_H

#include <linux/fs.h>

struct lsmrevoke_entry;

void lsmrevoke_event(const char *op, const struct lsmrevoke_entry *e,
		     const char *detail, bool enforced);
extern const struct file_operations lsmrevoke_events_fops;

#endif /* _LSMREVOKE_EVENTS_H */
