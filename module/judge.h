/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LSMREVOKE_JUDGE_H
#define _LSMREVOKE_JUDGE_H

#include <linux/cred.h>
#include <linux/security.h>
#include <linux/types.h>

/* Answers already asked for in one pass, per (credentials, reason). */
#define LSMREVOKE_VERDICTS 8

struct lsmrevoke_verdicts {
	struct {
		const struct cred *cred;	/* a reference */
		int reason;
		bool denied;
	} v[LSMREVOKE_VERDICTS];
	unsigned int used, next;
};

int lsmrevoke_judge_init(void);
void lsmrevoke_judge_exit(void);
u32 lsmrevoke_judge_effective(u32 flags);
bool lsmrevoke_judge_gated(u32 flags);
u32 lsmrevoke_judge_denied(struct lsmrevoke_verdicts *vs,
			   const struct cred *cred, u32 flags);
void lsmrevoke_judge_done(struct lsmrevoke_verdicts *vs);
enum lockdown_reason lsmrevoke_judge_lockdown(void);

#endif /* _LSMREVOKE_JUDGE_H */
