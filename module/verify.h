/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LSMREVOKE_VERIFY_H
#define _LSMREVOKE_VERIFY_H

#include <linux/kprobes.h>
#include <linux/types.h>

#include "requirement.h"

struct bpf_prog;

/* Probe handlers, installed by hooks.c. */
int lsmrevoke_verify_start(struct kprobe *p, struct pt_regs *regs);
int lsmrevoke_verify_helper_mem(struct kprobe *p, struct pt_regs *regs);
int lsmrevoke_verify_mem_size(struct kprobe *p, struct pt_regs *regs);
int lsmrevoke_verify_fixups_entry(struct kretprobe_instance *ri,
				  struct pt_regs *regs);
int lsmrevoke_verify_fixups_ret(struct kretprobe_instance *ri,
				struct pt_regs *regs);

bool lsmrevoke_verify_claim(const struct bpf_prog *prog, u32 *flags,
			    u32 sites[LSMREVOKE_NR_REQ]);

#endif /* _LSMREVOKE_VERIFY_H */
