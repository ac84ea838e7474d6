// SPDX-License-Identifier: GPL-2.0
/*
 * Walking the kernel's programs and maps, and reading what programs need.
 *
 * The walk visits prog_idr under prog_idr_lock, one ID at a time, and takes
 * a reference before leaving the lock, so the callback always sees a live
 * program. Programs whose last reference is already gone are skipped: their
 * free path is under way.
 *
 * The scan reads the verified instructions (prog->insnsi). After fixup a
 * helper call is BPF_JMP|BPF_CALL with src_reg 0 and
 * imm = helper - __bpf_call_base, and the gated helpers are never inlined or
 * retargeted, so comparing call targets with their addresses is exact. The
 * main program's instructions include every subprogram's, so one pass
 * covers calls made from subprograms too. Loads through BTF pointers were
 * rewritten by the verifier into LDX with mode BPF_PROBE_MEM (or, from 6.6,
 * BPF_PROBE_MEMSX); they read kernel memory without any helper.
 */
#include <linux/filter.h>
#include <linux/sched.h>

#include "ksyms.h"
#include "prog_walk.h"

static u32 call_flags(unsigned long target)
{
	const struct lsmrevoke_ksyms *ks = &lsmrevoke_ksyms;

	if (target == ks->probe_read_kernel ||
	    target == ks->probe_read_kernel_str ||
	    target == ks->probe_read_compat ||
	    target == ks->probe_read_compat_str)
		return LSMREVOKE_REQ_READ_KERNEL;
	if (target == ks->probe_write_user)
		return LSMREVOKE_REQ_WRITE_USER;
	return 0;
}

/*
 * The requirement flags of @prog; @sites gets, per flag bit, the index of
 * the first instruction that needs it (LSMREVOKE_NO_SITE when none).
 * Caller keeps @prog alive; runs in any context, never sleeps.
 */
u32 lsmrevoke_prog_scan(const struct bpf_prog *prog,
			u32 sites[LSMREVOKE_NR_REQ])
{
	const struct bpf_insn *insn = prog->insnsi;
	unsigned long base = (unsigned long)__bpf_call_base;
	u32 i, found, flags = 0;

	for (i = 0; i < LSMREVOKE_NR_REQ; i++)
		sites[i] = LSMREVOKE_NO_SITE;
	for (i = 0; i < prog->len; i++, insn++) {
		u8 mode = BPF_MODE(insn->code);

		if (insn->code == (BPF_JMP | BPF_CALL) && !insn->src_reg)
			found = call_flags(base + insn->imm);
		else if (BPF_CLASS(insn->code) == BPF_LDX &&
			 (mode == BPF_PROBE_MEM || mode == BPF_PROBE_MEMSX))
			found = LSMREVOKE_REQ_BTF_READ;
		else
			continue;
		if (found && !(flags & found))
			sites[__ffs(found)] = i;
		flags |= found;
	}
	return flags;
}

/*
 * The IDs in the kernel's own program list, one per line, read straight
 * from prog_idr: what BPF_PROG_GET_NEXT_ID should show, whoever hides it.
 */
int lsmrevoke_prog_walk_ids(struct seq_file *m)
{
	struct bpf_prog *prog;
	int id = 0;

	spin_lock_bh(lsmrevoke_ksyms.prog_idr_lock);
	while ((prog = idr_get_next(lsmrevoke_ksyms.prog_idr, &id))) {
		seq_printf(m, "%d\n", id);
		id++;
	}
	spin_unlock_bh(lsmrevoke_ksyms.prog_idr_lock);
	return 0;
}

/* libbpf's spelling, so the table reads like bpftool's. */
static const char * const type_names[] = {
	[BPF_PROG_TYPE_UNSPEC] = "unspec",
	[BPF_PROG_TYPE_SOCKET_FILTER] = "socket_filter",
	[BPF_PROG_TYPE_KPROBE] = "kprobe",
	[BPF_PROG_TYPE_SCHED_CLS] = "sched_cls",
	[BPF_PROG_TYPE_SCHED_ACT] = "sched_act",
	[BPF_PROG_TYPE_TRACEPOINT] = "tracepoint",
	[BPF_PROG_TYPE_XDP] = "xdp",
	[BPF_PROG_TYPE_PERF_EVENT] = "perf_event",
	[BPF_PROG_TYPE_CGROUP_SKB] = "cgroup_skb",
	[BPF_PROG_TYPE_CGROUP_SOCK] = "cgroup_sock",
	[BPF_PROG_TYPE_LWT_IN] = "lwt_in",
	[BPF_PROG_TYPE_LWT_OUT] = "lwt_out",
	[BPF_PROG_TYPE_LWT_XMIT] = "lwt_xmit",
	[BPF_PROG_TYPE_SOCK_OPS] = "sock_ops",
	[BPF_PROG_TYPE_SK_SKB] = "sk_skb",
	[BPF_PROG_TYPE_CGROUP_DEVICE] = "cgroup_device",
	[BPF_PROG_TYPE_SK_MSG] = "sk_msg",
	[BPF_PROG_TYPE_RAW_TRACEPOINT] = "raw_tracepoint",
	[BPF_PROG_TYPE_CGROUP_SOCK_ADDR] = "cgroup_sock_addr",
	[BPF_PROG_TYPE_LWT_SEG6LOCAL] = "lwt_seg6local",
	[BPF_PROG_TYPE_LIRC_MODE2] = "lirc_mode2",
	[BPF_PROG_TYPE_SK_REUSEPORT] = "sk_reuseport",
	[BPF_PROG_TYPE_FLOW_DISSECTOR] = "flow_dissector",
	[BPF_PROG_TYPE_CGROUP_SYSCTL] = "cgroup_sysctl",
	[BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE] = "raw_tracepoint_writable",
	[BPF_PROG_TYPE_CGROUP_SOCKOPT] = "cgroup_sockopt",
	[BPF_PROG_TYPE_TRACING] = "tracing",
	[BPF_PROG_TYPE_STRUCT_OPS] = "struct_ops",
	[BPF_PROG_TYPE_EXT] = "ext",
	[BPF_PROG_TYPE_LSM] = "lsm",
	[BPF_PROG_TYPE_SK_LOOKUP] = "sk_lookup",
	[BPF_PROG_TYPE_SYSCALL] = "syscall",
#ifdef LSMREVOKE_HAVE_PROG_TYPE_NETFILTER
	[BPF_PROG_TYPE_NETFILTER] = "netfilter",
#endif
};

/* A name for every type; types newer than this module read "unknown". */
const char *lsmrevoke_prog_type_name(u32 type)
{
	if (type < ARRAY_SIZE(type_names) && type_names[type])
		return type_names[type];
	return "unknown";
}

/*
 * Calls @fn for every program in prog_idr, in ID order, with a reference
 * held; stops at the first non-zero return and passes it on. May sleep.
 */
int lsmrevoke_prog_walk(int (*fn)(struct bpf_prog *prog, void *data),
			void *data)
{
	spinlock_t *lock = lsmrevoke_ksyms.prog_idr_lock;
	struct bpf_prog *prog;
	int id = 0, ret = 0;

	for (;;) {
		spin_lock_bh(lock);
		prog = idr_get_next(lsmrevoke_ksyms.prog_idr, &id);
		if (prog)
			prog = bpf_prog_inc_not_zero(prog);
		spin_unlock_bh(lock);
		if (!prog)
			break;
		id++;
		if (IS_ERR(prog))
			continue;
		ret = fn(prog, data);
		bpf_prog_put(prog);
		if (ret)
			break;
		cond_resched();
	}
	return ret;
}

/* The live program with @id, with a reference held, or NULL. */
struct bpf_prog *lsmrevoke_prog_get_by_id(u32 id)
{
	struct bpf_prog *prog;

	spin_lock_bh(lsmrevoke_ksyms.prog_idr_lock);
	prog = idr_find(lsmrevoke_ksyms.prog_idr, id);
	if (prog)
		prog = bpf_prog_inc_not_zero(prog);
	spin_unlock_bh(lsmrevoke_ksyms.prog_idr_lock);
	return IS_ERR_OR_NULL(prog) ? NULL : prog;
}

/*
 * Calls @fn for every map of @type in map_idr, in ID order, with a map
 * reference held; stops at the first non-zero return and passes it on.
 * The reference is taken the way the kernel's own __bpf_map_inc_not_zero()
 * does (that function is not exported, and bpf_map_inc_not_zero() takes
 * map_idr_lock itself). May sleep.
 */
int lsmrevoke_map_walk(enum bpf_map_type type,
		       int (*fn)(struct bpf_map *map, void *data), void *data)
{
	spinlock_t *lock = lsmrevoke_ksyms.map_idr_lock;
	struct bpf_map *map;
	int id = 0, ret = 0;
	bool got;

	for (;;) {
		got = false;
		spin_lock_bh(lock);
		map = idr_get_next(lsmrevoke_ksyms.map_idr, &id);
		if (map && map->map_type == type)
			got = atomic64_inc_not_zero(&map->refcnt);
		spin_unlock_bh(lock);
		if (!map)
			break;
		id++;
		if (!got)
			continue;
		ret = fn(map, data);
		bpf_map_put(map);
		if (ret)
			break;
		cond_resched();
	}
	return ret;
}
