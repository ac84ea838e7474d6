// SPDX-License-Identifier: GPL-2.0
/*
 * Reporting a decision: one rate-limited log line, one audit record (type
 * BPF) and one line in the events ring, each naming the program, what was
 * decided and why:
 *
 *   op=revoke|restore|unrevocable|inflight|withdraw prog-id=N
 *   prog-name=NAME prog-type=TYPE reason=R loader-uid=U enforced=0|1
 *
 * In audit mode (enforced=0) the log line reads "audit: would <op> ...".
 * An unrevocable program is a warning: the policy denies it and it keeps
 * running. So is a withdrawn one (lsmrevoke_report_withdraw): what ran it
 * was taken out of service, one-way, and the log line names it.
 */
#include <linux/audit.h>
#include <linux/cred.h>
#include <linux/ratelimit.h>
#include <linux/string.h>

#include "events.h"
#include "prog_type.h"
#include "report.h"
#include "track.h"

/* The event and the audit record of a decision. */
static void record(const char *op, const struct lsmrevoke_entry *e,
		   const char *detail, bool enforced)
{
	const char *type = lsmrevoke_prog_type_name(e->type);
	const char *name = e->name[0] ? e->name : "-";
	struct audit_buffer *ab;
	int uid = -1;

	if (e->cred)
		uid = from_kuid(&init_user_ns, e->cred->euid);
	lsmrevoke_event(op, e->id, type, name, detail, enforced);
	if (audit_enabled == AUDIT_OFF)
		return;
	ab = audit_log_start(audit_context(), GFP_KERNEL, AUDIT_BPF);
	if (!ab)
		return;
	audit_log_format(ab, "op=%s prog-id=%u prog-name=%s prog-type=%s",
			 op, e->id, name, type);
	audit_log_format(ab, " reason=%s loader-uid=%d enforced=%d", detail,
			 uid, enforced);
	audit_log_end(ab);
}

/* @op is revoke, restore or unrevocable; @detail the reason or the why. */
void lsmrevoke_report(const char *op, const struct lsmrevoke_entry *e,
		      const char *detail, bool enforced)
{
	const char *type = lsmrevoke_prog_type_name(e->type);
	const char *name = e->name[0] ? e->name : "-";

	if (!strcmp(op, "unrevocable"))
		pr_warn_ratelimited("prog %u (%s, %s) is denied but keeps running: unrevocable: %s\n",
				    e->id, name, type, detail);
	else
		pr_info_ratelimited("%s%s prog %u (%s, %s): %s\n",
				    enforced ? "" : "audit: would ", op, e->id,
				    name, type, detail);
	record(op, e, detail, enforced);
}

/*
 * @e's sched_ext scheduler @sched was taken out of service because the
 * policy denies @detail (a requirement name); @again: it had been taken
 * out before, and was registered again.
 */
void lsmrevoke_report_withdraw(const struct lsmrevoke_entry *e,
			       const char *detail, const char *sched,
			       bool again)
{
	pr_warn_ratelimited("prog %u (%s) is denied %s: sched_ext scheduler %s taken out of service%s (one-way: a policy that allows it again does not re-enable it)\n",
			    e->id, e->name[0] ? e->name : "-", detail, sched,
			    again ? " again" : "");
	record("withdraw", e, detail, true);
}
