/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LSMREVOKE_POLICY_H
#define _LSMREVOKE_POLICY_H

#include <linux/seq_file.h>
#include <linux/types.h>

int lsmrevoke_policy_init(void);
void lsmrevoke_policy_exit(void);
int lsmrevoke_revalidate(void);
void lsmrevoke_policy_show_requires(struct seq_file *m, u32 flags);
void lsmrevoke_policy_show_stats(struct seq_file *m);

#endif /* _LSMREVOKE_POLICY_H */
