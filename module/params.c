// SPDX-License-Identifier: GPL-2.0
/*
 * The administrator's settings: the module parameters that shape
 * decisions, and their run-time values.
 *
 *   mode=enforce|audit   audit decides and logs, and patches nothing
 *   strict=0|1           1: requirements count what the table's
 *                        strict_adds say (btf_read as bpf_read_kernel)
 *   on_revoke=detach|deny  what a revoked program returns
 *   revalidate_interval=S  seconds between checks for a policy change
 *                        the probes missed (0: none)
 *
 * mode and strict can be changed later through securityfs; pass.c applies
 * such a change (lsmrevoke_pass_set_mode/strict), between passes. Testing
 * and debugging parameters belong to the file they act on (ksyms.c,
 * layout.c, fault.c). Values are read locklessly (READ_ONCE).
 */
#include <linux/moduleparam.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "params.h"

static bool audit_mode;
static bool strict;
static bool on_revoke_deny;

/* Parses "enforce" or "audit"; -EINVAL for anything else. */
int lsmrevoke_params_parse_mode(const char *val, bool *audit)
{
	if (sysfs_streq(val, "enforce")) {
		*audit = false;
		return 0;
	}
	if (sysfs_streq(val, "audit")) {
		*audit = true;
		return 0;
	}
	return -EINVAL;
}

bool lsmrevoke_params_audit(void)
{
	return READ_ONCE(audit_mode);
}

const char *lsmrevoke_params_mode(void)
{
	return lsmrevoke_params_audit() ? "audit" : "enforce";
}

void lsmrevoke_params_set_audit(bool audit)
{
	WRITE_ONCE(audit_mode, audit);
}

static int mode_param_set(const char *val, const struct kernel_param *kp)
{
	if (lsmrevoke_params_parse_mode(val, &audit_mode)) {
		pr_err("mode: '%s' is neither 'enforce' nor 'audit'\n", val);
		return -EINVAL;
	}
	return 0;
}

static int mode_param_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", lsmrevoke_params_mode());
}

static const struct kernel_param_ops mode_ops = {
	.set = mode_param_set,
	.get = mode_param_get,
};

module_param_cb(mode, &mode_ops, NULL, 0444);
MODULE_PARM_DESC(mode,
		 "enforce (revoke) or audit (log decisions, patch nothing); also /sys/kernel/security/lsmrevoke/mode [enforce]");

/*
 * Strict mode: a program that reads kernel memory through BTF pointers
 * (btf_read) also requires bpf_read_kernel. The kernel gates no such load;
 * lsmrevoke is then the only gate.
 */
module_param(strict, bool, 0444);
MODULE_PARM_DESC(strict,
		 "1: btf_read programs also require bpf_read_kernel; also /sys/kernel/security/lsmrevoke/strict [0]");

/* Parses "0" or "1"; -EINVAL for anything else. */
int lsmrevoke_params_parse_strict(const char *val, bool *on)
{
	if (sysfs_streq(val, "1"))
		*on = true;
	else if (sysfs_streq(val, "0"))
		*on = false;
	else
		return -EINVAL;
	return 0;
}

bool lsmrevoke_params_strict(void)
{
	return READ_ONCE(strict);
}

void lsmrevoke_params_set_strict(bool on)
{
	WRITE_ONCE(strict, on);
}

static int on_revoke_set(const char *val, const struct kernel_param *kp)
{
	if (sysfs_streq(val, "detach")) {
		on_revoke_deny = false;
		return 0;
	}
	if (sysfs_streq(val, "deny")) {
		on_revoke_deny = true;
		return 0;
	}
	pr_err("on_revoke: '%s' is neither 'detach' nor 'deny'\n", val);
	return -EINVAL;
}

static int on_revoke_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", on_revoke_deny ? "deny" : "detach");
}

static const struct kernel_param_ops on_revoke_ops = {
	.set = on_revoke_set,
	.get = on_revoke_get,
};

module_param_cb(on_revoke, &on_revoke_ops, NULL, 0444);
MODULE_PARM_DESC(on_revoke,
		 "what a revoked program returns: detach (as if detached) or deny (fail closed) [detach]");

/* on_revoke=deny: stubs return fail-closed values. */
bool lsmrevoke_params_deny(void)
{
	return READ_ONCE(on_revoke_deny);
}

/*
 * The backstop: every revalidate_interval seconds, a pass if lockdown
 * changed since the last pass judged it (sources.c). A check that finds
 * nothing changed costs a read of one variable.
 */
static unsigned int revalidate_interval = 5;

static int interval_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;

	if (kstrtouint(val, 0, &v) || v > 3600) {
		pr_err("revalidate_interval: '%s' is not a number of seconds from 0 to 3600\n",
		       val);
		return -EINVAL;
	}
	revalidate_interval = v;
	return 0;
}

static const struct kernel_param_ops interval_ops = {
	.set = interval_set,
	.get = param_get_uint,
};

module_param_cb(revalidate_interval, &interval_ops, &revalidate_interval,
		0444);
MODULE_PARM_DESC(revalidate_interval,
		 "seconds between checks for a lockdown change the probes missed; 0: never [5]");

unsigned int lsmrevoke_params_interval(void)
{
	return READ_ONCE(revalidate_interval);
}
