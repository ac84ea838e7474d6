/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LSMREVOKE_REQUIREMENT_H
#define _LSMREVOKE_REQUIREMENT_H

#include <linux/bits.h>
#include <linux/seq_file.h>
#include <linux/types.h>

struct bpf_insn;
struct bpf_prog;

/*
 * What a program can need that policy may deny, one value per row of the
 * table in requirement.c. A program's requirement flags have bit
 * LSMREVOKE_REQ_x set when it needs x; the securityfs files, the events
 * and the lsmrevoke command name them by the table's names.
 */
enum lsmrevoke_req {
	LSMREVOKE_REQ_READ_KERNEL,	/* the kernel's bpf_read_kernel */
	LSMREVOKE_REQ_WRITE_USER,	/* the kernel's bpf_write_user */
	LSMREVOKE_REQ_BTF_READ,		/* loads through BTF pointers */
	LSMREVOKE_REQ_KFUNC_READ,	/* kfuncs reading kernel memory */
	LSMREVOKE_REQ_BTF_PRINT,	/* helpers printing kernel objects */
	LSMREVOKE_REQ_FMT_READ,		/* format conversions reading memory */
	LSMREVOKE_REQ_KSYM_READ,	/* typed ksyms, read with plain loads */
	LSMREVOKE_NR_REQ,
};

#define LSMREVOKE_REQ(r)	BIT(LSMREVOKE_REQ_##r)

/* No lockdown reason: the kernel gates nothing; strict mode may. */
#define LSMREVOKE_NO_REASON	(-1)

/* The most helpers and kfuncs one requirement is detected by. */
#define LSMREVOKE_REQ_HELPERS	4
#define LSMREVOKE_REQ_KFUNCS	20

/*
 * One requirement. It is detected by a call of one of its helpers (kernel
 * functions, resolved by name at init; each must exist), a call of one of
 * its kfuncs (resolved the same way; a kernel may lack them), by an
 * instruction @insn accepts, or any of these; scan.c applies them to every
 * verified instruction; verify.c adds what the verifier decided while the
 * program was verified. A program whose verification lsmrevoke did not see
 * needs it, conservatively, when it calls one of @unseen_helpers, calls
 * any kfunc (@unseen_kfuncs), reads the per-CPU variable @unseen_percpu
 * in the verifier's inlined form (7.x inlines bpf_get_current_task_btf so)
 * or is a program @unseen_prog accepts.
 */
struct lsmrevoke_requirement {
	const char *name;		/* as securityfs and the command show it */
	int reason;			/* enum lockdown_reason, or NO_REASON */
	const char *reason_name;	/* the reason's name in the kernel */
	u32 strict_adds;		/* flags strict=1 adds to a program */
	const char *detected_by;	/* what explain says needs it */
	const char *helpers[LSMREVOKE_REQ_HELPERS];
	const char *kfuncs[LSMREVOKE_REQ_KFUNCS];
	bool (*insn)(const struct bpf_insn *insn);
	const char *unseen_helpers[LSMREVOKE_REQ_HELPERS];
	bool unseen_kfuncs;
	const char *unseen_percpu;	/* a per-CPU variable read inline */
	bool (*unseen_prog)(const struct bpf_prog *prog);
};

extern const struct lsmrevoke_requirement
lsmrevoke_requirements[LSMREVOKE_NR_REQ];

int lsmrevoke_requirement_init(void);
u32 lsmrevoke_requirement_of_call(unsigned long target);
u32 lsmrevoke_requirement_of_kfunc_call(unsigned long target);
u32 lsmrevoke_requirement_of_unseen_call(unsigned long target);
u32 lsmrevoke_requirement_of_unseen_percpu(s32 imm);
void lsmrevoke_requirement_show(struct seq_file *m);
void lsmrevoke_requirement_show_names(struct seq_file *m, u32 flags);
void lsmrevoke_requirement_show_symbols(struct seq_file *m);

#endif /* _LSMREVOKE_REQUIREMENT_H */
