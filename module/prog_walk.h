/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LSMREVOKE_PROG_WALK_H
#define _LSMREVOKE_PROG_WALK_H

#include <linux/bpf.h>
#include <linux/seq_file.h>

int lsmrevoke_prog_walk_ids(struct seq_file *m);
int lsmrevoke_prog_walk(int (*fn)(struct bpf_prog *prog, void *data),
			void *data);
struct bpf_prog *lsmrevoke_prog_get_by_id(u32 id);
int lsmrevoke_map_walk(enum bpf_map_type type,
		       int (*fn)(struct bpf_map *map, void *data), void *data);

#endif /* _LSMREVOKE_PROG_WALK_H */
