/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LSMREVOKE_LAYOUT_H
#define _LSMREVOKE_LAYOUT_H

#include <linux/types.h>

struct bpf_prog;

int lsmrevoke_layout_init(void);
bool lsmrevoke_layout_known(const void *image);
u8 *lsmrevoke_layout_site(void *image);
const u8 *lsmrevoke_layout_nop(void);
bool lsmrevoke_layout_is_check_prog(const struct bpf_prog *prog);

#endif /* _LSMREVOKE_LAYOUT_H */
