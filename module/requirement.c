// SPDX-License-Identifier: GPL-2.0
/*
 * The requirements: what a BPF program can need that policy may deny.
 *
 * This table is the one home of the concept. The scanner detects each row
 * (scan.c), the judge asks lockdown about its reason (judge.c), securityfs
 * names it (programs, requirements) and the lsmrevoke command reads the
 * rows from securityfs "requirements" instead of keeping a list of its own.
 * Adding a primitive is one enum value, one row here, its detector (a
 * helper to compare call targets with, or an instruction predicate) and
 * its test.
 *
 * The reasons are the ones the verifier checks for the same helpers when
 * a program is loaded (bpf_base_func_proto() and the tracing protos);
 * btf_read, kfunc_read, btf_print, fmt_read and ksym_read have none: the
 * kernel gates no load through a BTF pointer, no kfunc, no printer and no
 * ksym under lockdown, so only strict mode makes them count, as
 * bpf_read_kernel. docs/kernel-reads.md lists every way a
 * program can read kernel memory and which rows detect which.
 *
 * Helper addresses are resolved once at init and read-only afterwards.
 */
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/security.h>
#include <linux/string.h>

#include "ksyms.h"
#include "requirement.h"

static bool is_btf_load(const struct bpf_insn *insn)
{
	u8 mode = BPF_MODE(insn->code);

	/* The verifier rewrote every load through a BTF pointer so. */
	return BPF_CLASS(insn->code) == BPF_LDX &&
	       (mode == BPF_PROBE_MEM || mode == BPF_PROBE_MEMSX);
}

/*
 * The programs whose arguments the verifier trusts on 6.2+, read with
 * plain loads: tp_btf, iterators, struct_ops and (all, to be safe) LSM
 * programs but those on the locked_down hook, the policy lsmrevoke judges
 * by: counting such a program that was never seen reading anything would
 * let it revoke itself. fentry, fexit and fmod_ret arguments are not
 * trusted (their loads are probe loads).
 */
static bool has_trusted_args(const struct bpf_prog *prog)
{
	if (!LSMREVOKE_TRUSTED_LOADS_PLAIN)
		return false;
	switch (prog->type) {
	case BPF_PROG_TYPE_TRACING:
		return prog->expected_attach_type == BPF_TRACE_RAW_TP ||
		       prog->expected_attach_type == BPF_TRACE_ITER;
	case BPF_PROG_TYPE_LSM:
		return !prog->aux->attach_func_name ||
		       strcmp(prog->aux->attach_func_name, "bpf_lsm_locked_down");
	case BPF_PROG_TYPE_STRUCT_OPS:
		return true;
	default:
		return false;
	}
}

#define REASON(r)	.reason = (r), .reason_name = #r

const struct lsmrevoke_requirement lsmrevoke_requirements[LSMREVOKE_NR_REQ] = {
	[LSMREVOKE_REQ_READ_KERNEL] = {
		.name = "bpf_read_kernel",
		REASON(LOCKDOWN_BPF_READ_KERNEL),
		.detected_by = "a call of bpf_probe_read_kernel{,_str} or bpf_probe_read{,_str}",
		.helpers = { "bpf_probe_read_kernel",
			     "bpf_probe_read_kernel_str",
			     "bpf_probe_read_compat",
			     "bpf_probe_read_compat_str" },
	},
	[LSMREVOKE_REQ_WRITE_USER] = {
		.name = "bpf_write_user",
		REASON(LOCKDOWN_BPF_WRITE_USER),
		.detected_by = "a call of bpf_probe_write_user",
		.helpers = { "bpf_probe_write_user" },
	},
	[LSMREVOKE_REQ_BTF_READ] = {
		.name = "btf_read",
		.reason = LSMREVOKE_NO_REASON,
		.reason_name = "-",
		.strict_adds = LSMREVOKE_REQ(READ_KERNEL),
		.detected_by = "a load through a BTF pointer, or a BTF object as helper memory",
		.insn = is_btf_load,
		/*
		 * From 6.2 on, trusted pointers are read with plain loads:
		 * without the verifier's view, what hands them out counts.
		 */
		.unseen_helpers = { "bpf_get_current_task_btf" },
		.unseen_percpu = "current_task",
		.unseen_kfuncs = LSMREVOKE_TRUSTED_LOADS_PLAIN,
		.unseen_prog = has_trusted_args,
	},
	[LSMREVOKE_REQ_KFUNC_READ] = {
		.name = "kfunc_read",
		.reason = LSMREVOKE_NO_REASON,
		.reason_name = "-",
		.strict_adds = LSMREVOKE_REQ(READ_KERNEL),
		.detected_by = "a call of bpf_probe_read_kernel{,_str}_dynptr or a bpf_str* kfunc",
		/*
		 * bpf_probe_read_kernel{,_str}'s twins, with no lockdown check,
		 * and the string kfuncs, which read any address their
		 * unchecked arguments hold byte by byte.
		 */
		.kfuncs = { "bpf_probe_read_kernel_dynptr",
			    "bpf_probe_read_kernel_str_dynptr",
			    "bpf_strcmp", "bpf_strcasecmp", "bpf_strncasecmp",
			    "bpf_strchr", "bpf_strchrnul", "bpf_strnchr",
			    "bpf_strrchr", "bpf_strlen", "bpf_strnlen",
			    "bpf_strspn", "bpf_strcspn", "bpf_strstr",
			    "bpf_strcasestr", "bpf_strnstr",
			    "bpf_strncasestr" },
	},
	[LSMREVOKE_REQ_BTF_PRINT] = {
		.name = "btf_print",
		.reason = LSMREVOKE_NO_REASON,
		.reason_name = "-",
		.strict_adds = LSMREVOKE_REQ(READ_KERNEL),
		.detected_by = "a call of bpf_snprintf_btf or bpf_seq_printf_btf",
		/*
		 * They print any address as any BTF type, reading it without
		 * faulting; the address is data the verifier does not see,
		 * so every call counts.
		 */
		.helpers = { "bpf_snprintf_btf", "bpf_seq_printf_btf" },
	},
	[LSMREVOKE_REQ_FMT_READ] = {
		.name = "fmt_read",
		.reason = LSMREVOKE_NO_REASON,
		.reason_name = "-",
		.strict_adds = LSMREVOKE_REQ(READ_KERNEL),
		.detected_by = "a format conversion reading memory that is not the program's",
		/*
		 * The helpers are judged by verify.c, format and arguments;
		 * the kfuncs' arguments are data, so every call counts.
		 */
		.kfuncs = { "bpf_stream_vprintk", "scx_bpf_exit_bstr",
			    "scx_bpf_error_bstr", "scx_bpf_dump_bstr" },
		.unseen_helpers = { "bpf_trace_printk", "bpf_trace_vprintk",
				    "bpf_snprintf", "bpf_seq_printf" },
	},
	[LSMREVOKE_REQ_KSYM_READ] = {
		.name = "ksym_read",
		.reason = LSMREVOKE_NO_REASON,
		.reason_name = "-",
		.strict_adds = LSMREVOKE_REQ(READ_KERNEL),
		.detected_by = "a typed ksym (a kernel variable with its BTF type)",
	},
};

/* The resolved helpers and kfuncs (0: a kfunc this kernel lacks). */
static unsigned long
helper_addr[LSMREVOKE_NR_REQ][LSMREVOKE_REQ_HELPERS] __ro_after_init;
static unsigned long
kfunc_addr[LSMREVOKE_NR_REQ][LSMREVOKE_REQ_KFUNCS] __ro_after_init;
static unsigned long
unseen_addr[LSMREVOKE_NR_REQ][LSMREVOKE_REQ_HELPERS] __ro_after_init;
static unsigned long unseen_percpu_addr[LSMREVOKE_NR_REQ] __ro_after_init;

/*
 * Resolves every row's helpers, a missing one failing init, named, and
 * every row's kfuncs, which a kernel may lack (nothing can call them there).
 */
int lsmrevoke_requirement_init(void)
{
	unsigned int r, h;
	int ret;

	for (r = 0; r < LSMREVOKE_NR_REQ; r++) {
		const struct lsmrevoke_requirement *req = &lsmrevoke_requirements[r];

		for (h = 0; h < LSMREVOKE_REQ_HELPERS && req->helpers[h]; h++) {
			ret = lsmrevoke_ksyms_resolve(req->helpers[h],
						      &helper_addr[r][h]);
			if (ret)
				return ret;
		}
		for (h = 0; h < LSMREVOKE_REQ_HELPERS && req->unseen_helpers[h]; h++) {
			ret = lsmrevoke_ksyms_resolve(req->unseen_helpers[h],
						      &unseen_addr[r][h]);
			if (ret)
				return ret;
		}
		if (req->unseen_percpu)
			unseen_percpu_addr[r] = lsmrevoke_ksyms_lookup(req->unseen_percpu);
		for (h = 0; h < LSMREVOKE_REQ_KFUNCS && req->kfuncs[h]; h++)
			kfunc_addr[r][h] = lsmrevoke_ksyms_lookup(req->kfuncs[h]);
	}
	return 0;
}

/* The requirement flags a call of the kernel function at @target needs. */
u32 lsmrevoke_requirement_of_call(unsigned long target)
{
	unsigned int r, h;

	for (r = 0; r < LSMREVOKE_NR_REQ; r++)
		for (h = 0; h < LSMREVOKE_REQ_HELPERS && helper_addr[r][h]; h++)
			if (helper_addr[r][h] == target)
				return BIT(r);
	return 0;
}

/* The requirement flags a kfunc call of the function at @target needs. */
u32 lsmrevoke_requirement_of_kfunc_call(unsigned long target)
{
	unsigned int r, h;

	for (r = 0; r < LSMREVOKE_NR_REQ; r++)
		for (h = 0; h < LSMREVOKE_REQ_KFUNCS; h++)
			if (kfunc_addr[r][h] && kfunc_addr[r][h] == target)
				return BIT(r);
	return 0;
}

/*
 * The requirement flags a call of the kernel function at @target needs in
 * a program whose verification was not seen.
 */
u32 lsmrevoke_requirement_of_unseen_call(unsigned long target)
{
	unsigned int r, h;
	u32 flags = 0;

	for (r = 0; r < LSMREVOKE_NR_REQ; r++)
		for (h = 0; h < LSMREVOKE_REQ_HELPERS && unseen_addr[r][h]; h++)
			if (unseen_addr[r][h] == target)
				flags |= BIT(r);
	return flags;
}

/*
 * The requirement flags an inlined read of the per-CPU variable whose
 * address's low 32 bits are @imm needs in a program not seen verified.
 */
u32 lsmrevoke_requirement_of_unseen_percpu(s32 imm)
{
	unsigned int r;
	u32 flags = 0;

	for (r = 0; r < LSMREVOKE_NR_REQ; r++)
		if (unseen_percpu_addr[r] && (u32)unseen_percpu_addr[r] == (u32)imm)
			flags |= BIT(r);
	return flags;
}

/* @flags as a list of names, "a,b", or "-" for none. */
void lsmrevoke_requirement_show_names(struct seq_file *m, u32 flags)
{
	bool first = true;
	unsigned int r;

	for (r = 0; r < LSMREVOKE_NR_REQ; r++) {
		if (!(flags & BIT(r)))
			continue;
		seq_printf(m, "%s%s", first ? "" : ",",
			   lsmrevoke_requirements[r].name);
		first = false;
	}
	if (first)
		seq_putc(m, '-');
}

static const char *level_name(int reason)
{
	if (reason == LSMREVOKE_NO_REASON)
		return "-";
	return reason < LOCKDOWN_INTEGRITY_MAX ? "integrity" : "confidentiality";
}

/*
 * Contents of securityfs "requirements", one row per requirement in flag
 * order: name reason reason_nr level strict_adds detected_by...
 */
void lsmrevoke_requirement_show(struct seq_file *m)
{
	unsigned int r;

	seq_puts(m, "# name reason reason_nr level strict_adds detected_by\n");
	for (r = 0; r < LSMREVOKE_NR_REQ; r++) {
		const struct lsmrevoke_requirement *req = &lsmrevoke_requirements[r];

		seq_printf(m, "%s %s %d %s ", req->name, req->reason_name,
			   req->reason, level_name(req->reason));
		lsmrevoke_requirement_show_names(m, req->strict_adds);
		seq_printf(m, " %s\n", req->detected_by);
	}
}

/* The helpers' lines of securityfs "symbols". */
void lsmrevoke_requirement_show_symbols(struct seq_file *m)
{
	unsigned int r, h;

	for (r = 0; r < LSMREVOKE_NR_REQ; r++) {
		for (h = 0; h < LSMREVOKE_REQ_HELPERS && helper_addr[r][h]; h++)
			lsmrevoke_ksyms_show_func(m, lsmrevoke_requirements[r].helpers[h],
						  helper_addr[r][h], "-", NULL);
		for (h = 0; h < LSMREVOKE_REQ_HELPERS && unseen_addr[r][h]; h++)
			lsmrevoke_ksyms_show_func(m, lsmrevoke_requirements[r].unseen_helpers[h],
						  unseen_addr[r][h], "-", NULL);
		for (h = 0; h < LSMREVOKE_REQ_KFUNCS; h++)
			if (kfunc_addr[r][h])
				lsmrevoke_ksyms_show_func(m, lsmrevoke_requirements[r].kfuncs[h],
							  kfunc_addr[r][h], "-", NULL);
	}
}
