// SPDX-License-Identifier: GPL-2.0
/*
 * Policy: what each requirement stands for, evaluation against the policy
 * in force, the revalidation pass, and the sources of policy changes.
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
 * fentry program attached to it, may be gone). In audit mode the same
 * decisions are logged and nothing is patched. In strict mode btf_read
 * counts as bpf_read_kernel.
 *
 * security_locked_down() logs a rate-limited line on every denial, so a
 * pass asks once per (credentials, reason) and reuses the answer for every
 * program loaded with the same credentials.
 *
 * Passes run:
 *  - on a write to securityfs revalidate, mode or strict, synchronously;
 *  - on LSM_POLICY_CHANGE from the blocking LSM notifier;
 *  - when lockdown_write() raised the lockdown level, and when a BPF-LSM
 *    program was attached to or detached from the locked_down hook: the
 *    probes cannot sleep, so the pass runs from task work before the task
 *    that made the change returns to user space (from a worker when that
 *    task is a kernel thread, e.g. a deferred link release);
 *  - for a newly loaded program that needs a gated helper, from task work
 *    of the loader, before bpf(BPF_PROG_LOAD) returns to user space.
 *
 * revoke_mutex serialises passes, module exit, and every state change of
 * an entry; entries' state fields are written under it and read locklessly.
 */
#include <linux/audit.h>
#include <linux/cred.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/wait.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/ratelimit.h>
#include <linux/sched/task.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <linux/workqueue.h>

#include "fault.h"
#include "events.h"
#include "ksyms.h"
#include "policy.h"
#include "prog_walk.h"
#include "stub_prog.h"
#include "tailcall.h"
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
/* The task raising LSM_POLICY_CHANGE itself, whose event we skip. */
static struct task_struct *notify_self;

/*
 * Deferred work (task work or worker items) in flight: counted, so that
 * exit, and init's unwinding, wait until none can still run. defer_lock
 * orders "stopping" against new work.
 */
static struct workqueue_struct *policy_wq;
static DEFINE_SPINLOCK(defer_lock);
static bool stopping;
static atomic_t pending = ATOMIC_INIT(0);
static DECLARE_WAIT_QUEUE_HEAD(pending_wait);

static bool audit_mode;

/*
 * Strict mode: a program that reads kernel memory through BTF pointers
 * (btf_read) also requires bpf_read_kernel. The kernel gates no such load;
 * lsmrevoke is then the only gate.
 */
static bool strict;
module_param(strict, bool, 0444);
MODULE_PARM_DESC(strict,
		 "1: btf_read programs also require bpf_read_kernel; also /sys/kernel/security/lsmrevoke/strict [0]");

/* @flags as policy sees them now: strict mode adds bpf_read_kernel. */
static u32 effective(u32 flags)
{
	if (READ_ONCE(strict) && (flags & LSMREVOKE_REQ_BTF_READ))
		flags |= LSMREVOKE_REQ_READ_KERNEL;
	return flags;
}

bool lsmrevoke_policy_strict(void)
{
	return READ_ONCE(strict);
}

/* Sets strict mode from securityfs ("0" or "1") and applies it at once. */
int lsmrevoke_policy_set_strict(const char *val)
{
	bool on;

	if (sysfs_streq(val, "1"))
		on = true;
	else if (sysfs_streq(val, "0"))
		on = false;
	else
		return -EINVAL;
	mutex_lock(&revoke_mutex);
	WRITE_ONCE(strict, on);
	mutex_unlock(&revoke_mutex);
	return lsmrevoke_revalidate();
}

static int parse_mode(const char *val, bool *audit)
{
	if (sysfs_streq(val, "enforce")) {
		*audit = false;
		return 0;
	}
	if (sysfs_streq(val, "audit")) {
		*audit = true;
		return 0;
	}
	return -EINVAL;
}

static int mode_param_set(const char *val, const struct kernel_param *kp)
{
	if (parse_mode(val, &audit_mode)) {
		pr_err("mode: '%s' is neither 'enforce' nor 'audit'\n", val);
		return -EINVAL;
	}
	return 0;
}

static int mode_param_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", lsmrevoke_policy_mode());
}

static const struct kernel_param_ops mode_ops = {
	.set = mode_param_set,
	.get = mode_param_get,
};

module_param_cb(mode, &mode_ops, NULL, 0444);
MODULE_PARM_DESC(mode,
		 "enforce (revoke) or audit (log decisions, patch nothing); also /sys/kernel/security/lsmrevoke/mode [enforce]");

const char *lsmrevoke_policy_mode(void)
{
	return READ_ONCE(audit_mode) ? "audit" : "enforce";
}

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

/*
 * Cached answers hold a reference on their credentials, so that a freed
 * and reused cred cannot inherit another's answer within a pass.
 */
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
	if (p->used < VERDICTS)
		p->used++;
	else
		put_cred(p->verdicts[i].cred);
	p->verdicts[i].cred = get_cred(cred);
	p->verdicts[i].reason = reason;
	p->verdicts[i].denied = denied;
	return denied;
}

static void pass_done(struct pass *p)
{
	unsigned int i;

	for (i = 0; i < p->used; i++)
		put_cred(p->verdicts[i].cred);
	p->used = 0;
}

/* The requirement flags of @e that policy denies now. */
static u32 denied_flags(struct pass *p, const struct lsmrevoke_entry *e)
{
	const struct cred *cred = e->cred ?: init_cred_ref;
	u32 flags = effective(e->flags), denied = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(requirements); i++) {
		const struct requirement *r = &requirements[i];

		if (r->reason < 0 || !(flags & r->flag))
			continue;
		if (is_denied(p, cred, r->reason))
			denied |= r->flag;
	}
	return denied;
}

/* Does @flags name a requirement that policy can deny? */
bool lsmrevoke_policy_gated(u32 flags)
{
	unsigned int i;

	flags = effective(flags);
	for (i = 0; i < ARRAY_SIZE(requirements); i++)
		if (requirements[i].reason >= 0 && (flags & requirements[i].flag))
			return true;
	return false;
}

static const char *first_name(u32 flags)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(requirements); i++)
		if (flags & requirements[i].flag)
			return requirements[i].name;
	return "-";
}

/*
 * One log line (rate-limited) and one audit record per decision.
 * @op is revoke, restore or unrevocable; @detail the reason or the why.
 */
static void report(const char *op, const struct lsmrevoke_entry *e,
		   const char *detail, bool enforced)
{
	struct audit_buffer *ab;
	int uid = -1;

	if (e->cred)
		uid = from_kuid(&init_user_ns, e->cred->euid);
	lsmrevoke_event(op, e, detail, enforced);
	pr_info_ratelimited("%s%s prog %u (%s, %s): %s\n",
			    enforced ? "" : "audit: would ", op, e->id,
			    e->name[0] ? e->name : "-",
			    lsmrevoke_prog_type_name(e->type), detail);
	if (audit_enabled == AUDIT_OFF)
		return;
	ab = audit_log_start(audit_context(), GFP_KERNEL, AUDIT_BPF);
	if (!ab)
		return;
	audit_log_format(ab, "op=%s prog-id=%u prog-name=%s prog-type=%s",
			 op, e->id, e->name[0] ? e->name : "-",
			 lsmrevoke_prog_type_name(e->type));
	audit_log_format(ab, " reason=%s loader-uid=%d enforced=%d", detail,
			 uid, enforced);
	audit_log_end(ab);
}

/*
 * Entry changes decided by the pass in progress, written together when the
 * batch is full and at the end of the pass; revoke_mutex.
 */
static struct lsmrevoke_batch batch;

static void unrevocable(struct bpf_prog *prog, struct lsmrevoke_entry *e,
			unsigned int why)
{
	unsigned int was = e->state, was_why = e->why;

	WRITE_ONCE(e->why, why);
	WRITE_ONCE(e->state, LSMREVOKE_STATE_UNREVOCABLE);
	/* Slots a racing insert left to us while it was "revoking". */
	lsmrevoke_tailcall_refill(prog);
	if (was != LSMREVOKE_STATE_UNREVOCABLE || was_why != why)
		report("unrevocable", e, lsmrevoke_why_name(why), true);
}

/* Writes the batch and settles each program in it. */
static void flush(void)
{
	unsigned int i;

	lockdep_assert_held(&revoke_mutex);
	if (!batch.nr)
		return;
	lsmrevoke_stub_write(&batch);
	for (i = 0; i < batch.nr; i++) {
		struct lsmrevoke_change *c = &batch.changes[i];
		struct lsmrevoke_entry *e = c->e;

		if (!c->revoke) {
			WRITE_ONCE(e->state, LSMREVOKE_STATE_ACTIVE);
			atomic_long_inc(&nr_restores);
			report("restore", e, "allowed", true);
		} else if (c->why) {
			unrevocable(c->prog, e, c->why);
		} else {
			WRITE_ONCE(e->why, LSMREVOKE_WHY_NONE);
			WRITE_ONCE(e->state, LSMREVOKE_STATE_REVOKED);
			atomic_long_inc(&nr_revocations);
			report("revoke", e, first_name(c->data), true);
		}
	}
	lsmrevoke_stub_batch_done(&batch);
}

static void revoke(struct bpf_prog *prog, struct lsmrevoke_entry *e,
		   u32 denied)
{
	int ret;

	lockdep_assert_held(&revoke_mutex);
	ret = lsmrevoke_stub_add_revoke(&batch, prog, e);
	if (ret == -ENOSPC) {
		flush();
		ret = lsmrevoke_stub_add_revoke(&batch, prog, e);
	}
	if (ret) {
		unrevocable(prog, e, ret);
		return;
	}
	batch.changes[batch.nr - 1].data = denied;
}

static void restore(struct bpf_prog *prog, struct lsmrevoke_entry *e)
{
	lockdep_assert_held(&revoke_mutex);
	WRITE_ONCE(e->state, LSMREVOKE_STATE_RESTORING);
	if (lsmrevoke_stub_add_restore(&batch, prog, e) == -ENOSPC) {
		flush();
		lsmrevoke_stub_add_restore(&batch, prog, e);
	}
}

/* Audit mode: nothing stays patched, changes of the verdict are logged. */
static void judge_audit(struct bpf_prog *prog, struct lsmrevoke_entry *e,
			u32 denied)
{
	if (e->state == LSMREVOKE_STATE_REVOKED)
		restore(prog, e);
	else
		WRITE_ONCE(e->state, LSMREVOKE_STATE_ACTIVE);
	if (denied && !e->audit_denied) {
		e->audit_denied = true;
		report("revoke", e, first_name(denied), false);
	} else if (!denied && e->audit_denied) {
		e->audit_denied = false;
		report("restore", e, "allowed", false);
	}
}

static int judge(struct bpf_prog *prog, void *data)
{
	struct lsmrevoke_entry *e = lsmrevoke_track_get(prog);
	u32 denied;

	lockdep_assert_held(&revoke_mutex);
	if (!e)
		return 0;
	denied = denied_flags(data, e);
	if (READ_ONCE(audit_mode)) {
		judge_audit(prog, e, denied);
		return 0;
	}
	e->audit_denied = false;
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
	ret = lsmrevoke_prog_walk(judge, &p);
	flush();
	atomic_long_inc(&nr_passes);
	mutex_unlock(&revoke_mutex);
	pass_done(&p);
	return ret;
}

/* Judges the one program @id, if it is still @ptr. */
static void judge_one(u32 id, const void *ptr)
{
	struct bpf_prog *prog = lsmrevoke_prog_get_by_id(id);
	struct pass p = {};

	if (!prog)
		return;
	if (prog == ptr) {
		mutex_lock(&revoke_mutex);
		judge(prog, &p);
		flush();
		mutex_unlock(&revoke_mutex);
		pass_done(&p);
	}
	bpf_prog_put(prog);
}

static int restore_revoked(struct bpf_prog *prog, void *data)
{
	struct lsmrevoke_entry *e = lsmrevoke_track_find(prog);

	if (e && e->state == LSMREVOKE_STATE_REVOKED)
		restore(prog, e);
	return 0;
}

/* Sets the mode from securityfs and applies it at once. */
int lsmrevoke_policy_set_mode(const char *val)
{
	bool audit;

	if (parse_mode(val, &audit))
		return -EINVAL;
	mutex_lock(&revoke_mutex);
	WRITE_ONCE(audit_mode, audit);
	mutex_unlock(&revoke_mutex);
	return lsmrevoke_revalidate();
}

/* Work deferred from a probe to the process context of the same change. */
struct deferred {
	struct callback_head twork;
	struct work_struct work;
	u32 id;			/* a program to judge, or 0: a whole pass */
	const void *prog;
	bool notify;		/* also raise LSM_POLICY_CHANGE */
};

static void run_deferred(struct deferred *d)
{
	if (READ_ONCE(stopping))
		return;
	if (d->id) {
		judge_one(d->id, d->prog);
		return;
	}
	lsmrevoke_revalidate();
	if (d->notify) {
		WRITE_ONCE(notify_self, current);
		call_blocking_lsm_notifier(LSM_POLICY_CHANGE, NULL);
		WRITE_ONCE(notify_self, NULL);
	}
}

static void deferred_done(struct deferred *d)
{
	kfree(d);
	if (atomic_dec_and_test(&pending))
		wake_up(&pending_wait);
}

static void deferred_task_fn(struct callback_head *head)
{
	struct deferred *d = container_of(head, struct deferred, twork);

	run_deferred(d);
	deferred_done(d);
}

static void deferred_work_fn(struct work_struct *work)
{
	struct deferred *d = container_of(work, struct deferred, work);

	run_deferred(d);
	deferred_done(d);
}

/*
 * Runs @d before current returns to user space, or soon from a worker when
 * current never will (a kernel thread, or a task past its last return).
 * Any context. Nothing is queued once stopping is set; what was queued
 * before is waited for (stop_deferred).
 */
static void defer(struct deferred *d)
{
	unsigned long flags;
	bool queued = false;

	spin_lock_irqsave(&defer_lock, flags);
	if (!stopping) {
		atomic_inc(&pending);
		queued = true;
	}
	spin_unlock_irqrestore(&defer_lock, flags);
	if (!queued) {
		kfree(d);
		return;
	}
	if (!(current->flags & PF_KTHREAD)) {
		init_task_work(&d->twork, deferred_task_fn);
		if (!task_work_add(current, &d->twork, TWA_RESUME))
			return;
	}
	INIT_WORK(&d->work, deferred_work_fn);
	queue_work(policy_wq, &d->work);
}

/* No new deferred work; waits for the queued work to finish. */
static void stop_deferred(void)
{
	unsigned long flags;

	spin_lock_irqsave(&defer_lock, flags);
	stopping = true;
	spin_unlock_irqrestore(&defer_lock, flags);
	wait_event(pending_wait, !atomic_read(&pending));
}

static void defer_pass(bool notify, const char *what)
{
	struct deferred *d = lsmrevoke_fault("alloc:defer") ? NULL :
			     kzalloc(sizeof(*d), GFP_ATOMIC | __GFP_NOWARN);

	if (!d) {
		pr_err_ratelimited("%s: no memory to revalidate; write revalidate\n",
				   what);
		return;
	}
	d->notify = notify;
	defer(d);
}

/*
 * A program needing a gated helper was just loaded (current is its loader,
 * the fd does not exist yet): judge it before the loader returns.
 */
void lsmrevoke_policy_loaded(const struct bpf_prog *prog)
{
	struct deferred *d = lsmrevoke_fault("alloc:defer") ? NULL :
			     kzalloc(sizeof(*d), GFP_ATOMIC | __GFP_NOWARN);

	if (!d) {
		pr_err_ratelimited("prog %u: no memory to judge it at load\n",
				   prog->aux->id);
		return;
	}
	d->id = prog->aux->id;
	d->prog = prog;
	defer(d);
}

/* Return of lockdown_write(): the level changed when it returned > 0. */
int lsmrevoke_policy_lockdown_ret(struct kretprobe_instance *ri,
				  struct pt_regs *regs)
{
	if ((long)regs_return_value(regs) > 0)
		defer_pass(true, "lockdown change");
	return 0;
}

/* Entry of bpf_trampoline_{link,unlink}_prog(link, tr, tgt_prog). */
int lsmrevoke_policy_tramp_entry(struct kretprobe_instance *ri,
				 struct pt_regs *regs)
{
	struct bpf_trampoline *tr = (void *)regs_get_kernel_argument(regs, 1);

	*(bool *)ri->data = tr && (unsigned long)tr->func.addr ==
				  lsmrevoke_ksyms.lsm_locked_down;
	return 0;
}

/* Their return: a BPF-LSM locked_down policy came or went. */
int lsmrevoke_policy_tramp_ret(struct kretprobe_instance *ri,
			       struct pt_regs *regs)
{
	if (*(bool *)ri->data && !regs_return_value(regs))
		defer_pass(false, "BPF-LSM locked_down change");
	return 0;
}

static int policy_notify(struct notifier_block *nb, unsigned long event,
			 void *data)
{
	if (event == LSM_POLICY_CHANGE && READ_ONCE(notify_self) != current)
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

	flags = effective(flags);
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

/* The optional sites= field: "name@insn,..." for each requirement found. */
void lsmrevoke_policy_show_sites(struct seq_file *m,
				 const struct lsmrevoke_entry *e)
{
	bool first = true;
	unsigned int i;

	seq_puts(m, " sites=");
	for (i = 0; i < ARRAY_SIZE(requirements); i++) {
		u32 site = e->sites[__ffs(requirements[i].flag)];

		if (!(e->flags & requirements[i].flag))
			continue;
		seq_printf(m, "%s%s@%u", first ? "" : ",", requirements[i].name,
			   site);
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

/* What the probes need before they are installed. */
int lsmrevoke_policy_prepare(void)
{
	policy_wq = lsmrevoke_fault("alloc:wq") ? NULL :
		    alloc_workqueue("lsmrevoke_policy", 0, 0);
	if (!policy_wq) {
		pr_err("cannot create the policy workqueue\n");
		return -ENOMEM;
	}
	init_cred_ref = get_task_cred(&init_task);
	return 0;
}

/*
 * Judges every program already loaded (so that a module loaded under a
 * strict policy revokes before modprobe returns), then listens for policy
 * changes. The probes feeding defer() are installed already.
 */
int lsmrevoke_policy_init(void)
{
	int ret;

	ret = lsmrevoke_revalidate();
	if (ret)
		return ret;
	ret = lsmrevoke_fault("notifier") ? -ENOMEM :
	      register_blocking_lsm_notifier(&policy_nb);
	if (ret) {
		pr_err("cannot register on the LSM notifier: %d\n", ret);
		return ret;
	}
	notifier_registered = true;
	return 0;
}

/*
 * Stops listening, waits for deferred work, and restores every revoked
 * program. Safe after a partial init; the probes may still fire.
 */
void lsmrevoke_policy_exit(void)
{
	if (notifier_registered)
		unregister_blocking_lsm_notifier(&policy_nb);
	notifier_registered = false;

	stop_deferred();
	if (policy_wq)
		destroy_workqueue(policy_wq);
	policy_wq = NULL;

	mutex_lock(&revoke_mutex);
	lsmrevoke_prog_walk(restore_revoked, NULL);
	flush();
	mutex_unlock(&revoke_mutex);

	if (init_cred_ref)
		put_cred(init_cred_ref);
	init_cred_ref = NULL;
}
