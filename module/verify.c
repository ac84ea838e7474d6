// SPDX-License-Identifier: GPL-2.0
/*
 * The verifier's view: kernel reads that the final instructions no longer
 * show, recorded while a program is verified.
 *
 * From 6.12 on, a load through a trusted BTF pointer stays a plain load, a
 * typed ksym becomes a plain address and a format string's conversions are
 * data; only the verifier knew what they were. Four probes ask it:
 *
 *  - bpf_check (entry): a verification starts; its record is claimed,
 *    keyed by the program's aux (which survives the reallocations of the
 *    program while it is patched);
 *  - check_helper_mem_access (entry): a helper or kfunc is about to read
 *    memory from a register; a trusted BTF object there is a kernel read
 *    (6.12+: bpf_ringbuf_output(rb, task, sizeof(*task), 0));
 *  - check_mem_size_reg (entry): the size argument of a helper call is
 *    checked, with every argument register in the verifier's state; for the
 *    format-string helpers the format is read when the verifier could read
 *    it (a frozen read-only map) and each conversion that reads memory is
 *    judged by its argument (fmt_read unless the argument is the program's
 *    own memory);
 *  - do_misc_fixups (bpf_do_misc_fixups on 7.x) return: the verifier is done
 *    with the instructions and its per-instruction data still says through
 *    which kind of pointer each load went (btf_read) and which ld_imm64 is a
 *    typed ksym (ksym_read); sites found earlier are translated to the final
 *    instruction indices.
 *
 * The load probe (sources.c, through track.c) then claims the record. A
 * program the verifier was not seen for (found by the init walk, loaded
 * while lsmrevoke started, or out of records) has none: scan.c applies the
 * conservative rules to it instead. Reads are only ever added here; the
 * image scan's flags stay.
 *
 * The records are a fixed array under one raw spinlock (the probes may run
 * with preemption off, also on PREEMPT_RT): nothing is allocated. When all
 * are in use, the oldest is taken over and its program counts as not seen.
 */
#include <linux/bpf.h>
#include <linux/bpf_verifier.h>
#include <linux/filter.h>
#include <linux/jiffies.h>
#include <linux/kprobes.h>
#include <linux/ptrace.h>
#include <linux/spinlock.h>

#include "scan.h"
#include "verify.h"

/* Verifications followed at once; more take over the oldest record. */
#define NR_RECORDS 32

struct record {
	const struct bpf_prog_aux *aux;	/* NULL: free */
	unsigned long started;		/* jiffies at bpf_check */
	bool done;			/* the fixups returned */
	u32 flags;
	/* While checked: the original index; once done: the final one. */
	u32 sites[LSMREVOKE_NR_REQ];
};

static struct record records[NR_RECORDS];
static DEFINE_RAW_SPINLOCK(records_lock);

static struct record *find(const struct bpf_prog_aux *aux)
{
	unsigned int i;

	for (i = 0; i < NR_RECORDS; i++)
		if (records[i].aux == aux)
			return &records[i];
	return NULL;
}

static void reset(struct record *r, const struct bpf_prog_aux *aux)
{
	unsigned int i;

	r->aux = aux;
	r->started = jiffies;
	r->done = false;
	r->flags = 0;
	for (i = 0; i < LSMREVOKE_NR_REQ; i++)
		r->sites[i] = LSMREVOKE_NO_SITE;
}

/* bpf_check(struct bpf_prog **prog, ...): a verification starts. */
int lsmrevoke_verify_start(struct kprobe *p, struct pt_regs *regs)
{
	struct bpf_prog **progp = (void *)regs_get_kernel_argument(regs, 0);
	const struct bpf_prog_aux *aux = (*progp)->aux;
	struct record *r, *oldest = &records[0];
	unsigned long irqflags;
	unsigned int i;

	raw_spin_lock_irqsave(&records_lock, irqflags);
	r = find(aux);
	for (i = 0; !r && i < NR_RECORDS; i++) {
		if (!records[i].aux)
			r = &records[i];
		else if (time_before(records[i].started, oldest->started))
			oldest = &records[i];
	}
	reset(r ?: oldest, aux);
	raw_spin_unlock_irqrestore(&records_lock, irqflags);
	return 0;
}

/* Adds requirement @req, first seen at instruction @insn_idx, to @env's. */
static void note(struct bpf_verifier_env *env, enum lsmrevoke_req req,
		 u32 insn_idx)
{
	u32 orig = env->insn_aux_data[insn_idx].orig_idx;
	unsigned long irqflags;
	struct record *r;

	raw_spin_lock_irqsave(&records_lock, irqflags);
	r = find(env->prog->aux);
	if (r && !r->done) {
		if (!(r->flags & BIT(req)))
			r->sites[req] = orig;
		r->flags |= BIT(req);
	}
	raw_spin_unlock_irqrestore(&records_lock, irqflags);
}

/* check_helper_mem_access(env, reg or regno, ...): a trusted BTF object read. */
int lsmrevoke_verify_helper_mem(struct kprobe *p, struct pt_regs *regs)
{
	struct bpf_verifier_env *env = (void *)regs_get_kernel_argument(regs, 0);
	const struct bpf_reg_state *reg = lsmrevoke_helper_mem_reg(env, regs);

	if (reg && base_type(reg->type) == PTR_TO_BTF_ID &&
	    !(reg->type & LSMREVOKE_MEM_LOCAL_OBJECT))
		note(env, LSMREVOKE_REQ_BTF_READ, env->insn_idx);
	return 0;
}

/*
 * Is what @reg points to the program's own memory (its stack, a map value
 * or key, packet data, a ring buffer record), so that printing it reads
 * nothing of the kernel's?
 */
static bool own_memory(const struct bpf_reg_state *reg)
{
	switch (base_type(reg->type)) {
	case PTR_TO_STACK:
	case PTR_TO_MAP_VALUE:
	case PTR_TO_MAP_KEY:
	case PTR_TO_PACKET:
	case PTR_TO_PACKET_META:
		return true;
	case PTR_TO_MEM:
		return reg->type & LSMREVOKE_MEM_RINGBUF;
	default:
		return false;
	}
}

/*
 * The format @reg points to, when the verifier can know it: a constant
 * offset into a frozen map the program may only read. Its bytes cannot
 * change after the freeze, so what is judged here is what runs.
 */
static const char *known_format(const struct bpf_reg_state *reg, u32 *len)
{
	const struct bpf_map *map = reg->map_ptr;
	u64 addr;
	u32 off;

	if (reg->type != (PTR_TO_MAP_VALUE | MEM_RDONLY) &&
	    reg->type != PTR_TO_MAP_VALUE)
		return NULL;
	if (!map || !READ_ONCE(map->frozen) ||
	    !(map->map_flags & BPF_F_RDONLY_PROG) ||
	    !map->ops->map_direct_value_addr || !tnum_is_const(reg->var_off))
		return NULL;
	off = lsmrevoke_reg_const_off(reg);
	if (off >= map->value_size ||
	    map->ops->map_direct_value_addr(map, &addr, off))
		return NULL;
	*len = map->value_size - off;
	return (const char *)(unsigned long)addr + off;
}

/*
 * Does format @fmt read kernel memory, its arguments being registers
 * @args[0..@nr_args) (NULL: data the verifier does not see)? The
 * conversions that read are those bpf_bprintf_prepare() copies with
 * copy_from_kernel_nofault or strncpy_from_kernel_nofault: %s, %pks,
 * %pi4, %pI4, %pi6, %pI6. Anything this parser does not understand
 * counts as a read.
 */
static bool format_reads(const char *fmt, u32 len,
			 const struct bpf_reg_state *args, u32 nr_args)
{
	u32 i, spec = 0;
	bool reads;
	char c;

	for (i = 0; i < len && fmt[i]; i++) {
		if (fmt[i] != '%')
			continue;
		if (i + 1 < len && fmt[i + 1] == '%') {
			i++;
			continue;
		}
		for (i++; i < len && strchr("0+- ", fmt[i]) && fmt[i]; i++)
			;
		while (i < len && fmt[i] >= '0' && fmt[i] <= '9')
			i++;
		if (i >= len)
			return true;
		c = fmt[i];
		if (c == 's') {
			reads = true;
		} else if (c == 'p' && i + 2 < len) {
			reads = (fmt[i + 1] == 'k' && fmt[i + 2] == 's') ||
				((fmt[i + 1] == 'i' || fmt[i + 1] == 'I') &&
				 (fmt[i + 2] == '4' || fmt[i + 2] == '6'));
		} else {
			reads = false;
		}
		if (reads && (!args || spec >= nr_args || !own_memory(&args[spec])))
			return true;
		spec++;
	}
	return false;
}

/*
 * check_mem_size_reg(env, ...): the size argument of the call at
 * env->insn_idx; every argument register is in the current state. For a
 * format-string helper: which register holds the format, and whether the
 * values are registers (bpf_trace_printk) or data (the others).
 */
int lsmrevoke_verify_mem_size(struct kprobe *p, struct pt_regs *regs)
{
	struct bpf_verifier_env *env = (void *)regs_get_kernel_argument(regs, 0);
	const struct bpf_insn *insn = &env->prog->insnsi[env->insn_idx];
	const struct bpf_reg_state *r = cur_regs(env);
	const struct bpf_reg_state *args = NULL;
	u32 nr_args = 0, len;
	const char *fmt;
	int fmt_reg;

	if (insn->code != (BPF_JMP | BPF_CALL) || insn->src_reg)
		return 0;
	switch (insn->imm) {
	case BPF_FUNC_trace_printk:
		fmt_reg = BPF_REG_1;
		args = &r[BPF_REG_3];
		nr_args = 3;
		break;
	case BPF_FUNC_trace_vprintk:
		fmt_reg = BPF_REG_1;
		break;
	case BPF_FUNC_seq_printf:
		fmt_reg = BPF_REG_2;
		break;
	case BPF_FUNC_snprintf:
		fmt_reg = BPF_REG_3;
		break;
	default:
		return 0;
	}
	fmt = known_format(&r[fmt_reg], &len);
	if (!fmt || format_reads(fmt, len, args, nr_args))
		note(env, LSMREVOKE_REQ_FMT_READ, env->insn_idx);
	return 0;
}

/* The final index of the instruction first at @orig, or NO_SITE. */
static u32 final_index(const struct bpf_verifier_env *env, u32 orig)
{
	u32 i;

	for (i = 0; orig != LSMREVOKE_NO_SITE && i < env->prog->len; i++)
		if (env->insn_aux_data[i].orig_idx == orig)
			return i;
	return LSMREVOKE_NO_SITE;
}

int lsmrevoke_verify_fixups_entry(struct kretprobe_instance *ri,
				  struct pt_regs *regs)
{
	*(void **)ri->data = (void *)regs_get_kernel_argument(regs, 0);
	return 0;
}

/*
 * The fixups returned: which loads went through BTF pointers (trusted or
 * not; not the program's own bpf_obj_new objects) and which ld_imm64 are
 * typed ksyms. The program's length and instructions are final but for
 * the 32-bit zero extensions x86 does not need.
 */
int lsmrevoke_verify_fixups_ret(struct kretprobe_instance *ri,
				struct pt_regs *regs)
{
	struct bpf_verifier_env *env = *(void **)ri->data;
	const struct bpf_insn *insn = env->prog->insnsi;
	u32 i, flags = 0, sites[LSMREVOKE_NR_REQ];
	unsigned long irqflags;
	enum bpf_reg_type t;
	struct record *r;

	if (regs_return_value(regs))
		return 0;
	for (i = 0; i < LSMREVOKE_NR_REQ; i++)
		sites[i] = LSMREVOKE_NO_SITE;
	for (i = 0; i < env->prog->len; i++) {
		t = env->insn_aux_data[i].ptr_type;
		if (BPF_CLASS(insn[i].code) == BPF_LDX &&
		    base_type(t) == PTR_TO_BTF_ID &&
		    !(t & LSMREVOKE_MEM_LOCAL_OBJECT) &&
		    !(flags & LSMREVOKE_REQ(BTF_READ))) {
			flags |= LSMREVOKE_REQ(BTF_READ);
			sites[LSMREVOKE_REQ_BTF_READ] = i;
		}
		if (insn[i].code == (BPF_LD | BPF_IMM | BPF_DW) &&
		    insn[i].src_reg == BPF_PSEUDO_BTF_ID &&
		    !(flags & LSMREVOKE_REQ(KSYM_READ))) {
			flags |= LSMREVOKE_REQ(KSYM_READ);
			sites[LSMREVOKE_REQ_KSYM_READ] = i;
		}
	}

	raw_spin_lock_irqsave(&records_lock, irqflags);
	r = find(env->prog->aux);
	if (r && !r->done) {
		for (i = 0; i < LSMREVOKE_NR_REQ; i++) {
			if (r->flags & BIT(i))
				r->sites[i] = final_index(env, r->sites[i]);
			else if (flags & BIT(i))
				r->sites[i] = sites[i];
		}
		r->flags |= flags;
		r->done = true;
	}
	raw_spin_unlock_irqrestore(&records_lock, irqflags);
	return 0;
}

/*
 * What the verifier found in @prog: true and the flags and sites when its
 * verification was followed to the end (the record is freed), false when
 * it was not seen. Any context; the caller keeps @prog alive.
 */
bool lsmrevoke_verify_claim(const struct bpf_prog *prog, u32 *flags,
			    u32 sites[LSMREVOKE_NR_REQ])
{
	unsigned long irqflags;
	struct record *r;
	bool seen = false;

	raw_spin_lock_irqsave(&records_lock, irqflags);
	r = find(prog->aux);
	if (r && r->done) {
		*flags = r->flags;
		memcpy(sites, r->sites, sizeof(r->sites));
		seen = true;
	}
	if (r)
		r->aux = NULL;
	raw_spin_unlock_irqrestore(&records_lock, irqflags);
	return seen;
}
