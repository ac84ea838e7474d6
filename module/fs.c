// SPDX-License-Identifier: GPL-2.0
/*
 * The securityfs interface, /sys/kernel/security/lsmrevoke/.
 *
 *   programs  one line per tracked program:
 *             <id> <type> <name> <requires> <state> uid=<euid|->
 *             src=<load|walk> sites=<requirement>@<insn>,...|-
 *             loader=<comm>:<pid>|walk
 *             Fields are only ever added at the end. loader= is the
 *             loading task's command name and thread-group ID (initial
 *             PID namespace) at load time, or "walk" when the program
 *             was found by the init walk (no loader known); in the name,
 *             every byte that is not printable ASCII (0x21-0x7e), and
 *             the backslash, is written \xHH (two lowercase hex
 *             digits), so that the field stays one token; the PID
 *             follows the name's last ':'.
 *   revalidate  write "1": a full revalidation pass, done when the write
 *             returns; anything else is -EINVAL
 *   mode      "enforce" or "audit"; writing one applies it at once
 *   strict    "0" or "1"; writing one applies it at once
 *   stats     counts of programs per state and of revocations, restores
 *             and passes, then of withdrawn programs and withdrawals
 *             (sched_ext schedulers taken out of service), "<key> <value>"
 *             per line
 *   events    the decision log: one line per revoke, restore or
 *             unrevocable decision, pollable, see events.c
 *   kernel_programs  the IDs in prog_idr, read directly, one per line
 *   symbols   the kernel symbols lsmrevoke resolved, how their entry looks
 *             and whether it is entered through an IBT-safe thunk
 *   requirements  the requirements table, one row per requirement in
 *             flag order: <name> <reason> <reason_nr> <level>
 *             <strict_adds> <detected_by...>, see requirement.c
 *
 * Every file is root's only (0400, 0600 or 0200) and its open also
 * demands CAP_SYS_ADMIN, so a task that is root by uid but without the
 * capability is refused too. This file only reads state and hands writes
 * to the pass (pass.c); it owns every file's operations.
 */
#include <linux/capability.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/security.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/uidgid.h>

#include "events.h"
#include "fault.h"
#include "fs.h"
#include "hooks.h"
#include "judge.h"
#include "ksyms.h"
#include "params.h"
#include "pass.h"
#include "prog_type.h"
#include "prog_walk.h"
#include "requirement.h"
#include "scan.h"
#include "sources.h"
#include "state.h"
#include "track.h"

/*
 * One file. Files with @show are seq files (and short settings when they
 * also have @set); the others have their own @fops. The inode's private
 * data points at the file's row.
 */
struct sfs_file {
	const char *name;
	umode_t mode;
	int (*show)(struct seq_file *m, void *v);
	int (*set)(const char *val);
	const struct file_operations *fops;
};

/*
 * The files' fops name no owner: the VFS would take the module reference
 * itself, and an open racing with rmmod (module already going, files not
 * yet removed) then makes do_dentry_open() WARN. Opens take the reference
 * here instead and fail cleanly with -ENODEV once the module is going;
 * module exit removes the files and then waits for tasks-RCU, so no open
 * can still be inside this code when it goes.
 */
static int fs_get(void)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return try_module_get(THIS_MODULE) ? 0 : -ENODEV;
}

static void fs_put(void)
{
	module_put(THIS_MODULE);
}

/* The sites= field: "name@insn,..." for each requirement found, or "-". */
static void show_sites(struct seq_file *m, const struct lsmrevoke_entry *e)
{
	bool first = true;
	unsigned int r;

	seq_puts(m, " sites=");
	for (r = 0; r < LSMREVOKE_NR_REQ; r++) {
		if (!(e->flags & BIT(r)))
			continue;
		seq_printf(m, "%s%s@", first ? "" : ",",
			   lsmrevoke_requirements[r].name);
		if (e->sites[r] == LSMREVOKE_NO_SITE)
			seq_putc(m, '-');
		else
			seq_printf(m, "%u", e->sites[r]);
		first = false;
	}
	if (first)
		seq_putc(m, '-');
}

/*
 * The loader= field: "<comm>:<pid>", the name escaped as \xHH for bytes
 * outside 0x21-0x7e and for '\', or "walk" when no loader is known.
 */
static void show_loader(struct seq_file *m, const struct lsmrevoke_entry *e)
{
	unsigned int i;
	u8 c;

	seq_puts(m, " loader=");
	if (e->src != LSMREVOKE_SRC_LOAD) {
		seq_puts(m, "walk");
		return;
	}
	for (i = 0; i < sizeof(e->loader_comm) && e->loader_comm[i]; i++) {
		c = e->loader_comm[i];
		if (c > ' ' && c < 0x7f && c != '\\')
			seq_putc(m, c);
		else
			seq_printf(m, "\\x%02x", c);
	}
	seq_printf(m, ":%d", e->loader_pid);
}

static void show_entry(const struct lsmrevoke_entry *e, void *data)
{
	struct seq_file *m = data;
	unsigned int state;
	u32 id = READ_ONCE(e->id);

	/* Not published yet: no task but its loader can name it. */
	if (!id)
		return;
	seq_printf(m, "%u %s %s ", id, lsmrevoke_prog_type_name(e->type),
		   e->name[0] ? e->name : "-");
	lsmrevoke_requirement_show_names(m, lsmrevoke_judge_effective(e->flags));
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
	show_sites(m, e);
	show_loader(m, e);
	seq_putc(m, '\n');
}

static int programs_show(struct seq_file *m, void *v)
{
	seq_puts(m, "# id type name requires state uid src sites loader\n");
	lsmrevoke_track_for_each(show_entry, m);
	return 0;
}

struct counts {
	unsigned long tracked, active, revoked, unrevocable, withdrawn;
};

static void count_entry(const struct lsmrevoke_entry *e, void *data)
{
	struct counts *c = data;

	if (!READ_ONCE(e->id))
		return;
	c->tracked++;
	switch (READ_ONCE(e->state)) {
	case LSMREVOKE_STATE_REVOKED:
		c->revoked++;
		break;
	case LSMREVOKE_STATE_UNREVOCABLE:
		c->unrevocable++;
		break;
	case LSMREVOKE_STATE_WITHDRAWN:
		c->withdrawn++;
		break;
	default:
		c->active++;
		break;
	}
}

static int stats_show(struct seq_file *m, void *v)
{
	struct lsmrevoke_pass_stats ps;
	struct counts c = {};

	lsmrevoke_track_for_each(count_entry, &c);
	lsmrevoke_pass_stats(&ps);
	seq_printf(m, "tracked %lu\nactive %lu\nrevoked %lu\nunrevocable %lu\n",
		   c.tracked, c.active, c.revoked, c.unrevocable);
	seq_printf(m, "revocations %ld\nrestores %ld\npasses %ld\n",
		   ps.revocations, ps.restores, ps.passes);
	/* Added later, so after the lines above. */
	seq_printf(m, "withdrawn %lu\nwithdrawals %ld\n", c.withdrawn,
		   ps.withdrawals);
	seq_printf(m, "compiled %ld\n", lsmrevoke_sources_compiled());
	return 0;
}

static int kernel_programs_show(struct seq_file *m, void *v)
{
	return lsmrevoke_prog_walk_ids(m);
}

static int symbols_show(struct seq_file *m, void *v)
{
	lsmrevoke_ksyms_show(m);
	lsmrevoke_requirement_show_symbols(m);
	lsmrevoke_hooks_show(m);
	return 0;
}

static int requirements_show(struct seq_file *m, void *v)
{
	lsmrevoke_requirement_show(m);
	return 0;
}

static int mode_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%s\n", lsmrevoke_params_mode());
	return 0;
}

static int strict_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%d\n", lsmrevoke_params_strict());
	return 0;
}

static int seq_open_file(struct inode *inode, struct file *file)
{
	const struct sfs_file *f = inode->i_private;
	int ret;

	ret = fs_get();
	if (ret)
		return ret;
	ret = single_open(file, f->show, NULL);
	if (ret)
		fs_put();
	return ret;
}

static int seq_release_file(struct inode *inode, struct file *file)
{
	int ret = single_release(inode, file);

	fs_put();
	return ret;
}

/*
 * A short setting written to a file: at most 15 bytes, optionally
 * newline-terminated, no NUL inside; the file's set() parses and applies
 * it ("enforce" or "audit" for mode, "0" or "1" for strict).
 */
static ssize_t setting_write(struct file *file, const char __user *ubuf,
			     size_t len, loff_t *ppos)
{
	const struct sfs_file *f = file_inode(file)->i_private;
	char buf[16];
	int ret;

	if (!len || len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (strlen(buf) != len)
		return -EINVAL;
	ret = f->set(buf);
	return ret ? ret : len;
}

static const struct file_operations seq_fops = {
	.open = seq_open_file,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = seq_release_file,
};

static const struct file_operations setting_fops = {
	.open = seq_open_file,
	.read = seq_read,
	.write = setting_write,
	.llseek = seq_lseek,
	.release = seq_release_file,
};

static int plain_open(struct inode *inode, struct file *file)
{
	int ret = fs_get();

	return ret ? ret : nonseekable_open(inode, file);
}

static int plain_release(struct inode *inode, struct file *file)
{
	fs_put();
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

static const struct file_operations revalidate_fops = {
	.open = plain_open,
	.write = revalidate_write,
	.release = plain_release,
};

/* events: each open file has its own cursor into the ring (events.c). */
static int events_open(struct inode *inode, struct file *file)
{
	u64 *cursor;
	int ret;

	cursor = kmalloc(sizeof(*cursor), GFP_KERNEL);
	if (!cursor)
		return -ENOMEM;
	ret = plain_open(inode, file);
	if (ret) {
		kfree(cursor);
		return ret;
	}
	*cursor = lsmrevoke_events_oldest();
	file->private_data = cursor;
	return 0;
}

static int events_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	return plain_release(inode, file);
}

static ssize_t events_read(struct file *file, char __user *ubuf, size_t len,
			   loff_t *ppos)
{
	return lsmrevoke_events_read(file->private_data, ubuf, len,
				     file->f_flags & O_NONBLOCK);
}

static __poll_t events_poll(struct file *file, poll_table *wait)
{
	return lsmrevoke_events_poll(file, wait, file->private_data);
}

static const struct file_operations events_fops = {
	.open = events_open,
	.read = events_read,
	.poll = events_poll,
	.release = events_release,
};

static const struct sfs_file files[] = {
	{ "events", 0400, .fops = &events_fops },
	{ "kernel_programs", 0400, kernel_programs_show },
	{ "mode", 0600, mode_show, lsmrevoke_pass_set_mode },
	{ "programs", 0400, programs_show },
	{ "requirements", 0400, requirements_show },
	{ "revalidate", 0200, .fops = &revalidate_fops },
	{ "stats", 0400, stats_show },
	{ "strict", 0600, strict_show, lsmrevoke_pass_set_strict },
	{ "symbols", 0400, symbols_show },
};

static struct dentry *dir;
static struct dentry *dentries[ARRAY_SIZE(files)];

static const struct file_operations *fops_of(const struct sfs_file *f)
{
	if (f->fops)
		return f->fops;
	return f->set ? &setting_fops : &seq_fops;
}

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
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		const struct sfs_file *f = &files[i];
		char site[32];
		struct dentry *d;

		snprintf(site, sizeof(site), "fs:%s", f->name);
		d = lsmrevoke_fault(site) ? ERR_PTR(-ENOMEM) :
		    securityfs_create_file(f->name, f->mode, dir, (void *)f,
					   fops_of(f));
		if (IS_ERR(d)) {
			ret = PTR_ERR(d);
			pr_err("cannot create securityfs file %s: %d\n",
			       f->name, ret);
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
