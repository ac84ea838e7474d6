// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel symbols lsmrevoke needs but the kernel does not export.
 *
 * kallsyms_lookup_name is itself unexported since 5.7; its address comes
 * from a kprobe registered on it by name (the kprobe core may still resolve
 * names). On 6.12 the kprobe lands 4 bytes in, past the ENDBR or the IBT
 * seal that replaced it, so the address is moved back over that marker.
 * Because 6.12 seals kallsyms_lookup_name, it is only ever entered through
 * an IBT-safe thunk (ksyms_thunk.S), never through a function pointer.
 *
 * Every symbol the machinery needs is listed in one table and resolved once
 * at init; the helpers a requirement is detected by belong to the
 * requirements table and are resolved through lsmrevoke_ksyms_resolve().
 * A missing symbol fails init with -ENOENT and names it. The resolved
 * values are read-only afterwards.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "fault.h"
#include "ksyms.h"

struct lsmrevoke_ksyms lsmrevoke_ksyms __ro_after_init;

unsigned long lsmrevoke_thunk_target_kallsyms_lookup_name __ro_after_init;
atomic_long_t lsmrevoke_thunk_calls_kallsyms_lookup_name;
unsigned long lsmrevoke_thunk_target_text_poke_queue __ro_after_init;
atomic_long_t lsmrevoke_thunk_calls_text_poke_queue;
unsigned long lsmrevoke_thunk_target_text_poke_finish __ro_after_init;
atomic_long_t lsmrevoke_thunk_calls_text_poke_finish;
unsigned long lsmrevoke_thunk_target_set_memory_rw __ro_after_init;
atomic_long_t lsmrevoke_thunk_calls_set_memory_rw;
unsigned long lsmrevoke_thunk_target_set_memory_ro __ro_after_init;
atomic_long_t lsmrevoke_thunk_calls_set_memory_ro;
unsigned long lsmrevoke_thunk_target_select_runtime __ro_after_init;
atomic_long_t lsmrevoke_thunk_calls_select_runtime;
unsigned long lsmrevoke_select_runtime_body __ro_after_init;
unsigned long lsmrevoke_thunk_target_btf_name_by_offset __ro_after_init;
atomic_long_t lsmrevoke_thunk_calls_btf_name_by_offset;
unsigned long lsmrevoke_thunk_target___scx_exit __ro_after_init;
atomic_long_t lsmrevoke_thunk_calls___scx_exit;

static char *test_require_symbol;
module_param(test_require_symbol, charp, 0444);
MODULE_PARM_DESC(test_require_symbol,
		 "testing only: one more symbol that must resolve, or init fails [none]");

enum ksym_kind {
	KSYM_FUNC,		/* address compared, never called */
	KSYM_FUNC_THUNK,	/* called through an IBT-safe thunk */
	KSYM_DATA,
};

struct ksym {
	const char *name;
	const char *alt;	/* the name a newer kernel gives it, or NULL */
	unsigned long *addr;
	enum ksym_kind kind;
	bool optional;		/* absent is no error: the address stays 0 */
	atomic_long_t *calls;	/* thunk call counter, KSYM_FUNC_THUNK only */
};

#define KSYM(_name, _field, _kind) \
	{ .name = _name, .addr = (unsigned long *)&lsmrevoke_ksyms._field, \
	  .kind = _kind }

/* A variable that some kernels do not have. */
#define KSYM_OPTIONAL(_name, _field) \
	{ .name = _name, .addr = (unsigned long *)&lsmrevoke_ksyms._field, \
	  .kind = KSYM_DATA, .optional = true }

/* A function entered through its thunk in ksyms_thunk.S, which counts calls. */
#define KSYM_THUNK(_fn) \
	{ .name = #_fn, .addr = &lsmrevoke_thunk_target_##_fn, \
	  .kind = KSYM_FUNC_THUNK, .calls = &lsmrevoke_thunk_calls_##_fn }

/* The same, for a function some kernels do not have: the target stays 0. */
#define KSYM_THUNK_OPTIONAL(_fn) \
	{ .name = #_fn, .addr = &lsmrevoke_thunk_target_##_fn, \
	  .kind = KSYM_FUNC_THUNK, .optional = true, \
	  .calls = &lsmrevoke_thunk_calls_##_fn }

/* The same, for a function a newer kernel renamed to @_alt. */
#define KSYM_THUNK_ALT(_fn, _alt) \
	{ .name = #_fn, .alt = _alt, .addr = &lsmrevoke_thunk_target_##_fn, \
	  .kind = KSYM_FUNC_THUNK, .calls = &lsmrevoke_thunk_calls_##_fn }

static const struct ksym ksyms[] = {
	KSYM_THUNK(kallsyms_lookup_name),
	/*
	 * Many entries rewritten with one int3 protocol, text_mutex held;
	 * 7.x (6.16 upstream) renamed both, arguments unchanged.
	 */
	KSYM_THUNK_ALT(text_poke_queue, "smp_text_poke_batch_add"),
	KSYM_THUNK_ALT(text_poke_finish, "smp_text_poke_batch_finish"),
	KSYM("text_mutex", text_mutex, KSYM_DATA),
	/*
	 * An interpreted program's struct is read-only (bpf_prog_lock_ro):
	 * its bpf_func is switched to a stub with its pages writable for
	 * the one store.
	 */
	KSYM_THUNK(set_memory_rw),
	KSYM_THUNK(set_memory_ro),
	/*
	 * Called by sources.c's wrapper, which the kernel enters instead
	 * while a program is being loaded (its name differs: compat.h);
	 * its thunk enters the body past the ftrace site, which sources.c
	 * finds when it places the hook there.
	 */
	{ .name = LSMREVOKE_SELECT_RUNTIME,
	  .addr = &lsmrevoke_thunk_target_select_runtime,
	  .kind = KSYM_FUNC_THUNK,
	  .calls = &lsmrevoke_thunk_calls_select_runtime },
	KSYM("prog_idr", prog_idr, KSYM_DATA),
	KSYM("prog_idr_lock", prog_idr_lock, KSYM_DATA),
	KSYM("map_idr", map_idr, KSYM_DATA),
	KSYM("map_idr_lock", map_idr_lock, KSYM_DATA),
	/* The links that attach an extension name the function it replaces. */
	KSYM("link_idr", link_idr, KSYM_DATA),
	KSYM("link_idr_lock", link_idr_lock, KSYM_DATA),
	KSYM("bpf_lsm_locked_down", lsm_locked_down, KSYM_FUNC),
	KSYM_OPTIONAL("kernel_locked_down", kernel_locked_down),
	KSYM("kprobes_all_disarmed", kprobes_all_disarmed, KSYM_DATA),
	/*
	 * sched_ext (scx.c): a denied scheduler is taken out of service
	 * through the kernel's own exit path; member names of its table
	 * come from the kernel's BTF. Absent without sched_ext, and then
	 * never called.
	 */
	KSYM_OPTIONAL("scx_root", scx_root),
	KSYM_THUNK_OPTIONAL(__scx_exit),
	KSYM_THUNK_OPTIONAL(btf_name_by_offset),
};

/* The name each entry resolved under (its alt, on a kernel that renamed it). */
static const char *resolved_name[ARRAY_SIZE(ksyms)] __ro_after_init;

/* Address of the symbol named by test_require_symbol, once resolved. */
static unsigned long test_symbol_addr __ro_after_init;

static const u8 endbr64[4] = { 0xf3, 0x0f, 0x1e, 0xfa };

static const char *entry_kind(unsigned long addr, enum ksym_kind kind)
{
	u8 insn[4];

	if (kind == KSYM_DATA)
		return "data";
	if (copy_from_kernel_nofault(insn, (void *)addr, sizeof(insn)))
		return "unreadable";
	if (!memcmp(insn, endbr64, sizeof(insn)))
		return "endbr";
	if (lsmrevoke_is_ibt_seal(insn))
		return "sealed";
	return "plain";
}

static bool is_entry_marker(unsigned long addr)
{
	u8 insn[4];

	if (copy_from_kernel_nofault(insn, (void *)addr, sizeof(insn)))
		return false;
	return !memcmp(insn, endbr64, sizeof(insn)) ||
	       lsmrevoke_is_ibt_seal(insn);
}

static int find_kallsyms_lookup_name(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	unsigned long addr, seen;
	int ret;

	ret = lsmrevoke_fault("ksym:kallsyms_lookup_name") ? -ENOENT :
	      register_kprobe(&kp);
	if (ret) {
		pr_err("required symbol kallsyms_lookup_name not found (kprobe: %d)\n",
		       ret);
		return -ENOENT;
	}
	addr = (unsigned long)kp.addr;
	unregister_kprobe(&kp);

	/*
	 * The kprobe core steps over a leading ENDBR or IBT seal; both are
	 * 4-byte no-ops, so stepping back over one is always safe to enter.
	 */
	if (is_entry_marker(addr - sizeof(endbr64)))
		addr -= sizeof(endbr64);
	lsmrevoke_thunk_target_kallsyms_lookup_name = addr;

	/* The function must agree about its own address. */
	seen = lsmrevoke_thunk_kallsyms_lookup_name("kallsyms_lookup_name");
	if (seen != addr) {
		pr_err("kallsyms_lookup_name: kprobe address and lookup disagree, refusing\n");
		return -ENOENT;
	}
	return 0;
}

/* @name's address, or 0 when it does not exist (or a test says so). */
unsigned long lsmrevoke_ksyms_lookup(const char *name)
{
	char site[KSYM_NAME_LEN + 8];

	snprintf(site, sizeof(site), "ksym:%s", name);
	return lsmrevoke_fault(site) ? 0 :
	       lsmrevoke_thunk_kallsyms_lookup_name(name);
}

/* Resolves @name into @addr; -ENOENT, logged, when it does not exist. */
int lsmrevoke_ksyms_resolve(const char *name, unsigned long *addr)
{
	*addr = lsmrevoke_ksyms_lookup(name);
	if (!*addr) {
		pr_err("required symbol %s not found\n", name);
		return -ENOENT;
	}
	return 0;
}

/* Resolves table entry @i under its name or its newer one. */
static int resolve_entry(unsigned int i)
{
	const struct ksym *s = &ksyms[i];

	resolved_name[i] = s->name;
	*s->addr = lsmrevoke_ksyms_lookup(s->name);
	if (!*s->addr && s->alt) {
		resolved_name[i] = s->alt;
		*s->addr = lsmrevoke_ksyms_lookup(s->alt);
	}
	if (*s->addr || s->optional)
		return 0;
	if (s->alt)
		pr_err("required symbol %s (or %s) not found\n", s->name, s->alt);
	else
		pr_err("required symbol %s not found\n", s->name);
	return -ENOENT;
}

int lsmrevoke_ksyms_init(void)
{
	unsigned int i;
	int ret;

	ret = find_kallsyms_lookup_name();
	if (ret)
		return ret;

	for (i = 0; i < ARRAY_SIZE(ksyms); i++) {
		if (ksyms[i].addr == &lsmrevoke_thunk_target_kallsyms_lookup_name) {
			resolved_name[i] = ksyms[i].name;
			continue;
		}
		ret = resolve_entry(i);
		if (ret)
			return ret;
	}

	if (test_require_symbol && *test_require_symbol)
		return lsmrevoke_ksyms_resolve(test_require_symbol, &test_symbol_addr);
	return 0;
}

/* Contents of securityfs "symbols"; the caller checked the reader's rights. */
void lsmrevoke_ksyms_show(struct seq_file *m)
{
	bool show_addr = ns_capable_noaudit(&init_user_ns, CAP_SYSLOG);
	unsigned int i;

	seq_puts(m, "# name address entry via [calls=N]\n");
	for (i = 0; i < ARRAY_SIZE(ksyms); i++) {
		const struct ksym *s = &ksyms[i];

		if (!*s->addr)
			continue;	/* an optional symbol this kernel lacks */
		seq_printf(m, "%s %016lx %s %s", resolved_name[i],
			   show_addr ? *s->addr : 0UL,
			   entry_kind(*s->addr, s->kind),
			   s->kind == KSYM_FUNC_THUNK ? "thunk" : "-");
		if (s->calls)
			seq_printf(m, " calls=%ld", atomic_long_read(s->calls));
		seq_putc(m, '\n');
	}
	if (test_symbol_addr)
		lsmrevoke_ksyms_show_func(m, test_require_symbol,
					  test_symbol_addr, "-", NULL);
}

/*
 * One line of "symbols" for a function resolved elsewhere: @via says how
 * lsmrevoke enters it ("-": never), @calls counts how often (or NULL).
 */
void lsmrevoke_ksyms_show_func(struct seq_file *m, const char *name,
			       unsigned long addr, const char *via,
			       const atomic_long_t *calls)
{
	bool show_addr = ns_capable_noaudit(&init_user_ns, CAP_SYSLOG);

	seq_printf(m, "%s %016lx %s %s", name, show_addr ? addr : 0UL,
		   entry_kind(addr, KSYM_FUNC), via);
	if (calls)
		seq_printf(m, " calls=%ld", atomic_long_read(calls));
	seq_putc(m, '\n');
}
