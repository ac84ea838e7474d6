/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LSMREVOKE_REPORT_H
#define _LSMREVOKE_REPORT_H

#include <linux/types.h>

struct lsmrevoke_entry;

void lsmrevoke_report(const char *op, const struct lsmrevoke_entry *e,
		      const char *detail, bool enforced);
void lsmrevoke_report_withdraw(const struct lsmrevoke_entry *e,
			       const char *detail, const char *sched,
			       bool again);

#endif /* _LSMREVOKE_REPORT_H */
