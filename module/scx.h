/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LSMREVOKE_SCX_H
#define _LSMREVOKE_SCX_H

#include <linux/types.h>

struct bpf_prog;

/* The longest scheduler name lsmrevoke reports (sched_ext allows 128). */
#define LSMREVOKE_SCX_NAME_LEN	64

bool lsmrevoke_scx_prog(const struct bpf_prog *prog);
int lsmrevoke_scx_withdraw(struct bpf_prog *prog, const char *msg,
			   char *name, size_t len, const void **inst);

#endif /* _LSMREVOKE_SCX_H */
