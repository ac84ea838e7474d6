/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LSMREVOKE_DEFER_H
#define _LSMREVOKE_DEFER_H

#include <linux/types.h>

int lsmrevoke_defer_init(void);
void lsmrevoke_defer_exit(void);
int lsmrevoke_defer(void (*fn)(u32 arg, const void *ptr), u32 arg,
		    const void *ptr);

#endif /* _LSMREVOKE_DEFER_H */
