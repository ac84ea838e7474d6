// SPDX-License-Identifier: GPL-2.0
/*
 * sched_ext schedulers taken out of service.
 *
 * A struct_ops program has no value that means "not attached"
 * (stub_prog.c), so its entry is never stubbed. A sched_ext scheduler,
 * though, has a way out that the kernel built for itself: its exit path,
 * the one sysrq-S, the watchdog and scx_bpf_exit() take. It reverts every
 * task to the fair class and leaves the scheduler's struct_ops map
 * registered but disabled. lsmrevoke takes that path, __scx_exit() with
 * SCX_EXIT_UNREG_KERN ("unregistered from the main kernel") and a message
 * naming the program, for the root scheduler that a denied program belongs
 * to. It is one-way: nothing here enables a scheduler again. Its loader may
 * register it again; that registration runs a pass (sources.c), which
 * takes it out again while the policy still denies it.
 *
 * Which scheduler a program belongs to: 7.x associates a struct_ops
 * program with the map it sits in, whose kernel table (the struct
 * sched_ext_ops that sched_ext's reg() received) lsmrevoke_st_ops_kdata()
 * returns (compat.h). The table's member "priv" points at the scheduler
 * instance it was enabled as; that instance is in service as the root
 * scheduler when it is scx_root. Member offsets are read from the kernel's
 * BTF of the program's table type (its attach_btf_id), by name, never
 * from a layout copied here. Not handled (the caller leaves them
 * unrevocable: struct_ops): a program of a sub-scheduler, of a table not
 * registered, or of a table in several maps; and every program where one
 * of the symbols below is missing.
 *
 * __scx_exit() only claims the exit (a compare-and-exchange on the
 * scheduler's exit kind, preemption off) and queues the disable work on
 * sched_ext's own kthread through an irq_work: it takes no lock and does
 * not wait, so it cannot deadlock with the revocation mutex or RCU held
 * by the caller. The disable itself runs afterwards, outside them.
 */
#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/rcupdate.h>
#include <linux/string.h>

#include "ksyms.h"
#include "scx.h"

/* Where a scheduler table keeps its instance and its name. */
struct table_layout {
	u32 priv;		/* offset of "priv", a pointer */
	u32 name;		/* offset of "name", a char array */
	u32 name_len;
};

static bool usable(void)
{
	return LSMREVOKE_SCHED_EXT && lsmrevoke_ksyms.scx_root &&
	       lsmrevoke_thunk_target___scx_exit &&
	       lsmrevoke_thunk_target_btf_name_by_offset;
}

/* Is @prog a program of a sched_ext scheduler that lsmrevoke can follow? */
bool lsmrevoke_scx_prog(const struct bpf_prog *prog)
{
	const char *name;

	if (prog->type != BPF_PROG_TYPE_STRUCT_OPS || !usable())
		return false;
	name = lsmrevoke_st_ops_name(prog);
	return name && (!strcmp(name, "sched_ext_ops") ||
			!strcmp(name, "sched_ext_ops_cid"));
}

/* Reads @l from the BTF of @prog's table type; -ENOENT if it lacks one. */
static int read_layout(const struct bpf_prog *prog, struct table_layout *l)
{
	const struct btf *btf = prog->aux->attach_btf;
	const struct btf_member *m;
	const struct btf_type *t;
	bool priv = false, name = false;
	u32 i, bits, off;

	t = btf ? btf_type_by_id(btf, prog->aux->attach_btf_id) : NULL;
	if (!t || !btf_type_is_struct(t))
		return -ENOENT;
	for (i = 0, m = btf_type_member(t); i < btf_type_vlen(t); i++, m++) {
		const struct btf_type *mt = btf_type_by_id(btf, m->type);
		const char *n;

		bits = __btf_member_bit_offset(t, m);
		if (!mt || bits % 8)
			continue;
		off = bits / 8;
		n = lsmrevoke_thunk_btf_name_by_offset(btf, m->name_off);
		if (!n)
			continue;
		if (!strcmp(n, "priv") && btf_type_is_ptr(mt) &&
		    off + sizeof(void *) <= t->size) {
			l->priv = off;
			priv = true;
		} else if (!strcmp(n, "name") &&
			   BTF_INFO_KIND(mt->info) == BTF_KIND_ARRAY &&
			   btf_array(mt)->nelems &&
			   off + btf_array(mt)->nelems <= t->size) {
			l->name = off;
			l->name_len = btf_array(mt)->nelems;
			name = true;
		}
	}
	return priv && name ? 0 : -ENOENT;
}

/*
 * Is @prog's scheduler the root scheduler in service? If it is, *@inst is
 * the scheduler's instance (an identity, never dereferenced by callers),
 * its name goes into @name (@len bytes, NUL-terminated) and, with a @msg,
 * it is taken out of service with @msg as its exit message. Returns 0 when
 * it is (and was taken out, with @msg), -EALREADY when its exit was
 * already under way, -ENOENT when @prog is no program of the root
 * scheduler in service, or lsmrevoke cannot tell. Process or atomic
 * context.
 */
int lsmrevoke_scx_withdraw(struct bpf_prog *prog, const char *msg,
			   char *name, size_t len, const void **inst)
{
	struct table_layout l;
	void *kdata, *sch;
	int ret = -ENOENT;

	if (!lsmrevoke_scx_prog(prog) || read_layout(prog, &l))
		return -ENOENT;
	rcu_read_lock();
	kdata = lsmrevoke_st_ops_kdata(prog);
	if (!kdata)
		goto out;
	sch = rcu_dereference(*(void __rcu **)(kdata + l.priv));
	if (!sch || sch != rcu_dereference(*lsmrevoke_ksyms.scx_root))
		goto out;
	*inst = sch;
	if (len)
		strscpy(name, kdata + l.name, min_t(size_t, len, l.name_len));
	ret = 0;
	/* The instance stays valid: sched_ext frees it after a grace period. */
	if (msg && !lsmrevoke_thunk___scx_exit(sch,
					       LSMREVOKE_SCX_EXIT_UNREG_KERN,
					       0, -1, "%s", msg))
		ret = -EALREADY;
out:
	rcu_read_unlock();
	return ret;
}
