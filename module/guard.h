/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LSMREVOKE_GUARD_H
#define _LSMREVOKE_GUARD_H

#include <linux/ptrace.h>

int lsmrevoke_guard_init(void);
void lsmrevoke_guard_exit(void);

/* Redirect handlers (hooks.c). */
void lsmrevoke_guard_delete_module(struct pt_regs *regs);
void lsmrevoke_guard_delete_module_ia32(struct pt_regs *regs);
void lsmrevoke_guard_kprobes_enabled(struct pt_regs *regs);

#endif /* _LSMREVOKE_GUARD_H */
