// SPDX-License-Identifier: GPL-2.0
/*
 * The probes lsmrevoke places in the kernel, installed from one table.
 *
 * Each handler belongs to the file of its concept; this file only owns the
 * table and its install/uninstall loop. A required probe that cannot be
 * placed fails init and names its symbol; uninstall is idempotent and says
 * when a probe missed events (a kprobe misses when it fires recursively, a
 * kretprobe when all its instances are in use).
 *
 * Three kinds: a kprobe, a kretprobe, and a redirect: an ftrace_ops of
 * its own on the function's ftrace site, with IPMODIFY, whose handler may
 * send the call elsewhere. A redirect is not a kprobe because a kprobe
 * joins any kprobe already on its site: joining one without a post
 * handler leaves the site armed without IPMODIFY (a BPF trampoline there
 * would then call the body itself and lose the move), and the kernel
 * later disarms it with the IPMODIFY ops, which fails with a WARN and can
 * leave the departed kprobe on the site's list. An ftrace_ops shares a
 * site with kprobes and trampolines as any ftrace user does, and ftrace
 * refuses a second IPMODIFY user (a live patch) with -EBUSY.
 */
#include <linux/ftrace.h>
#include <linux/kernel.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/sched.h>

#include "fault.h"
#include "guard.h"
#include "hooks.h"
#include "ksyms.h"
#include "redirect_pass.h"
#include "sources.h"
#include "tailcall.h"
#include "verify.h"

struct hook {
	const char *symbol;
	kprobe_pre_handler_t pre;		/* a kprobe, or */
	kretprobe_handler_t entry, ret;		/* a kretprobe, or */
	void (*redirect)(struct pt_regs *regs);	/* a redirect */
	size_t data_size;
	/*
	 * A redirect: called with its ftrace site before it is placed; an
	 * error keeps it out.
	 */
	int (*placed)(unsigned long site);
	bool required;
	bool sched_ext;		/* only on kernels with sched_ext (scx.c) */
	bool installed;
	unsigned long site;	/* a redirect's ftrace site */
	unsigned int pass;	/* ... and its pass-through (redirect_pass.S) */
	struct kprobe kp;
	struct kretprobe krp;
	struct ftrace_ops ops;
};

/* Concurrent get_ptr calls a kretprobe follows before it misses. */
#define KRETPROBE_INSTANCES 64

static struct hook hooks[] = {
	{
		/*
		 * A program freed (a load that failed after it was
		 * compiled); placed before the compile hook, so that no
		 * entry that hook adds can miss its free.
		 */
		.symbol = "bpf_prog_free",
		.pre = lsmrevoke_sources_prog_free,
		.required = true,
	},
	{
		/*
		 * A program compiled, before its ID exists: the kernel
		 * enters sources.c's wrapper instead (compat.h names it).
		 */
		.symbol = LSMREVOKE_SELECT_RUNTIME,
		.redirect = lsmrevoke_sources_select_runtime,
		.placed = lsmrevoke_sources_select_runtime_placed,
		.required = true,
	},
	{
		/* Program load and unload, both while the ID is valid. */
		.symbol = "perf_event_bpf_event",
		.pre = lsmrevoke_sources_prog_event,
		.required = true,
	},
	{
		/* A program about to enter a prog array. */
		.symbol = "prog_fd_array_get_ptr",
		.entry = lsmrevoke_tailcall_get_ptr_entry,
		.ret = lsmrevoke_tailcall_get_ptr_ret,
		.data_size = sizeof(void *),
		.required = true,
	},
	{
		/* A prog-array slot changed or was deleted. */
		.symbol = "prog_array_map_poke_run",
		.pre = lsmrevoke_tailcall_poke_run,
		.required = true,
	},
	{
		/* A prog array lost its last user. */
		.symbol = "prog_array_map_clear",
		.pre = lsmrevoke_tailcall_release,
		.required = true,
	},
	{
		/*
		 * A write to /sys/kernel/security/lockdown (lock_kernel_down
		 * is inlined here); absent without the lockdown LSM.
		 */
		.symbol = "lockdown_write",
		.pre = lsmrevoke_sources_lockdown_write,
	},
	{
		/*
		 * A BPF-LSM program attached, e.g. to locked_down; or an
		 * extension attached while it is revoked.
		 */
		.symbol = "bpf_trampoline_link_prog",
		.entry = lsmrevoke_sources_tramp_entry,
		.ret = lsmrevoke_sources_tramp_link_ret,
		.data_size = sizeof(bool),
		.required = true,
	},
	{
		/*
		 * ... and detached; or an attachment left a program whose
		 * entry it held (unrevocable: entry_in_use), or a revoked
		 * extension.
		 */
		.symbol = "bpf_trampoline_unlink_prog",
		.entry = lsmrevoke_sources_tramp_entry,
		.ret = lsmrevoke_sources_tramp_unlink_ret,
		.data_size = sizeof(bool),
		.required = true,
	},
	{
		/*
		 * A sched_ext scheduler registered (synchronous: it is in
		 * service when this returns 0): one taken out of service may
		 * be back (scx.c).
		 */
		.symbol = "bpf_scx_reg",
		.ret = lsmrevoke_sources_scx_reg_ret,
		.sched_ext = true,
	},
	{
		/* ... in its cid form (7.3). */
		.symbol = "bpf_scx_reg_cid",
		.ret = lsmrevoke_sources_scx_reg_ret,
		.sched_ext = true,
	},
	{
		/* A verification starts (verify.c: the verifier's view). */
		.symbol = "bpf_check",
		.pre = lsmrevoke_verify_start,
		.required = true,
	},
	{
		/* A helper or kfunc memory argument checked. */
		.symbol = "check_helper_mem_access",
		.pre = lsmrevoke_verify_helper_mem,
		.required = true,
	},
	{
		/* A helper's size argument checked, every argument known. */
		.symbol = "check_mem_size_reg",
		.pre = lsmrevoke_verify_mem_size,
		.required = true,
	},
	{
		/* The verifier done with the instructions. */
		.symbol = LSMREVOKE_MISC_FIXUPS,
		.entry = lsmrevoke_verify_fixups_entry,
		.ret = lsmrevoke_verify_fixups_ret,
		.data_size = sizeof(void *),
		.required = true,
	},
	{
		/* Unloading lsmrevoke, refused while a program is revoked. */
		.symbol = "__x64_sys_delete_module",
		.redirect = lsmrevoke_guard_delete_module,
		.required = true,
	},
	{
		/* ... from 32-bit tasks; absent without IA32 emulation. */
		.symbol = "__ia32_sys_delete_module",
		.redirect = lsmrevoke_guard_delete_module_ia32,
	},
	{
		/* A write to debugfs kprobes/enabled, refused. */
		.symbol = "write_enabled_file_bool",
		.redirect = lsmrevoke_guard_kprobes_enabled,
		.required = true,
	},
};

static void (*const passes[])(void) = {
	lsmrevoke_redirect_pass_0,
	lsmrevoke_redirect_pass_1,
	lsmrevoke_redirect_pass_2,
	lsmrevoke_redirect_pass_3,
};

static_assert(ARRAY_SIZE(passes) == LSMREVOKE_REDIRECTS);

/* Pass-throughs handed out, in table order, at init. */
static unsigned int passes_used;

/*
 * A redirect could not be removed: ftrace is dead (ftrace_kill() after an
 * ftrace failure refuses every change but keeps calling what is
 * registered), so its site will go on calling redirect_hit(). This text
 * must then never be freed: the unload (or the failed load) stops here,
 * for good, idle rather than in an uninterruptible sleep that the hung
 * task detector would report.
 */
static void __noreturn keep_text(const struct hook *h)
{
	pr_crit("cannot remove the redirect on %s: ftrace is dead; lsmrevoke stays in memory and this unload never returns\n",
		h->symbol);
	for (;;)
		schedule_timeout_idle(MAX_SCHEDULE_TIMEOUT);
}

static void uninstall(struct hook *h)
{
	unsigned long missed = 0;

	if (!h->installed)
		return;
	if (h->redirect) {
		if (unregister_ftrace_function(&h->ops))
			keep_text(h);
		ftrace_free_filter(&h->ops);
	} else if (h->pre) {
		unregister_kprobe(&h->kp);
		missed = h->kp.nmissed;
	} else {
		unregister_kretprobe(&h->krp);
		missed = h->krp.nmissed + h->krp.kp.nmissed;
	}
	h->installed = false;
	if (missed)
		pr_warn("probe on %s missed %lu events\n", h->symbol, missed);
}

/*
 * A redirect's ftrace handler. Any context its function runs in; ftrace
 * keeps it from recursing (FTRACE_OPS_FL_RECURSION). A handler that moves
 * the IP resumes the call there, with the function's arguments and return
 * address. One that leaves it (the IP is still the instruction after the
 * site) lets the call through: it resumes in the redirect's pass-through,
 * which has the ENDBR that instruction lacks (redirect_pass.S), so that
 * every call this site sees is moved, as a BPF trampoline sharing the
 * site requires on a CPU that enforces IBT.
 */
static void notrace redirect_hit(unsigned long ip, unsigned long parent_ip,
				 struct ftrace_ops *op,
				 struct ftrace_regs *fregs)
{
	struct hook *h = container_of(op, struct hook, ops);
	struct pt_regs *regs = ftrace_get_regs(fregs);

	if (!regs || ip != h->site)
		return;
	h->redirect(regs);
	if (instruction_pointer(regs) == h->site + MCOUNT_INSN_SIZE)
		instruction_pointer_set(regs, (unsigned long)passes[h->pass]);
}

/*
 * The ftrace site of @h's function, as kprobes find it (its entry, or the
 * instruction after ENDBR): a kprobe placed disabled, so it arms nothing
 * and changes no kprobe already there, then taken out again.
 */
static int find_site(struct hook *h)
{
	struct kprobe kp = {
		.symbol_name = h->symbol,
		.flags = KPROBE_FLAG_DISABLED,
	};
	bool on_ftrace;
	int ret;

	ret = register_kprobe(&kp);
	if (ret)
		return ret;
	on_ftrace = kprobe_ftrace(&kp);
	h->site = (unsigned long)kp.addr;
	unregister_kprobe(&kp);
	if (!on_ftrace) {
		pr_err("%s has no ftrace site to redirect from\n", h->symbol);
		return -EOPNOTSUPP;
	}
	return 0;
}

static int install_redirect(struct hook *h)
{
	int ret;

	if (passes_used == ARRAY_SIZE(passes)) {
		pr_err("%s: no pass-through left for another redirect\n",
		       h->symbol);
		return -ENOSPC;
	}
	ret = find_site(h);
	if (!ret && h->placed)
		ret = h->placed(h->site);
	if (ret)
		return ret;
	h->pass = passes_used++;
	lsmrevoke_redirect_body[h->pass] = h->site + MCOUNT_INSN_SIZE;
	memset(&h->ops, 0, sizeof(h->ops));
	h->ops.func = redirect_hit;
	h->ops.flags = FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_IPMODIFY |
		       FTRACE_OPS_FL_RECURSION;
	ret = ftrace_set_filter_ip(&h->ops, h->site, 0, 0);
	if (!ret)
		ret = register_ftrace_function(&h->ops);
	if (ret) {
		ftrace_free_filter(&h->ops);
		if (ret == -EBUSY)
			pr_err("%s: another user of its ftrace site moves the IP (a live patch, or a kprobe with a post handler)\n",
			       h->symbol);
	}
	return ret;
}

static int install(struct hook *h)
{
	char site[KSYM_NAME_LEN + 8];

	snprintf(site, sizeof(site), "hook:%s", h->symbol);
	if (lsmrevoke_fault(site))
		return -ENOENT;
	if (h->redirect)
		return install_redirect(h);
	if (h->pre) {
		memset(&h->kp, 0, sizeof(h->kp));
		h->kp.symbol_name = h->symbol;
		h->kp.pre_handler = h->pre;
		return register_kprobe(&h->kp);
	}
	memset(&h->krp, 0, sizeof(h->krp));
	h->krp.kp.symbol_name = h->symbol;
	h->krp.entry_handler = h->entry;
	h->krp.handler = h->ret;
	h->krp.data_size = h->data_size;
	h->krp.maxactive = KRETPROBE_INSTANCES;
	return register_kretprobe(&h->krp);
}

/*
 * The redirects' lines of securityfs "symbols": how often each let a call
 * through its pass-through.
 */
void lsmrevoke_hooks_show(struct seq_file *m)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hooks); i++) {
		const struct hook *h = &hooks[i];

		if (h->installed && h->redirect)
			lsmrevoke_ksyms_show_func(m, h->symbol,
						  lsmrevoke_ksyms_lookup(h->symbol),
						  "redirect",
						  &lsmrevoke_redirect_calls[h->pass]);
	}
}

void lsmrevoke_hooks_exit(void)
{
	unsigned int i = ARRAY_SIZE(hooks);

	while (i--)
		uninstall(&hooks[i]);
}

int lsmrevoke_hooks_init(void)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(hooks); i++) {
		struct hook *h = &hooks[i];

		if (h->sched_ext && !LSMREVOKE_SCHED_EXT)
			continue;
		ret = install(h);
		if (!ret) {
			h->installed = true;
			continue;
		}
		if (h->required) {
			pr_err("cannot probe required symbol %s: %d\n",
			       h->symbol, ret);
			lsmrevoke_hooks_exit();
			return ret;
		}
		pr_info("optional probe on %s not placed: %d\n", h->symbol, ret);
	}
	return 0;
}
