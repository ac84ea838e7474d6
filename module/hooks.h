/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LSMREVOKE_HOOKS_H
#define _LSMREVOKE_HOOKS_H

#include <linux/seq_file.h>

int lsmrevoke_hooks_init(void);
void lsmrevoke_hooks_exit(void);
void lsmrevoke_hooks_show(struct seq_file *m);

#endif /* _LSMREVOKE_HOOKS_H */
