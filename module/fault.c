// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only fault injection (debug builds). fail_site=<site> makes every
 * pass through that site fail as if the resource were missing:
 *
 *   ksym:<symbol>     the symbol does not resolve
 *   layout            the layout check finds an unknown kernel
 *   alloc:cache       the shadow table's slab cache
 *   alloc:entry       a shadow-table entry
 *   alloc:slot        a tail-call slot record
 *   tailcall:refuse   the return probe on prog_fd_array_get_ptr lets a
 *                     revoked program through (as if it had missed)
 *   alloc:defer       deferred work for a probe (the reserve is used)
 *   defer:reserve     deferred work for a probe, and its reserve
 *   alloc:drain       the wait for sleepable runs after a revocation
 *   alloc:wq          a workqueue
 *   hook:<symbol>     the probe on that symbol
 *   notifier          the LSM notifier registration
 *   guard:kprobes     kprobes are found disarmed at init
 *   guard:ftrace      the permanent ftrace_ops cannot be registered
 *   fs:<file>         that securityfs file
 *   poke              patching a program's entry
 *   restore           queueing a restore (or a rollback) of its entries
 *   compile:fail      a load fails after its program was compiled and
 *                     revoked (as a failed ID allocation would)
 *   unload:race       widens the race of a forced unload with a load:
 *                     the judgement of a compiled program that needs a
 *                     gated helper waits 2 s, once revoked it waits 4 s
 *                     more before its ID exists, and an unload waits 4 s
 *                     before passes stop
 */
#include <linux/moduleparam.h>
#include <linux/string.h>

#include "fault.h"

#ifdef DEBUG
static char *fail_site;
module_param(fail_site, charp, 0444);
MODULE_PARM_DESC(fail_site, "debug builds, testing only: the site that fails [none]");

bool lsmrevoke_fault(const char *site)
{
	if (!fail_site || strcmp(fail_site, site))
		return false;
	pr_info("injected fault at %s\n", site);
	return true;
}
#endif
