// SPDX-License-Identifier: GPL-2.0
/*
 * Walking the kernel's programs and maps.
 *
 * The walk visits prog_idr under prog_idr_lock, one ID at a time, and takes
 * a reference before leaving the lock, so the callback always sees a live
 * program. Programs whose last reference is already gone are skipped: their
 * free path is under way. map_idr is walked the same way.
 */
#include <linux/bpf.h>
#include <linux/sched.h>

#include "ksyms.h"
#include "prog_walk.h"

/*
 * The IDs in the kernel's own program list, one per line, read straight
 * from prog_idr: what BPF_PROG_GET_NEXT_ID should show, whoever hides it.
 */
int lsmrevoke_prog_walk_ids(struct seq_file *m)
{
	struct bpf_prog *prog;
	int id = 0;

	spin_lock_bh(lsmrevoke_ksyms.prog_idr_lock);
	while ((prog = idr_get_next(lsmrevoke_ksyms.prog_idr, &id))) {
		seq_printf(m, "%d\n", id);
		id++;
	}
	spin_unlock_bh(lsmrevoke_ksyms.prog_idr_lock);
	return 0;
}

/*
 * Calls @fn for every program in prog_idr, in ID order, with a reference
 * held; stops at the first non-zero return and passes it on. May sleep.
 */
int lsmrevoke_prog_walk(int (*fn)(struct bpf_prog *prog, void *data),
			void *data)
{
	spinlock_t *lock = lsmrevoke_ksyms.prog_idr_lock;
	struct bpf_prog *prog;
	int id = 0, ret = 0;

	for (;;) {
		spin_lock_bh(lock);
		prog = idr_get_next(lsmrevoke_ksyms.prog_idr, &id);
		if (prog)
			prog = bpf_prog_inc_not_zero(prog);
		spin_unlock_bh(lock);
		if (!prog)
			break;
		id++;
		if (IS_ERR(prog))
			continue;
		ret = fn(prog, data);
		bpf_prog_put(prog);
		if (ret)
			break;
		cond_resched();
	}
	return ret;
}

/* The live program with @id, with a reference held, or NULL. */
struct bpf_prog *lsmrevoke_prog_get_by_id(u32 id)
{
	struct bpf_prog *prog;

	spin_lock_bh(lsmrevoke_ksyms.prog_idr_lock);
	prog = idr_find(lsmrevoke_ksyms.prog_idr, id);
	if (prog)
		prog = bpf_prog_inc_not_zero(prog);
	spin_unlock_bh(lsmrevoke_ksyms.prog_idr_lock);
	return IS_ERR_OR_NULL(prog) ? NULL : prog;
}

/*
 * Calls @fn for every map of @type in map_idr, in ID order, with a map
 * reference held; stops at the first non-zero return and passes it on.
 * The reference is taken the way the kernel's own __bpf_map_inc_not_zero()
 * does (that function is not exported, and bpf_map_inc_not_zero() takes
 * map_idr_lock itself). May sleep.
 */
int lsmrevoke_map_walk(enum bpf_map_type type,
		       int (*fn)(struct bpf_map *map, void *data), void *data)
{
	spinlock_t *lock = lsmrevoke_ksyms.map_idr_lock;
	struct bpf_map *map;
	int id = 0, ret = 0;
	bool got;

	for (;;) {
		got = false;
		spin_lock_bh(lock);
		map = idr_get_next(lsmrevoke_ksyms.map_idr, &id);
		if (map && map->map_type == type)
			got = atomic64_inc_not_zero(&map->refcnt);
		spin_unlock_bh(lock);
		if (!map)
			break;
		id++;
		if (!got)
			continue;
		ret = fn(map, data);
		bpf_map_put(map);
		if (ret)
			break;
		cond_resched();
	}
	return ret;
}
