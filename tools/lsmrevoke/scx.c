// SPDX-License-Identifier: GPL-2.0
/*
 * The sched_ext root scheduler in service, as user space can see it: which
 * programs the module would take out of service (state withdrawn, module/
 * scx.c) rather than leave running (unrevocable:struct_ops) when a policy
 * denies them. plan asks scx_root_prog(), the one place that answers.
 *
 * The module's rule: a struct_ops program of type sched_ext_ops or
 * sched_ext_ops_cid whose one struct_ops map holds the table that sched_ext
 * enabled as scx_root, and only when the module resolved scx_root,
 * __scx_exit and btf_name_by_offset (its "symbols" file lists them). User
 * space sees no scx_root; what it sees instead:
 *
 *   - /sys/kernel/sched_ext/state is "enabled" (so a root scheduler is in
 *     service) and /sys/kernel/sched_ext/root/ops names it;
 *   - every struct_ops map whose kernel value type is
 *     bpf_struct_ops_sched_ext_ops[_cid]: a lookup of key 0 returns the
 *     value as its loader wrote it, with the state the kernel keeps (INUSE
 *     once registered without a link; READY for a map registered through
 *     a struct_ops link, which then names the map) and each function
 *     pointer member holding its program's ID. The offsets of "state",
 *     "data", "name", "sub_cgroup_id" and the function pointers come from
 *     the kernel's BTF of the value type, by name.
 *
 * The root scheduler's map is the one registered map of these whose name
 * is root/ops' and whose sub_cgroup_id does not make it a sub-scheduler
 * (> 1). Its programs are the root scheduler's, except a program that sits
 * in another sched_ext map too (the kernel then associates it with no map,
 * and the module cannot follow it). When this cannot be decided (no
 * permission to read maps, sched_ext enabling or disabling, no such map or
 * several of that name), the scheduler's name is known, its programs are
 * not, and scx_root_prog() answers false, as for any struct_ops: the
 * caller says so. Not visible from user space, so not followed: a program
 * that once sat in a map since freed (its association stays poisoned).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/bpf.h>

#include "lsmrevoke.h"

#define SCX_DIR		"/sys/kernel/sched_ext"

/* enum bpf_struct_ops_state, include/linux/bpf.h (not UAPI) */
#define ST_OPS_INUSE	1
#define ST_OPS_READY	3

#define NO_MEMBER	((__u32)-1)

/* Where a sched_ext map's value keeps what is read here. */
struct value_layout {
	const struct btf *btf;
	const struct btf_type *ops;	/* the table: struct sched_ext_ops[_cid] */
	__u32 state;			/* common.state */
	__u32 data;			/* the table */
	__u32 name;			/* within the table */
	__u32 name_len;
	__u32 sub;			/* sub_cgroup_id in the table, or NO_MEMBER */
};

/* One sched_ext map: its programs, and whether it is the root in service. */
struct scx_map {
	__u32 *ids;
	size_t n;
	bool root;
};

/*
 * Member @name of struct @t (not a bitfield): its byte offset, its type
 * with typedefs and qualifiers resolved in *@mt, its size in *@size.
 */
static __u32 member_off(const struct btf *btf, const struct btf_type *t,
			const char *name, const struct btf_type **mt,
			__s64 *size)
{
	const struct btf_member *m = btf_members(t);
	__u16 i, vlen = btf_vlen(t);

	for (i = 0; i < vlen; i++, m++) {
		__u32 bits = btf_member_bit_offset(t, i);
		int id;

		if (bits % 8 || btf_member_bitfield_size(t, i) ||
		    strcmp(btf__name_by_offset(btf, m->name_off), name))
			continue;
		id = btf__resolve_type(btf, m->type);
		*mt = id > 0 ? btf__type_by_id(btf, id) : NULL;
		*size = btf__resolve_size(btf, m->type);
		return *mt && *size > 0 ? bits / 8 : NO_MEMBER;
	}
	return NO_MEMBER;
}

/* The layout of value type @value_id; false if it is no sched_ext table. */
static bool read_layout(__u32 value_id, __u32 value_size,
			struct value_layout *l)
{
	const struct btf *btf = kernel_vmlinux_btf();
	const struct btf_type *t, *mt;
	const char *name;
	__s64 size;
	__u32 off;

	t = btf ? btf__type_by_id(btf, value_id) : NULL;
	if (!t || !btf_is_struct(t))
		return false;
	name = btf__name_by_offset(btf, t->name_off);
	if (!name || (strcmp(name, "bpf_struct_ops_sched_ext_ops") &&
		      strcmp(name, "bpf_struct_ops_sched_ext_ops_cid")))
		return false;
	l->btf = btf;
	l->data = member_off(btf, t, "data", &l->ops, &size);
	off = member_off(btf, t, "common", &mt, &size);
	if (l->data == NO_MEMBER || off == NO_MEMBER || !btf_is_struct(mt) ||
	    !btf_is_struct(l->ops))
		return false;
	l->state = member_off(btf, mt, "state", &mt, &size);
	if (l->state == NO_MEMBER || size != sizeof(__u32))
		return false;
	l->state += off;
	l->name = member_off(btf, l->ops, "name", &mt, &size);
	if (l->name == NO_MEMBER || !btf_is_array(mt) ||
	    !btf_array(mt)->nelems || size != btf_array(mt)->nelems ||
	    l->name + size > l->ops->size)
		return false;
	l->name_len = size;
	l->sub = member_off(btf, l->ops, "sub_cgroup_id", &mt, &size);
	if (l->sub != NO_MEMBER &&
	    (size != sizeof(__u64) || l->sub + size > l->ops->size))
		l->sub = NO_MEMBER;
	return l->data + l->ops->size <= value_size &&
	       l->state + sizeof(__u32) <= value_size;
}

/* Is type @id a pointer to a function (an op)? */
static bool is_op(const struct btf *btf, __u32 id)
{
	const struct btf_type *t;
	int r = btf__resolve_type(btf, id);

	t = r > 0 ? btf__type_by_id(btf, r) : NULL;
	if (!t || !btf_is_ptr(t))
		return false;
	r = btf__resolve_type(btf, t->type);
	t = r > 0 ? btf__type_by_id(btf, r) : NULL;
	return t && btf_is_func_proto(t);
}

/* The program IDs in the ops of table @data, into @m; false: no memory. */
static bool read_ops(const struct value_layout *l, const char *data,
		     struct scx_map *m)
{
	const struct btf_member *mb = btf_members(l->ops);
	__u16 i, vlen = btf_vlen(l->ops);

	m->ids = calloc(vlen, sizeof(*m->ids));
	if (!m->ids)
		return false;
	for (i = 0; i < vlen; i++, mb++) {
		__u32 bits = btf_member_bit_offset(l->ops, i);
		__u64 id;

		if (bits % 8 || !is_op(l->btf, mb->type) ||
		    bits / 8 + sizeof(id) > l->ops->size)
			continue;
		memcpy(&id, data + bits / 8, sizeof(id));
		if (id && id <= (__u32)-1)
			m->ids[m->n++] = id;
	}
	return true;
}

/* Has struct_ops map @id a link (bpfinfo.c's target "map#<id>")? */
static bool linked(const struct link_table *lt, __u32 id)
{
	char target[24];
	__u32 prog;

	/* A struct_ops link has no attach type and no program of its own. */
	snprintf(target, sizeof(target), "map#%u", id);
	return links_find(lt, "", target, &prog, 1) > 0;
}

/*
 * Map @id into @m when it is a sched_ext map; m->root when it is a
 * registered root scheduler named @ops. 0, or -errno when it cannot be
 * read (-ENOENT: gone meanwhile).
 */
static int read_map(__u32 id, const char *ops, const struct link_table *lt,
		    struct scx_map *m)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info), key = 0, state;
	struct value_layout l;
	char *value = NULL, *data;
	__u64 sub = 0;
	int fd, err;

	fd = bpf_map_get_fd_by_id(id);
	if (fd < 0)
		return fd;
	memset(&info, 0, sizeof(info));
	err = bpf_obj_get_info_by_fd(fd, &info, &len);
	if (err || info.type != BPF_MAP_TYPE_STRUCT_OPS ||
	    !read_layout(info.btf_vmlinux_value_type_id, info.value_size, &l))
		goto out;
	value = calloc(1, info.value_size);
	err = value ? bpf_map_lookup_elem(fd, &key, value) : -ENOMEM;
	if (err)
		goto out;
	data = value + l.data;
	if (!read_ops(&l, data, m)) {
		err = -ENOMEM;
		goto out;
	}
	memcpy(&state, value + l.state, sizeof(state));
	if (l.sub != NO_MEMBER)
		memcpy(&sub, data + l.sub, sizeof(sub));
	data[l.name + l.name_len - 1] = '\0';
	m->root = (state == ST_OPS_INUSE ||
		   (state == ST_OPS_READY && linked(lt, id))) &&
		  sub <= 1 && !strcmp(data + l.name, ops);
out:
	free(value);
	close(fd);
	return err;
}

/* Did the module resolve what it needs to take a scheduler out? */
static bool module_follows(void)
{
	static const char * const need[] = {
		"\nscx_root ", "\n__scx_exit ", "\nbtf_name_by_offset ",
	};
	bool ok = true;
	unsigned int i;
	char *buf;

	if (sfs_read("symbols", &buf))
		return false;
	for (i = 0; i < ARRAY_SIZE(need); i++)
		ok = ok && strstr(buf, need[i]);
	free(buf);
	return ok;
}

static bool in_list(const __u32 *ids, size_t n, __u32 id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/*
 * The root scheduler's programs, from the sched_ext maps in @v: those of
 * the one root map that no other map holds. False when there is not
 * exactly one (r->unknown says why).
 */
static bool pick_root(struct scx_root *r, struct scx_map *v, size_t n)
{
	size_t i, k, roots = 0, root = 0;

	for (i = 0; i < n; i++)
		if (v[i].root) {
			roots++;
			root = i;
		}
	if (roots != 1) {
		snprintf(r->unknown, sizeof(r->unknown),
			 "%zu registered sched_ext maps have its name", roots);
		return false;
	}
	r->ids = v[root].ids;
	v[root].ids = NULL;
	for (k = 0; k < v[root].n; k++) {
		for (i = 0; i < n; i++)
			if (i != root && in_list(v[i].ids, v[i].n, r->ids[k]))
				break;
		if (i == n)
			r->ids[r->n++] = r->ids[k];
	}
	return true;
}

/* Every sched_ext map; false when they cannot be read (r->unknown). */
static bool scan_maps(struct scx_root *r, const struct link_table *lt)
{
	struct scx_map *v = NULL, *nv;
	size_t n = 0, i;
	bool ok = false;
	__u32 id = 0;
	int err;

	while (!(err = bpf_map_get_next_id(id, &id))) {
		struct scx_map m = {};

		err = read_map(id, r->ops, lt, &m);
		if (err == -ENOENT)
			continue;
		if (err)
			break;
		if (!m.ids)
			continue;
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv) {
			free(m.ids);
			err = -ENOMEM;
			break;
		}
		v = nv;
		v[n++] = m;
	}
	if (err != -ENOENT)
		snprintf(r->unknown, sizeof(r->unknown),
			 "cannot read the struct_ops maps: %s", strerror(-err));
	else
		ok = pick_root(r, v, n);
	for (i = 0; i < n; i++)
		free(v[i].ids);
	free(v);
	return ok;
}

/*
 * The root scheduler in service that the module would take out of service,
 * into @r (zeroed, or r->ops "" when there is none); @lt the kernel's links.
 */
void scx_root_load(struct scx_root *r, const struct link_table *lt)
{
	char state[24];

	memset(r, 0, sizeof(*r));
	if (read_word(SCX_DIR "/state", state, sizeof(state)) ||
	    !strcmp(state, "disabled") || !module_follows())
		return;
	if (read_word(SCX_DIR "/root/ops", r->ops, sizeof(r->ops)) ||
	    !r->ops[0]) {
		snprintf(r->ops, sizeof(r->ops), "-");
		snprintf(r->unknown, sizeof(r->unknown),
			 "sched_ext is %s, %s/root/ops names no scheduler",
			 state, SCX_DIR);
		return;
	}
	if (strcmp(state, "enabled")) {
		snprintf(r->unknown, sizeof(r->unknown), "sched_ext is %s",
			 state);
		return;
	}
	scan_maps(r, lt);
}

/* Is program @id one of the sched_ext root scheduler's in service? */
bool scx_root_prog(const struct scx_root *r, __u32 id)
{
	return !r->unknown[0] && in_list(r->ids, r->n, id);
}

void scx_root_free(struct scx_root *r)
{
	free(r->ids);
	r->ids = NULL;
	r->n = 0;
}
