/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LSMREVOKE_PROG_WALK_H
#define _LSMREVOKE_PROG_WALK_H

#include <linux/bits.h>
#include <linux/bpf.h>
#include <linux/seq_file.h>

/* What a program needs, as found in its verified instructions. */
#define LSMREVOKE_REQ_READ_KERNEL	BIT(0)	/* probe_read_kernel{,_str}, compat */
#define LSMREVOKE_REQ_WRITE_USER	BIT(1)	/* probe_write_user */
#define LSMREVOKE_REQ_BTF_READ		BIT(2)	/* PROBE_MEM loads, informational */
#define LSMREVOKE_NR_REQ		3

/* No instruction: a requirement's site when the program lacks it. */
#define LSMREVOKE_NO_SITE		U32_MAX

u32 lsmrevoke_prog_scan(const struct bpf_prog *prog,
			u32 sites[LSMREVOKE_NR_REQ]);
int lsmrevoke_prog_walk_ids(struct seq_file *m);
const char *lsmrevoke_prog_type_name(u32 type);
int lsmrevoke_prog_walk(int (*fn)(struct bpf_prog *prog, void *data),
			void *data);
struct bpf_prog *lsmrevoke_prog_get_by_id(u32 id);
int lsmrevoke_map_walk(enum bpf_map_type type,
		       int (*fn)(struct bpf_map *map, void *data), void *data);

#endif /* _LSMREVOKE_PROG_WALK_H */
