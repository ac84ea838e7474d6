// SPDX-License-Identifier: GPL-2.0
/*
 * lsmrevoke status [--json] and lsmrevoke stats [--json].
 *
 * status joins the module's programs file (requirements, state, sites)
 * with what the kernel tells about each program (loader uid, load time,
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
	char requires[64];
	char state[64];
	char uid[16];
	char loaded[40];
	char attached[256];
};

struct counts {
	unsigned long active, revoked, unrevocable, other;
};

static void requires_str(unsigned int flags, char *buf, size_t len)
{
	size_t off = 0;
	int r;

	buf[0] = '\0';
	for (r = 0; r < NR_REQ; r++)
		if (flags & (1U << r))
			off += snprintf(buf + off, len - off, "%s%s",
					off ? "," : "", reqs[r].name);
	if (!off)
		snprintf(buf, len, "-");
}

static void fill_row(struct row *r)
{
	const struct prog_entry *e = r->e;
	size_t off = 0;
	unsigned int i;

	requires_str(e->requires, r->requires, sizeof(r->requires));
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

static void count(struct counts *c, const char *state)
{
	if (!strcmp(state, "active"))
		c->active++;
	else if (!strcmp(state, "revoked"))
		c->revoked++;
	else if (!strcmp(state, "unrevocable"))
		c->unrevocable++;
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
	int wi = 2, wt = 4, wn = 4, wr, ws, wu, wl;
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
	wl = COL(loaded, "LOADED");
	printf("%-*s  %-*s  %-*s  %-*s  %-*s  %-*s  %-*s  %s\n", wi, "ID", wt,
	       "TYPE", wn, "NAME", wr, "REQUIRES", ws, "STATE", wu, "UID", wl,
	       "LOADED", "ATTACHED");
	for (i = 0; i < n; i++) {
		const struct row *r = &rows[i];

		printf("%-*u  %-*s  %-*s  %-*s  %-*s  %-*s  %-*s  %s\n", wi,
		       r->e->id, wt, r->e->type, wn,
		       r->e->name[0] ? r->e->name : "-", wr, r->requires, ws,
		       r->state, wu, r->uid, wl, r->loaded, r->attached);
	}
}

static void json_program(struct json *j, const struct row *r)
{
	const struct prog_entry *e = r->e;
	unsigned int i;
	int q;

	json_obj(j);
	json_key(j, "id");
	json_int(j, e->id);
	json_key(j, "type");
	json_str(j, e->type);
	json_key(j, "name");
	if (e->name[0])
		json_str(j, e->name);
	else
		json_null(j);
	json_key(j, "requires");
	json_arr(j);
	for (q = 0; q < NR_REQ; q++)
		if (e->requires & (1U << q))
			json_str(j, reqs[q].name);
	json_arr_end(j);
	json_key(j, "sites");
	json_obj(j);
	for (q = 0; q < NR_REQ; q++) {
		if (e->site[q] == NO_SITE)
			continue;
		json_key(j, reqs[q].name);
		json_int(j, e->site[q]);
	}
	json_obj_end(j);
	json_key(j, "state");
	json_str(j, e->state);
	json_key(j, "unrevocable_reason");
	if (e->why[0])
		json_str(j, e->why);
	else
		json_null(j);
	json_key(j, "source");
	if (e->src[0])
		json_str(j, e->src);
	else
		json_null(j);
	json_key(j, "tracked_uid");
	if (e->uid >= 0)
		json_int(j, e->uid);
	else
		json_null(j);
	json_key(j, "loader_uid");
	if (r->ki.found)
		json_int(j, r->ki.uid);
	else
		json_null(j);
	json_key(j, "loaded_at");
	if (r->ki.found)
		json_int(j, boot_to_unix(r->ki.load_time));
	else
		json_null(j);
	json_key(j, "attached");
	json_arr(j);
	for (i = 0; i < r->ki.nr_attach; i++) {
		const struct attach *a = &r->ki.attach[i];

		json_obj(j);
		json_key(j, "link_id");
		json_int(j, a->link_id);
		json_key(j, "link_type");
		json_str(j, a->link_type);
		json_key(j, "attach_type");
		if (a->attach_type[0])
			json_str(j, a->attach_type);
		else
			json_null(j);
		json_key(j, "target");
		if (a->target[0])
			json_str(j, a->target);
		else
			json_null(j);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
}

static void json_str_or_null(struct json *j, const char *s)
{
	if (s && s[0])
		json_str(j, s);
	else
		json_null(j);
}

static void json_counter(struct json *j, const struct kv_list *kv,
			 const char *key)
{
	long long v = kv_get(kv, key);

	json_key(j, key);
	if (v >= 0)
		json_int(j, v);
	else
		json_null(j);
}

int cmd_status(int argc, char **argv)
{
	char mode[16] = "", strict[8] = "", on_revoke[16] = "", level[24];
	struct prog_table t;
	struct link_table *lt;
	struct counts c = {};
	struct kv_list kv;
	struct row *rows;
	bool json = false;
	int ret, first;
	size_t i;

	ret = parse_opts(argc, argv, "status", &json, &first);
	if (ret >= 0)
		return ret;
	if (first < argc)
		return usage_error("status", "status: unexpected argument %s",
				   argv[first]);
	if (sfs_programs(&t) || sfs_stats(&kv) ||
	    sfs_word("mode", mode, sizeof(mode)) ||
	    sfs_word("strict", strict, sizeof(strict)))
		return EXIT_FAIL;
	read_word(PARAM_DIR "/on_revoke", on_revoke, sizeof(on_revoke));
	if (lockdown_level(level, sizeof(level)) < 0)
		level[0] = '\0';

	rows = calloc(t.n ? t.n : 1, sizeof(*rows));
	lt = links_load();
	if (!rows || !lt) {
		warn_errno(ENOMEM, "status");
		free(rows);
		links_free(lt);
		free(t.v);
		return EXIT_FAIL;
	}
	for (i = 0; i < t.n; i++) {
		rows[i].e = &t.v[i];
		ret = prog_kinfo(t.v[i].id, lt, &rows[i].ki);
		if (ret)
			warn_errno(-ret, "prog %u: bpf_prog_get_info_by_fd",
				   t.v[i].id);
		fill_row(&rows[i]);
		count(&c, t.v[i].state);
	}

	if (json) {
		struct json j;

		json_init(&j, stdout);
		json_obj(&j);
		json_key(&j, "version");
		json_int(&j, JSON_VERSION);
		json_key(&j, "mode");
		json_str(&j, mode);
		json_key(&j, "strict");
		json_bool(&j, !strcmp(strict, "1"));
		json_key(&j, "on_revoke");
		json_str_or_null(&j, on_revoke);
		json_key(&j, "lockdown");
		json_str_or_null(&j, level);
		json_key(&j, "programs");
		json_arr(&j);
		for (i = 0; i < t.n; i++)
			json_program(&j, &rows[i]);
		json_arr_end(&j);
		json_key(&j, "summary");
		json_obj(&j);
		json_key(&j, "programs");
		json_int(&j, t.n);
		json_key(&j, "active");
		json_int(&j, c.active);
		json_key(&j, "revoked");
		json_int(&j, c.revoked);
		json_key(&j, "unrevocable");
		json_int(&j, c.unrevocable);
		json_counter(&j, &kv, "revocations");
		json_counter(&j, &kv, "restores");
		json_counter(&j, &kv, "passes");
		json_obj_end(&j);
		json_obj_end(&j);
	} else {
		print_table(rows, t.n);
		printf("%zu programs: %lu active, %lu revoked, %lu unrevocable",
		       t.n, c.active, c.revoked, c.unrevocable);
		if (c.other)
			printf(", %lu changing", c.other);
		printf("; mode %s%s; %lld revocations, %lld restores, %lld passes since load\n",
		       mode, strcmp(strict, "1") ? "" : " (strict)",
		       kv_get(&kv, "revocations"), kv_get(&kv, "restores"),
		       kv_get(&kv, "passes"));
	}
	links_free(lt);
	free(rows);
	free(t.v);
	return EXIT_OK;
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
