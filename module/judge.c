// SPDX-License-Identifier: GPL-2.0
/*
 * Judging: requirements x the policy in force -> the requirements denied.
 * No decision is acted on here; pass.c does that.
 *
 * A requirement with a lockdown reason is denied when security_locked_down()
 * refuses that reason to the program's loader: the question is asked under
 * the loader's credentials (override_creds), as the verifier asked it at
 * load time; programs loaded before the module have no known loader and
 * are judged with init's credentials. Every LSM with a locked_down hook
 * answers, the lockdown LSM and BPF-LSM programs among them. In strict
 * mode a requirement also counts as what its strict_adds name.
 *
 * security_locked_down() logs a rate-limited line on every denial, so one
 * pass asks once per (credentials, reason) and reuses the answer: the
 * caller's struct lsmrevoke_verdicts, which holds a reference on each
 * credentials so that a freed and reused cred cannot inherit another's
 * answer within the pass.
 */
#include <linux/cred.h>
#include <linux/sched/task.h>
#include <linux/security.h>

#include "judge.h"
#include "ksyms.h"
#include "params.h"
#include "requirement.h"

static const struct cred *init_cred_ref;

/* @flags as policy sees them now: strict mode adds what rows name. */
u32 lsmrevoke_judge_effective(u32 flags)
{
	u32 r, added = 0;

	if (!lsmrevoke_params_strict())
		return flags;
	for (r = 0; r < LSMREVOKE_NR_REQ; r++)
		if (flags & BIT(r))
			added |= lsmrevoke_requirements[r].strict_adds;
	return flags | added;
}

/* Does @flags name a requirement that policy can deny? */
bool lsmrevoke_judge_gated(u32 flags)
{
	u32 r;

	flags = lsmrevoke_judge_effective(flags);
	for (r = 0; r < LSMREVOKE_NR_REQ; r++)
		if ((flags & BIT(r)) &&
		    lsmrevoke_requirements[r].reason != LSMREVOKE_NO_REASON)
			return true;
	return false;
}

static bool is_denied(struct lsmrevoke_verdicts *vs, const struct cred *cred,
		      int reason)
{
	const struct cred *old;
	unsigned int i;
	bool denied;

	for (i = 0; i < vs->used; i++)
		if (vs->v[i].cred == cred && vs->v[i].reason == reason)
			return vs->v[i].denied;

	old = override_creds(cred);
	denied = security_locked_down(reason) < 0;
	revert_creds(old);

	i = vs->next;
	vs->next = (vs->next + 1) % LSMREVOKE_VERDICTS;
	if (vs->used < LSMREVOKE_VERDICTS)
		vs->used++;
	else
		put_cred(vs->v[i].cred);
	vs->v[i].cred = get_cred(cred);
	vs->v[i].reason = reason;
	vs->v[i].denied = denied;
	return denied;
}

/*
 * The requirements in @flags that policy denies now to a program loaded
 * with @cred (NULL: unknown loader). Process context.
 */
u32 lsmrevoke_judge_denied(struct lsmrevoke_verdicts *vs,
			   const struct cred *cred, u32 flags)
{
	u32 r, denied = 0;

	flags = lsmrevoke_judge_effective(flags);
	for (r = 0; r < LSMREVOKE_NR_REQ; r++) {
		int reason = lsmrevoke_requirements[r].reason;

		if (!(flags & BIT(r)) || reason == LSMREVOKE_NO_REASON)
			continue;
		if (is_denied(vs, cred ?: init_cred_ref, reason))
			denied |= BIT(r);
	}
	return denied;
}

/*
 * The lockdown LSM's level: LOCKDOWN_NONE, LOCKDOWN_INTEGRITY_MAX or
 * LOCKDOWN_CONFIDENTIALITY_MAX (NONE without that LSM). It only rises.
 */
enum lockdown_reason lsmrevoke_judge_lockdown(void)
{
	const enum lockdown_reason *level = lsmrevoke_ksyms.kernel_locked_down;

	return level ? READ_ONCE(*level) : LOCKDOWN_NONE;
}

/* Drops the references @vs holds; it may be used again. */
void lsmrevoke_judge_done(struct lsmrevoke_verdicts *vs)
{
	unsigned int i;

	for (i = 0; i < vs->used; i++)
		put_cred(vs->v[i].cred);
	vs->used = 0;
	vs->next = 0;
}

int lsmrevoke_judge_init(void)
{
	init_cred_ref = get_task_cred(&init_task);
	return 0;
}

void lsmrevoke_judge_exit(void)
{
	if (init_cred_ref)
		put_cred(init_cred_ref);
	init_cred_ref = NULL;
}
