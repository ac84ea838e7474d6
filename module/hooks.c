// SPDX-License-Identifier: GPL-2.0
/*
 * The probes lsmrevoke places in the kernel, installed from one table.
 *
 * Each handler belongs to the file of its concept; this file only owns the
 * table and its install/uninstall loop. A required probe that cannot be
 * placed fails init and names its symbol; uninstall is idempotent and says
 * when a probe missed events (a kprobe misses when it fires recursively, a
 * kretprobe when all its instances are in use).
 */
#include <linux/kernel.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>

#include "fault.h"
#include "guard.h"
#include "hooks.h"
#include "sources.h"
#include "tailcall.h"
#include "verify.h"

struct hook {
	const char *symbol;
	kprobe_pre_handler_t pre;		/* a kprobe, or */
	kretprobe_handler_t entry, ret;		/* a kretprobe */
	size_t data_size;
	/* A kprobe whose pre handler moves the IP (see ip_moved()). */
	bool ipmodify;
	/* Called once the kprobe is placed; an error takes it out again. */
	int (*placed)(struct kprobe *kp);
	bool required;
	bool sched_ext;		/* only on kernels with sched_ext (scx.c) */
	bool installed;
	struct kprobe kp;
	struct kretprobe krp;
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
		.pre = lsmrevoke_sources_select_runtime,
		.ipmodify = true,
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
		.pre = lsmrevoke_guard_delete_module,
		.ipmodify = true,
		.required = true,
	},
	{
		/* ... from 32-bit tasks; absent without IA32 emulation. */
		.symbol = "__ia32_sys_delete_module",
		.pre = lsmrevoke_guard_delete_module_ia32,
		.ipmodify = true,
	},
	{
		/* A write to debugfs kprobes/enabled, refused. */
		.symbol = "write_enabled_file_bool",
		.pre = lsmrevoke_guard_kprobes_enabled,
		.required = true,
	},
};

static void uninstall(struct hook *h)
{
	unsigned long missed;

	if (!h->installed)
		return;
	if (h->pre) {
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
 * The post handler of a kprobe whose pre handler moves the IP; never
 * called for a call it moved. Having one makes an ftrace-based kprobe an
 * IPMODIFY user of its site (as kernel/fail_function.c's is): ftrace then
 * refuses a second IPMODIFY user there (a live patch), and a BPF
 * trampoline on the same site calls the function through the moved
 * return path instead of calling its body directly and returning past
 * it, which would lose the move.
 */
static void ip_moved(struct kprobe *p, struct pt_regs *regs,
		     unsigned long flags)
{
}

static int install(struct hook *h)
{
	char site[KSYM_NAME_LEN + 8];
	int ret;

	snprintf(site, sizeof(site), "hook:%s", h->symbol);
	if (lsmrevoke_fault(site))
		return -ENOENT;
	if (h->pre) {
		memset(&h->kp, 0, sizeof(h->kp));
		h->kp.symbol_name = h->symbol;
		h->kp.pre_handler = h->pre;
		if (h->ipmodify)
			h->kp.post_handler = ip_moved;
		ret = register_kprobe(&h->kp);
		if (ret || !h->placed)
			return ret;
		ret = h->placed(&h->kp);
		if (ret)
			unregister_kprobe(&h->kp);
		return ret;
	}
	memset(&h->krp, 0, sizeof(h->krp));
	h->krp.kp.symbol_name = h->symbol;
	h->krp.entry_handler = h->entry;
	h->krp.handler = h->ret;
	h->krp.data_size = h->data_size;
	h->krp.maxactive = KRETPROBE_INSTANCES;
	return register_kretprobe(&h->krp);
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
