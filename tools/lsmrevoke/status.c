// SPDX-License-Identifier: GPL-2.0
/*
 * lsmrevoke status [--json] and lsmrevoke stats [--json].
 *
 * status joins the module's programs file (requirements, state, sites,
 * the loader's name and PID) with what the kernel tells about each program (loader uid, load time,
 * links). A program freed between the two reads keeps its module row,
 * with the kernel's fields empty. The JSON forms are documented in
 * docs/lsmrevoke-json.md; fields are only ever added.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "lsmrevoke.h"

#define JSON_VERSION	1

struct row {
	const struct prog_entry *e;
	struct prog_kinfo ki;
	char requires[MAX_REQ * 32];
	char state[64];
	char uid[16];
	char loader[72];
	char loaded[40];
	char attached[256];
};

struct counts {
	unsigned long active, revoked, unrevocable, withdrawn, other;
};

/* What status shows: the module's files, and the kernel's per program. */
struct status {
	char mode[16], strict[8], on_revoke[16], level[24];
	struct prog_table t;
	struct kv_list kv;
	struct counts c;
	struct row *rows;
	struct link_table *lt;
};

static void fill_attached(struct row *r)
{
	size_t off = 0;
	unsigned int i;

	r->attached[0] = '\0';
	for (i = 0; i < r->ki.nr_attach; i++) {
		char a[200];

		attach_str(&r->ki.attach[i], a, sizeof(a));
		if (off < sizeof(r->attached))
			off += snprintf(r->attached + off,
					sizeof(r->attached) - off, "%s%s",
					i ? "," : "", a);
	}
	if (!r->ki.nr_attach)
		snprintf(r->attached, sizeof(r->attached), "-");
}

static void fill_row(struct row *r, const struct req_table *rt)
{
	const struct prog_entry *e = r->e;

	if (!req_names(rt, e->requires, ",", r->requires, sizeof(r->requires)))
		snprintf(r->requires, sizeof(r->requires), "-");
	if (e->why[0])
		snprintf(r->state, sizeof(r->state), "%s:%s", e->state, e->why);
	else
		snprintf(r->state, sizeof(r->state), "%s", e->state);
	if (r->ki.found) {
		snprintf(r->uid, sizeof(r->uid), "%u", r->ki.uid);
		format_time(boot_to_unix(r->ki.load_time), r->loaded,
			    sizeof(r->loaded));
	} else {
		snprintf(r->uid, sizeof(r->uid), "-");
		snprintf(r->loaded, sizeof(r->loaded), "-");
	}
	snprintf(r->loader, sizeof(r->loader), "%s",
		 e->loader[0] ? e->loader : "-");
	fill_attached(r);
}

static void count(struct counts *c, const char *state)
{
	if (!strcmp(state, "active"))
		c->active++;
	else if (!strcmp(state, "revoked"))
		c->revoked++;
	else if (!strcmp(state, "unrevocable"))
		c->unrevocable++;
	else if (!strcmp(state, "withdrawn"))
		c->withdrawn++;
	else
		c->other++;
}

static int width(const struct row *rows, size_t n, size_t off,
		 const char *head)
{
	size_t i, w = strlen(head), l;

	for (i = 0; i < n; i++) {
		l = strlen((const char *)&rows[i] + off);
		if (l > w)
			w = l;
	}
	return (int)w;
}

#define COL(field, head) width(rows, n, offsetof(struct row, field), head)

static void print_table(struct row *rows, size_t n)
{
	char ids[16], types[32], names[32];
	int wi = 2, wt = 4, wn = 4, wr, ws, wu, wo, wl;
	size_t i;

	for (i = 0; i < n; i++) {
		int l = snprintf(ids, sizeof(ids), "%u", rows[i].e->id);

		if (l > wi)
			wi = l;
		l = snprintf(types, sizeof(types), "%s", rows[i].e->type);
		if (l > wt)
			wt = l;
		l = snprintf(names, sizeof(names), "%s",
			     rows[i].e->name[0] ? rows[i].e->name : "-");
		if (l > wn)
			wn = l;
	}
	wr = COL(requires, "REQUIRES");
	ws = COL(state, "STATE");
	wu = COL(uid, "UID");
	wo = COL(loader, "LOADER");
	wl = COL(loaded, "LOADED");
	printf("%-*s  %-*s  %-*s  %-*s  %-*s  %-*s  %-*s  %-*s  %s\n", wi, "ID",
	       wt, "TYPE", wn, "NAME", wr, "REQUIRES", ws, "STATE", wu, "UID",
	       wo, "LOADER", wl, "LOADED", "ATTACHED");
	for (i = 0; i < n; i++) {
		const struct row *r = &rows[i];

		printf("%-*u  %-*s  %-*s  %-*s  %-*s  %-*s  %-*s  %-*s  %s\n",
		       wi, r->e->id, wt, r->e->type, wn,
		       r->e->name[0] ? r->e->name : "-", wr, r->requires, ws,
		       r->state, wu, r->uid, wo, r->loader, wl, r->loaded,
		       r->attached);
	}
}

static void json_str_or_null(struct json *j, const char *s)
{
	if (s && s[0])
		json_str(j, s);
	else
		json_null(j);
}

static void json_int_or_null(struct json *j, bool set, long long v)
{
	if (set)
		json_int(j, v);
	else
		json_null(j);
}

/* "requires": [names], "sites": {name: insn} */
static void json_requirements(struct json *j, const struct prog_entry *e,
			      const struct req_table *rt)
{
	unsigned int r;

	json_key(j, "requires");
	json_arr(j);
	for (r = 0; r < rt->n; r++)
		if (e->requires & REQ_BIT(r))
			json_str(j, rt->v[r].name);
	json_arr_end(j);
	json_key(j, "sites");
	json_obj(j);
	for (r = 0; r < rt->n; r++) {
		if (e->site[r] == NO_SITE)
			continue;
		json_key(j, rt->v[r].name);
		json_int(j, e->site[r]);
	}
	json_obj_end(j);
}

static void json_attached(struct json *j, const struct prog_kinfo *ki)
{
	unsigned int i;

	json_key(j, "attached");
	json_arr(j);
	for (i = 0; i < ki->nr_attach; i++) {
		const struct attach *a = &ki->attach[i];

		json_obj(j);
		json_key(j, "link_id");
		json_int(j, a->link_id);
		json_key(j, "link_type");
		json_str(j, a->link_type);
		json_key(j, "attach_type");
		json_str_or_null(j, a->attach_type);
		json_key(j, "target");
		json_str_or_null(j, a->target);
		json_obj_end(j);
	}
	json_arr_end(j);
}

static void json_program(struct json *j, const struct row *r,
			 const struct req_table *rt)
{
	const struct prog_entry *e = r->e;

	json_obj(j);
	json_key(j, "id");
	json_int(j, e->id);
	json_key(j, "type");
	json_str(j, e->type);
	json_key(j, "name");
	json_str_or_null(j, e->name);
	json_requirements(j, e, rt);
	json_key(j, "state");
	json_str(j, e->state);
	json_key(j, "unrevocable_reason");
	json_str_or_null(j, e->why);
	json_key(j, "source");
	json_str_or_null(j, e->src);
	json_key(j, "tracked_uid");
	json_int_or_null(j, e->uid >= 0, e->uid);
	json_key(j, "loader_uid");
	json_int_or_null(j, r->ki.found, r->ki.uid);
	json_key(j, "loaded_at");
	json_int_or_null(j, r->ki.found, boot_to_unix(r->ki.load_time));
	json_attached(j, &r->ki);
	json_key(j, "loader_comm");
	if (e->pid >= 0)
		json_bytes(j, e->comm);
	else
		json_null(j);
	json_key(j, "loader_pid");
	json_int_or_null(j, e->pid >= 0, e->pid);
	json_obj_end(j);
}

static void json_counter(struct json *j, const struct kv_list *kv,
			 const char *key)
{
	long long v = kv_get(kv, key);

	json_key(j, key);
	json_int_or_null(j, v >= 0, v);
}

static void json_summary(struct json *j, const struct status *st)
{
	json_key(j, "summary");
	json_obj(j);
	json_key(j, "programs");
	json_int(j, st->t.n);
	json_key(j, "active");
	json_int(j, st->c.active);
	json_key(j, "revoked");
	json_int(j, st->c.revoked);
	json_key(j, "unrevocable");
	json_int(j, st->c.unrevocable);
	json_key(j, "withdrawn");
	json_int(j, st->c.withdrawn);
	json_counter(j, &st->kv, "revocations");
	json_counter(j, &st->kv, "restores");
	json_counter(j, &st->kv, "passes");
	json_obj_end(j);
}

static void print_json(const struct status *st)
{
	struct json j;
	size_t i;

	json_init(&j, stdout);
	json_obj(&j);
	json_key(&j, "version");
	json_int(&j, JSON_VERSION);
	json_key(&j, "mode");
	json_str(&j, st->mode);
	json_key(&j, "strict");
	json_bool(&j, !strcmp(st->strict, "1"));
	json_key(&j, "on_revoke");
	json_str_or_null(&j, st->on_revoke);
	json_key(&j, "lockdown");
	json_str_or_null(&j, st->level);
	json_key(&j, "programs");
	json_arr(&j);
	for (i = 0; i < st->t.n; i++)
		json_program(&j, &st->rows[i], &st->t.req);
	json_arr_end(&j);
	json_summary(&j, st);
	json_obj_end(&j);
}

static void print_text(const struct status *st)
{
	const struct counts *c = &st->c;

	print_table(st->rows, st->t.n);
	printf("%zu programs: %lu active, %lu revoked, %lu unrevocable",
	       st->t.n, c->active, c->revoked, c->unrevocable);
	if (c->withdrawn)
		printf(", %lu withdrawn", c->withdrawn);
	if (c->other)
		printf(", %lu changing", c->other);
	printf("; mode %s%s; %lld revocations, %lld restores, %lld passes since load\n",
	       st->mode, strcmp(st->strict, "1") ? "" : " (strict)",
	       kv_get(&st->kv, "revocations"), kv_get(&st->kv, "restores"),
	       kv_get(&st->kv, "passes"));
}

/* The module's files into @st; false after an error (reported). */
static bool read_module(struct status *st)
{
	if (sfs_programs(&st->t) || sfs_stats(&st->kv) ||
	    sfs_word("mode", st->mode, sizeof(st->mode)) ||
	    sfs_word("strict", st->strict, sizeof(st->strict)))
		return false;
	read_word(PARAM_DIR "/on_revoke", st->on_revoke,
		  sizeof(st->on_revoke));
	if (lockdown_level(st->level, sizeof(st->level)) < 0)
		st->level[0] = '\0';
	return true;
}

/* One row per program, with what the kernel tells about it. */
static bool read_kernel(struct status *st)
{
	size_t i;
	int ret;

	st->rows = calloc(st->t.n ? st->t.n : 1, sizeof(*st->rows));
	st->lt = links_load();
	if (!st->rows || !st->lt) {
		warn_errno(ENOMEM, "status");
		return false;
	}
	for (i = 0; i < st->t.n; i++) {
		const struct prog_entry *e = &st->t.v[i];

		st->rows[i].e = e;
		ret = prog_kinfo(e->id, st->lt, &st->rows[i].ki);
		if (ret)
			warn_errno(-ret, "prog %u: bpf_prog_get_info_by_fd",
				   e->id);
		fill_row(&st->rows[i], &st->t.req);
		count(&st->c, e->state);
	}
	return true;
}

int cmd_status(int argc, char **argv)
{
	struct status st = {};
	bool json = false;
	int ret, first;

	ret = parse_opts(argc, argv, "status", &json, &first);
	if (ret >= 0)
		return ret;
	if (first < argc)
		return usage_error("status", "status: unexpected argument %s",
				   argv[first]);
	ret = EXIT_FAIL;
	if (read_module(&st) && read_kernel(&st)) {
		if (json)
			print_json(&st);
		else
			print_text(&st);
		ret = st.c.unrevocable ? EXIT_UNREVOCABLE : EXIT_OK;
	}
	links_free(st.lt);
	free(st.rows);
	free(st.t.v);
	return ret;
}

int cmd_stats(int argc, char **argv)
{
	struct kv_list kv;
	bool json = false;
	int ret, first;
	size_t i;

	ret = parse_opts(argc, argv, "stats", &json, &first);
	if (ret >= 0)
		return ret;
	if (first < argc)
		return usage_error("stats", "stats: unexpected argument %s",
				   argv[first]);
	if (sfs_stats(&kv))
		return EXIT_FAIL;
	if (json) {
		struct json j;

		json_init(&j, stdout);
		json_obj(&j);
		for (i = 0; i < kv.n; i++) {
			json_key(&j, kv.v[i].key);
			json_int(&j, kv.v[i].value);
		}
		json_obj_end(&j);
		return EXIT_OK;
	}
	for (i = 0; i < kv.n; i++)
		printf("%-12s %lld\n", kv.v[i].key, kv.v[i].value);
	return EXIT_OK;
}
