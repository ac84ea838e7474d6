/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LSMREVOKE_TAILCALL_H
#define _LSMREVOKE_TAILCALL_H

#include <linux/bpf.h>
#include <linux/kprobes.h>

int lsmrevoke_tailcall_init(bool (*revoked)(const struct bpf_prog *prog));
void lsmrevoke_tailcall_exit(void);
int lsmrevoke_tailcall_empty(struct bpf_prog *prog);
void lsmrevoke_tailcall_refill(struct bpf_prog *prog);

int lsmrevoke_tailcall_get_ptr_entry(struct kretprobe_instance *ri,
				     struct pt_regs *regs);
int lsmrevoke_tailcall_get_ptr_ret(struct kretprobe_instance *ri,
				   struct pt_regs *regs);
int lsmrevoke_tailcall_poke_run(struct kprobe *p, struct pt_regs *regs);
int lsmrevoke_tailcall_release(struct kprobe *p, struct pt_regs *regs);

#endif /* _LSMREVOKE_TAILCALL_H */
