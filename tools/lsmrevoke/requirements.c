// SPDX-License-Identifier: GPL-2.0
/*
 * The module's requirements, from its securityfs file "requirements":
 *
 *   # name reason reason_nr level strict_adds detected_by
 *   bpf_write_user LOCKDOWN_BPF_WRITE_USER 17 integrity - a call of ...
 *
 * A header line, then one row per requirement in the order of the module's
 * flag bits: row k is bit k (REQ_BIT(k)). Fields are separated by one
 * space; "-" is an empty reason, level or strict_adds, and reason_nr is -1
 * when the kernel gates nothing; detected_by runs to the end of the line.
 * The module keeps the one list of requirements, with the reason numbers
 * and levels of the running kernel: lsmrevoke(8) knows none by name.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lsmrevoke.h"

#define REQ_FILE	"requirements"

const char * const level_names[NR_LEVELS] = {
	[LEVEL_NONE] = "none",
	[LEVEL_INTEGRITY] = "integrity",
	[LEVEL_CONFIDENTIALITY] = "confidentiality",
};

/* The next field of @*line, which is left after its one-space separator. */
static char *next_field(char **line)
{
	char *f = *line, *sp;

	if (!f)
		return NULL;
	sp = strchr(f, ' ');
	if (sp)
		*sp++ = '\0';
	*line = sp;
	return f;
}

static int copy_name(char *dst, size_t len, const char *src)
{
	if (!src[0] || strlen(src) >= len)
		return -EINVAL;
	snprintf(dst, len, "%s", src);
	return 0;
}

static int parse_level(const char *s)
{
	int i;

	if (!strcmp(s, "-"))
		return LEVEL_NONE;
	for (i = 0; i < NR_LEVELS; i++)
		if (!strcmp(s, level_names[i]))
			return i;
	return -EINVAL;
}

static int parse_reason_nr(const char *s, int *nr)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < -1 || v > 0xffff)
		return -EINVAL;
	*nr = v;
	return 0;
}

/*
 * One row into @req; its strict_adds, which can name later rows, is left
 * in *@adds for resolve_adds().
 */
static int parse_row(char *line, struct req_info *req, char **adds)
{
	char *name, *reason, *nr, *level, *rest = line;

	name = next_field(&rest);
	reason = next_field(&rest);
	nr = next_field(&rest);
	level = next_field(&rest);
	*adds = next_field(&rest);
	if (!*adds || copy_name(req->name, sizeof(req->name), name) ||
	    parse_reason_nr(nr, &req->reason_nr))
		return -EINVAL;
	req->reason[0] = '\0';
	if (strcmp(reason, "-") &&
	    copy_name(req->reason, sizeof(req->reason), reason))
		return -EINVAL;
	req->level = parse_level(level);
	if (req->level < 0)
		return -EINVAL;
	req->strict_adds = 0;
	snprintf(req->what, sizeof(req->what), "%s", rest ? rest : "");
	return 0;
}

/* A comma-separated list of names, or "-", as REQ_BIT()s in *@flags. */
static int parse_names(const struct req_table *rt, char *list, __u32 *flags)
{
	char *tok, *save;
	int r;

	*flags = 0;
	if (!strcmp(list, "-"))
		return 0;
	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		r = req_by_name(rt, tok);
		if (r < 0)
			return -EINVAL;
		*flags |= REQ_BIT(r);
	}
	return 0;
}

static int bad_row(unsigned int lineno, const char *why)
{
	warn_errno(EINVAL, SFS_DIR "/" REQ_FILE ", line %u: %s", lineno, why);
	return -EINVAL;
}

/* The rows of @buf into @rt, the strict_adds of row k in @adds[k]. */
static int parse_rows(char *buf, struct req_table *rt, char **adds,
		      unsigned int *lines)
{
	unsigned int lineno = 0;
	char *line, *next;

	rt->n = 0;
	for (line = buf; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		if (line[0] == '#' || !line[0])
			continue;
		if (rt->n == MAX_REQ)
			return bad_row(lineno, "more requirements than the 32 flag bits");
		if (parse_row(line, &rt->v[rt->n], &adds[rt->n]))
			return bad_row(lineno, "not a requirement row");
		lines[rt->n++] = lineno;
	}
	return 0;
}

/* The module's requirements table, in flag order, into @rt. */
int sfs_requirements(struct req_table *rt)
{
	unsigned int lines[MAX_REQ], r;
	char *buf, *adds[MAX_REQ];
	int ret;

	rt->n = 0;
	ret = sfs_read(REQ_FILE, &buf);
	if (ret)
		return ret;
	ret = parse_rows(buf, rt, adds, lines);
	for (r = 0; r < rt->n; r++) {
		if (ret)
			break;
		if (parse_names(rt, adds[r], &rt->v[r].strict_adds))
			ret = bad_row(lines[r], "strict_adds names no requirement");
	}
	free(buf);
	if (ret)
		rt->n = 0;
	return ret;
}

/* The row (flag bit) of requirement @name, or -1. */
int req_by_name(const struct req_table *rt, const char *name)
{
	unsigned int r;

	for (r = 0; r < rt->n; r++)
		if (!strcmp(rt->v[r].name, name))
			return r;
	return -1;
}

/* Can lockdown deny @req (at some level)? */
bool req_gated(const struct req_info *req)
{
	return req->reason_nr >= 0 && req->level > LEVEL_NONE;
}

/*
 * The names of the requirements in @flags, in flag order, separated by
 * @sep, into @buf ("" for none); returns how many.
 */
size_t req_names(const struct req_table *rt, __u32 flags, const char *sep,
		 char *buf, size_t len)
{
	size_t off = 0, n = 0;
	unsigned int r;

	buf[0] = '\0';
	for (r = 0; r < rt->n; r++) {
		if (!(flags & REQ_BIT(r)))
			continue;
		if (off < len)
			off += snprintf(buf + off, len - off, "%s%s",
					n ? sep : "", rt->v[r].name);
		n++;
	}
	return n;
}
