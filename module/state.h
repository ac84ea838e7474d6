/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LSMREVOKE_STATE_H
#define _LSMREVOKE_STATE_H

/* Where a tracked program stands with respect to revocation. */
enum lsmrevoke_state {
	LSMREVOKE_STATE_ACTIVE,		/* its own code runs */
	LSMREVOKE_STATE_REVOKING,	/* being revoked */
	LSMREVOKE_STATE_REVOKED,	/* every entry lands in a stub */
	LSMREVOKE_STATE_RESTORING,	/* being restored */
	LSMREVOKE_STATE_UNREVOCABLE,	/* denied, but cannot be revoked */
	/*
	 * Denied, and the kernel took what runs it out of service (a
	 * sched_ext scheduler, scx.c); one-way: never undone by lsmrevoke.
	 */
	LSMREVOKE_STATE_WITHDRAWN,
};

/* Revoked, or being revoked: the program's entries may hold the jump. */
static inline bool lsmrevoke_state_revoked(unsigned int state)
{
	return state == LSMREVOKE_STATE_REVOKING ||
	       state == LSMREVOKE_STATE_REVOKED;
}

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

const char *lsmrevoke_state_name(unsigned int state);
const char *lsmrevoke_why_name(unsigned int why);

#endif /* _LSMREVOKE_STATE_H */
