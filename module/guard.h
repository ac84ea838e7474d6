/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LSMREVOKE_GUARD_H
#define _LSMREVOKE_GUARD_H

#include <linux/kprobes.h>

int lsmrevoke_guard_init(void);
void lsmrevoke_guard_exit(void);

int lsmrevoke_guard_delete_module(struct kprobe *p, struct pt_regs *regs);
int lsmrevoke_guard_delete_module_ia32(struct kprobe *p,
				       struct pt_regs *regs);
int lsmrevoke_guard_kprobes_enabled(struct kprobe *p, struct pt_regs *regs);

/* guard_thunk.S */
void lsmrevoke_guard_ret(void);

#endif /* _LSMREVOKE_GUARD_H */
