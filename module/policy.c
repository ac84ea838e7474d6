// SPDX-License-Identifier: GPL-2.0
/*
 * Policy: which lockdown reason each requirement stands for.
 *
 * A requirement flag found by the scanner maps to the lockdown reason the
 * verifier checks for the same helpers at load time; the names are the
 * kernel's own (enum lockdown_reason, lower case). btf_read maps to no
 * reason: the kernel gates no BTF-pointer load, so it is informational.
 *
 * Evaluating requirements against the policy in force (security_locked_down
 * under the loader's credentials) and reacting to policy changes belong
 * here too; they arrive with revocation.
 */
#include <linux/kernel.h>
#include <linux/security.h>

#include "policy.h"
#include "prog_walk.h"

struct requirement {
	u32 flag;
	int reason;		/* enum lockdown_reason, or -1 for none */
	const char *name;
};

static const struct requirement requirements[] = {
	{ LSMREVOKE_REQ_READ_KERNEL, LOCKDOWN_BPF_READ_KERNEL, "bpf_read_kernel" },
	{ LSMREVOKE_REQ_WRITE_USER, LOCKDOWN_BPF_WRITE_USER, "bpf_write_user" },
	{ LSMREVOKE_REQ_BTF_READ, -1, "btf_read" },
};

/* Prints @flags as the interface's <requires> field: "a,b" or "-". */
void lsmrevoke_policy_show_requires(struct seq_file *m, u32 flags)
{
	bool first = true;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(requirements); i++) {
		if (!(flags & requirements[i].flag))
			continue;
		if (!first)
			seq_putc(m, ',');
		seq_puts(m, requirements[i].name);
		first = false;
	}
	if (first)
		seq_putc(m, '-');
}
