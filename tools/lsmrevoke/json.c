// SPDX-License-Identifier: GPL-2.0
/*
 * A writer of compact JSON (RFC 8259): commas and string escapes are its
 * business, structure is the caller's. Nesting deeper than 16 levels is a
 * caller's bug and is not checked beyond not overflowing.
 */
#include "lsmrevoke.h"

void json_init(struct json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->first[0] = true;
	j->after_key = false;
}

/* Before any value: the comma that separates it from the previous one. */
static void sep(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->first[j->depth])
		fputc(',', j->f);
	j->first[j->depth] = false;
}

static void open_c(struct json *j, char c)
{
	sep(j);
	fputc(c, j->f);
	if (j->depth < 15)
		j->depth++;
	j->first[j->depth] = true;
}

static void close_c(struct json *j, char c)
{
	if (j->depth > 0)
		j->depth--;
	fputc(c, j->f);
	if (!j->depth)
		fputc('\n', j->f);
}

void json_obj(struct json *j)
{
	open_c(j, '{');
}

void json_obj_end(struct json *j)
{
	close_c(j, '}');
}

void json_arr(struct json *j)
{
	open_c(j, '[');
}

void json_arr_end(struct json *j)
{
	close_c(j, ']');
}

static void put_str(FILE *f, const char *s)
{
	const unsigned char *p;

	fputc('"', f);
	for (p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

void json_key(struct json *j, const char *key)
{
	sep(j);
	put_str(j->f, key);
	fputc(':', j->f);
	j->after_key = true;
}

void json_str(struct json *j, const char *s)
{
	sep(j);
	put_str(j->f, s);
}

void json_int(struct json *j, long long v)
{
	sep(j);
	fprintf(j->f, "%lld", v);
}

void json_bool(struct json *j, bool v)
{
	sep(j);
	fputs(v ? "true" : "false", j->f);
}

void json_null(struct json *j)
{
	sep(j);
	fputs("null", j->f);
}
