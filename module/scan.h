/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LSMREVOKE_SCAN_H
#define _LSMREVOKE_SCAN_H

#include <linux/types.h>

#include "requirement.h"

struct bpf_prog;

/* No instruction: a requirement's site when the program lacks it. */
#define LSMREVOKE_NO_SITE	U32_MAX

u32 lsmrevoke_scan(const struct bpf_prog *prog, u32 sites[LSMREVOKE_NR_REQ],
		   bool seen);

#endif /* _LSMREVOKE_SCAN_H */
