// SPDX-License-Identifier: GPL-2.0
/*
 * The securityfs interface, /sys/kernel/security/lsmrevoke/.
 *
 *   programs  one line per tracked program:
 *             <id> <type> <name> <requires> <state> uid=<euid|-> src=<load|walk>
 *             sites=<requirement>@<insn>,...|-
 *   revalidate  write "1": a full revalidation pass, done when the write
 *             returns; anything else is -EINVAL
 *   mode      "enforce" or "audit"; writing one applies it at once
 *   strict    "0" or "1"; writing one applies it at once
 *   stats     counts of programs per state and of revocations, restores
 *             and passes, "<key> <value>" per line
 *   events    the decision log: one line per revoke, restore or
 *             unrevocable decision, pollable, see events.c
 *   kernel_programs  the IDs in prog_idr, read directly, one per line
 *   symbols   the kernel symbols lsmrevoke resolved, how their entry looks
 *             and whether it is entered through an IBT-safe thunk
 *
 * Every file is root's only (0400 or 0200) and its open also demands
 * CAP_SYS_ADMIN, so a task that is root by uid but without the capability
 * is refused too.
 */
#include <linux/capability.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/security.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/uidgid.h>

#include "fault.h"
#include "events.h"
#include "fs.h"
#include "ksyms.h"
#include "policy.h"
#include "prog_walk.h"
#include "stub_prog.h"
#include "track.h"

static struct dentry *dir;
static struct dentry *dentries[8];

/*
 * The files' fops name no owner: the VFS would take the module reference
 * itself, and an open racing with rmmod (module already going, files not
 * yet removed) then makes do_dentry_open() WARN. Opens take the reference
 * here instead and fail cleanly with -ENODEV once the module is going;
 * module exit removes the files and then waits for tasks-RCU, so no open
 * can still be inside this code when it goes.
 */
int lsmrevoke_fs_get(void)
{
	return try_module_get(THIS_MODULE) ? 0 : -ENODEV;
}

void lsmrevoke_fs_put(void)
{
	module_put(THIS_MODULE);
}

static int open_root(struct inode *inode, struct file *file,
		     int (*show)(struct seq_file *m, void *v))
{
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ret = lsmrevoke_fs_get();
	if (ret)
		return ret;
	ret = single_open(file, show, NULL);
	if (ret)
		lsmrevoke_fs_put();
	return ret;
}

static int release_root(struct inode *inode, struct file *file)
{
	int ret = single_release(inode, file);

	lsmrevoke_fs_put();
	return ret;
}

static void show_entry(const struct lsmrevoke_entry *e, void *data)
{
	struct seq_file *m = data;
	unsigned int state;

	seq_printf(m, "%u %s %s ", e->id, lsmrevoke_prog_type_name(e->type),
		   e->name[0] ? e->name : "-");
	lsmrevoke_policy_show_requires(m, e->flags);
	state = READ_ONCE(e->state);
	seq_printf(m, " %s", lsmrevoke_state_name(state));
	if (state == LSMREVOKE_STATE_UNREVOCABLE)
		seq_printf(m, ":%s", lsmrevoke_why_name(READ_ONCE(e->why)));
	if (e->cred)
		seq_printf(m, " uid=%u",
			   from_kuid_munged(seq_user_ns(m), e->cred->euid));
	else
		seq_puts(m, " uid=-");
	seq_printf(m, " src=%s", e->src == LSMREVOKE_SRC_LOAD ? "load" : "walk");
	lsmrevoke_policy_show_sites(m, e);
	seq_putc(m, '\n');
}

static int programs_show(struct seq_file *m, void *v)
{
	seq_puts(m, "# id type name requires state uid src sites\n");
	lsmrevoke_track_for_each(show_entry, m);
	return 0;
}

static int stats_show(struct seq_file *m, void *v)
{
	lsmrevoke_policy_show_stats(m);
	return 0;
}

static int kernel_programs_show(struct seq_file *m, void *v)
{
	return lsmrevoke_prog_walk_ids(m);
}

static int kernel_programs_open(struct inode *inode, struct file *file)
{
	return open_root(inode, file, kernel_programs_show);
}

static const struct file_operations kernel_programs_fops = {
	.open = kernel_programs_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = release_root,
};

static int symbols_show(struct seq_file *m, void *v)
{
	lsmrevoke_ksyms_show(m);
	return 0;
}

static int programs_open(struct inode *inode, struct file *file)
{
	return open_root(inode, file, programs_show);
}

static int symbols_open(struct inode *inode, struct file *file)
{
	return open_root(inode, file, symbols_show);
}

static int stats_open(struct inode *inode, struct file *file)
{
	return open_root(inode, file, stats_show);
}

static int revalidate_open(struct inode *inode, struct file *file)
{
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ret = lsmrevoke_fs_get();
	if (ret)
		return ret;
	return nonseekable_open(inode, file);
}

static int revalidate_release(struct inode *inode, struct file *file)
{
	lsmrevoke_fs_put();
	return 0;
}

/* Exactly "1" or "1\n"; each write is one command, whatever the offset. */
static ssize_t revalidate_write(struct file *file, const char __user *ubuf,
				size_t len, loff_t *ppos)
{
	char buf[2];
	int ret;

	if (!len || len > sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	if (buf[0] != '1' || (len == 2 && buf[1] != '\n'))
		return -EINVAL;
	ret = lsmrevoke_revalidate();
	return ret ? ret : len;
}

static const struct file_operations programs_fops = {
	.open = programs_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = release_root,
};

static const struct file_operations symbols_fops = {
	.open = symbols_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = release_root,
};

static int mode_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%s\n", lsmrevoke_policy_mode());
	return 0;
}

static int mode_open(struct inode *inode, struct file *file)
{
	return open_root(inode, file, mode_show);
}

/*
 * A short setting written to a file: at most 15 bytes, optionally
 * newline-terminated, no NUL inside; @set parses and applies it.
 */
static ssize_t write_setting(const char __user *ubuf, size_t len,
			     int (*set)(const char *val))
{
	char buf[16];
	int ret;

	if (!len || len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (strlen(buf) != len)
		return -EINVAL;
	ret = set(buf);
	return ret ? ret : len;
}

/* "enforce" or "audit". */
static ssize_t mode_write(struct file *file, const char __user *ubuf,
			  size_t len, loff_t *ppos)
{
	return write_setting(ubuf, len, lsmrevoke_policy_set_mode);
}

static const struct file_operations mode_fops = {
	.open = mode_open,
	.read = seq_read,
	.write = mode_write,
	.llseek = seq_lseek,
	.release = release_root,
};

static int strict_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%d\n", lsmrevoke_policy_strict());
	return 0;
}

static int strict_open(struct inode *inode, struct file *file)
{
	return open_root(inode, file, strict_show);
}

/* "0" or "1". */
static ssize_t strict_write(struct file *file, const char __user *ubuf,
			    size_t len, loff_t *ppos)
{
	return write_setting(ubuf, len, lsmrevoke_policy_set_strict);
}

static const struct file_operations strict_fops = {
	.open = strict_open,
	.read = seq_read,
	.write = strict_write,
	.llseek = seq_lseek,
	.release = release_root,
};

static const struct file_operations stats_fops = {
	.open = stats_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = release_root,
};

static const struct file_operations revalidate_fops = {
	.open = revalidate_open,
	.write = revalidate_write,
	.release = revalidate_release,
};

static const struct {
	const char *name;
	umode_t mode;
	const struct file_operations *fops;
} files[] = {
	{ "events", 0400, &lsmrevoke_events_fops },
	{ "kernel_programs", 0400, &kernel_programs_fops },
	{ "mode", 0600, &mode_fops },
	{ "programs", 0400, &programs_fops },
	{ "revalidate", 0200, &revalidate_fops },
	{ "stats", 0400, &stats_fops },
	{ "strict", 0600, &strict_fops },
	{ "symbols", 0400, &symbols_fops },
};

int lsmrevoke_fs_init(void)
{
	unsigned int i;
	int ret;

	dir = securityfs_create_dir(KBUILD_MODNAME, NULL);
	if (IS_ERR(dir)) {
		ret = PTR_ERR(dir);
		pr_err("cannot create securityfs directory: %d\n", ret);
		return ret;
	}
	BUILD_BUG_ON(ARRAY_SIZE(files) != ARRAY_SIZE(dentries));
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		char site[32];
		struct dentry *d;

		snprintf(site, sizeof(site), "fs:%s", files[i].name);
		d = lsmrevoke_fault(site) ? ERR_PTR(-ENOMEM) :
		    securityfs_create_file(files[i].name, files[i].mode, dir,
					   NULL, files[i].fops);

		if (IS_ERR(d)) {
			ret = PTR_ERR(d);
			pr_err("cannot create securityfs file %s: %d\n",
			       files[i].name, ret);
			lsmrevoke_fs_exit();
			return ret;
		}
		dentries[i] = d;
	}
	return 0;
}

/*
 * An open still in its path walk when its file is removed (it then fails
 * with -ENODEV: the module is going) holds the file's dentry, which stays
 * positive until the walk lets go; the directory cannot be removed before
 * that. securityfs_remove() does not retry: the directory would stay for
 * good, and every later load would fail with -EEXIST. Waits for such
 * walks, at most 5 s.
 */
static void wait_dir_empty(void)
{
	unsigned int waited;

	for (waited = 0; waited < 250 && !simple_empty(dir); waited++)
		msleep(20);
	if (!simple_empty(dir))
		pr_err("securityfs directory still in use after 5 s; the next load may fail with -EEXIST\n");
}

/* Removes what exists, files before their directory; safe to call twice. */
void lsmrevoke_fs_exit(void)
{
	unsigned int i = ARRAY_SIZE(dentries);

	while (i--) {
		securityfs_remove(dentries[i]);
		dentries[i] = NULL;
	}
	if (IS_ERR_OR_NULL(dir))
		return;
	wait_dir_empty();
	securityfs_remove(dir);
	dir = NULL;
}
