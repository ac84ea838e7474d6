// SPDX-License-Identifier: GPL-2.0
/*
 * The names of the states a tracked program goes through and of the
 * reasons it may be unrevocable, as securityfs, the log and the audit
 * records spell them.
 */
#include <linux/kernel.h>

#include "state.h"

static const char * const state_names[] = {
	[LSMREVOKE_STATE_ACTIVE] = "active",
	[LSMREVOKE_STATE_REVOKING] = "revoking",
	[LSMREVOKE_STATE_REVOKED] = "revoked",
	[LSMREVOKE_STATE_RESTORING] = "restoring",
	[LSMREVOKE_STATE_UNREVOCABLE] = "unrevocable",
	[LSMREVOKE_STATE_WITHDRAWN] = "withdrawn",
};

const char *lsmrevoke_state_name(unsigned int state)
{
	if (state < ARRAY_SIZE(state_names) && state_names[state])
		return state_names[state];
	return "unknown";
}

static const char * const why_names[LSMREVOKE_WHY_MAX] = {
	[LSMREVOKE_WHY_NONE] = "none",
	[LSMREVOKE_WHY_INTERPRETED] = "interpreted",
	[LSMREVOKE_WHY_ENTRY_IN_USE] = "entry_in_use",
	[LSMREVOKE_WHY_NO_KSYM] = "no_ksym",
	[LSMREVOKE_WHY_OUT_OF_RANGE] = "out_of_range",
	[LSMREVOKE_WHY_POKE_FAILED] = "poke_failed",
	[LSMREVOKE_WHY_STRUCT_OPS] = "struct_ops",
	[LSMREVOKE_WHY_EXT] = "ext",
	[LSMREVOKE_WHY_UNKNOWN_TYPE] = "unknown_type",
	[LSMREVOKE_WHY_NOMEM] = "nomem",
	[LSMREVOKE_WHY_UNKNOWN_LAYOUT] = "unknown_layout",
	[LSMREVOKE_WHY_UNKNOWN_ATTACH] = "unknown_attach",
};

const char *lsmrevoke_why_name(unsigned int why)
{
	if (why < ARRAY_SIZE(why_names) && why_names[why])
		return why_names[why];
	return "unknown";
}
