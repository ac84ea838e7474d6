/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LSMREVOKE_TRACK_H
#define _LSMREVOKE_TRACK_H

#include <linux/bpf.h>
#include <linux/cred.h>
#include <linux/sched.h>
#include <linux/types.h>

#include "requirement.h"

/* How an entry came to be. */
enum lsmrevoke_src {
	LSMREVOKE_SRC_LOAD,	/* seen by the load probe, current the loader */
	LSMREVOKE_SRC_WALK,	/* found by the walk at module init */
};

/*
 * One tracked program. Readers see a copy taken under RCU; the program
 * pointer identifies the program and is never dereferenced by readers.
 */
struct lsmrevoke_entry {
	struct hlist_node node;
	struct rcu_head rcu;
	const void *prog;		/* identity only, with load_time */
	u64 load_time;			/* its aux->load_time */
	const struct cred *cred;	/* loader's, NULL when found by the walk */
	u32 id;				/* 0 until published (track.c) */
	pid_t loader_pid;		/* loader's tgid (init ns), 0 for the walk */
	u32 flags;			/* BIT(enum lsmrevoke_req) */
	u16 type;			/* enum bpf_prog_type */
	u8 src;				/* enum lsmrevoke_src */
	/* Written under the revocation mutex, read locklessly. */
	u8 state;			/* enum lsmrevoke_state */
	u8 why;				/* enum lsmrevoke_why, when unrevocable */
	u8 stub;			/* stub of the main image, when revoked */
	void *interp;			/* revoked interpreted: its bpf_func */
	const void *jump;		/* revoked: where its main entry jumps */
	/* Revoked extension: a reference on the program it runs instead. */
	struct bpf_prog *ext_tgt;
	/* Withdrawn: the sched_ext scheduler instance taken out (identity). */
	const void *scx_inst;
	bool audit_denied;		/* audit mode: last verdict was "deny" */
	/* A decision taken before the ID existed, reported once it does. */
	const char *held_op, *held_detail;
	bool held_enforced;
	bool holds_module;		/* revoked: a reference on lsmrevoke */
	/* References a tail-call probe refused and left to drop. */
	atomic_t kept_refs;
	char name[BPF_OBJ_NAME_LEN];
	char loader_comm[TASK_COMM_LEN];	/* "" when found by the walk */
	u32 sites[LSMREVOKE_NR_REQ];	/* first instruction per requirement */
};

int lsmrevoke_track_init(void);
int lsmrevoke_track_existing(void);
void lsmrevoke_track_exit(void);
unsigned int lsmrevoke_track_count(void);
int lsmrevoke_track_add(const struct bpf_prog *prog, enum lsmrevoke_src src,
			u32 *flags);
void lsmrevoke_track_del(const struct bpf_prog *prog);
struct lsmrevoke_entry *lsmrevoke_track_find(const struct bpf_prog *prog);
struct lsmrevoke_entry *lsmrevoke_track_get(struct bpf_prog *prog);
unsigned int lsmrevoke_track_state(const struct bpf_prog *prog);
bool lsmrevoke_track_revoked(const struct bpf_prog *prog);
void lsmrevoke_track_hold_module(struct lsmrevoke_entry *e, bool hold);
bool lsmrevoke_track_keep_ref(const struct bpf_prog *prog);
void lsmrevoke_track_drop_kept(void (*put)(struct bpf_prog *prog));
void lsmrevoke_track_for_each(void (*fn)(const struct lsmrevoke_entry *e,
					 void *data),
			      void *data);

#endif /* _LSMREVOKE_TRACK_H */
