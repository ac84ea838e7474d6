// SPDX-License-Identifier: GPL-2.0
/*
 * lsmrevoke hidden: programs the kernel has that user space cannot see.
 *
 * The module reads prog_idr directly (securityfs kernel_programs); user
 * space lists programs with BPF_PROG_GET_NEXT_ID, which a BPF rootkit can
 * filter (the trick that hides programs from bpftool). A program counts as
 * hidden when it is in the kernel's list both before and after the walk
 * of BPF_PROG_GET_NEXT_ID and the walk did not return it: program IDs are
 * never reused soon, so such a program was alive during the whole walk.
 * Exit status 1 when a program is hidden.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lsmrevoke.h"

struct ids {
	__u32 *v;
	size_t n, cap;
};

static int ids_add(struct ids *s, __u32 id)
{
	if (s->n == s->cap) {
		__u32 *v;

		s->cap = s->cap ? s->cap * 2 : 256;
		v = realloc(s->v, s->cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->v = v;
	}
	s->v[s->n++] = id;
	return 0;
}

static bool ids_has(const struct ids *s, __u32 id)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->v[i] == id)
			return true;
	return false;
}

static int kernel_ids(struct ids *s)
{
	char *buf, *line, *save;
	int ret;

	ret = sfs_read("kernel_programs", &buf);
	if (ret)
		return ret;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (line[0] < '0' || line[0] > '9')
			continue;
		if (ids_add(s, strtoul(line, NULL, 10))) {
			free(buf);
			warn_errno(ENOMEM, "kernel_programs");
			return -ENOMEM;
		}
	}
	free(buf);
	return 0;
}

static int next_id_failed(int err)
{
	warn_errno(-err, "BPF_PROG_GET_NEXT_ID");
	if (err == -EPERM)
		warn_msg("permission denied: run lsmrevoke as root (CAP_SYS_ADMIN)");
	return err;
}

static int user_ids(struct ids *s)
{
	__u32 id = 0;
	int err;

	for (;;) {
		err = bpf_prog_get_next_id(id, &id);
		if (err == -ENOENT)
			return 0;
		if (err)
			return next_id_failed(err);
		if (ids_add(s, id)) {
			warn_errno(ENOMEM, "BPF_PROG_GET_NEXT_ID");
			return -ENOMEM;
		}
	}
}

/* Type and name of a hidden program: the module's, else the kernel's. */
static void identify(const struct prog_table *t, __u32 id, char *type,
		     size_t tlen, char *name, size_t nlen, const char **state)
{
	const struct prog_entry *e = sfs_find(t, id);
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	const char *s;
	int fd;

	snprintf(type, tlen, "unknown");
	name[0] = '\0';
	*state = NULL;
	if (e) {
		snprintf(type, tlen, "%s", e->type);
		snprintf(name, nlen, "%s", e->name);
		*state = e->state;
		return;
	}
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return;
	memset(&info, 0, sizeof(info));
	if (!bpf_obj_get_info_by_fd(fd, &info, &len)) {
		s = libbpf_bpf_prog_type_str(info.type);
		if (s)
			snprintf(type, tlen, "%s", s);
		snprintf(name, nlen, "%s", info.name);
	}
	close(fd);
}

/* The programs in both kernel lists (@k1, @k2) but not in @user. */
static int find_hidden(const struct ids *k1, const struct ids *k2,
		       const struct ids *user, struct ids *hidden)
{
	size_t i;

	for (i = 0; i < k1->n; i++) {
		if (ids_has(user, k1->v[i]) || !ids_has(k2, k1->v[i]))
			continue;
		if (ids_add(hidden, k1->v[i])) {
			warn_errno(ENOMEM, "hidden");
			return -ENOMEM;
		}
	}
	return 0;
}

static void print_hidden(const struct prog_table *t, __u32 id)
{
	char type[32], name[32];
	const char *state;

	identify(t, id, type, sizeof(type), name, sizeof(name), &state);
	printf("prog %u %s %s: in the kernel's list, hidden from BPF_PROG_GET_NEXT_ID%s%s\n",
	       id, type, name[0] ? name : "-", state ? "; state " : "",
	       state ? state : "");
}

static void print_text(const struct prog_table *t, const struct ids *k2,
		       const struct ids *user, const struct ids *hidden)
{
	size_t i;

	for (i = 0; i < hidden->n; i++)
		print_hidden(t, hidden->v[i]);
	printf("%zu programs in the kernel, %zu visible to user space, %zu hidden\n",
	       k2->n, user->n, hidden->n);
}

static void print_json(const struct prog_table *t, const struct ids *k2,
		       const struct ids *user, const struct ids *hidden)
{
	char type[32], name[32];
	const char *state;
	struct json j;
	size_t i;

	json_init(&j, stdout);
	json_obj(&j);
	json_key(&j, "kernel");
	json_int(&j, k2->n);
	json_key(&j, "visible");
	json_int(&j, user->n);
	json_key(&j, "hidden");
	json_arr(&j);
	for (i = 0; i < hidden->n; i++) {
		identify(t, hidden->v[i], type, sizeof(type), name,
			 sizeof(name), &state);
		json_obj(&j);
		json_key(&j, "id");
		json_int(&j, hidden->v[i]);
		json_key(&j, "type");
		json_str(&j, type);
		json_key(&j, "name");
		if (name[0])
			json_str(&j, name);
		else
			json_null(&j);
		json_key(&j, "state");
		if (state)
			json_str(&j, state);
		else
			json_null(&j);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
}

int cmd_hidden(int argc, char **argv)
{
	struct ids k1 = {}, k2 = {}, user = {}, hidden = {};
	struct prog_table t = {};
	bool json = false;
	int ret, first;

	ret = parse_opts(argc, argv, "hidden", &json, &first);
	if (ret >= 0)
		return ret;
	if (first < argc)
		return usage_error("hidden", "hidden: unexpected argument %s",
				   argv[first]);
	ret = EXIT_FAIL;
	if (kernel_ids(&k1) || user_ids(&user) || kernel_ids(&k2) ||
	    sfs_programs(&t) || find_hidden(&k1, &k2, &user, &hidden))
		goto out;
	if (json)
		print_json(&t, &k2, &user, &hidden);
	else
		print_text(&t, &k2, &user, &hidden);
	ret = hidden.n ? EXIT_FAIL : EXIT_OK;
out:
	free(k1.v);
	free(k2.v);
	free(user.v);
	free(hidden.v);
	free(t.v);
	return ret;
}
