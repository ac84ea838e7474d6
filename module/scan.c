// SPDX-License-Identifier: GPL-2.0
/*
 * The instruction scanner: what a program needs, read from the
 * instructions the verifier accepted and rewrote (prog->insnsi).
 *
 * After fixup a helper call is BPF_JMP|BPF_CALL with src_reg 0 and
 * imm = helper - __bpf_call_base; the gated helpers are never inlined or
 * retargeted, so comparing call targets with their addresses is exact.
 * A kfunc call is BPF_JMP|BPF_CALL with src_reg BPF_PSEUDO_KFUNC_CALL and,
 * on x86 (no far kfunc calls), imm = kfunc - __bpf_call_base after fixup.
 * The main program's instructions include every subprogram's, so one pass
 * covers calls made from subprograms too. Every other detector of the
 * requirements table looks at single instructions, but for the rules for
 * programs the verifier was not seen for, which look at the program.
 *
 * Runs from the load probe as well as from process context: never sleeps,
 * and the caller keeps the program alive.
 */
#include <linux/filter.h>

#include "requirement.h"
#include "scan.h"

/* What any kfunc call needs in a program not seen verified. */
static u32 unseen_kfunc_flags(void)
{
	u32 r, flags = 0;

	for (r = 0; r < LSMREVOKE_NR_REQ; r++)
		if (lsmrevoke_requirements[r].unseen_kfuncs)
			flags |= BIT(r);
	return flags;
}

static u32 insn_flags(const struct bpf_insn *insn, bool seen)
{
	unsigned long target = (unsigned long)__bpf_call_base + insn->imm;
	u32 r, flags = 0;

	if (insn->code == (BPF_JMP | BPF_CALL) && !insn->src_reg)
		return lsmrevoke_requirement_of_call(target) |
		       (seen ? 0 : lsmrevoke_requirement_of_unseen_call(target));
	if (insn->code == (BPF_JMP | BPF_CALL) &&
	    insn->src_reg == BPF_PSEUDO_KFUNC_CALL)
		return lsmrevoke_requirement_of_kfunc_call(target) |
		       (seen ? 0 : unseen_kfunc_flags());
	for (r = 0; r < LSMREVOKE_NR_REQ; r++)
		if (lsmrevoke_requirements[r].insn &&
		    lsmrevoke_requirements[r].insn(insn))
			flags |= BIT(r);
	return flags;
}

/*
 * Is @insn[0..1] the verifier's inlined read of a per-CPU variable
 * (MOV64_IMM of its address, then a per-CPU move; 7.x inlines
 * bpf_get_current_task_btf so)? The flags that read needs, when unseen.
 */
static u32 percpu_read_flags(const struct bpf_prog *prog, u32 i)
{
	const struct bpf_insn *insn = &prog->insnsi[i];

	if (i + 1 >= prog->len ||
	    insn[0].code != (BPF_ALU64 | BPF_MOV | BPF_K) ||
	    insn[1].code != (BPF_ALU64 | BPF_MOV | BPF_X) ||
	    insn[1].off != LSMREVOKE_ADDR_PERCPU ||
	    insn[1].src_reg != insn[0].dst_reg)
		return 0;
	return lsmrevoke_requirement_of_unseen_percpu(insn[0].imm);
}

/*
 * The requirement flags of @prog; @sites gets, per requirement, the index
 * of the first instruction that needs it (LSMREVOKE_NO_SITE when none, or
 * when the whole program needs it). @seen: lsmrevoke saw the program
 * verified (verify.c adds what it found); when not, the requirements'
 * conservative rules for unseen programs apply too.
 */
u32 lsmrevoke_scan(const struct bpf_prog *prog, u32 sites[LSMREVOKE_NR_REQ],
		   bool seen)
{
	u32 i, r, found, flags = 0;

	for (r = 0; r < LSMREVOKE_NR_REQ; r++)
		sites[r] = LSMREVOKE_NO_SITE;
	for (i = 0; i < prog->len; i++) {
		found = insn_flags(&prog->insnsi[i], seen);
		if (!seen)
			found |= percpu_read_flags(prog, i);
		found &= ~flags;
		if (!found)
			continue;
		for (r = 0; r < LSMREVOKE_NR_REQ; r++)
			if (found & BIT(r))
				sites[r] = i;
		flags |= found;
	}
	for (r = 0; r < LSMREVOKE_NR_REQ && !seen; r++)
		if (lsmrevoke_requirements[r].unseen_prog &&
		    lsmrevoke_requirements[r].unseen_prog(prog))
			flags |= BIT(r);
	return flags;
}
