/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LSMREVOKE_PASS_H
#define _LSMREVOKE_PASS_H

#include <linux/bpf.h>
#include <linux/security.h>
#include <linux/types.h>

struct lsmrevoke_pass_stats {
	long revocations, restores, passes, withdrawals;
};

int lsmrevoke_revalidate(void);
void lsmrevoke_pass_one(u32 id, const void *ptr);
void lsmrevoke_pass_new(struct bpf_prog *prog);
int lsmrevoke_pass_set_mode(const char *val);
int lsmrevoke_pass_set_strict(const char *val);
void lsmrevoke_pass_stats(struct lsmrevoke_pass_stats *s);
enum lockdown_reason lsmrevoke_pass_lockdown(void);
void lsmrevoke_pass_exit(void);

#endif /* _LSMREVOKE_PASS_H */
