/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LSMREVOKE_LAYOUT_H
#define _LSMREVOKE_LAYOUT_H

#include <linux/types.h>

int lsmrevoke_layout_init(void);
bool lsmrevoke_layout_known(const void *image);

#endif /* _LSMREVOKE_LAYOUT_H */
