// SPDX-License-Identifier: GPL-2.0
/*
 * lsmrevoke: revokes loaded BPF programs in place when lockdown policy
 * tightens after they were verified. This file only brings the parts up
 * and down, in reverse order.
 */
#include <linux/module.h>

#include "defer.h"
#include "fs.h"
#include "guard.h"
#include "hooks.h"
#include "judge.h"
#include "ksyms.h"
#include "layout.h"
#include "pass.h"
#include "patch.h"
#include "requirement.h"
#include "sources.h"
#include "stub_prog.h"
#include "tailcall.h"
#include "track.h"
#include "version.h"

/*
 * Nothing new is judged, deferred work is done, every revoked program is
 * restored (while the probes still keep the table exact), the probes go,
 * and then nothing can still be inside a stub. Safe after a partial init.
 */
static void lsmrevoke_stop(void)
{
	lsmrevoke_sources_exit();
	lsmrevoke_defer_exit();
	lsmrevoke_pass_exit();
	lsmrevoke_judge_exit();
	lsmrevoke_hooks_exit();
	lsmrevoke_sources_leave_wrapper();
	lsmrevoke_guard_exit();
	lsmrevoke_stub_exit();
	lsmrevoke_patch_exit();
	lsmrevoke_tailcall_exit();
}

/* The tail-call probes learn about programs from the table. */
static const struct lsmrevoke_tailcall_ops tailcall_ops = {
	.revoked = lsmrevoke_track_revoked,
	.keep_ref = lsmrevoke_track_keep_ref,
	.drop_kept = lsmrevoke_track_drop_kept,
};

static int __init lsmrevoke_init(void)
{
	int ret;

	ret = lsmrevoke_ksyms_init();
	if (ret)
		return ret;

	ret = lsmrevoke_requirement_init();
	if (ret)
		return ret;

	ret = lsmrevoke_layout_init();
	if (ret)
		return ret;

	ret = lsmrevoke_track_init();
	if (ret)
		return ret;

	ret = lsmrevoke_tailcall_init(&tailcall_ops);
	if (ret)
		goto err_track;

	ret = lsmrevoke_judge_init();
	if (ret)
		goto err_unwind;

	ret = lsmrevoke_defer_init();
	if (ret)
		goto err_unwind;

	ret = lsmrevoke_guard_init();
	if (ret)
		goto err_unwind;

	ret = lsmrevoke_hooks_init();
	if (ret)
		goto err_unwind;

	ret = lsmrevoke_track_existing();
	if (ret)
		goto err_unwind;

	ret = lsmrevoke_sources_init();
	if (ret)
		goto err_unwind;

	ret = lsmrevoke_fs_init();
	if (ret)
		goto err_unwind;

	pr_info("version %s loaded, tracking %u programs\n", LSMREVOKE_VERSION,
		lsmrevoke_track_count());
	return 0;

	/* Every step from judge_init on is undone by the same calls. */
err_unwind:
	lsmrevoke_stop();
err_track:
	lsmrevoke_track_exit();
	return ret;
}

/* Mirrors init. */
static void __exit lsmrevoke_exit(void)
{
	lsmrevoke_fs_exit();
	lsmrevoke_stop();
	lsmrevoke_track_exit();
	pr_info("version %s unloaded\n", LSMREVOKE_VERSION);
}

module_init(lsmrevoke_init);
module_exit(lsmrevoke_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Revoke loaded BPF programs when lockdown policy tightens");
MODULE_VERSION(LSMREVOKE_VERSION);
MODULE_AUTHOR("The lsmrevoke developers");
