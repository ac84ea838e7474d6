/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LSMREVOKE_POLICY_H
#define _LSMREVOKE_POLICY_H

#include <linux/seq_file.h>
#include <linux/types.h>

void lsmrevoke_policy_show_requires(struct seq_file *m, u32 flags);

#endif /* _LSMREVOKE_POLICY_H */
