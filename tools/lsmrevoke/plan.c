// SPDX-License-Identifier: GPL-2.0
/*
 * lsmrevoke plan SETTING...: what a policy change would revoke and
 * restore, before it is made.
 *
 * SETTING is lockdown=none|integrity|confidentiality or strict=0|1. The
 * plan comes from the module's files only: each program's own
 * requirements (those the module found a site for: "requires" also names
 * what strict mode adds), its state, and the requirements table (each
 * row's lockdown level and strict_adds); the current lockdown level, mode
 * and strict setting. lsmrevoke(8) keeps no list of its own.
 *
 * Only lockdown is evaluated. A BPF-LSM program on locked_down, or another
 * LSM, may deny more, for some loaders only; plan cannot ask it (the
 * module can, under each loader's credentials, and does when the change
 * is made). What it can still say soundly: a program such a policy denies
 * now stays denied when the change only adds requirements (a denial is
 * monotone in what a program requires and in the lockdown level); when
 * the change takes requirements away (strict=0), the program is listed as
 * undetermined.
 *
 * A struct_ops program cannot be revoked, it stays running; except one of
 * the sched_ext root scheduler in service (scx.c tells which): the module
 * takes that scheduler out of service instead (state withdrawn, one-way),
 * listed as withdraw. When plan cannot tell the scheduler's programs, it
 * lists them as staying running and says so.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lsmrevoke.h"

enum action {
	ACT_NONE,
	ACT_REVOKE,
	ACT_RESTORE,
	ACT_STAYS,		/* would be denied, but is unrevocable */
	ACT_UNKNOWN,		/* depends on a policy plan cannot evaluate */
	ACT_WITHDRAW,		/* its sched_ext scheduler taken out of service */
	NR_ACT,
};

static const char * const act_names[NR_ACT] = {
	[ACT_REVOKE] = "revoke",
	[ACT_RESTORE] = "restore",
	[ACT_STAYS] = "stays",
	[ACT_UNKNOWN] = "unknown",
	[ACT_WITHDRAW] = "withdraw",
};

/* The JSON member of each list. */
static const char * const act_members[NR_ACT] = {
	[ACT_REVOKE] = "revoke",
	[ACT_RESTORE] = "restore",
	[ACT_STAYS] = "stays_running",
	[ACT_UNKNOWN] = "undetermined",
	[ACT_WITHDRAW] = "withdraw",
};

/* One side of the plan: the lockdown level and strict mode. */
struct setting {
	int level;		/* LEVEL_*, -1 for lockdown=... not given */
	int strict;		/* 0, 1, -1 for strict=... not given */
};

struct plan {
	struct prog_table t;
	char mode[16];
	bool audit;
	bool has_lockdown;	/* the kernel has the lockdown LSM */
	struct setting from, to, asked;
	char refused[2][160];	/* settings the kernel or module refuses */
	unsigned int nr_refused;
	__u32 lsm_ids[16];	/* BPF-LSM programs on locked_down */
	size_t nr_lsm;
	struct scx_root scx;	/* the sched_ext root scheduler in service */
};

/* What the module found in the program's code; requires adds strict's. */
static __u32 own_flags(const struct prog_entry *e)
{
	/* No sites at all: a module that does not report them. */
	return e->own ? e->own : e->requires;
}

/* @own as a pass sees it with strict mode @strict. */
static __u32 effective(const struct req_table *rt, __u32 own, bool strict)
{
	__u32 added = 0;
	unsigned int r;

	if (!strict)
		return own;
	for (r = 0; r < rt->n; r++)
		if (own & REQ_BIT(r))
			added |= rt->v[r].strict_adds;
	return own | added;
}

/* The requirements in @flags that lockdown at @level denies. */
static __u32 lockdown_denies(const struct req_table *rt, __u32 flags,
			     int level)
{
	__u32 denied = 0;
	unsigned int r;

	for (r = 0; r < rt->n; r++)
		if ((flags & REQ_BIT(r)) && req_gated(&rt->v[r]) &&
		    level >= rt->v[r].level)
			denied |= REQ_BIT(r);
	return denied;
}

/* The unrevocable reason a program of @type always gets, or NULL. */
static const char *type_unrevocable(const char *type)
{
	if (!strcmp(type, "struct_ops"))
		return "struct_ops";
	return NULL;
}

static bool is_state(const struct prog_entry *e, const char *a,
		     const char *b)
{
	return !strcmp(e->state, a) || (b && !strcmp(e->state, b));
}

/*
 * What the change does to @e; *@denied gets what lockdown would deny
 * after it, *@why the unrevocable reason for ACT_STAYS.
 */
static enum action decide(const struct plan *pl, const struct prog_entry *e,
			  __u32 *denied, const char **why)
{
	const struct req_table *rt = &pl->t.req;
	__u32 own = own_flags(e);
	__u32 eff0 = effective(rt, own, pl->from.strict);
	__u32 eff1 = effective(rt, own, pl->to.strict);
	__u32 d0 = lockdown_denies(rt, eff0, pl->from.level);
	__u32 d1 = lockdown_denies(rt, eff1, pl->to.level);
	bool revoked = is_state(e, "revoked", "revoking");
	bool unrev = is_state(e, "unrevocable", NULL);
	bool scx = scx_root_prog(&pl->scx, e->id);
	bool deny_after;

	*denied = d1;
	*why = unrev ? e->why : type_unrevocable(e->type);
	/* Its scheduler was taken out of service, one-way: no change moves it. */
	if (is_state(e, "withdrawn", NULL))
		return ACT_NONE;
	if (pl->audit) {
		/* Nothing is revoked; the module logs changes of verdict. */
		if (d1 && !d0)
			return scx ? ACT_WITHDRAW : ACT_REVOKE;
		return !d1 && d0 ? ACT_RESTORE : ACT_NONE;
	}
	deny_after = d1;
	if ((revoked || unrev) && !d0 && !d1) {
		/* Denied now by a policy other than lockdown. */
		if ((eff1 & eff0) != eff0)
			return ACT_UNKNOWN;
		deny_after = true;
	}
	if (!deny_after)
		return revoked ? ACT_RESTORE : ACT_NONE;
	if (revoked)
		return ACT_NONE;
	if (scx)
		return ACT_WITHDRAW;
	return *why ? ACT_STAYS : ACT_REVOKE;
}

static void print_line(const struct plan *pl, enum action a,
		       const struct prog_entry *e, __u32 denied,
		       const char *why)
{
	char names[MAX_REQ * 32];

	printf("%s %u %s %s: ", act_names[a], e->id, e->type,
	       e->name[0] ? e->name : "-");
	req_names(&pl->t.req, denied, ",", names, sizeof(names));
	switch (a) {
	case ACT_REVOKE:
		printf("%s%s", pl->audit ? "would be denied: " : "", names);
		break;
	case ACT_RESTORE:
		printf("allowed");
		break;
	case ACT_STAYS:
		printf("would be denied but stays running (unrevocable:%s)",
		       why);
		break;
	case ACT_WITHDRAW:
		if (pl->audit)
			printf("would be denied: %s; its scheduler %s stays in service (audit)",
			       names, pl->scx.ops);
		else
			printf("%s; its scheduler %s would be taken out of service (one-way)",
			       names, pl->scx.ops);
		break;
	default:
		printf("revoked now by a policy other than lockdown, which plan cannot evaluate");
		break;
	}
	printf(" (loader %s)\n", e->loader[0] ? e->loader : "-");
}

static const char *level_str(const struct plan *pl, int level)
{
	return pl->has_lockdown ? level_names[level] : "absent";
}

static void print_text(const struct plan *pl, size_t *count)
{
	enum action a;
	unsigned int i;
	size_t k;

	printf("plan: lockdown %s -> %s, strict %d -> %d; mode %s%s\n",
	       level_str(pl, pl->from.level), level_str(pl, pl->to.level),
	       pl->from.strict, pl->to.strict, pl->mode,
	       pl->audit ? " (audit: decisions are only logged)" : "");
	for (i = 0; i < pl->nr_refused; i++)
		printf("refused %s\n", pl->refused[i]);
	for (a = ACT_REVOKE; a < NR_ACT; a++) {
		for (k = 0; k < pl->t.n; k++) {
			const struct prog_entry *e = &pl->t.v[k];
			const char *why;
			__u32 denied;

			if (decide(pl, e, &denied, &why) == a)
				print_line(pl, a, e, denied, why);
		}
	}
	for (k = 0; k < pl->nr_lsm; k++)
		printf("note: BPF-LSM program %u is on locked_down: %s\n",
		       pl->lsm_ids[k],
		       "plan evaluates lockdown only, it may deny more");
	if (pl->scx.unknown[0])
		printf("note: sched_ext scheduler %s is in service, %s (%s): %s\n",
		       pl->scx.ops, "plan cannot tell its programs",
		       pl->scx.unknown,
		       "its denied programs, listed as any struct_ops, would take it out of service instead");
	printf("%zu to revoke, %zu to restore, %zu stay running (unrevocable), ",
	       count[ACT_REVOKE], count[ACT_RESTORE], count[ACT_STAYS]);
	printf("%zu undetermined, %zu to withdraw\n", count[ACT_UNKNOWN],
	       count[ACT_WITHDRAW]);
}

static void json_side(struct json *j, const char *key, const struct plan *pl,
		      const struct setting *s)
{
	json_key(j, key);
	json_obj(j);
	json_key(j, "lockdown");
	if (pl->has_lockdown)
		json_str(j, level_names[s->level]);
	else
		json_null(j);
	json_key(j, "strict");
	json_bool(j, s->strict);
	json_obj_end(j);
}

static void json_entry(struct json *j, const struct plan *pl,
		       const struct prog_entry *e, __u32 denied,
		       const char *why, enum action a)
{
	unsigned int r;

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
	json_key(j, "denied");
	json_arr(j);
	for (r = 0; r < pl->t.req.n; r++)
		if (a != ACT_RESTORE && a != ACT_UNKNOWN &&
		    (denied & REQ_BIT(r)))
			json_str(j, pl->t.req.v[r].name);
	json_arr_end(j);
	json_key(j, "unrevocable_reason");
	if (a == ACT_STAYS)
		json_str(j, why);
	else
		json_null(j);
	json_obj_end(j);
}

static void print_json(const struct plan *pl)
{
	struct json j;
	enum action a;
	unsigned int i;
	size_t k;

	json_init(&j, stdout);
	json_obj(&j);
	json_key(&j, "version");
	json_int(&j, 1);
	json_key(&j, "mode");
	json_str(&j, pl->mode);
	json_side(&j, "from", pl, &pl->from);
	json_side(&j, "to", pl, &pl->to);
	json_key(&j, "refused");
	json_arr(&j);
	for (i = 0; i < pl->nr_refused; i++)
		json_str(&j, pl->refused[i]);
	json_arr_end(&j);
	for (a = ACT_REVOKE; a < NR_ACT; a++) {
		json_key(&j, act_members[a]);
		json_arr(&j);
		for (k = 0; k < pl->t.n; k++) {
			const struct prog_entry *e = &pl->t.v[k];
			const char *why;
			__u32 denied;

			if (decide(pl, e, &denied, &why) == a)
				json_entry(&j, pl, e, denied, why, a);
		}
		json_arr_end(&j);
	}
	json_key(&j, "bpf_lsm_locked_down");
	json_arr(&j);
	for (k = 0; k < pl->nr_lsm; k++)
		json_int(&j, pl->lsm_ids[k]);
	json_arr_end(&j);
	json_key(&j, "sched_ext_root");
	if (pl->scx.ops[0]) {
		json_obj(&j);
		json_key(&j, "ops");
		json_str(&j, pl->scx.ops);
		json_key(&j, "programs_unknown");
		if (pl->scx.unknown[0])
			json_str(&j, pl->scx.unknown);
		else
			json_null(&j);
		json_obj_end(&j);
	} else {
		json_null(&j);
	}
	json_obj_end(&j);
}

/* One SETTING operand into @s; a usage error's status, or -1. */
static int parse_setting(const char *arg, struct setting *s)
{
	const char *eq = strchr(arg, '=');
	size_t klen = eq ? (size_t)(eq - arg) : 0;
	int i;

	if (eq && klen == 8 && !strncmp(arg, "lockdown", 8)) {
		if (s->level >= 0)
			return usage_error("plan", "plan: lockdown given twice");
		for (i = 0; i < NR_LEVELS; i++)
			if (!strcmp(eq + 1, level_names[i]))
				s->level = i;
		if (s->level < 0)
			return usage_error("plan",
					   "plan: %s: lockdown is none, integrity or confidentiality",
					   arg);
		return -1;
	}
	if (eq && klen == 6 && !strncmp(arg, "strict", 6)) {
		if (s->strict >= 0)
			return usage_error("plan", "plan: strict given twice");
		if (strcmp(eq + 1, "0") && strcmp(eq + 1, "1"))
			return usage_error("plan", "plan: %s: strict is 0 or 1",
					   arg);
		s->strict = eq[1] - '0';
		return -1;
	}
	return usage_error("plan",
			   "plan: %s is not a setting (lockdown=LEVEL or strict=0|1)",
			   arg);
}

static int parse_plan(int argc, char **argv, bool *json, struct setting *s)
{
	int ret, first, i;

	s->level = -1;
	s->strict = -1;
	ret = parse_opts(argc, argv, "plan", json, &first);
	if (ret >= 0)
		return ret;
	for (i = first; i < argc; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			*json = true;
			continue;
		}
		if (argv[i][0] == '-')
			return usage_error("plan", "plan: unknown option %s",
					   argv[i]);
		ret = parse_setting(argv[i], s);
		if (ret >= 0)
			return ret;
	}
	if (s->level < 0 && s->strict < 0)
		return usage_error("plan", "plan: no setting given");
	return -1;
}

/*
 * The settings after the change: what is asked, unless the kernel or the
 * module refuses it (lockdown only rises; strict only rises while lockdown
 * is above none), which is said.
 */
static void resolve(struct plan *pl)
{
	const struct setting *a = &pl->asked;

	pl->to = pl->from;
	if (a->level >= 0 && a->level < pl->from.level)
		snprintf(pl->refused[pl->nr_refused++], sizeof(pl->refused[0]),
			 "lockdown=%s: lockdown only rises, it stays %s",
			 level_names[a->level], level_names[pl->from.level]);
	else if (a->level >= 0)
		pl->to.level = a->level;
	if (a->strict == 0 && pl->from.strict && pl->from.level > LEVEL_NONE)
		snprintf(pl->refused[pl->nr_refused++], sizeof(pl->refused[0]),
			 "strict=0: lockdown is %s, the module refuses to relax strict mode (EPERM)",
			 level_names[pl->from.level]);
	else if (a->strict >= 0)
		pl->to.strict = a->strict;
}

/* The policy in force; false after an error (reported). */
static bool read_policy(struct plan *pl)
{
	char strict[8], level[24];
	struct link_table *lt;
	int ret;

	if (sfs_programs(&pl->t) ||
	    sfs_word("mode", pl->mode, sizeof(pl->mode)) ||
	    sfs_word("strict", strict, sizeof(strict)))
		return false;
	pl->audit = !strcmp(pl->mode, "audit");
	pl->from.strict = !strcmp(strict, "1");
	ret = lockdown_level(level, sizeof(level));
	pl->has_lockdown = ret >= 0;
	pl->from.level = ret >= 0 ? ret : LEVEL_NONE;
	if (!pl->has_lockdown && pl->asked.level >= 0) {
		warn_errno(-ret, LOCKDOWN_FILE);
		warn_msg("this kernel has no lockdown LSM: lockdown=%s cannot be planned",
			 level_names[pl->asked.level]);
		return false;
	}
	lt = links_load();
	if (lt)
		pl->nr_lsm = links_find(lt, "lsm_mac", "bpf_lsm_locked_down",
					pl->lsm_ids, ARRAY_SIZE(pl->lsm_ids));
	scx_root_load(&pl->scx, lt);
	links_free(lt);
	return true;
}

int cmd_plan(int argc, char **argv)
{
	struct plan pl = {};
	size_t count[NR_ACT] = {}, k;
	bool json = false;
	const char *why;
	__u32 denied;
	int ret;

	ret = parse_plan(argc, argv, &json, &pl.asked);
	if (ret >= 0)
		return ret;
	if (!read_policy(&pl)) {
		free(pl.t.v);
		return EXIT_FAIL;
	}
	resolve(&pl);
	for (k = 0; k < pl.t.n; k++)
		count[decide(&pl, &pl.t.v[k], &denied, &why)]++;
	if (json)
		print_json(&pl);
	else
		print_text(&pl, count);
	scx_root_free(&pl.scx);
	free(pl.t.v);
	return EXIT_OK;
}
