/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LSMREVOKE_STUB_PROG_H
#define _LSMREVOKE_STUB_PROG_H

#include <linux/bpf.h>

struct lsmrevoke_entry;

/* Where a tracked program stands with respect to revocation. */
enum lsmrevoke_state {
	LSMREVOKE_STATE_ACTIVE,		/* its own code runs */
	LSMREVOKE_STATE_REVOKING,	/* being revoked */
	LSMREVOKE_STATE_REVOKED,	/* every entry lands in a stub */
	LSMREVOKE_STATE_RESTORING,	/* being restored */
	LSMREVOKE_STATE_UNREVOCABLE,	/* denied, but cannot be revoked */
};

/* Why a denied program could not be revoked. */
enum lsmrevoke_why {
	LSMREVOKE_WHY_NONE,
	LSMREVOKE_WHY_INTERPRETED,
	LSMREVOKE_WHY_ENTRY_IN_USE,
	LSMREVOKE_WHY_NO_KSYM,
	LSMREVOKE_WHY_OUT_OF_RANGE,
	LSMREVOKE_WHY_POKE_FAILED,
	LSMREVOKE_WHY_STRUCT_OPS,
	LSMREVOKE_WHY_EXT,
	LSMREVOKE_WHY_UNKNOWN_TYPE,
	LSMREVOKE_WHY_NOMEM,
	LSMREVOKE_WHY_UNKNOWN_LAYOUT,
	LSMREVOKE_WHY_UNKNOWN_ATTACH,
	LSMREVOKE_WHY_MAX,
};

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
	struct bpf_prog *prog;		/* a reference, until batch_done */
	struct lsmrevoke_entry *e;
	bool revoke;			/* else restore */
	u8 stub;
	u16 why;			/* revoke: 0 done, else LSMREVOKE_WHY_* */
	u32 data;			/* the caller's */
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

const char *lsmrevoke_state_name(unsigned int state);
const char *lsmrevoke_why_name(unsigned int why);
int lsmrevoke_stub_add_revoke(struct lsmrevoke_batch *b,
			      struct bpf_prog *prog, struct lsmrevoke_entry *e);
int lsmrevoke_stub_add_restore(struct lsmrevoke_batch *b,
			       struct bpf_prog *prog, struct lsmrevoke_entry *e);
void lsmrevoke_stub_write(struct lsmrevoke_batch *b);
void lsmrevoke_stub_batch_done(struct lsmrevoke_batch *b);
void lsmrevoke_stub_exit(void);

#endif /* _LSMREVOKE_STUB_PROG_H */
