// SPDX-License-Identifier: GPL-2.0
/*
 * Policy: what each requirement stands for, evaluation against the policy
 * in force, and the revalidation pass.
 *
 * A requirement flag found by the scanner maps to the lockdown reason the
 * verifier checks for the same helpers at load time; the names are the
 * kernel's own (enum lockdown_reason, lower case). btf_read maps to no
 * reason: the kernel gates no BTF-pointer load, so it is informational.
 *
 * A pass walks every live program (prog_walk.c, a reference held on each)
 * and asks security_locked_down() about each reason it requires, under the
 * credentials of the task that loaded it; programs that were loaded before
 * the module have no known loader and are judged with init's credentials.
 * A denied program is revoked, a revoked program whose reasons are allowed
 * again is restored, and a denied program that cannot be revoked is marked
 * unrevocable (and retried on the next pass, since its obstacle, such as an
 * fentry program attached to it, may be gone).
 *
 * security_locked_down() logs a rate-limited line on every denial, so a
 * pass asks once per (credentials, reason) and reuses the answer for every
 * program loaded with the same credentials.
 *
 * revoke_mutex serialises passes, module exit, and every state change of
 * an entry; entries' state fields are written under it and read locklessly.
 */
#include <linux/cred.h>
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/ratelimit.h>
#include <linux/sched/task.h>
#include <linux/security.h>

#include "policy.h"
#include "prog_walk.h"
#include "stub_prog.h"
#include "track.h"

struct requirement {
	u32 flag;
	int reason;		/* enum lockdown_reason, or -1 for none */
	const char *name;
};

static const struct requirement requirements[] = {
	{ LSMREVOKE_REQ_READ_KERNEL, LOCKDOWN_BPF_READ_KERNEL, "bpf_read_kernel" },
	{ LSMREVOKE_REQ_WRITE_USER, LOCKDOWN_BPF_WRITE_USER, "bpf_write_user" },
	{ LSMREVOKE_REQ_BTF_READ, -1, "btf_read" },
};

static DEFINE_MUTEX(revoke_mutex);
static const struct cred *init_cred_ref;
static atomic_long_t nr_passes, nr_revocations, nr_restores;
static bool notifier_registered;

/* Answers of one pass, per (credentials, reason). */
#define VERDICTS 8

struct pass {
	struct {
		const struct cred *cred;
		int reason;
		bool denied;
	} verdicts[VERDICTS];
	unsigned int used, next;
};

static bool is_denied(struct pass *p, const struct cred *cred, int reason)
{
	const struct cred *old;
	unsigned int i;
	bool denied;

	for (i = 0; i < p->used; i++)
		if (p->verdicts[i].cred == cred &&
		    p->verdicts[i].reason == reason)
			return p->verdicts[i].denied;

	old = override_creds(cred);
	denied = security_locked_down(reason) < 0;
	revert_creds(old);

	i = p->next;
	p->next = (p->next + 1) % VERDICTS;
	p->used = min(p->used + 1, (unsigned int)VERDICTS);
	p->verdicts[i].cred = cred;
	p->verdicts[i].reason = reason;
	p->verdicts[i].denied = denied;
	return denied;
}

/* The requirement flags of @e that policy denies now. */
static u32 denied_flags(struct pass *p, const struct lsmrevoke_entry *e)
{
	const struct cred *cred = e->cred ?: init_cred_ref;
	u32 denied = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(requirements); i++) {
		const struct requirement *r = &requirements[i];

		if (r->reason < 0 || !(e->flags & r->flag))
			continue;
		if (is_denied(p, cred, r->reason))
			denied |= r->flag;
	}
	return denied;
}

static const char *first_name(u32 flags)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(requirements); i++)
		if (flags & requirements[i].flag)
			return requirements[i].name;
	return "-";
}

static void revoke(struct bpf_prog *prog, struct lsmrevoke_entry *e,
		   u32 denied)
{
	unsigned int why, was = e->state, was_why = e->why;

	lockdep_assert_held(&revoke_mutex);
	WRITE_ONCE(e->state, LSMREVOKE_STATE_REVOKING);
	why = lsmrevoke_stub_revoke(prog, e);
	if (why) {
		WRITE_ONCE(e->why, why);
		WRITE_ONCE(e->state, LSMREVOKE_STATE_UNREVOCABLE);
		if (was != LSMREVOKE_STATE_UNREVOCABLE || was_why != why)
			pr_warn_ratelimited("prog %u (%s) needs %s, denied, but cannot be revoked: %s\n",
					    e->id, e->name, first_name(denied),
					    lsmrevoke_why_name(why));
		return;
	}
	WRITE_ONCE(e->why, LSMREVOKE_WHY_NONE);
	WRITE_ONCE(e->state, LSMREVOKE_STATE_REVOKED);
	atomic_long_inc(&nr_revocations);
	pr_info_ratelimited("prog %u (%s) revoked: %s denied\n", e->id,
			    e->name, first_name(denied));
}

static void restore(struct bpf_prog *prog, struct lsmrevoke_entry *e)
{
	lockdep_assert_held(&revoke_mutex);
	WRITE_ONCE(e->state, LSMREVOKE_STATE_RESTORING);
	lsmrevoke_stub_restore(prog, e);
	WRITE_ONCE(e->state, LSMREVOKE_STATE_ACTIVE);
	atomic_long_inc(&nr_restores);
	pr_info_ratelimited("prog %u (%s) restored\n", e->id, e->name);
}

static int revalidate_prog(struct bpf_prog *prog, void *data)
{
	struct lsmrevoke_entry *e = lsmrevoke_track_get(prog);
	u32 denied;

	if (!e)
		return 0;
	denied = denied_flags(data, e);
	switch (e->state) {
	case LSMREVOKE_STATE_ACTIVE:
	case LSMREVOKE_STATE_UNREVOCABLE:
		if (denied)
			revoke(prog, e, denied);
		else
			WRITE_ONCE(e->state, LSMREVOKE_STATE_ACTIVE);
		break;
	case LSMREVOKE_STATE_REVOKED:
		if (!denied)
			restore(prog, e);
		break;
	default:
		WARN_ON_ONCE(1);
		break;
	}
	return 0;
}

/*
 * One full pass: every program is judged against the policy in force and
 * revoked or restored accordingly; returns when all of it is done.
 * Process context; sleeps.
 */
int lsmrevoke_revalidate(void)
{
	struct pass p = {};
	int ret;

	mutex_lock(&revoke_mutex);
	ret = lsmrevoke_prog_walk(revalidate_prog, &p);
	atomic_long_inc(&nr_passes);
	mutex_unlock(&revoke_mutex);
	return ret;
}

static int restore_prog(struct bpf_prog *prog, void *data)
{
	struct lsmrevoke_entry *e = lsmrevoke_track_find(prog);

	if (e && e->state == LSMREVOKE_STATE_REVOKED)
		restore(prog, e);
	return 0;
}

static int policy_notify(struct notifier_block *nb, unsigned long event,
			 void *data)
{
	if (event == LSM_POLICY_CHANGE)
		lsmrevoke_revalidate();
	return NOTIFY_OK;
}

static struct notifier_block policy_nb = {
	.notifier_call = policy_notify,
};

/* Prints @flags as the interface's <requires> field: "a,b" or "-". */
void lsmrevoke_policy_show_requires(struct seq_file *m, u32 flags)
{
	bool first = true;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(requirements); i++) {
		if (!(flags & requirements[i].flag))
			continue;
		if (!first)
			seq_putc(m, ',');
		seq_puts(m, requirements[i].name);
		first = false;
	}
	if (first)
		seq_putc(m, '-');
}

struct counts {
	unsigned long tracked, active, revoked, unrevocable;
};

static void count_entry(const struct lsmrevoke_entry *e, void *data)
{
	struct counts *c = data;

	c->tracked++;
	switch (READ_ONCE(e->state)) {
	case LSMREVOKE_STATE_REVOKED:
		c->revoked++;
		break;
	case LSMREVOKE_STATE_UNREVOCABLE:
		c->unrevocable++;
		break;
	default:
		c->active++;
		break;
	}
}

void lsmrevoke_policy_show_stats(struct seq_file *m)
{
	struct counts c = {};

	lsmrevoke_track_for_each(count_entry, &c);
	seq_printf(m, "tracked %lu\nactive %lu\nrevoked %lu\nunrevocable %lu\n",
		   c.tracked, c.active, c.revoked, c.unrevocable);
	seq_printf(m, "revocations %ld\nrestores %ld\npasses %ld\n",
		   atomic_long_read(&nr_revocations),
		   atomic_long_read(&nr_restores),
		   atomic_long_read(&nr_passes));
}

/*
 * Judges every program already loaded (so that a module loaded under a
 * strict policy revokes before modprobe returns), then listens for policy
 * changes.
 */
int lsmrevoke_policy_init(void)
{
	int ret;

	init_cred_ref = get_task_cred(&init_task);
	ret = lsmrevoke_revalidate();
	if (ret)
		goto err;
	ret = register_blocking_lsm_notifier(&policy_nb);
	if (ret) {
		pr_err("cannot register on the LSM notifier: %d\n", ret);
		goto err;
	}
	notifier_registered = true;
	return 0;
err:
	lsmrevoke_policy_exit();
	return ret;
}

/* Stops listening and restores every revoked program. */
void lsmrevoke_policy_exit(void)
{
	if (notifier_registered)
		unregister_blocking_lsm_notifier(&policy_nb);
	notifier_registered = false;

	mutex_lock(&revoke_mutex);
	lsmrevoke_prog_walk(restore_prog, NULL);
	mutex_unlock(&revoke_mutex);

	if (init_cred_ref)
		put_cred(init_cred_ref);
	init_cred_ref = NULL;
}
