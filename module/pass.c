// SPDX-License-Identifier: GPL-2.0
/*
 * The revalidation pass: every program judged against the policy in
 * force, and the decisions carried out.
 *
 * A pass walks every live program (prog_walk.c, a reference held on
 * each), asks judge.c which of its requirements policy denies, and:
 *  - revokes a denied program (patch.c writes its entries, tailcall.c
 *    empties its prog-array slots);
 *  - restores a revoked program whose requirements are allowed again;
 *  - marks unrevocable a denied program that cannot be revoked, and
 *    retries it on the next pass, since its obstacle (an fentry program
 *    attached to it, say) may be gone;
 *  - takes out of service the sched_ext scheduler a denied struct_ops
 *    program belongs to (scx.c), one-way: "withdrawn", never restored.
 * In audit mode the same decisions are reported and nothing is patched.
 * Every decision is reported once (report.c).
 *
 * Entry changes are queued in one batch and written together when the
 * batch is full and at the end of the pass, so that the cross-CPU
 * synchronisation of the int3 protocol is paid per batch.
 *
 * Who runs passes: sources.c (policy changes, new programs, through
 * defer.c), fs.c (revalidate, mode and strict writes), module init and
 * exit. revoke_mutex serialises passes, module exit and every state change
 * of an entry; entries' state fields are written under it and read
 * locklessly. It nests outside text_mutex, the tail-call slots' mutex and
 * every prog array's poke_mutex.
 */
#include <linux/bpf.h>
#include <linux/delay.h>
#include <linux/mutex.h>

#include "ext.h"
#include "fault.h"
#include "judge.h"
#include "params.h"
#include "pass.h"
#include "patch.h"
#include "prog_walk.h"
#include "report.h"
#include "requirement.h"
#include "scx.h"
#include "state.h"
#include "tailcall.h"
#include "track.h"

static DEFINE_MUTEX(revoke_mutex);
static atomic_long_t nr_passes, nr_revocations, nr_restores, nr_withdrawals;
/* The lockdown level the last full pass judged under. */
static enum lockdown_reason pass_lockdown;

/* Entry changes decided by the pass in progress; revoke_mutex. */
static struct lsmrevoke_batch batch;
/* The rollback of one revocation, written while batch is settled. */
static struct lsmrevoke_batch undo;

/* Set by lsmrevoke_pass_exit(): no program is revoked any more. */
static bool stopped;

/*
 * Reports a decision on @e, or, for a program judged before its ID
 * exists (lsmrevoke_pass_new), holds it until the program is published:
 * the log, the audit record and the events ring name programs by ID. Only
 * the last decision is held; revoke_mutex.
 */
static void report(const char *op, struct lsmrevoke_entry *e,
		   const char *detail, bool enforced)
{
	if (READ_ONCE(e->id)) {
		lsmrevoke_report(op, e, detail, enforced);
		return;
	}
	e->held_op = op;
	e->held_detail = detail;
	e->held_enforced = enforced;
}

/* The decision held for @e, now that it is published; revoke_mutex. */
static void report_held(struct lsmrevoke_entry *e)
{
	if (!e->held_op || !READ_ONCE(e->id))
		return;
	lsmrevoke_report(e->held_op, e, e->held_detail, e->held_enforced);
	e->held_op = NULL;
}

/* The name of the first requirement in @flags, for the report. */
static const char *first_name(u32 flags)
{
	return flags ? lsmrevoke_requirements[__ffs(flags)].name : "-";
}

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

/*
 * A revocation whose entries are in place: with its entry marked
 * "revoking", so that the tail-call guards act, its prog-array slots are
 * emptied; if they cannot be, its entries are put back, written as any
 * restore is. A rollback that cannot be written leaves the program
 * revoked, holding the module: its jump is still there.
 */
static void finish_revoke(struct lsmrevoke_change *c)
{
	struct lsmrevoke_entry *e = c->owner;

	WRITE_ONCE(e->state, LSMREVOKE_STATE_REVOKING);
	e->stub = c->stub;
	e->jump = c->jump;
	e->interp = c->interp ? c->func_old : NULL;
	if (!lsmrevoke_tailcall_empty(c->prog))
		return;
	if (lsmrevoke_patch_add_restore(&undo, c->prog, e, c->stub, c->jump,
					e->interp)) {
		pr_err_ratelimited("prog %u: cannot roll back its revocation; it stays revoked\n",
				   e->id);
		return;
	}
	lsmrevoke_patch_write(&undo);
	lsmrevoke_patch_done(&undo);
	c->why = LSMREVOKE_WHY_NOMEM;
	/* Rolled back: an extension's entry is its own again. */
	if (e->ext_tgt) {
		bpf_prog_put(e->ext_tgt);
		e->ext_tgt = NULL;
	}
	e->jump = NULL;
}

/*
 * A revoked extension's entry now jumps to what @c says, and the reference
 * on the program it runs instead moves to its entry.
 */
static void settle_ext(struct lsmrevoke_change *c)
{
	struct lsmrevoke_entry *e = c->owner;

	if (c->retarget && c->why) {
		pr_err_ratelimited("prog %u: extension's entry is not our jump; left as it is\n",
				   e->id);
		return;
	}
	if (c->revoke && c->why)
		return;
	e->jump = c->jump;
	swap(e->ext_tgt, c->ext_tgt);
}

static void settle(struct lsmrevoke_change *c)
{
	struct lsmrevoke_entry *e = c->owner;

	if (c->prog->type == BPF_PROG_TYPE_EXT) {
		/* c->ext_tgt now holds what to drop once runs drained. */
		settle_ext(c);
		if (c->retarget)
			return;
	}
	if (!c->revoke) {
		WRITE_ONCE(e->state, LSMREVOKE_STATE_ACTIVE);
		lsmrevoke_track_hold_module(e, false);
		atomic_long_inc(&nr_restores);
		report("restore", e, "allowed", true);
		return;
	}
	if (!c->why)
		finish_revoke(c);
	if (c->why) {
		unrevocable(c->prog, e, c->why);
		return;
	}
	WRITE_ONCE(e->why, LSMREVOKE_WHY_NONE);
	WRITE_ONCE(e->state, LSMREVOKE_STATE_REVOKED);
	lsmrevoke_track_hold_module(e, true);
	atomic_long_inc(&nr_revocations);
	report("revoke", e, first_name(c->data), true);
}

/*
 * How long a revocation waits for a sleepable run already inside the
 * program (blocked in a page fault, say) before it reports it.
 */
#define DRAIN_MS 1000

/*
 * Whether runs of @c's program may have entered it before its change: it
 * was revoked, and it has an ID (a program judged before its ID exists
 * was never run; waiting for it would only stall its loader, for DRAIN_MS
 * when that loader is itself a sleepable program).
 */
static bool to_drain(const struct lsmrevoke_change *c)
{
	return c->revoke && !c->why && READ_ONCE(c->prog->aux->id);
}

/*
 * The batch's revocations are in place: waits until no run that entered
 * one of those programs before is still inside it. A sleepable run that
 * outlives DRAIN_MS is reported ("inflight") for each sleepable program
 * of the batch; it ends on its own, and the module stays loaded until it
 * has.
 */
static void drain(void)
{
	bool any = false, sleepable = false;
	unsigned int i;

	for (i = 0; i < batch.nr; i++) {
		const struct lsmrevoke_change *c = &batch.changes[i];

		if (!to_drain(c))
			continue;
		any = true;
		sleepable |= lsmrevoke_prog_sleepable(c->prog);
	}
	if (!any || lsmrevoke_patch_drain(sleepable, DRAIN_MS))
		return;
	for (i = 0; i < batch.nr; i++) {
		const struct lsmrevoke_change *c = &batch.changes[i];

		if (to_drain(c) && lsmrevoke_prog_sleepable(c->prog))
			report("inflight", c->owner,
			       "run_outlived_" __stringify(DRAIN_MS) "ms", true);
	}
}

/* Writes the batch, settles each program in it, and drains the runs. */
static void flush(void)
{
	unsigned int i;

	lockdep_assert_held(&revoke_mutex);
	if (!batch.nr)
		return;
	lsmrevoke_patch_write(&batch);
	for (i = 0; i < batch.nr; i++)
		settle(&batch.changes[i]);
	drain();
	/* No run is left in the images extensions jumped to before. */
	for (i = 0; i < batch.nr; i++)
		if (batch.changes[i].ext_tgt)
			bpf_prog_put(batch.changes[i].ext_tgt);
	lsmrevoke_patch_done(&batch);
}

/*
 * Where revoked extension @prog's entry should jump: the body of the
 * function it replaces (a reference on its program in *tgt), or NULL for
 * its stub when it replaces none, several (one jump cannot go back to
 * several functions: each of them returns 0 then), or one it cannot jump
 * into (ext.c). A revocation (@report) says why it takes the stub; the
 * passes that follow the extension afterwards stay quiet.
 */
static const void *ext_jump(struct bpf_prog *prog, struct bpf_prog **tgt,
			    bool report)
{
	const void *body;
	int ret;

	*tgt = NULL;
	/* An interpreted program's bpf_func goes to the stub instead. */
	if (prog->type != BPF_PROG_TYPE_EXT || !prog->jited)
		return NULL;
	ret = lsmrevoke_ext_target(prog, tgt, &body);
	if (ret && report)
		pr_notice_ratelimited("prog %u: extension %s; revoked to its stub\n",
				      prog->aux->id, ret == -EBUSY ?
				      "replaces several functions" :
				      "replaces a tail-call-reachable function or one of unknown layout");
	return body;
}

static void revoke(struct bpf_prog *prog, struct lsmrevoke_entry *e,
		   u32 denied)
{
	struct bpf_prog *tgt;
	const void *body;
	int ret;

	lockdep_assert_held(&revoke_mutex);
	body = ext_jump(prog, &tgt, true);
	ret = lsmrevoke_patch_add_revoke(&batch, prog, e, body);
	if (ret == -ENOSPC) {
		flush();
		ret = lsmrevoke_patch_add_revoke(&batch, prog, e, body);
	}
	if (ret) {
		if (tgt)
			bpf_prog_put(tgt);
		unrevocable(prog, e, ret);
		return;
	}
	batch.changes[batch.nr - 1].data = denied;
	batch.changes[batch.nr - 1].ext_tgt = tgt;
}

/*
 * A revoked extension was attached or detached since its revocation: its
 * entry follows the function it now replaces.
 */
static void retarget(struct bpf_prog *prog, struct lsmrevoke_entry *e)
{
	struct bpf_prog *tgt;
	const void *body;
	int ret;

	lockdep_assert_held(&revoke_mutex);
	body = ext_jump(prog, &tgt, false);
	ret = lsmrevoke_patch_add_retarget(&batch, prog, e, e->jump, body);
	if (ret == -ENOSPC) {
		flush();
		ret = lsmrevoke_patch_add_retarget(&batch, prog, e, e->jump,
						   body);
	}
	if (ret) {
		if (tgt)
			bpf_prog_put(tgt);
		return;
	}
	batch.changes[batch.nr - 1].ext_tgt = tgt;
}

/*
 * Queues putting @prog's entries back, and refills its prog-array slots
 * (tail calls enter past the entry, so the order does not matter to them).
 * A restore that cannot be written leaves the program revoked, and the
 * module held, rather than "restored" with its jump still in place.
 */
static void restore(struct bpf_prog *prog, struct lsmrevoke_entry *e)
{
	int ret;

	lockdep_assert_held(&revoke_mutex);
	ret = lsmrevoke_patch_add_restore(&batch, prog, e, e->stub, e->jump,
					  e->interp);
	if (ret == -ENOSPC) {
		flush();
		ret = lsmrevoke_patch_add_restore(&batch, prog, e, e->stub,
						  e->jump, e->interp);
	}
	if (ret)
		return;
	WRITE_ONCE(e->state, LSMREVOKE_STATE_RESTORING);
	lsmrevoke_tailcall_refill(prog);
}

/*
 * Denied sched_ext program @prog: if its scheduler is the one in service,
 * takes it out of service and marks @prog withdrawn. False when it is not
 * in service (or not a scheduler's program at all): the caller goes on as
 * for any program. A withdrawn program whose scheduler was registered
 * again is taken out again; the scheduler's own exit message and the log
 * line name the program.
 */
static bool withdraw(struct bpf_prog *prog, struct lsmrevoke_entry *e,
		     u32 denied)
{
	char sched[LSMREVOKE_SCX_NAME_LEN] = "-";
	bool again = e->state == LSMREVOKE_STATE_WITHDRAWN;
	const void *inst;
	char msg[96];
	int ret;

	lockdep_assert_held(&revoke_mutex);
	if (!lsmrevoke_scx_prog(prog))
		return false;
	snprintf(msg, sizeof(msg), "lsmrevoke: prog %u (%s) is denied %s",
		 e->id, e->name[0] ? e->name : "-", first_name(denied));
	ret = lsmrevoke_scx_withdraw(prog, msg, sched, sizeof(sched), &inst);
	if (ret == -ENOENT)
		return again;
	e->scx_inst = inst;
	WRITE_ONCE(e->why, LSMREVOKE_WHY_NONE);
	WRITE_ONCE(e->state, LSMREVOKE_STATE_WITHDRAWN);
	/* Its exit already under way: the pass that started it reported. */
	if (ret)
		return true;
	atomic_long_inc(&nr_withdrawals);
	lsmrevoke_report_withdraw(e, first_name(denied), sched, again);
	return true;
}

/* Is @prog a program of the sched_ext scheduler in service? */
static bool in_service(struct bpf_prog *prog)
{
	const void *inst;

	return !lsmrevoke_scx_withdraw(prog, NULL, NULL, 0, &inst);
}

/*
 * Is withdrawn @prog's scheduler in service again: registered again by its
 * loader as another instance than the one taken out (that one may still
 * be on its way out)?
 */
static bool in_service_again(struct bpf_prog *prog,
			     const struct lsmrevoke_entry *e)
{
	const void *inst;

	return !lsmrevoke_scx_withdraw(prog, NULL, NULL, 0, &inst) &&
	       inst != e->scx_inst;
}

/* Audit mode: nothing stays patched, changes of the verdict are logged. */
static void decide_audit(struct bpf_prog *prog, struct lsmrevoke_entry *e,
			 u32 denied)
{
	if (e->state == LSMREVOKE_STATE_REVOKED)
		restore(prog, e);
	else
		WRITE_ONCE(e->state, LSMREVOKE_STATE_ACTIVE);
	if (denied && !e->audit_denied) {
		e->audit_denied = true;
		report(in_service(prog) ? "withdraw" : "revoke", e,
		       first_name(denied), false);
	} else if (!denied && e->audit_denied) {
		e->audit_denied = false;
		report("restore", e, "allowed", false);
	}
}

/* Judges @prog and queues what the verdict asks for; revoke_mutex. */
static int decide(struct bpf_prog *prog, void *data)
{
	struct lsmrevoke_entry *e = lsmrevoke_track_get(prog);
	u32 denied;

	lockdep_assert_held(&revoke_mutex);
	if (!e)
		return 0;
	report_held(e);
	denied = lsmrevoke_judge_denied(data, e->cred, e->flags);
	if (lsmrevoke_params_audit()) {
		if (e->state == LSMREVOKE_STATE_WITHDRAWN)
			return 0;
		decide_audit(prog, e, denied);
		return 0;
	}
	e->audit_denied = false;
	switch (e->state) {
	case LSMREVOKE_STATE_ACTIVE:
	case LSMREVOKE_STATE_UNREVOCABLE:
		if (denied && !withdraw(prog, e, denied))
			revoke(prog, e, denied);
		else if (!denied)
			WRITE_ONCE(e->state, LSMREVOKE_STATE_ACTIVE);
		break;
	case LSMREVOKE_STATE_WITHDRAWN:
		/*
		 * One-way: an allowed program stays withdrawn until its
		 * scheduler is in service again (registered by its loader).
		 */
		if (denied)
			withdraw(prog, e, denied);
		else if (in_service_again(prog, e))
			WRITE_ONCE(e->state, LSMREVOKE_STATE_ACTIVE);
		break;
	case LSMREVOKE_STATE_REVOKED:
		if (!denied)
			restore(prog, e);
		else if (prog->type == BPF_PROG_TYPE_EXT && prog->jited)
			retarget(prog, e);
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
	struct lsmrevoke_verdicts vs = {};
	int ret;

	mutex_lock(&revoke_mutex);
	WRITE_ONCE(pass_lockdown, lsmrevoke_judge_lockdown());
	ret = lsmrevoke_prog_walk(decide, &vs);
	flush();
	atomic_long_inc(&nr_passes);
	mutex_unlock(&revoke_mutex);
	lsmrevoke_judge_done(&vs);
	return ret;
}

/* Judges @prog alone, unless passes have stopped. */
static void judge_one(struct bpf_prog *prog)
{
	struct lsmrevoke_verdicts vs = {};

	mutex_lock(&revoke_mutex);
	if (!stopped) {
		decide(prog, &vs);
		flush();
	}
	mutex_unlock(&revoke_mutex);
	lsmrevoke_judge_done(&vs);
}

/* Judges the one program @id, if it is still @ptr. Process context. */
void lsmrevoke_pass_one(u32 id, const void *ptr)
{
	struct bpf_prog *prog = lsmrevoke_prog_get_by_id(id);

	if (!prog)
		return;
	if (prog == ptr)
		judge_one(prog);
	bpf_prog_put(prog);
}

/*
 * Judges @prog, which its loader's bpf(BPF_PROG_LOAD) has just verified
 * and compiled, before its ID and fd exist: no other task can reach it
 * yet, so a program the policy denies never runs. Its decision is
 * reported once it is published. Process context, in the loader; the
 * caller holds @prog.
 */
void lsmrevoke_pass_new(struct bpf_prog *prog)
{
	judge_one(prog);
}

/*
 * The ratchet: while lockdown is above none, a setting only moves toward
 * enforcement (mode=enforce, strict=1). Relaxing it would restore programs
 * that the lockdown in force denies, which lockdown exists to prevent.
 */
static int ratchet(const char *what, bool relaxes)
{
	lockdep_assert_held(&revoke_mutex);
	if (!relaxes || lsmrevoke_judge_lockdown() == LOCKDOWN_NONE)
		return 0;
	pr_notice_ratelimited("%s: refused: lockdown is on, settings only move toward enforcement\n",
			      what);
	return -EPERM;
}

/*
 * Sets the mode from securityfs, between passes, and applies it at once.
 * -EINVAL for a value that is not a mode, -EPERM from the ratchet.
 */
int lsmrevoke_pass_set_mode(const char *val)
{
	bool audit;
	int ret;

	if (lsmrevoke_params_parse_mode(val, &audit))
		return -EINVAL;
	mutex_lock(&revoke_mutex);
	ret = ratchet("mode=audit", audit && !lsmrevoke_params_audit());
	if (!ret)
		lsmrevoke_params_set_audit(audit);
	mutex_unlock(&revoke_mutex);
	return ret ?: lsmrevoke_revalidate();
}

/* The same for strict mode ("0" or "1"). */
int lsmrevoke_pass_set_strict(const char *val)
{
	bool on;
	int ret;

	if (lsmrevoke_params_parse_strict(val, &on))
		return -EINVAL;
	mutex_lock(&revoke_mutex);
	ret = ratchet("strict=0", !on && lsmrevoke_params_strict());
	if (!ret)
		lsmrevoke_params_set_strict(on);
	mutex_unlock(&revoke_mutex);
	return ret ?: lsmrevoke_revalidate();
}

/* The lockdown level the last full pass judged under. */
enum lockdown_reason lsmrevoke_pass_lockdown(void)
{
	return READ_ONCE(pass_lockdown);
}

void lsmrevoke_pass_stats(struct lsmrevoke_pass_stats *s)
{
	s->revocations = atomic_long_read(&nr_revocations);
	s->restores = atomic_long_read(&nr_restores);
	s->passes = atomic_long_read(&nr_passes);
	s->withdrawals = atomic_long_read(&nr_withdrawals);
}

static int restore_revoked(struct bpf_prog *prog, void *data)
{
	struct lsmrevoke_entry *e = lsmrevoke_track_find(prog);

	if (e && e->state == LSMREVOKE_STATE_REVOKED)
		restore(prog, e);
	return 0;
}

/* lsmrevoke_track_for_each(): counts revoked entries without an ID. */
static void count_unpublished(const struct lsmrevoke_entry *e, void *data)
{
	if (!READ_ONCE(e->id) &&
	    lsmrevoke_state_revoked(READ_ONCE(e->state)))
		(*(unsigned int *)data)++;
}

/* How long an unload waits for programs revoked before their ID. */
#define PUBLISH_WAIT_MS 10000

/*
 * The restore below finds programs by ID. A forced unload (O_TRUNC) does
 * not wait for the module reference the compile hook's judgement holds,
 * so a program revoked there may not have its ID yet: wait until each
 * such one is published (its load probe fills in the ID) or freed. Passes
 * have stopped, so no new one appears, and each is done before its
 * loader's bpf() returns.
 */
static void wait_unpublished(void)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(PUBLISH_WAIT_MS);
	unsigned int n;

	for (;;) {
		n = 0;
		lsmrevoke_track_for_each(count_unpublished, &n);
		if (!n)
			return;
		if (time_after(jiffies, deadline))
			break;
		msleep(20);
	}
	pr_err("%u programs revoked before their ID existed are still not published after %u ms; they stay revoked\n",
	       n, PUBLISH_WAIT_MS);
}

/*
 * Restores every revoked program; nothing runs passes any more. Safe
 * after a partial init.
 */
void lsmrevoke_pass_exit(void)
{
	/* Testing: a judgement under way revokes meanwhile (sources.c). */
	if (lsmrevoke_fault("unload:race"))
		msleep(4000);
	mutex_lock(&revoke_mutex);
	stopped = true;
	mutex_unlock(&revoke_mutex);
	wait_unpublished();
	mutex_lock(&revoke_mutex);
	lsmrevoke_prog_walk(restore_revoked, NULL);
	flush();
	mutex_unlock(&revoke_mutex);
}
