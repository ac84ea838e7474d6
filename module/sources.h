/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LSMREVOKE_SOURCES_H
#define _LSMREVOKE_SOURCES_H

#include <linux/kprobes.h>

int lsmrevoke_sources_init(void);
void lsmrevoke_sources_exit(void);
void lsmrevoke_sources_leave_wrapper(void);
long lsmrevoke_sources_compiled(void);

int lsmrevoke_sources_prog_event(struct kprobe *p, struct pt_regs *regs);
void lsmrevoke_sources_select_runtime(struct pt_regs *regs);
int lsmrevoke_sources_select_runtime_placed(unsigned long site);
int lsmrevoke_sources_prog_free(struct kprobe *p, struct pt_regs *regs);
int lsmrevoke_sources_lockdown_write(struct kprobe *p, struct pt_regs *regs);
int lsmrevoke_sources_tramp_entry(struct kretprobe_instance *ri,
				  struct pt_regs *regs);
int lsmrevoke_sources_tramp_link_ret(struct kretprobe_instance *ri,
				     struct pt_regs *regs);
int lsmrevoke_sources_tramp_unlink_ret(struct kretprobe_instance *ri,
				       struct pt_regs *regs);
int lsmrevoke_sources_scx_reg_ret(struct kretprobe_instance *ri,
				  struct pt_regs *regs);

#endif /* _LSMREVOKE_SOURCES_H */
