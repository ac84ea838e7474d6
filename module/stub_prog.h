/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LSMREVOKE_STUB_PROG_H
#define _LSMREVOKE_STUB_PROG_H

/* Where a tracked program stands with respect to revocation. */
enum lsmrevoke_state {
	LSMREVOKE_STATE_ACTIVE,		/* its own code runs */
};

const char *lsmrevoke_state_name(unsigned int state);

#endif /* _LSMREVOKE_STUB_PROG_H */
