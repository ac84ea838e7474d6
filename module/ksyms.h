/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LSMREVOKE_KSYMS_H
#define _LSMREVOKE_KSYMS_H

#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/idr.h>
#include <linux/mutex.h>
#include <linux/security.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>
#include <linux/types.h>

/* Kernel symbols resolved at init; read-only once the module is live. */
struct lsmrevoke_ksyms {
	struct idr *prog_idr;
	spinlock_t *prog_idr_lock;	/* protects prog_idr */
	struct idr *map_idr;
	spinlock_t *map_idr_lock;	/* protects map_idr */
	struct idr *link_idr;
	spinlock_t *link_idr_lock;	/* protects link_idr */
	unsigned long lsm_locked_down;	/* the BPF LSM's locked_down hook */
	/* The lockdown LSM's level; NULL without that LSM. */
	const enum lockdown_reason *kernel_locked_down;
	const bool *kprobes_all_disarmed;	/* debugfs kprobes/enabled is 0 */
	struct mutex *text_mutex;	/* serializes every kernel text write */
	/* sched_ext's root scheduler (scx.c); NULL without sched_ext. */
	void __rcu **scx_root;
};

extern struct lsmrevoke_ksyms lsmrevoke_ksyms;

/*
 * IBT-safe thunks (ksyms_thunk.S): each enters its target with push + RET,
 * never with an indirect call, so a target whose ENDBR the kernel sealed can
 * be reached on a CPU that enforces IBT. Called directly from C.
 */
unsigned long lsmrevoke_thunk_kallsyms_lookup_name(const char *name);
void lsmrevoke_thunk_text_poke_queue(void *addr, const void *opcode,
				     size_t len, const void *emulate);
void lsmrevoke_thunk_text_poke_finish(void);
int lsmrevoke_thunk_set_memory_rw(unsigned long addr, int numpages);
int lsmrevoke_thunk_set_memory_ro(unsigned long addr, int numpages);
/* Optional (scx.c): call only when the target resolved. */
const char *lsmrevoke_thunk_btf_name_by_offset(const struct btf *btf,
					       u32 offset);
bool lsmrevoke_thunk___scx_exit(void *sch, int kind, s64 exit_code,
				s32 exit_cpu, const char *fmt, ...);

/* Written once at init, read by the thunks. */
extern unsigned long lsmrevoke_thunk_target_kallsyms_lookup_name;
extern atomic_long_t lsmrevoke_thunk_calls_kallsyms_lookup_name;
extern unsigned long lsmrevoke_thunk_target_text_poke_queue;
extern atomic_long_t lsmrevoke_thunk_calls_text_poke_queue;
extern unsigned long lsmrevoke_thunk_target_text_poke_finish;
extern atomic_long_t lsmrevoke_thunk_calls_text_poke_finish;
extern unsigned long lsmrevoke_thunk_target_set_memory_rw;
extern atomic_long_t lsmrevoke_thunk_calls_set_memory_rw;
extern unsigned long lsmrevoke_thunk_target_set_memory_ro;
extern atomic_long_t lsmrevoke_thunk_calls_set_memory_ro;
/*
 * The kernel's select-runtime function (compat.h names it), of two or
 * three pointer arguments depending on the kernel: x86-64 passes them in
 * registers, and a function ignores one more than it takes.
 */
unsigned long lsmrevoke_thunk_select_runtime(unsigned long a0,
					     unsigned long a1,
					     unsigned long a2);
extern unsigned long lsmrevoke_thunk_target_select_runtime;
extern atomic_long_t lsmrevoke_thunk_calls_select_runtime;
/* Where its thunk enters it: past its ftrace site (sources.c sets it). */
extern unsigned long lsmrevoke_select_runtime_body;
extern unsigned long lsmrevoke_thunk_target_btf_name_by_offset;
extern atomic_long_t lsmrevoke_thunk_calls_btf_name_by_offset;
extern unsigned long lsmrevoke_thunk_target___scx_exit;
extern atomic_long_t lsmrevoke_thunk_calls___scx_exit;

int lsmrevoke_ksyms_init(void);
int lsmrevoke_ksyms_resolve(const char *name, unsigned long *addr);
unsigned long lsmrevoke_ksyms_lookup(const char *name);
void lsmrevoke_ksyms_show(struct seq_file *m);
void lsmrevoke_ksyms_show_func(struct seq_file *m, const char *name,
			       unsigned long addr, const char *via,
			       const atomic_long_t *calls);

#endif /* _LSMREVOKE_KSYMS_H */
