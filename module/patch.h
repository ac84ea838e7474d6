/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LSMREVOKE_PATCH_H
#define _LSMREVOKE_PATCH_H

#include <linux/types.h>

struct bpf_prog;

#define LSMREVOKE_INSN_SIZE	5	/* the entry no-op, or our jump */

/* One image entry to rewrite, from @old to @new. */
struct lsmrevoke_site {
	u8 *ip;
	u16 change;			/* index in the batch's changes */
	u16 image;			/* 0: main program, else subprogram */
	bool match;			/* held @old when written */
	u8 old[LSMREVOKE_INSN_SIZE];
	u8 new[LSMREVOKE_INSN_SIZE];
};

/* A program to revoke or restore, and how that went. */
struct lsmrevoke_change {
	struct bpf_prog *prog;		/* a reference, until patch_done */
	void *owner;			/* the caller's */
	bool revoke;			/* else restore */
	bool retarget;			/* a revoked program's jump moves */
	u8 stub;
	const void *jump;		/* revoke: where the main entry jumps */
	/* The caller's reference on the program an extension now runs. */
	struct bpf_prog *ext_tgt;
	u16 why;			/* revoke: 0 done, else LSMREVOKE_WHY_* */
	u32 data;			/* the caller's */
	/* An interpreted program: its bpf_func goes from @func_old to @func_new. */
	bool interp;
	void *func_old, *func_new;
};

/*
 * Revocations and restores written together: the entries of up to
 * LSMREVOKE_BATCH programs change under one int3 protocol, so that the
 * cross-CPU synchronisation it needs is paid per batch, not per program.
 * Used under the revocation mutex only.
 */
#define LSMREVOKE_BATCH		128
#define LSMREVOKE_BATCH_SITES	512

struct lsmrevoke_batch {
	unsigned int nr, nr_sites;
	struct lsmrevoke_change changes[LSMREVOKE_BATCH];
	struct lsmrevoke_site sites[LSMREVOKE_BATCH_SITES];
};

int lsmrevoke_patch_add_revoke(struct lsmrevoke_batch *b,
			       struct bpf_prog *prog, void *owner,
			       const void *ext_body);
int lsmrevoke_patch_add_retarget(struct lsmrevoke_batch *b,
				 struct bpf_prog *prog, void *owner,
				 const void *from, const void *ext_body);
int lsmrevoke_patch_add_restore(struct lsmrevoke_batch *b,
				struct bpf_prog *prog, void *owner,
				unsigned int stub, const void *jump,
				void *interp_func);
void lsmrevoke_patch_write(struct lsmrevoke_batch *b);
void lsmrevoke_patch_done(struct lsmrevoke_batch *b);
bool lsmrevoke_patch_drain(bool sleepable, unsigned int ms);
unsigned int lsmrevoke_patch_draining(void);
void lsmrevoke_patch_exit(void);

#endif /* _LSMREVOKE_PATCH_H */
