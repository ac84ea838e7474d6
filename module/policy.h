/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LSMREVOKE_POLICY_H
#define _LSMREVOKE_POLICY_H

#include <linux/kprobes.h>
#include <linux/seq_file.h>
#include <linux/types.h>

struct bpf_prog;
struct lsmrevoke_entry;

int lsmrevoke_policy_prepare(void);
int lsmrevoke_policy_init(void);
void lsmrevoke_policy_exit(void);
int lsmrevoke_revalidate(void);
int lsmrevoke_policy_set_mode(const char *val);
const char *lsmrevoke_policy_mode(void);
int lsmrevoke_policy_set_strict(const char *val);
bool lsmrevoke_policy_strict(void);
bool lsmrevoke_policy_gated(u32 flags);
void lsmrevoke_policy_loaded(const struct bpf_prog *prog);
void lsmrevoke_policy_show_requires(struct seq_file *m, u32 flags);
void lsmrevoke_policy_show_stats(struct seq_file *m);
void lsmrevoke_policy_show_sites(struct seq_file *m,
				 const struct lsmrevoke_entry *e);

int lsmrevoke_policy_lockdown_ret(struct kretprobe_instance *ri,
				  struct pt_regs *regs);
int lsmrevoke_policy_tramp_entry(struct kretprobe_instance *ri,
				 struct pt_regs *regs);
int lsmrevoke_policy_tramp_ret(struct kretprobe_instance *ri,
			       struct pt_regs *regs);

#endif /* _LSMREVOKE_POLICY_H */
