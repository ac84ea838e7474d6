// SPDX-License-Identifier: GPL-2.0
/*
 * The probes lsmrevoke places in the kernel, installed from one table.
 *
 * Each handler belongs to the file of its concept; this file only owns the
 * table and its install/uninstall loop. A required probe that cannot be
 * placed fails init and names its symbol; uninstall is idempotent and says
 * when a probe missed events (a kprobe misses when it fires recursively).
 */
#include <linux/kernel.h>
#include <linux/kprobes.h>

#include "hooks.h"
#include "track.h"

struct hook {
	const char *symbol;
	kprobe_pre_handler_t handler;
	bool required;
	bool installed;
	struct kprobe kp;
};

static struct hook hooks[] = {
	{
		/* Program load and unload, both while the ID is valid. */
		.symbol = "perf_event_bpf_event",
		.handler = lsmrevoke_track_prog_event,
		.required = true,
	},
};

static void uninstall(struct hook *h)
{
	if (!h->installed)
		return;
	unregister_kprobe(&h->kp);
	h->installed = false;
	if (h->kp.nmissed)
		pr_warn("probe on %s missed %lu events\n", h->symbol,
			h->kp.nmissed);
}

void lsmrevoke_hooks_exit(void)
{
	unsigned int i = ARRAY_SIZE(hooks);

	while (i--)
		uninstall(&hooks[i]);
}

int lsmrevoke_hooks_init(void)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(hooks); i++) {
		struct hook *h = &hooks[i];

		memset(&h->kp, 0, sizeof(h->kp));
		h->kp.symbol_name = h->symbol;
		h->kp.pre_handler = h->handler;
		ret = register_kprobe(&h->kp);
		if (!ret) {
			h->installed = true;
			continue;
		}
		if (h->required) {
			pr_err("cannot probe required symbol %s: %d\n",
			       h->symbol, ret);
			lsmrevoke_hooks_exit();
			return ret;
		}
		pr_info("optional probe on %s not placed: %d\n", h->symbol, ret);
	}
	return 0;
}
