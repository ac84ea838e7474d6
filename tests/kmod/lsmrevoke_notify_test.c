// SPDX-License-Identifier: GPL-2.0
/*
 * lsmrevoke_notify_test: raises the blocking LSM policy-change notifier
 * once, from its init, the way SELinux does on a policy load, so that the
 * guest suite can show that lsmrevoke revalidates on it without a write to
 * its revalidate file. Loading it does nothing else; it stays loaded until
 * rmmod.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/security.h>

static int __init notify_test_init(void)
{
	int ret = call_blocking_lsm_notifier(LSM_POLICY_CHANGE, NULL);

	pr_info("LSM_POLICY_CHANGE notifier chain returned %d\n", ret);
	return 0;
}

static void __exit notify_test_exit(void)
{
}

module_init(notify_test_init);
module_exit(notify_test_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("lsmrevoke test: call the LSM policy-change notifier");
