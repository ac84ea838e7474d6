// SPDX-License-Identifier: GPL-2.0
/*
 * What the kernel tells user space about programs through bpf(2): the
 * loader's uid and the load time (bpf_prog_get_info_by_fd), where each
 * program is attached (every link, BPF_LINK_GET_NEXT_ID and
 * bpf_link_get_info_by_fd, matched on prog_id), and the verified
 * instructions (for explain).
 *
 * Attachments without a link (legacy tc filters, socket filters, perf
 * events attached by ioctl) are not visible this way and are not shown.
 * struct bpf_link_info is declared here as Linux 6.12 lays it out, so that
 * a build against older UAPI headers still decodes the newer link types;
 * older kernels fill only what they know and leave the rest zero.
 */
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <bpf/libbpf_version.h>
#include <linux/bpf.h>

#include "lsmrevoke.h"

/* libbpf 1.2 named these; Debian 12 has libbpf 1.1. */
#if LIBBPF_MAJOR_VERSION == 1 && LIBBPF_MINOR_VERSION < 2
static int bpf_prog_get_info_by_fd(int fd, struct bpf_prog_info *info,
				   __u32 *len)
{
	return bpf_obj_get_info_by_fd(fd, info, len);
}

static int bpf_btf_get_info_by_fd(int fd, struct bpf_btf_info *info,
				  __u32 *len)
{
	return bpf_obj_get_info_by_fd(fd, info, len);
}
#endif

/*
 * struct bpf_link_info of Linux 6.12, the members lsmrevoke reads; as in
 * the UAPI, its 64-bit members (and so the whole) are 8-byte aligned.
 */
struct link_info {
	__u32 type;
	__u32 id;
	__u32 prog_id;
	__u32 pad;
	union {
		struct {
			__aligned_u64 tp_name;
			__u32 tp_name_len;
		} raw_tracepoint;
		struct {
			__u32 attach_type;
			__u32 target_obj_id;
			__u32 target_btf_id;
		} tracing;
		struct {
			__aligned_u64 cgroup_id;
			__u32 attach_type;
		} cgroup;
		struct {
			__aligned_u64 target_name;
			__u32 target_name_len;
			__u32 map_id;
		} iter;
		struct {
			__u32 netns_ino;
			__u32 attach_type;
		} netns;
		struct {
			__u32 ifindex;
		} xdp;
		struct {
			__u32 map_id;
		} struct_ops;
		struct {
			__u32 pf;
			__u32 hooknum;
			__s32 priority;
			__u32 flags;
		} netfilter;
		struct {
			__aligned_u64 addrs;
			__u32 count;
		} kprobe_multi;
		struct {
			__aligned_u64 path;
			__aligned_u64 offsets;
			__aligned_u64 ref_ctr_offsets;
			__aligned_u64 cookies;
			__u32 path_size;
			__u32 count;
		} uprobe_multi;
		struct {
			__u32 type;
			__u32 pad;
			__aligned_u64 name;	/* file_name, func_name or tp_name */
			__u32 name_len;
			__u32 offset;
			__aligned_u64 addr;
			__aligned_u64 missed;
			__aligned_u64 cookie;
		} perf_event;
		struct {
			__u32 ifindex;
			__u32 attach_type;
		} tcx;		/* also netkit */
		struct {
			__u32 map_id;
			__u32 attach_type;
		} sockmap;
	};
};

/* Link types newer than the UAPI headers this may be built against. */
enum {
	LINK_NETFILTER = 10,
	LINK_TCX = 11,
	LINK_UPROBE_MULTI = 12,
	LINK_NETKIT = 13,
	LINK_SOCKMAP = 14,
};

enum {
	PERF_UPROBE = 1,
	PERF_URETPROBE,
	PERF_KPROBE,
	PERF_KRETPROBE,
	PERF_TRACEPOINT,
	PERF_EVENT,
};

static const char * const link_types[] = {
	"unspec", "raw_tracepoint", "tracing", "cgroup", "iter", "netns",
	"xdp", "perf_event", "kprobe_multi", "struct_ops", "netfilter", "tcx",
	"uprobe_multi", "netkit", "sockmap",
};

/* Attach types after libbpf 1.1's last (lsm_cgroup, 43), as of 6.12. */
static const char * const new_attach_types[] = {
	"struct_ops", "netfilter", "tcx_ingress", "tcx_egress",
	"trace_uprobe_multi", "cgroup_unix_connect", "cgroup_unix_sendmsg",
	"cgroup_unix_recvmsg", "cgroup_unix_getpeername",
	"cgroup_unix_getsockname", "netkit_primary", "netkit_peer",
	"trace_kprobe_session",
};

static void attach_type_name(__u32 t, char *buf, size_t len)
{
	const char *s = libbpf_bpf_attach_type_str(t);

	if (!s && t >= 44 && t - 44 < ARRAY_SIZE(new_attach_types))
		s = new_attach_types[t - 44];
	if (s)
		snprintf(buf, len, "%s", s);
	else
		snprintf(buf, len, "attach_type_%u", t);
}

struct link_entry {
	__u32 prog_id;
	struct attach a;
};

struct link_table {
	struct link_entry *v;
	size_t n;
};

/* --- BTF names ----------------------------------------------------- */

#define BTF_CACHE 16

static struct {
	__u32 id;
	struct btf *btf;
	bool kernel;
} btf_cache[BTF_CACHE];
static struct btf *vmlinux_btf;

/* The kernel's own BTF (loaded once), or NULL. */
struct btf *kernel_vmlinux_btf(void)
{
	if (!vmlinux_btf)
		vmlinux_btf = btf__load_vmlinux_btf();
	return vmlinux_btf;
}

/* The kernel BTF object @id (vmlinux or a module), or NULL. */
static struct btf *kernel_btf(__u32 id)
{
	struct bpf_btf_info info;
	__u32 len = sizeof(info);
	char name[64] = "";
	struct btf *btf = NULL;
	int i, fd;

	for (i = 0; i < BTF_CACHE && btf_cache[i].id; i++)
		if (btf_cache[i].id == id)
			return btf_cache[i].kernel ? btf_cache[i].btf : NULL;
	if (i == BTF_CACHE)
		return NULL;
	btf_cache[i].id = id;
	fd = bpf_btf_get_fd_by_id(id);
	if (fd < 0)
		return NULL;
	memset(&info, 0, sizeof(info));
	info.name = (__u64)(unsigned long)name;
	info.name_len = sizeof(name);
	if (bpf_btf_get_info_by_fd(fd, &info, &len) || !info.kernel_btf) {
		close(fd);
		return NULL;
	}
	close(fd);
	if (!strcmp(name, "vmlinux"))
		btf = kernel_vmlinux_btf();
	else if (kernel_vmlinux_btf())
		btf = btf__load_from_kernel_by_id_split(id, vmlinux_btf);
	if (!btf)
		return NULL;
	btf_cache[i].btf = btf;
	btf_cache[i].kernel = true;
	return btf;
}

static const char *btf_func_name(__u32 obj_id, __u32 type_id)
{
	struct btf *btf = kernel_btf(obj_id);
	const struct btf_type *t;

	if (!btf)
		return NULL;
	t = btf__type_by_id(btf, type_id);
	return t ? btf__name_by_offset(btf, t->name_off) : NULL;
}

/* Whether @prog_id's attach BTF is the kernel's (else: a program's). */
static bool attaches_to_kernel(__u32 prog_id)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	int fd;

	fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0)
		return true;
	memset(&info, 0, sizeof(info));
	if (bpf_prog_get_info_by_fd(fd, &info, &len)) {
		close(fd);
		return true;
	}
	close(fd);
	return !info.attach_btf_obj_id || kernel_btf(info.attach_btf_obj_id);
}

/* --- links --------------------------------------------------------- */

static void ifname(__u32 ifindex, char *buf, size_t len)
{
	char name[IF_NAMESIZE];

	if (ifindex && if_indextoname(ifindex, name))
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "ifindex#%u", ifindex);
}

/* Second query of a link for the names it can return into buffers. */
static void link_names(int fd, struct link_info *info, char *name,
		       size_t len)
{
	struct link_info again;
	__u32 ilen = sizeof(again);

	memset(&again, 0, sizeof(again));
	name[0] = '\0';
	switch (info->type) {
	case BPF_LINK_TYPE_RAW_TRACEPOINT:
		again.raw_tracepoint.tp_name = (__u64)(unsigned long)name;
		again.raw_tracepoint.tp_name_len = len;
		break;
	case BPF_LINK_TYPE_ITER:
		again.iter.target_name = (__u64)(unsigned long)name;
		again.iter.target_name_len = len;
		break;
	case BPF_LINK_TYPE_PERF_EVENT:
		if (info->perf_event.type == PERF_EVENT ||
		    !info->perf_event.type)
			return;
		again.perf_event.name = (__u64)(unsigned long)name;
		again.perf_event.name_len = len;
		break;
	case LINK_UPROBE_MULTI:
		again.uprobe_multi.path = (__u64)(unsigned long)name;
		again.uprobe_multi.path_size = len;
		break;
	default:
		return;
	}
	if (bpf_obj_get_info_by_fd(fd, &again, &ilen)) {
		name[0] = '\0';
		return;
	}
	name[len - 1] = '\0';
	if (info->type == BPF_LINK_TYPE_PERF_EVENT)
		info->perf_event.offset = again.perf_event.offset;
}

static void describe_tracing(const struct link_info *info, struct attach *a)
{
	const char *fn;

	attach_type_name(info->tracing.attach_type, a->attach_type,
			 sizeof(a->attach_type));
	if (!attaches_to_kernel(info->prog_id)) {
		snprintf(a->target, sizeof(a->target), "prog#%u",
			 info->tracing.target_obj_id);
		return;
	}
	fn = btf_func_name(info->tracing.target_obj_id,
			   info->tracing.target_btf_id);
	if (fn)
		snprintf(a->target, sizeof(a->target), "%s", fn);
}

/* A perf_event link: the kind of event for attach type, @name its target. */
static void describe_perf_event(const struct link_info *info,
				const char *name, struct attach *a)
{
	__u32 type = info->perf_event.type, off = info->perf_event.offset;
	char *t = a->target;
	size_t len = sizeof(a->target);

	switch (type) {
	case PERF_KPROBE:
	case PERF_KRETPROBE:
		snprintf(a->attach_type, sizeof(a->attach_type), "%s",
			 type == PERF_KPROBE ? "kprobe" : "kretprobe");
		if (off)
			snprintf(t, len, "%s+%u", name, off);
		else
			snprintf(t, len, "%s", name);
		break;
	case PERF_UPROBE:
	case PERF_URETPROBE:
		snprintf(a->attach_type, sizeof(a->attach_type), "%s",
			 type == PERF_UPROBE ? "uprobe" : "uretprobe");
		snprintf(t, len, "%s+0x%x", name, off);
		break;
	case PERF_TRACEPOINT:
		snprintf(a->attach_type, sizeof(a->attach_type), "tracepoint");
		snprintf(t, len, "%s", name);
		break;
	case PERF_EVENT:
		snprintf(a->attach_type, sizeof(a->attach_type), "event");
		break;
	}
}

/* The links that tell an attach type: cgroup, netns, tcx, netkit, sockmap. */
static void describe_typed(const struct link_info *info, struct attach *a)
{
	char *t = a->target;
	size_t len = sizeof(a->target);
	__u32 type;

	switch (info->type) {
	case BPF_LINK_TYPE_CGROUP:
		type = info->cgroup.attach_type;
		snprintf(t, len, "cgroup#%llu",
			 (unsigned long long)info->cgroup.cgroup_id);
		break;
	case BPF_LINK_TYPE_NETNS:
		type = info->netns.attach_type;
		snprintf(t, len, "netns#%u", info->netns.netns_ino);
		break;
	case LINK_SOCKMAP:
		type = info->sockmap.attach_type;
		snprintf(t, len, "map#%u", info->sockmap.map_id);
		break;
	default:	/* tcx and netkit */
		type = info->tcx.attach_type;
		ifname(info->tcx.ifindex, t, len);
		break;
	}
	attach_type_name(type, a->attach_type, sizeof(a->attach_type));
}

/* The other links: their target alone says where they are. */
static void describe_target(const struct link_info *info, const char *name,
			    struct attach *a)
{
	char *t = a->target;
	size_t len = sizeof(a->target);

	switch (info->type) {
	case BPF_LINK_TYPE_RAW_TRACEPOINT:
		snprintf(t, len, "%s", name);
		break;
	case BPF_LINK_TYPE_ITER:
		if (info->iter.map_id)
			snprintf(t, len, "%s/map#%u", name, info->iter.map_id);
		else
			snprintf(t, len, "%s", name);
		break;
	case BPF_LINK_TYPE_XDP:
		ifname(info->xdp.ifindex, t, len);
		break;
	case BPF_LINK_TYPE_KPROBE_MULTI:
		snprintf(t, len, "%u_functions", info->kprobe_multi.count);
		break;
	case BPF_LINK_TYPE_STRUCT_OPS:
		snprintf(t, len, "map#%u", info->struct_ops.map_id);
		break;
	case LINK_NETFILTER:
		snprintf(t, len, "pf%u/hook%u/prio%d", info->netfilter.pf,
			 info->netfilter.hooknum, info->netfilter.priority);
		break;
	case LINK_UPROBE_MULTI:
		snprintf(t, len, "%s/%u_offsets", name,
			 info->uprobe_multi.count);
		break;
	}
}

static void describe(int fd, struct link_info *info, struct attach *a)
{
	char name[PATH_MAX];

	memset(a, 0, sizeof(*a));
	a->link_id = info->id;
	if (info->type < ARRAY_SIZE(link_types))
		snprintf(a->link_type, sizeof(a->link_type), "%s",
			 link_types[info->type]);
	else
		snprintf(a->link_type, sizeof(a->link_type), "link_type_%u",
			 info->type);
	link_names(fd, info, name, sizeof(name));

	switch (info->type) {
	case BPF_LINK_TYPE_TRACING:
		describe_tracing(info, a);
		break;
	case BPF_LINK_TYPE_PERF_EVENT:
		describe_perf_event(info, name, a);
		break;
	case BPF_LINK_TYPE_CGROUP:
	case BPF_LINK_TYPE_NETNS:
	case LINK_TCX:
	case LINK_NETKIT:
	case LINK_SOCKMAP:
		describe_typed(info, a);
		break;
	default:
		describe_target(info, name, a);
		break;
	}
}

/*
 * Every link the kernel has, described; NULL only without memory. Links
 * that go away while we look are skipped; a link table that cannot be
 * read at all (no permission) is empty.
 */
struct link_table *links_load(void)
{
	struct link_table *lt = calloc(1, sizeof(*lt));
	size_t cap = 0;
	__u32 id = 0;

	if (!lt)
		return NULL;
	while (!bpf_link_get_next_id(id, &id)) {
		struct link_info info;
		__u32 len = sizeof(info);
		int fd;

		fd = bpf_link_get_fd_by_id(id);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			close(fd);
			continue;
		}
		if (lt->n == cap) {
			struct link_entry *v;

			cap = cap ? cap * 2 : 32;
			v = realloc(lt->v, cap * sizeof(*v));
			if (!v) {
				close(fd);
				break;
			}
			lt->v = v;
		}
		lt->v[lt->n].prog_id = info.prog_id;
		describe(fd, &info, &lt->v[lt->n].a);
		lt->n++;
		close(fd);
	}
	return lt;
}

void links_free(struct link_table *lt)
{
	if (!lt)
		return;
	free(lt->v);
	free(lt);
}

/* What the kernel says about program @id; ki->found is false when gone. */
int prog_kinfo(__u32 id, const struct link_table *lt, struct prog_kinfo *ki)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	size_t i;
	int fd, err;

	memset(ki, 0, sizeof(*ki));
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return fd == -ENOENT ? 0 : fd;
	memset(&info, 0, sizeof(info));
	err = bpf_prog_get_info_by_fd(fd, &info, &len);
	close(fd);
	if (err)
		return err;
	ki->found = true;
	ki->uid = info.created_by_uid;
	ki->load_time = info.load_time;
	for (i = 0; lt && i < lt->n && ki->nr_attach < MAX_ATTACH; i++)
		if (lt->v[i].prog_id == id)
			ki->attach[ki->nr_attach++] = lt->v[i].a;
	return 0;
}

/*
 * The programs attached through a link of @attach_type to @target, in
 * @ids (at most @max); returns how many.
 */
size_t links_find(const struct link_table *lt, const char *attach_type,
		  const char *target, __u32 *ids, size_t max)
{
	size_t i, n = 0;

	for (i = 0; lt && i < lt->n && n < max; i++)
		if (!strcmp(lt->v[i].a.attach_type, attach_type) &&
		    !strcmp(lt->v[i].a.target, target))
			ids[n++] = lt->v[i].prog_id;
	return n;
}

/* "attach_type:target", or the link type when there is no more to say. */
void attach_str(const struct attach *a, char *buf, size_t len)
{
	const char *kind = a->attach_type[0] ? a->attach_type : a->link_type;

	if (a->target[0])
		snprintf(buf, len, "%s:%s", kind, a->target);
	else
		snprintf(buf, len, "%s", kind);
}

/* --- time ---------------------------------------------------------- */

static long long clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* A CLOCK_BOOTTIME stamp (load_time) as Unix seconds. */
long long boot_to_unix(__u64 boot_ns)
{
	long long off = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME);

	return (off + (long long)boot_ns) / 1000000000LL;
}

/* A CLOCK_MONOTONIC stamp (events) as Unix nanoseconds. */
long long mono_to_unix_ns(__u64 mono_ns)
{
	long long off = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);

	return off + (long long)mono_ns;
}

void format_time(long long unix_s, char *buf, size_t len)
{
	time_t t = unix_s;
	struct tm tm;

	if (!localtime_r(&t, &tm) ||
	    !strftime(buf, len, "%Y-%m-%dT%H:%M:%S%z", &tm))
		snprintf(buf, len, "%lld", unix_s);
}

/* --- instructions -------------------------------------------------- */

/* The kernel symbol at @addr from /proc/kallsyms, or NULL. */
static const char *ksym_at(unsigned long long addr, char *buf, size_t len)
{
	unsigned long long a;
	char line[512], name[256];
	FILE *f;

	if (!addr)
		return NULL;
	f = fopen("/proc/kallsyms", "re");
	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %*c %255s", &a, name) != 2 || a != addr)
			continue;
		fclose(f);
		snprintf(buf, len, "%s", name);
		return buf;
	}
	fclose(f);
	return NULL;
}

static unsigned long long call_base(void)
{
	unsigned long long a;
	char line[512], name[256];
	FILE *f;

	f = fopen("/proc/kallsyms", "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %*c %255s", &a, name) == 2 &&
		    !strcmp(name, "__bpf_call_base")) {
			fclose(f);
			return a;
		}
	}
	fclose(f);
	return 0;
}

static void decode(const struct bpf_insn *insn, char *buf, size_t len)
{
	static const char * const sizes[] = { "u32", "u16", "u8", "u64" };
	unsigned long long base;
	const char *kind;
	char name[256];

	if (insn->code == (BPF_JMP | BPF_CALL)) {
		if (insn->src_reg == BPF_PSEUDO_CALL) {
			snprintf(buf, len, "call pc%+d (a subprogram)",
				 insn->imm + 1);
			return;
		}
		if (insn->src_reg && insn->src_reg != BPF_PSEUDO_KFUNC_CALL) {
			snprintf(buf, len, "call kfunc");
			return;
		}
		/* Helpers and (x86) kfuncs both: imm = target - base. */
		kind = insn->src_reg ? "kfunc" : "helper";
		base = call_base();
		if (base && insn->imm &&
		    ksym_at(base + (long long)insn->imm, name, sizeof(name)))
			snprintf(buf, len, "call %s%s", insn->src_reg ? "kfunc " : "",
				 name);
		else
			snprintf(buf, len, "call %s (address hidden: kptr_restrict)",
				 kind);
		return;
	}
	if (BPF_CLASS(insn->code) == BPF_LDX) {
		snprintf(buf, len, "r%u = *(%s *)(r%u %+d)", insn->dst_reg,
			 sizes[BPF_SIZE(insn->code) >> 3], insn->src_reg,
			 insn->off);
		return;
	}
	snprintf(buf, len, "opcode 0x%02x", insn->code);
}

/*
 * Instruction @idx of program @id's verified code, decoded into @buf
 * ("call bpf_probe_read_kernel", "r1 = *(u64 *)(r2 +8)"); -errno.
 */
int prog_insn(__u32 id, long idx, char *buf, size_t len)
{
	struct bpf_prog_info info;
	__u32 ilen = sizeof(info), n;
	struct bpf_insn *insns;
	int fd, err;

	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return fd;
	memset(&info, 0, sizeof(info));
	err = bpf_prog_get_info_by_fd(fd, &info, &ilen);
	if (err)
		goto out;
	n = info.xlated_prog_len / sizeof(*insns);
	if (idx < 0 || (__u32)idx >= n) {
		err = -ERANGE;
		goto out;
	}
	insns = calloc(n, sizeof(*insns));
	if (!insns) {
		err = -ENOMEM;
		goto out;
	}
	memset(&info, 0, sizeof(info));
	info.xlated_prog_len = n * sizeof(*insns);
	info.xlated_prog_insns = (__u64)(unsigned long)insns;
	ilen = sizeof(info);
	err = bpf_prog_get_info_by_fd(fd, &info, &ilen);
	if (!err)
		decode(&insns[idx], buf, len);
	free(insns);
out:
	close(fd);
	return err;
}
