// SPDX-License-Identifier: GPL-2.0
/*
 * Stub programs and the states of a tracked program.
 *
 * Revocation (patching every entry of a program so that it lands in a stub
 * returning the program type's as-if-detached value) is not implemented
 * yet: every tracked program is "active". This file owns the state names
 * that the interface prints, so that the revoked and unrevocable states
 * join them here.
 */
#include <linux/kernel.h>

#include "stub_prog.h"

static const char * const state_names[] = {
	[LSMREVOKE_STATE_ACTIVE] = "active",
};

const char *lsmrevoke_state_name(unsigned int state)
{
	if (state < ARRAY_SIZE(state_names) && state_names[state])
		return state_names[state];
	return "unknown";
}
