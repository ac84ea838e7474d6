// SPDX-License-Identifier: GPL-2.0
/*
 * The sources of decisions: what makes lsmrevoke judge programs again.
 *
 *  - a program is compiled (bpf_prog_load() selects its runtime; neither
 *    its ID nor its fd exists, so only its loader can reach it): it is
 *    tracked, and judged at once if it needs a gated requirement; a
 *    denied program is revoked before any task can run it (the load
 *    window is closed). The kernel enters a wrapper instead of its
 *    select-runtime function (a kprobe on its entry moves the instruction
 *    pointer, as error injection does), which runs the function's body
 *    and then judges. A load that fails after that point has its entry
 *    dropped when the program is freed (bpf_prog_free);
 *  - a program is loaded (probe on perf_event_bpf_event, current is the
 *    loader and the fd does not exist yet): its entry gets its ID (or it
 *    is tracked now, if the wrapper missed it), and if it needs a gated
 *    requirement it is judged again before its loader returns to user
 *    space, which reports what was decided before the ID existed; an
 *    unloaded program is forgotten;
 *  - a write to the lockdown file raised the level: a full pass, then
 *    LSM_POLICY_CHANGE for the kernel's other listeners (a kprobe on
 *    lockdown_write's entry; the writer's task work compares the level
 *    with the one the last pass judged under);
 *  - a BPF-LSM program was attached to or detached from the locked_down
 *    hook (bpf_trampoline_{link,unlink}_prog): a full pass;
 *  - any other link or unlink while a program is unrevocable because an
 *    attachment held its entry (a full pass revokes it now that the
 *    obstacle may be gone), or while an extension is revoked (its entry
 *    follows the function it now replaces);
 *  - LSM_POLICY_CHANGE on the blocking LSM notifier (an SELinux policy
 *    load, setenforce): a full pass, synchronously;
 *  - a sched_ext scheduler registered (bpf_scx_reg, bpf_scx_reg_cid): a
 *    full pass, which takes it out of service again if the policy denies
 *    one of its programs (scx.c). Registration is rare and privileged; a
 *    loader that registers again at once is taken out again each time,
 *    its log line rate-limited.
 * The probes cannot sleep, so their passes run through defer.c: before
 * the task that made the change returns to user space, or from a worker
 * when that task is a kernel thread (a deferred link release).
 *
 * securityfs writes (fs.c) and module init are the other sources; they
 * call the pass directly.
 *
 * The backstop: every revalidate_interval seconds a worker compares the
 * lockdown level with the one the last pass judged under, and runs a
 * pass when they differ: a lockdown write whose deferred check could not
 * be queued (no memory) is caught within the interval.
 * It also reports kprobes found disarmed, which guard.c refuses.
 */
#include <linux/bpf.h>
#include <linux/cred.h>
#include <linux/delay.h>
#include <linux/filter.h>
#include <linux/ftrace.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/perf_event.h>
#include <linux/ratelimit.h>
#include <linux/sched.h>
#include <linux/security.h>
#include <linux/wait_bit.h>
#include <linux/workqueue.h>

#include "defer.h"
#include "fault.h"
#include "judge.h"
#include "ksyms.h"
#include "params.h"
#include "pass.h"
#include "sources.h"
#include "state.h"
#include "track.h"

static bool notifier_registered;
/* The task raising LSM_POLICY_CHANGE itself, whose event we skip. */
static struct task_struct *notify_self;

/* A deferred full pass; @notify: then tell the LSM notifier's listeners. */
static void pass(u32 notify, const void *unused)
{
	lsmrevoke_revalidate();
	if (notify) {
		WRITE_ONCE(notify_self, current);
		call_blocking_lsm_notifier(LSM_POLICY_CHANGE, NULL);
		WRITE_ONCE(notify_self, NULL);
	}
}

static void defer_pass(bool notify, const char *what)
{
	if (lsmrevoke_defer(pass, notify, NULL) == -ENOMEM)
		pr_err_ratelimited("%s: no memory to revalidate; write revalidate\n",
				   what);
}

/*
 * A program needing a gated requirement was just loaded (current is its
 * loader, the fd does not exist yet): judge it before the loader returns.
 */
static void loaded(const struct bpf_prog *prog)
{
	if (lsmrevoke_defer(lsmrevoke_pass_one, prog->aux->id, prog) == -ENOMEM)
		pr_err_ratelimited("prog %u: no memory to judge it at load\n",
				   prog->aux->id);
}

/*
 * kprobe on perf_event_bpf_event(prog, type, flags). Called by the kernel on
 * the load path (process context, current is the loader) and on the put
 * path (process or softirq context: __bpf_prog_put defers only from hard
 * interrupts or with interrupts off). Must not sleep.
 */
int lsmrevoke_sources_prog_event(struct kprobe *p, struct pt_regs *regs)
{
	struct bpf_prog *prog = (void *)regs_get_kernel_argument(regs, 0);
	unsigned long type = regs_get_kernel_argument(regs, 1);
	u32 flags;

	if (type == PERF_BPF_EVENT_PROG_LOAD) {
		if (lsmrevoke_track_add(prog, LSMREVOKE_SRC_LOAD, &flags))
			pr_err_ratelimited("prog %u not tracked: out of memory\n",
					   prog->aux->id);
		else if (lsmrevoke_judge_gated(flags))
			loaded(prog);
	} else if (type == PERF_BPF_EVENT_PROG_UNLOAD) {
		lsmrevoke_track_del(prog);
	}
	return 0;
}

/* Tasks the compile hook sent into the wrapper that have not left it. */
static atomic_t in_wrapper = ATOMIC_INIT(0);
/* Programs tracked by the compile hook, before their ID existed. */
static atomic_long_t nr_compiled;

/* Contents of stats "compiled". */
long lsmrevoke_sources_compiled(void)
{
	return atomic_long_read(&nr_compiled);
}

/*
 * Judges @fp, just compiled, before its ID exists. Only while lsmrevoke is
 * live and holds a reference on itself for the time: a program revoked
 * here has no ID yet, so an unload that had begun (pass_exit() restores
 * what it finds by ID) could leave its jump behind; with the reference
 * taken, the unload cannot begin until the revoked program holds one of
 * its own. When lsmrevoke is going, the load probe's judgement is skipped
 * too: nothing is revoked any more.
 */
static void judge_compiled(struct bpf_prog *fp, int *err)
{
	u32 flags;

	if (!try_module_get(THIS_MODULE))
		return;
	if (lsmrevoke_track_add(fp, LSMREVOKE_SRC_LOAD, &flags)) {
		pr_err_ratelimited("new program not tracked before its ID exists: out of memory\n");
	} else {
		atomic_long_inc(&nr_compiled);
		if (lsmrevoke_judge_gated(flags)) {
			/* Testing: time for a forced unload to pass the guard. */
			if (lsmrevoke_fault("unload:race"))
				msleep(2000);
			lsmrevoke_pass_new(fp);
		}
	}
	/*
	 * Testing: a revoked one's load fails from here on, or stays here,
	 * its ID not yet allocated, while a forced unload goes on.
	 */
	if (lsmrevoke_track_revoked(fp)) {
		if (lsmrevoke_fault("compile:fail"))
			*err = -ENOMEM;
		else if (lsmrevoke_fault("unload:race"))
			msleep(4000);
	}
	module_put(THIS_MODULE);
}

/*
 * Entered instead of the kernel's select-runtime function in the loader's
 * bpf(BPF_PROG_LOAD), with its arguments and return address (compat.h:
 * two or three, one of them err): runs its body, then judges a verified
 * eBPF program (not a classic filter the kernel converted).
 */
static unsigned long select_runtime_wrapper(unsigned long a0,
					    unsigned long a1,
					    unsigned long a2)
{
	unsigned long args[] = { a0, a1, a2 };
	int *err = (int *)args[LSMREVOKE_SELECT_RUNTIME_ERR_ARG];
	unsigned long ret = lsmrevoke_thunk_select_runtime(a0, a1, a2);
	struct bpf_prog *fp = (struct bpf_prog *)ret;

	if (!*err && !bpf_prog_was_classic(fp))
		judge_compiled(fp, err);
	if (atomic_dec_and_test(&in_wrapper))
		wake_up_var(&in_wrapper);
	return ret;
}

/*
 * Redirect (hooks.c) on the ftrace site of the kernel's select-runtime
 * function (compat.h), once lsmrevoke is live (until then, and while it
 * is going, the load probe judges new programs): the kernel enters
 * select_runtime_wrapper() instead, with the same arguments and return
 * address. The wrapper runs the function's body past this site
 * (ksyms_thunk.S), so it is never redirected twice.
 */
void lsmrevoke_sources_select_runtime(struct pt_regs *regs)
{
	if (READ_ONCE(THIS_MODULE->state) != MODULE_STATE_LIVE ||
	    !lsmrevoke_select_runtime_body)
		return;
	atomic_inc(&in_wrapper);
	instruction_pointer_set(regs, (unsigned long)select_runtime_wrapper);
}

/*
 * The compile hook's @site (init), before it is placed: the function's
 * ftrace site must be its first instruction, or the one after ENDBR, so
 * that the wrapper can run the body that follows the site.
 */
int lsmrevoke_sources_select_runtime_placed(unsigned long site)
{
	unsigned long entry = lsmrevoke_thunk_target_select_runtime;

	if (site != entry && site != entry + 4) {
		pr_err("%s: the compile hook needs the function's ftrace site at its entry\n",
		       LSMREVOKE_SELECT_RUNTIME);
		return -EOPNOTSUPP;
	}
	lsmrevoke_select_runtime_body = site + MCOUNT_INSN_SIZE;
	return 0;
}

/*
 * kprobe on bpf_prog_free(prog): a program whose load failed after it was
 * compiled never raises PERF_BPF_EVENT_PROG_UNLOAD; its entry goes here.
 * For every other program the entry is gone already, and a classic
 * filter (seccomp, socket filters) never had one. Any context.
 */
int lsmrevoke_sources_prog_free(struct kprobe *p, struct pt_regs *regs)
{
	struct bpf_prog *fp = (void *)regs_get_kernel_argument(regs, 0);

	if (!bpf_prog_was_classic(fp))
		lsmrevoke_track_del(fp);
	return 0;
}

/*
 * The compile hook is gone (unregister_ftrace_function() waited for every
 * handler that could still move a call): waits until no task is inside
 * the wrapper. The few instructions each runs after leaving its count are
 * covered by the RCU-tasks grace period stub_prog.c waits for before the
 * module's text may go.
 */
void lsmrevoke_sources_leave_wrapper(void)
{
	wait_var_event(&in_wrapper, !atomic_read(&in_wrapper));
}

/*
 * After a lockdown write, in its writer's task work: a pass, then
 * LSM_POLICY_CHANGE, if the level moved since the last pass judged it.
 */
static void lockdown_written(u32 unused, const void *unused_ptr)
{
	if (lsmrevoke_judge_lockdown() != lsmrevoke_pass_lockdown())
		pass(true, NULL);
}

/*
 * Entry of lockdown_write(). A kprobe, not a kretprobe: it has no
 * instances to run out of, so no write goes unseen. The level is not
 * raised yet; the check runs when the writer returns to user space.
 */
int lsmrevoke_sources_lockdown_write(struct kprobe *p, struct pt_regs *regs)
{
	if (lsmrevoke_defer(lockdown_written, 0, NULL) == -ENOMEM)
		pr_err_ratelimited("lockdown write: no memory to revalidate; write revalidate\n");
	return 0;
}

/* Entry of bpf_trampoline_{link,unlink}_prog(link, tr, tgt_prog). */
int lsmrevoke_sources_tramp_entry(struct kretprobe_instance *ri,
				  struct pt_regs *regs)
{
	struct bpf_trampoline *tr = (void *)regs_get_kernel_argument(regs, 1);

	*(bool *)ri->data = tr && (unsigned long)tr->func.addr ==
				  lsmrevoke_ksyms.lsm_locked_down;
	return 0;
}

/*
 * A program that waits for an attachment to go: one left unrevocable
 * because an attachment held its entry (an unlink may free it); and for
 * attachments that come or go, a revoked extension, whose entry follows
 * the function it replaces (ext.c).
 */
struct waiting {
	bool unlink;		/* the attachment goes */
	bool found;
};

static void find_waiting(const struct lsmrevoke_entry *e, void *data)
{
	struct waiting *w = data;
	unsigned int state = READ_ONCE(e->state);

	if ((w->unlink && state == LSMREVOKE_STATE_UNREVOCABLE &&
	     READ_ONCE(e->why) == LSMREVOKE_WHY_ENTRY_IN_USE) ||
	    (state == LSMREVOKE_STATE_REVOKED && e->type == BPF_PROG_TYPE_EXT))
		w->found = true;
}

/*
 * The return of bpf_trampoline_{link,unlink}_prog: a BPF-LSM locked_down
 * policy came or went, or a program waits for it: a pass, when there is
 * such a program.
 */
static void tramp_done(struct kretprobe_instance *ri, struct pt_regs *regs,
		       bool unlink)
{
	struct waiting w = { .unlink = unlink };

	if (regs_return_value(regs))
		return;
	if (*(bool *)ri->data) {
		defer_pass(false, "BPF-LSM locked_down change");
		return;
	}
	lsmrevoke_track_for_each(find_waiting, &w);
	if (w.found)
		defer_pass(false, "an attachment came or went");
}

int lsmrevoke_sources_tramp_link_ret(struct kretprobe_instance *ri,
				     struct pt_regs *regs)
{
	tramp_done(ri, regs, false);
	return 0;
}

int lsmrevoke_sources_tramp_unlink_ret(struct kretprobe_instance *ri,
				       struct pt_regs *regs)
{
	tramp_done(ri, regs, true);
	return 0;
}

/* The return of bpf_scx_reg{,_cid}(kdata, link): 0 when it is in service. */
int lsmrevoke_sources_scx_reg_ret(struct kretprobe_instance *ri,
				  struct pt_regs *regs)
{
	if (!regs_return_value(regs))
		defer_pass(false, "sched_ext scheduler registered");
	return 0;
}

static int policy_notify(struct notifier_block *nb, unsigned long event,
			 void *data)
{
	if (event == LSM_POLICY_CHANGE && READ_ONCE(notify_self) != current)
		lsmrevoke_revalidate();
	return NOTIFY_OK;
}

static void periodic_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(periodic, periodic_fn);
static bool periodic_stopping;

static void periodic_fn(struct work_struct *work)
{
	enum lockdown_reason level = lsmrevoke_judge_lockdown();
	unsigned int interval = lsmrevoke_params_interval();

	if (level != lsmrevoke_pass_lockdown()) {
		pr_info("lockdown level changed since the last pass; revalidating\n");
		lsmrevoke_revalidate();
	}
	if (READ_ONCE(*lsmrevoke_ksyms.kprobes_all_disarmed))
		pr_err_ratelimited("kprobes are disarmed: lsmrevoke's probes are silent; write 1 to debugfs kprobes/enabled\n");
	if (interval && !READ_ONCE(periodic_stopping))
		schedule_delayed_work(&periodic, interval * HZ);
}

static struct notifier_block policy_nb = {
	.notifier_call = policy_notify,
};

/*
 * Judges every program already loaded (so that a module loaded under a
 * strict policy revokes before modprobe returns), then listens to the LSM
 * notifier. The probes are installed already.
 */
int lsmrevoke_sources_init(void)
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
	if (lsmrevoke_params_interval())
		schedule_delayed_work(&periodic,
				      lsmrevoke_params_interval() * HZ);
	return 0;
}

/* Stops listening and checking; safe after a partial init. */
void lsmrevoke_sources_exit(void)
{
	WRITE_ONCE(periodic_stopping, true);
	cancel_delayed_work_sync(&periodic);
	if (notifier_registered)
		unregister_blocking_lsm_notifier(&policy_nb);
	notifier_registered = false;
}
