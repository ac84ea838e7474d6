/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LSMREVOKE_STUB_PROG_H
#define _LSMREVOKE_STUB_PROG_H

#include <linux/types.h>

struct bpf_prog;

/* No stub: the program cannot be revoked. */
#define LSMREVOKE_STUB_NONE	0

unsigned int lsmrevoke_stub_for(const struct bpf_prog *prog,
				unsigned int *why);
const void *lsmrevoke_stub_addr(unsigned int stub, bool callback);
void lsmrevoke_stub_exit(void);

#endif /* _LSMREVOKE_STUB_PROG_H */
