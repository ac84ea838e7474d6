/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels lsmrevoke builds for, and nothing
 * else. Kbuild force-includes this file into every C file; core code is
 * written against the newest API and uses only the names defined here:
 * no .c file tests a kernel feature with #if.
 *
 * The LSMREVOKE_HAVE_* inputs come from Kbuild's probes of the headers the
 * module is built against (a grep for a symbol), so distribution backports
 * are picked up without version numbers.
 */
#ifndef _LSMREVOKE_COMPAT_H
#define _LSMREVOKE_COMPAT_H

#include <asm/ibt.h>
#include <linux/bpf.h>
#include <linux/bpf_verifier.h>
#include <linux/filter.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/ptrace.h>

/*
 * BPF_PROBE_MEMSX (6.6): sign-extending loads through BTF pointers. On older
 * kernels LDX mode 0x40 is never produced, so scanning for it is harmless.
 */
#ifndef LSMREVOKE_HAVE_PROBE_MEMSX
#define BPF_PROBE_MEMSX 0x40
#endif

/*
 * BPF_PROG_TYPE_NETFILTER (6.4) came right after BPF_PROG_TYPE_SYSCALL.
 * Without it the name still has that value, which no program has there, so
 * that tables indexed by program type can list it.
 */
#ifdef LSMREVOKE_HAVE_PROG_TYPE_NETFILTER
#define LSMREVOKE_PROG_TYPE_NETFILTER BPF_PROG_TYPE_NETFILTER
#else
#define LSMREVOKE_PROG_TYPE_NETFILTER (BPF_PROG_TYPE_SYSCALL + 1)
#endif

/*
 * The unix-socket cgroup hooks (6.7) that, like getpeername and recvmsg
 * of inet sockets, cannot refuse: their programs may only return 1.
 */
static inline bool lsmrevoke_is_unix_query_hook(enum bpf_attach_type t)
{
#ifdef LSMREVOKE_HAVE_CGROUP_UNIX
	return t == BPF_CGROUP_UNIX_RECVMSG ||
	       t == BPF_CGROUP_UNIX_GETPEERNAME ||
	       t == BPF_CGROUP_UNIX_GETSOCKNAME;
#else
	return false;
#endif
}

/*
 * 6.12 (6.7 upstream) counts hidden subprograms, the exception callback
 * among them, in real_func_cnt; func_cnt leaves them out. Every JIT image
 * is one of aux->func[0 .. real_func_cnt).
 */
#ifdef LSMREVOKE_HAVE_REAL_FUNC_CNT
#define lsmrevoke_func_cnt(aux) ((aux)->real_func_cnt)
#else
#define lsmrevoke_func_cnt(aux) ((aux)->func_cnt)
#endif

/*
 * May @prog sit in a prog array? prog_array_member_cnt (Debian's 6.1 from
 * ABI 55, and 6.12) counts the slots it holds, under ext_mutex, which
 * orders the count after any insert that took its slot reference before.
 * Without the count, every program may sit in one.
 */
static inline bool lsmrevoke_in_prog_arrays(struct bpf_prog *prog)
{
#ifdef LSMREVOKE_HAVE_PROG_ARRAY_MEMBER_CNT
	u64 members;

	mutex_lock(&prog->aux->ext_mutex);
	members = prog->aux->prog_array_member_cnt;
	mutex_unlock(&prog->aux->ext_mutex);
	return members;
#else
	return true;
#endif
}

/* Is @prog sleepable (run under RCU tasks trace, and may fault)? */
static inline bool lsmrevoke_prog_sleepable(const struct bpf_prog *prog)
{
#ifdef LSMREVOKE_HAVE_PROG_SLEEPABLE_BIT
	return prog->sleepable;
#else
	return prog->aux->sleepable;
#endif
}

/*
 * Drops a prog-array slot's reference to @prog the way the map's own put
 * does (prog_fd_array_put_ptr), without the map: the member count under
 * ext_mutex, where the kernel keeps one, then the reference. May sleep.
 */
static inline void lsmrevoke_prog_array_put(struct bpf_prog *prog)
{
#ifdef LSMREVOKE_HAVE_PROG_ARRAY_MEMBER_CNT
	mutex_lock(&prog->aux->ext_mutex);
	prog->aux->prog_array_member_cnt--;
	mutex_unlock(&prog->aux->ext_mutex);
#endif
	bpf_prog_put(prog);
}

/*
 * Is @insn the 4-byte no-op an IBT kernel seals an unused ENDBR64 with?
 * The kernel's own gen_endbr_poison() says which (6.x: osp nopl (%rax),
 * 66 0f 1f 00; 7.x: nopl -42(%rax), 0f 1f 40 d6).
 */
static inline bool lsmrevoke_is_ibt_seal(const u8 insn[4])
{
#ifdef CONFIG_X86_KERNEL_IBT
	u32 seal = gen_endbr_poison();

	return !memcmp(insn, &seal, sizeof(seal));
#else
	return false;
#endif
}

/*
 * kern_sys_bpf() is exported but declared in no header; 6.12 and 7.x export
 * it (and bpf_map_get) in the BPF_INTERNAL namespace. 7.x (6.13 upstream)
 * names a namespace with a string literal, 6.x with a bare word.
 */
int kern_sys_bpf(int cmd, union bpf_attr *attr, unsigned int size);

#if defined(LSMREVOKE_NS_BPF_INTERNAL) && defined(LSMREVOKE_NS_IS_STRING)
#define LSMREVOKE_IMPORT_BPF_NS() MODULE_IMPORT_NS("BPF_INTERNAL")
#elif defined(LSMREVOKE_NS_BPF_INTERNAL)
#define LSMREVOKE_IMPORT_BPF_NS() MODULE_IMPORT_NS(BPF_INTERNAL)
#else
#define LSMREVOKE_IMPORT_BPF_NS()
#endif

/*
 * Where the JIT's entry no-op sits in an image: after the ENDBR64 that
 * kernels built with IBT (6.12 on Debian) put first.
 */
#define LSMREVOKE_JIT_ENTRY_OFFSET (IS_ENABLED(CONFIG_X86_KERNEL_IBT) ? 4 : 0)

/*
 * The verifier's view (verify.c). From 6.2 on, pointers the verifier
 * trusts (PTR_TRUSTED) exist and loads through them stay plain loads; a
 * ring buffer record is MEM_RINGBUF and MEM_ALLOC marks the program's own
 * bpf_obj_new objects. On 6.1 MEM_ALLOC meant the ring buffer record, no
 * local objects exist, and every load through a BTF pointer is a probe
 * load, so the image shows them all.
 */
#ifdef LSMREVOKE_HAVE_PTR_TRUSTED
#define LSMREVOKE_TRUSTED_LOADS_PLAIN true
#define LSMREVOKE_MEM_RINGBUF MEM_RINGBUF
#define LSMREVOKE_MEM_LOCAL_OBJECT MEM_ALLOC
#else
#define LSMREVOKE_TRUSTED_LOADS_PLAIN false
#define LSMREVOKE_MEM_RINGBUF MEM_ALLOC
#define LSMREVOKE_MEM_LOCAL_OBJECT 0
#endif

/*
 * The off of a per-CPU register move (6.10+; earlier kernels never emit
 * one, and no other move has this off).
 */
#ifdef BPF_ADDR_PERCPU
#define LSMREVOKE_ADDR_PERCPU BPF_ADDR_PERCPU
#else
#define LSMREVOKE_ADDR_PERCPU (-1)
#endif

/*
 * 7.x moved the verifier's rewrite passes to kernel/bpf/fixups.c
 * (do_misc_fixups became bpf_do_misc_fixups, declared in bpf_verifier.h)
 * and passes check_helper_mem_access the register itself instead of its
 * number: (env, reg, argno, access_size, access_type, ...); 6.12 has
 * (env, regno, access_size, access_type, ...). On 6.1 a BTF object is never
 * a helper's memory argument.
 */
#ifdef LSMREVOKE_HAVE_BPF_DO_MISC_FIXUPS
#define LSMREVOKE_MISC_FIXUPS "bpf_do_misc_fixups"
#else
#define LSMREVOKE_MISC_FIXUPS "do_misc_fixups"
#endif

/*
 * A pointer register's constant offset: 7.x folded the fixed part (off)
 * into var_off.
 */
static inline u64 lsmrevoke_reg_const_off(const struct bpf_reg_state *reg)
{
#ifdef LSMREVOKE_HAVE_REG_FIXED_OFF
	return reg->off + reg->var_off.value;
#else
	return reg->var_off.value;
#endif
}

static inline const struct bpf_reg_state *
lsmrevoke_helper_mem_reg(struct bpf_verifier_env *env, struct pt_regs *regs)
{
#if defined(LSMREVOKE_HAVE_BPF_DO_MISC_FIXUPS)
	if (regs_get_kernel_argument(regs, 4) != BPF_READ)
		return NULL;
	return (const struct bpf_reg_state *)regs_get_kernel_argument(regs, 1);
#elif defined(LSMREVOKE_HAVE_PTR_TRUSTED)
	if (regs_get_kernel_argument(regs, 3) != BPF_READ)
		return NULL;
	return cur_regs(env) + regs_get_kernel_argument(regs, 1);
#else
	return NULL;
#endif
}

/*
 * Where a verified program gets its runtime (its JIT image, or the
 * interpreter) and becomes read-only, before its ID exists: 7.x calls
 * __bpf_prog_select_runtime(env, fp, err) at the end of bpf_check();
 * earlier kernels call bpf_prog_select_runtime(fp, err) from
 * bpf_prog_load(). sources.c's wrapper takes the first three argument
 * registers whichever it is; this is the one that holds err.
 */
#ifdef LSMREVOKE_HAVE_SELECT_RUNTIME_ENV
#define LSMREVOKE_SELECT_RUNTIME "__bpf_prog_select_runtime"
#define LSMREVOKE_SELECT_RUNTIME_ERR_ARG 2
#else
#define LSMREVOKE_SELECT_RUNTIME "bpf_prog_select_runtime"
#define LSMREVOKE_SELECT_RUNTIME_ERR_ARG 1
#endif

/*
 * sched_ext (CONFIG_SCHED_CLASS_EXT; on Debian only the 7.x kernels have
 * it). A scheduler's programs are struct_ops programs whose struct_ops type
 * is named "sched_ext_ops" (7.x also has "sched_ext_ops_cid", the cid form
 * of the same table). 7.x (6.19 upstream) associates each struct_ops
 * program with the one map it sits in (prog->aux->st_ops_assoc) and
 * exports bpf_prog_get_assoc_struct_ops(), which gives that map's kernel
 * table (the kdata sched_ext's reg() got); without that association
 * lsmrevoke cannot tell which scheduler a program belongs to, and treats
 * it as any other struct_ops program.
 */
#if IS_ENABLED(CONFIG_SCHED_CLASS_EXT) && defined(LSMREVOKE_HAVE_ST_OPS_ASSOC)
#define LSMREVOKE_SCHED_EXT true

/* The name of @prog's struct_ops type, or NULL. */
static inline const char *lsmrevoke_st_ops_name(const struct bpf_prog *prog)
{
	return prog->aux->st_ops ? prog->aux->st_ops->name : NULL;
}

/* The kernel table of the one struct_ops map @prog sits in; RCU. */
static inline void *lsmrevoke_st_ops_kdata(const struct bpf_prog *prog)
{
	return bpf_prog_get_assoc_struct_ops(prog->aux);
}
#else
#define LSMREVOKE_SCHED_EXT false

static inline const char *lsmrevoke_st_ops_name(const struct bpf_prog *prog)
{
	return NULL;
}

static inline void *lsmrevoke_st_ops_kdata(const struct bpf_prog *prog)
{
	return NULL;
}
#endif

/*
 * enum scx_exit_kind lives in kernel/sched/ext/internal.h, not in a public
 * header; its values are the ABI sched_ext's user space reads back
 * (exit_info.kind), the same in 6.12, 7.2 and 7.3: SCX_EXIT_UNREG_KERN,
 * "unregistered from the main kernel", is 66. __scx_exit() is
 * (struct scx_sched *sch, enum scx_exit_kind kind, s64 exit_code,
 * s32 exit_cpu, const char *fmt, ...) in 7.2 and 7.3.
 */
#define LSMREVOKE_SCX_EXIT_UNREG_KERN 66

#endif /* _LSMREVOKE_COMPAT_H */
