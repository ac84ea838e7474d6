/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LSMREVOKE_TAILCALL_H
#define _LSMREVOKE_TAILCALL_H

#include <linux/bpf.h>
#include <linux/kprobes.h>

/*
 * What the probes ask of the program table, registered at init (tailcall.c
 * does not call into the table itself): is a program being revoked or
 * revoked; keep one reference to drop later (false: not tracked); drop
 * every kept reference through @put, from process context.
 */
struct lsmrevoke_tailcall_ops {
	bool (*revoked)(const struct bpf_prog *prog);
	bool (*keep_ref)(const struct bpf_prog *prog);
	void (*drop_kept)(void (*put)(struct bpf_prog *prog));
};

int lsmrevoke_tailcall_init(const struct lsmrevoke_tailcall_ops *ops);
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
