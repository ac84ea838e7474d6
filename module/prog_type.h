/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LSMREVOKE_PROG_TYPE_H
#define _LSMREVOKE_PROG_TYPE_H

#include <linux/types.h>

const char *lsmrevoke_prog_type_name(u32 type);

#endif /* _LSMREVOKE_PROG_TYPE_H */
