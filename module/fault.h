/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LSMREVOKE_FAULT_H
#define _LSMREVOKE_FAULT_H

#include <linux/types.h>

/*
 * Fault injection for tests, in debug builds only (LSMREVOKE_DEBUG=y):
 * lsmrevoke_fault("site") is true when the fail_site parameter names that
 * site. Production builds compile every check away.
 */
#ifdef DEBUG
bool lsmrevoke_fault(const char *site);
#else
static inline bool lsmrevoke_fault(const char *site)
{
	return false;
}
#endif

#endif /* _LSMREVOKE_FAULT_H */
