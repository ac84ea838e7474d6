// SPDX-License-Identifier: GPL-2.0
/*
 * lsmrevoke-test cli: what tests/guest/suite.d/40-cli.sh needs besides the
 * lsmrevoke command itself.
 *
 *   attach <obj> <readyfile> <stopfile>
 *       load <obj>, attach every program (libbpf's auto-attach), write
 *       "<name> <prog id> <link id>" per program to <readyfile>, hold the
 *       links until <stopfile> exists (at most 600 s), then destroy them,
 *       which detaches synchronously.
 *   hide <obj> <id|self> <readyfile> <stopfile>
 *       the same for cli_hide.bpf.o, configured to hide program <id> (or
 *       itself) from BPF_PROG_GET_NEXT_ID; <readyfile> gets
 *       "hider <id> hidden <id> floor <id>"; on exit it prints how many
 *       calls it rewrote.
 *   json-check <schema> <def> <file> [--lines]
 *       validate <file> (every non-empty line with --lines) against
 *       "#/$defs/<def>" of the JSON Schema <schema>; prints every
 *       violation, exits 1 on any, and on an empty input.
 *
 * The validator knows the keywords docs/lsmrevoke.schema.json uses: $ref
 * (to "#/$defs/..."), type, enum, const, properties, required,
 * additionalProperties, items, minItems, minimum, pattern, anyOf; any
 * other keyword that is not an annotation is an error, so the schema
 * cannot silently outgrow the checker.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <regex.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

#define PROG "lsmrevoke-test cli"

static const char cli_usage[] =
	"usage: lsmrevoke-test cli attach <obj> <readyfile> <stopfile>\n"
	"       lsmrevoke-test cli hide <obj> <id|self> <readyfile> <stopfile>\n"
	"       lsmrevoke-test cli json-check <schema> <def> <file> [--lines]\n";

/* --- holding links ----------------------------------------------- */

#define MAX_LINKS 16

struct held {
	struct bpf_object *obj;
	struct bpf_link *links[MAX_LINKS];
	int n;
};

static __u32 link_id(struct bpf_link *l)
{
	struct bpf_link_info li;
	__u32 len = sizeof(li);

	memset(&li, 0, sizeof(li));
	return bpf_obj_get_info_by_fd(bpf_link__fd(l), &li, &len) ? 0 : li.id;
}

static int load(struct held *h, const char *path)
{
	int err;

	memset(h, 0, sizeof(*h));
	h->obj = bpf_object__open_file(path, NULL);
	if (!h->obj)
		return fail(errno, "open %s", path);
	err = bpf_object__load(h->obj);
	if (err) {
		bpf_object__close(h->obj);
		return fail(err_of(err), "bpf_object__load %s", path);
	}
	return 0;
}

static int attach_all(struct held *h, FILE *out)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, h->obj) {
		struct bpf_link *l;

		if (h->n == MAX_LINKS)
			return fail(E2BIG, "attach");
		l = bpf_program__attach(p);
		if (!l)
			return fail(errno, "attach %s", bpf_program__name(p));
		h->links[h->n++] = l;
		fprintf(out, "%s %u %u\n", bpf_program__name(p),
			prog_id(bpf_program__fd(p)), link_id(l));
	}
	return 0;
}

static void release(struct held *h)
{
	while (h->n)
		bpf_link__destroy(h->links[--h->n]);
	bpf_object__close(h->obj);
}

/* Writes @text to @path through a temporary file, so readers see all. */
static int publish(const char *path, const char *text)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return fail(errno, "create %s", tmp);
	fputs(text, f);
	if (fclose(f))
		return fail(errno, "write %s", tmp);
	if (rename(tmp, path))
		return fail(errno, "rename %s", tmp);
	return 0;
}

static int wait_for(const char *stopfile)
{
	struct timespec ts = { .tv_nsec = 50 * 1000 * 1000 };
	int i;

	for (i = 0; i < 600 * 20; i++) {
		if (!access(stopfile, F_OK))
			return 0;
		nanosleep(&ts, NULL);
	}
	fprintf(stderr, PROG ": no %s after 600 s\n", stopfile);
	return 1;
}

static int cmd_attach(int argc, char **argv)
{
	char *text = NULL;
	size_t len = 0;
	struct held h;
	FILE *out;
	int ret;

	if (argc != 3)
		return usage_error(cli_usage);
	if (load(&h, argv[0]))
		return 1;
	out = open_memstream(&text, &len);
	if (!out) {
		release(&h);
		return fail(errno, "attach");
	}
	ret = attach_all(&h, out);
	fclose(out);
	if (!ret)
		ret = publish(argv[1], text);
	free(text);
	if (!ret)
		ret = wait_for(argv[2]);
	release(&h);
	return ret;
}

struct cli_hide_cfg {
	__u32 hide_id;
	__u32 floor_id;
	__u64 rewrites;
};

/* The highest live program ID below @id (0: none), before hiding. */
static __u32 floor_below(__u32 id)
{
	__u32 cur = 0, best = 0;

	while (!bpf_prog_get_next_id(cur, &cur) && cur < id)
		best = cur;
	return best;
}

static int cmd_hide(int argc, char **argv)
{
	struct cli_hide_cfg cfg = {};
	struct bpf_program *p;
	struct bpf_map *map;
	char *end, text[128];
	__u32 zero = 0, self;
	struct held h;
	int ret, fd;

	if (argc != 4)
		return usage_error(cli_usage);
	if (load(&h, argv[0]))
		return 1;
	p = bpf_object__next_program(h.obj, NULL);
	map = bpf_object__find_map_by_name(h.obj, "cfg");
	if (!p || !map) {
		release(&h);
		return fail(ENOENT, "%s: no program or no cfg map", argv[0]);
	}
	self = prog_id(bpf_program__fd(p));
	if (!strcmp(argv[1], "self")) {
		cfg.hide_id = self;
	} else {
		cfg.hide_id = strtoul(argv[1], &end, 10);
		if (*end || !cfg.hide_id) {
			release(&h);
			return usage_error(cli_usage);
		}
	}
	cfg.floor_id = floor_below(cfg.hide_id);
	fd = bpf_map__fd(map);
	ret = bpf_map_update_elem(fd, &zero, &cfg, BPF_ANY);
	if (ret) {
		release(&h);
		return fail(err_of(ret), "configure the hider");
	}
	h.links[0] = bpf_program__attach(p);
	if (!h.links[0]) {
		ret = fail(errno, "attach %s", bpf_program__name(p));
		release(&h);
		return ret;
	}
	h.n = 1;
	snprintf(text, sizeof(text), "hider %u hidden %u floor %u\n", self,
		 cfg.hide_id, cfg.floor_id);
	ret = publish(argv[2], text);
	if (!ret)
		ret = wait_for(argv[3]);
	if (!bpf_map_lookup_elem(fd, &zero, &cfg))
		printf("hide: %llu calls rewritten\n",
		       (unsigned long long)cfg.rewrites);
	release(&h);
	return ret;
}

/* --- JSON ---------------------------------------------------------- */

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jv {
	enum jtype t;
	bool b;
	bool is_int;
	double num;
	char *s;
	size_t n;
	char **keys;		/* objects */
	struct jv **items;	/* arrays and objects */
};

struct parser {
	const char *p;
	const char *start;
	char err[160];
};

static void jv_free(struct jv *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->n; i++) {
		jv_free(v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->s);
	free(v);
}

static void ws(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' ||
	       *ps->p == '\r')
		ps->p++;
}

static struct jv *perr(struct parser *ps, const char *what)
{
	if (!ps->err[0])
		snprintf(ps->err, sizeof(ps->err), "offset %ld: %s",
			 (long)(ps->p - ps->start), what);
	return NULL;
}

static struct jv *parse_value(struct parser *ps, int depth);

static void put_utf8(char **o, unsigned int c)
{
	if (c < 0x80) {
		*(*o)++ = c;
	} else if (c < 0x800) {
		*(*o)++ = 0xc0 | (c >> 6);
		*(*o)++ = 0x80 | (c & 0x3f);
	} else {
		*(*o)++ = 0xe0 | (c >> 12);
		*(*o)++ = 0x80 | ((c >> 6) & 0x3f);
		*(*o)++ = 0x80 | (c & 0x3f);
	}
}

/* Decodes the escape after a '\\' at ps->p into *@o: 0, or -1 (reported). */
static int parse_escape(struct parser *ps, char **o)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *e = *ps->p ? strchr(from, *ps->p) : NULL;
	unsigned int c;

	if (e) {
		*(*o)++ = to[e - from];
		return 0;
	}
	if (*ps->p != 'u') {
		perr(ps, "bad escape");
		return -1;
	}
	if (sscanf(ps->p + 1, "%4x", &c) != 1 ||
	    strspn(ps->p + 1, "0123456789abcdefABCDEF") < 4) {
		perr(ps, "bad \\u escape");
		return -1;
	}
	put_utf8(o, c);
	ps->p += 4;
	return 0;
}

static char *parse_string(struct parser *ps)
{
	const char *q;
	char *out, *o;

	if (*ps->p != '"')
		return (char *)perr(ps, "expected a string");
	/* the decoded string is never longer than the encoded one */
	for (q = ps->p + 1; *q && *q != '"'; q++)
		if (*q == '\\' && q[1])
			q++;
	if (!*q)
		return (char *)perr(ps, "unterminated string");
	out = malloc(q - ps->p + 1);
	if (!out)
		return (char *)perr(ps, "no memory");
	o = out;
	for (ps->p++; *ps->p != '"'; ps->p++) {
		if ((unsigned char)*ps->p < 0x20) {
			free(out);
			return (char *)perr(ps, "control character in a string");
		}
		if (*ps->p != '\\') {
			*o++ = *ps->p;
			continue;
		}
		ps->p++;
		if (parse_escape(ps, &o)) {
			free(out);
			return NULL;
		}
	}
	ps->p++;
	*o = '\0';
	return out;
}

static struct jv *new_jv(struct parser *ps, enum jtype t)
{
	struct jv *v = calloc(1, sizeof(*v));

	if (!v)
		return perr(ps, "no memory");
	v->t = t;
	return v;
}

static int push(struct jv *v, char *key, struct jv *item)
{
	struct jv **items = realloc(v->items, (v->n + 1) * sizeof(*items));
	char **keys;

	if (!items)
		return -1;
	v->items = items;
	if (v->t == J_OBJ) {
		keys = realloc(v->keys, (v->n + 1) * sizeof(*keys));
		if (!keys)
			return -1;
		v->keys = keys;
		v->keys[v->n] = key;
	}
	v->items[v->n++] = item;
	return 0;
}

static struct jv *parse_container(struct parser *ps, int depth, bool obj)
{
	struct jv *v = new_jv(ps, obj ? J_OBJ : J_ARR), *item;
	char close = obj ? '}' : ']', *key = NULL;
	size_t i;

	if (!v)
		return NULL;
	ps->p++;
	ws(ps);
	if (*ps->p == close) {
		ps->p++;
		return v;
	}
	for (;;) {
		ws(ps);
		if (obj) {
			key = parse_string(ps);
			if (!key)
				goto err;
			for (i = 0; i < v->n; i++) {
				if (!strcmp(v->keys[i], key)) {
					free(key);
					perr(ps, "duplicate key");
					goto err;
				}
			}
			ws(ps);
			if (*ps->p != ':') {
				free(key);
				perr(ps, "expected ':'");
				goto err;
			}
			ps->p++;
		}
		item = parse_value(ps, depth + 1);
		if (!item || push(v, key, item)) {
			free(key);
			jv_free(item);
			perr(ps, "no memory");
			goto err;
		}
		ws(ps);
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p == close) {
			ps->p++;
			return v;
		}
		perr(ps, obj ? "expected ',' or '}'" : "expected ',' or ']'");
		goto err;
	}
err:
	jv_free(v);
	return NULL;
}

static struct jv *parse_number(struct parser *ps)
{
	const char *q = ps->p;
	struct jv *v;
	bool is_int = true;
	char *end;

	if (*q == '-')
		q++;
	if (*q == '0')
		q++;
	else if (*q >= '1' && *q <= '9')
		while (*q >= '0' && *q <= '9')
			q++;
	else
		return perr(ps, "bad number");
	if (*q == '.') {
		is_int = false;
		if (*++q < '0' || *q > '9')
			return perr(ps, "bad fraction");
		while (*q >= '0' && *q <= '9')
			q++;
	}
	if (*q == 'e' || *q == 'E') {
		is_int = false;
		q++;
		if (*q == '+' || *q == '-')
			q++;
		if (*q < '0' || *q > '9')
			return perr(ps, "bad exponent");
		while (*q >= '0' && *q <= '9')
			q++;
	}
	v = new_jv(ps, J_NUM);
	if (!v)
		return NULL;
	v->num = strtod(ps->p, &end);
	v->is_int = is_int;
	ps->p = q;
	return v;
}

static struct jv *parse_value(struct parser *ps, int depth)
{
	struct jv *v;

	if (depth > 64)
		return perr(ps, "nested too deeply");
	ws(ps);
	switch (*ps->p) {
	case '{':
		return parse_container(ps, depth, true);
	case '[':
		return parse_container(ps, depth, false);
	case '"':
		v = new_jv(ps, J_STR);
		if (v) {
			v->s = parse_string(ps);
			if (!v->s) {
				free(v);
				return NULL;
			}
		}
		return v;
	case 't':
	case 'f':
	case 'n':
		if (!strncmp(ps->p, "true", 4) || !strncmp(ps->p, "false", 5)) {
			v = new_jv(ps, J_BOOL);
			if (v)
				v->b = *ps->p == 't';
			ps->p += *ps->p == 't' ? 4 : 5;
			return v;
		}
		if (!strncmp(ps->p, "null", 4)) {
			ps->p += 4;
			return new_jv(ps, J_NULL);
		}
		return perr(ps, "bad literal");
	default:
		return parse_number(ps);
	}
}

/* A whole document: one value and nothing but white space after it. */
static struct jv *parse_doc(const char *text, char *err, size_t len)
{
	struct parser ps = { .p = text, .start = text };
	struct jv *v = parse_value(&ps, 0);

	if (v) {
		ws(&ps);
		if (*ps.p) {
			jv_free(v);
			v = perr(&ps, "trailing characters");
		}
	}
	if (!v)
		snprintf(err, len, "%s", ps.err);
	return v;
}

static struct jv *get(const struct jv *obj, const char *key)
{
	size_t i;

	if (!obj || obj->t != J_OBJ)
		return NULL;
	for (i = 0; i < obj->n; i++)
		if (!strcmp(obj->keys[i], key))
			return obj->items[i];
	return NULL;
}

static bool jv_equal(const struct jv *a, const struct jv *b)
{
	size_t i;

	if (a->t != b->t)
		return false;
	switch (a->t) {
	case J_NULL:
		return true;
	case J_BOOL:
		return a->b == b->b;
	case J_NUM:
		return a->num == b->num;
	case J_STR:
		return !strcmp(a->s, b->s);
	case J_ARR:
		if (a->n != b->n)
			return false;
		for (i = 0; i < a->n; i++)
			if (!jv_equal(a->items[i], b->items[i]))
				return false;
		return true;
	case J_OBJ:
		if (a->n != b->n)
			return false;
		for (i = 0; i < a->n; i++) {
			struct jv *o = get(b, a->keys[i]);

			if (!o || !jv_equal(a->items[i], o))
				return false;
		}
		return true;
	}
	return false;
}

/* --- JSON Schema (the subset above) ---------------------------------- */

struct checker {
	const struct jv *root;
	bool quiet;
	unsigned long errors;
};

static void violation(struct checker *c, const char *path, const char *fmt,
		      ...)
{
	va_list ap;

	c->errors++;
	if (c->quiet)
		return;
	printf("json-check: %s: ", path[0] ? path : "(document)");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static const char *type_name(const struct jv *v)
{
	static const char * const names[] = {
		"null", "boolean", "number", "string", "array", "object",
	};

	if (v->t == J_NUM && v->is_int)
		return "integer";
	return names[v->t];
}

static bool type_is(const struct jv *v, const char *t)
{
	if (!strcmp(t, "number"))
		return v->t == J_NUM;
	return !strcmp(type_name(v), t);
}

static void check(struct checker *c, const struct jv *s, const struct jv *v,
		  const char *path);

static const char * const annotations[] = {
	"$schema", "$id", "$comment", "$defs", "title", "description",
	"examples", "default",
};

static const char * const keywords[] = {
	"$ref", "type", "enum", "const", "properties", "required",
	"additionalProperties", "items", "minItems", "minimum", "pattern",
	"anyOf",
};

static bool known(const char *k, const char * const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(k, list[i]))
			return true;
	return false;
}

static const struct jv *resolve(struct checker *c, const char *ref,
				const char *path)
{
	const struct jv *d;

	if (strncmp(ref, "#/$defs/", 8)) {
		violation(c, path, "schema: unsupported $ref %s", ref);
		return NULL;
	}
	d = get(get(c->root, "$defs"), ref + 8);
	if (!d)
		violation(c, path, "schema: no definition %s", ref);
	return d;
}

static void check_object(struct checker *c, const struct jv *s,
			 const struct jv *v, const char *path)
{
	const struct jv *props = get(s, "properties");
	const struct jv *req = get(s, "required");
	const struct jv *add = get(s, "additionalProperties");
	char sub[512];
	size_t i;

	for (i = 0; req && i < req->n; i++)
		if (req->items[i]->t == J_STR && !get(v, req->items[i]->s))
			violation(c, path, "required member \"%s\" is missing",
				  req->items[i]->s);
	for (i = 0; i < v->n; i++) {
		const struct jv *ps = get(props, v->keys[i]);

		snprintf(sub, sizeof(sub), "%s.%s", path, v->keys[i]);
		if (ps)
			check(c, ps, v->items[i], sub);
		else if (add && add->t == J_BOOL && !add->b)
			violation(c, path, "member \"%s\" is not in the schema",
				  v->keys[i]);
		else if (add && add->t == J_OBJ)
			check(c, add, v->items[i], sub);
	}
}

/* Every keyword of schema @s must be one the checker knows. */
static void check_keywords(struct checker *c, const struct jv *s,
			   const char *path)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!known(s->keys[i], keywords, ARRAY_SIZE(keywords)) &&
		    !known(s->keys[i], annotations, ARRAY_SIZE(annotations)))
			violation(c, path, "schema: unsupported keyword %s",
				  s->keys[i]);
}

/* "type": false (reported) if @v is none of the types @s allows. */
static bool check_type(struct checker *c, const struct jv *s,
		       const struct jv *v, const char *path)
{
	const struct jv *k = get(s, "type");
	size_t i;
	bool ok;

	if (!k)
		return true;
	ok = k->t == J_STR && type_is(v, k->s);
	for (i = 0; k->t == J_ARR && i < k->n; i++)
		if (k->items[i]->t == J_STR && type_is(v, k->items[i]->s))
			ok = true;
	if (!ok)
		violation(c, path, "%s where the schema wants another type",
			  type_name(v));
	return ok;
}

/* "enum" and "const". */
static void check_value(struct checker *c, const struct jv *s,
			const struct jv *v, const char *path)
{
	const struct jv *k = get(s, "enum");
	bool ok = false;
	size_t i;

	if (k) {
		for (i = 0; k->t == J_ARR && i < k->n; i++)
			if (jv_equal(k->items[i], v))
				ok = true;
		if (!ok)
			violation(c, path, "%s%s%s is not one of the allowed values",
				  v->t == J_STR ? "\"" : "",
				  v->t == J_STR ? v->s : type_name(v),
				  v->t == J_STR ? "\"" : "");
	}
	k = get(s, "const");
	if (k && !jv_equal(k, v))
		violation(c, path, "differs from the constant the schema wants");
}

/* "minimum" and "pattern". */
static void check_bounds(struct checker *c, const struct jv *s,
			 const struct jv *v, const char *path)
{
	const struct jv *k = get(s, "minimum");
	regex_t re;

	if (k && k->t == J_NUM && v->t == J_NUM && v->num < k->num)
		violation(c, path, "%g is below the minimum %g", v->num, k->num);
	k = get(s, "pattern");
	if (!k || k->t != J_STR || v->t != J_STR)
		return;
	if (regcomp(&re, k->s, REG_EXTENDED | REG_NOSUB)) {
		violation(c, path, "schema: bad pattern %s", k->s);
		return;
	}
	if (regexec(&re, v->s, 0, NULL, 0))
		violation(c, path, "\"%s\" does not match %s", v->s, k->s);
	regfree(&re);
}

/* "anyOf": @v must match one of the schemas; their violations are quiet. */
static void check_any_of(struct checker *c, const struct jv *s,
			 const struct jv *v, const char *path)
{
	const struct jv *k = get(s, "anyOf");
	bool quiet = c->quiet, ok = false;
	unsigned long before = c->errors;
	size_t i;

	if (!k || k->t != J_ARR)
		return;
	c->quiet = true;
	for (i = 0; i < k->n && !ok; i++) {
		unsigned long e = c->errors;

		check(c, k->items[i], v, path);
		ok = c->errors == e;
	}
	c->quiet = quiet;
	c->errors = before;
	if (!ok)
		violation(c, path, "matches none of the anyOf schemas");
}

/* "minItems" and "items". */
static void check_array(struct checker *c, const struct jv *s,
			const struct jv *v, const char *path)
{
	const struct jv *k = get(s, "minItems");
	char sub[512];
	size_t i;

	if (k && k->t == J_NUM && v->n < k->num)
		violation(c, path, "%zu items, the schema wants at least %g",
			  v->n, k->num);
	k = get(s, "items");
	for (i = 0; k && i < v->n; i++) {
		snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
		check(c, k, v->items[i], sub);
	}
}

static void check(struct checker *c, const struct jv *s, const struct jv *v,
		  const char *path)
{
	const struct jv *k;

	if (!s || s->t != J_OBJ) {
		violation(c, path, "schema: not an object");
		return;
	}
	check_keywords(c, s, path);
	k = get(s, "$ref");
	if (k) {
		const struct jv *d = k->t == J_STR ?
				     resolve(c, k->s, path) : NULL;

		if (d)
			check(c, d, v, path);
		return;
	}
	if (!check_type(c, s, v, path))
		return;
	check_value(c, s, v, path);
	check_bounds(c, s, v, path);
	check_any_of(c, s, v, path);
	if (v->t == J_OBJ)
		check_object(c, s, v, path);
	if (v->t == J_ARR)
		check_array(c, s, v, path);
}

static int cmd_json_check(int argc, char **argv)
{
	struct checker c = {};
	const struct jv *def;
	struct jv *schema, *doc;
	char *stext, *text, *line, *save, err[200], where[32] = "";
	bool lines = argc == 4 && !strcmp(argv[3], "--lines");
	unsigned long docs = 0;

	if (argc != 3 && !lines)
		return usage_error(cli_usage);
	stext = read_file(argv[0]);
	if (!stext)
		return fail(errno, "read %s", argv[0]);
	schema = parse_doc(stext, err, sizeof(err));
	free(stext);
	if (!schema) {
		printf("json-check: schema %s: %s\n", argv[0], err);
		return 1;
	}
	c.root = schema;
	def = get(get(schema, "$defs"), argv[1]);
	if (!def) {
		printf("json-check: schema %s has no #/$defs/%s\n", argv[0],
		       argv[1]);
		jv_free(schema);
		return 1;
	}
	text = read_file(argv[2]);
	if (!text) {
		jv_free(schema);
		return fail(errno, "read %s", argv[2]);
	}
	for (line = lines ? strtok_r(text, "\n", &save) : text; line;
	     line = lines ? strtok_r(NULL, "\n", &save) : NULL) {
		if (!line[strspn(line, " \t\r\n")])
			continue;
		docs++;
		if (lines)
			snprintf(where, sizeof(where), "line %lu", docs);
		doc = parse_doc(line, err, sizeof(err));
		if (!doc) {
			printf("json-check: %s%snot JSON: %s\n", where,
			       where[0] ? ": " : "", err);
			c.errors++;
			continue;
		}
		check(&c, def, doc, where);
		jv_free(doc);
	}
	if (!docs) {
		printf("json-check: %s: no JSON document\n", argv[2]);
		c.errors++;
	}
	printf("json-check: %lu document%s, %lu violation%s\n", docs,
	       docs == 1 ? "" : "s", c.errors, c.errors == 1 ? "" : "s");
	free(text);
	jv_free(schema);
	return c.errors ? 1 : 0;
}

int cmd_cli(int argc, char **argv)
{
	static const struct cmd subs[] = {
		{ "attach", cmd_attach },
		{ "hide", cmd_hide },
		{ "json-check", cmd_json_check },
	};
	const struct cmd *sub;

	report_as(PROG, err_text);
	if (argc < 1)
		return usage_error(cli_usage);
	sub = find_cmd(subs, ARRAY_SIZE(subs), argv[0]);
	if (sub)
		return sub->fn(argc - 1, argv + 1);
	return usage_error(cli_usage);
}
