// SPDX-License-Identifier: GPL-2.0
/*
 * Holding the line against root: what would silence lsmrevoke's probes,
 * or undo its revocations, is refused.
 *
 *  - ftrace: kernel.ftrace_enabled=0 (writable even under lockdown) would
 *    stop every probe placed on a function's ftrace site. An ftrace_ops
 *    with FTRACE_OPS_FL_PERMANENT, the flag live patching uses, makes the
 *    kernel refuse that write with -EBUSY while the module is loaded. It
 *    traces one function of this module that nothing calls: it costs
 *    nothing.
 *  - kprobes: a write to debugfs kprobes/enabled could disarm every probe;
 *    such writes fail with -EBUSY while the module is loaded.
 *  - unloading: while a program is revoked, unloading lsmrevoke would
 *    restore it. Every revoked program holds a module reference, and the
 *    delete_module() calls that would get past one (forced, or naming
 *    lsmrevoke) fail with -EBUSY and one log line. Freeing the revoked
 *    programs, or a policy that allows them again (and the pass that
 *    follows), ends the refusal.
 * A refused call does not run: the handler of the redirect on its entry
 * (hooks.c) resumes it at refused(), which returns -EBUSY to the caller
 * at once, as the kernel's own error injection does.
 *
 * At init, ftrace already off or kprobes already disarmed make the load
 * fail with -EBUSY: the probes would be silent from the start.
 */
#include <linux/ftrace.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/ratelimit.h>
#include <linux/fcntl.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "fault.h"
#include "guard.h"
#include "ksyms.h"
#include "patch.h"
#include "state.h"
#include "track.h"

/* Traced by the permanent ftrace_ops; never called. */
static noinline void guard_anchor(void)
{
	barrier();
}

static void anchor_hit(unsigned long ip, unsigned long parent_ip,
		       struct ftrace_ops *op, struct ftrace_regs *fregs)
{
}

static struct ftrace_ops permanent_ops = {
	.func = anchor_hit,
	.flags = FTRACE_OPS_FL_PERMANENT,
};

static bool permanent_registered;

/*
 * Where a refused call resumes, with its caller's return address on the
 * stack. A function of its own, not a bare RET: a BPF trampoline on the
 * same site (fexit, sharing the site with this IPMODIFY user) calls the
 * moved IP with an indirect call, which needs ENDBR under IBT and leaves
 * the return value to what it calls.
 */
static notrace long refused(void)
{
	return -EBUSY;
}

/* Makes the redirected function return -EBUSY at once. */
static void refuse(struct pt_regs *regs)
{
	regs_set_return_value(regs, -EBUSY);
	instruction_pointer_set(regs, (unsigned long)refused);
}

static void count_revoked(const struct lsmrevoke_entry *e, void *data)
{
	if (lsmrevoke_state_revoked(READ_ONCE(e->state)))
		(*(unsigned int *)data)++;
}

/*
 * delete_module(@name_user, @flags) while a program is revoked. Each
 * revoked program holds a reference on this module (track.c), so a plain
 * unload of lsmrevoke fails anyway (-EWOULDBLOCK, "in use"); a forced one
 * (O_TRUNC) would not, and is refused whatever the name: the name is user
 * memory, which may not be readable here, or may change once read. When
 * the name reads as lsmrevoke's, the plain unload is refused here too,
 * with -EBUSY and a line saying why.
 */
static void guard_unload(struct pt_regs *regs, unsigned long name_user,
			 unsigned long flags)
{
	char name[sizeof(KBUILD_MODNAME)];
	unsigned int revoked = 0;

	lsmrevoke_track_for_each(count_revoked, &revoked);
	if ((flags & O_TRUNC) && lsmrevoke_patch_draining()) {
		pr_notice_ratelimited("forced module unload refused: a revoked program's run is still in flight\n");
		refuse(regs);
		return;
	}
	if (!revoked)
		return;
	if (flags & O_TRUNC) {
		pr_notice_ratelimited("forced module unload refused: %u programs are revoked by lsmrevoke\n",
				      revoked);
		refuse(regs);
		return;
	}
	if (copy_from_user_nofault(name, (const void __user *)name_user,
				   sizeof(name)) ||
	    memcmp(name, KBUILD_MODNAME, sizeof(name)))
		return;
	pr_notice_ratelimited("unload refused: %u programs are revoked and would run again; free them (or let the policy allow them) first\n",
			      revoked);
	refuse(regs);
}

/*
 * Redirect handlers (hooks.c) of the syscall wrappers, which take the
 * caller's user registers: name and flags are in di and si for the
 * 64-bit call, in bx and cx for the 32-bit one.
 */
void lsmrevoke_guard_delete_module(struct pt_regs *regs)
{
	const struct pt_regs *user = (void *)regs_get_kernel_argument(regs, 0);

	guard_unload(regs, user->di, user->si);
}

void lsmrevoke_guard_delete_module_ia32(struct pt_regs *regs)
{
	const struct pt_regs *user = (void *)regs_get_kernel_argument(regs, 0);

	guard_unload(regs, (u32)user->bx, (u32)user->cx);
}

/* Redirect handler of write_enabled_file_bool(): debugfs kprobes/enabled. */
void lsmrevoke_guard_kprobes_enabled(struct pt_regs *regs)
{
	pr_notice_ratelimited("kprobes/enabled: write refused: disarming kprobes would silence lsmrevoke\n");
	refuse(regs);
}

/* Before the probes are placed: they must be able to fire. */
int lsmrevoke_guard_init(void)
{
	int ret;

	if (READ_ONCE(*lsmrevoke_ksyms.kprobes_all_disarmed) ||
	    lsmrevoke_fault("guard:kprobes")) {
		pr_err("kprobes are disarmed (debugfs kprobes/enabled is 0): the probes would be silent; refusing to load\n");
		return -EBUSY;
	}
	ret = ftrace_set_filter_ip(&permanent_ops,
				   (unsigned long)guard_anchor, 0, 0);
	if (!ret)
		ret = lsmrevoke_fault("guard:ftrace") ? -EBUSY :
		      register_ftrace_function(&permanent_ops);
	if (ret) {
		ftrace_free_filter(&permanent_ops);
		if (ret == -EBUSY)
			pr_err("ftrace is off (kernel.ftrace_enabled=0): the probes would be silent; refusing to load\n");
		else
			pr_err("cannot register the permanent ftrace_ops: %d\n", ret);
		return ret;
	}
	permanent_registered = true;
	return 0;
}

/* Safe after a partial init. */
void lsmrevoke_guard_exit(void)
{
	if (!permanent_registered)
		return;
	unregister_ftrace_function(&permanent_ops);
	ftrace_free_filter(&permanent_ops);
	permanent_registered = false;
}
