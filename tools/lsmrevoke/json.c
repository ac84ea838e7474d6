// SPDX-License-Identifier: GPL-2.0
/*
 * A writer of compact JSON (RFC 8259): commas and string escapes are its
 * business, structure is the caller's. Nesting deeper than 16 levels is a
 * caller's bug and is not checked beyond not overflowing.
 */
#include <string.h>

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

/* The length of the valid UTF-8 sequence at @p, or 0 when it is not one. */
static size_t utf8_len(const unsigned char *p)
{
	size_t n, i;
	unsigned int c;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	c = p[0] & (0x7f >> n);
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	/* Overlong forms, surrogates and beyond U+10FFFF are not UTF-8. */
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	return n;
}

/*
 * A string of arbitrary bytes (a task's name): valid UTF-8 as it is, every
 * other byte as U+FFFD, so that the document stays UTF-8.
 */
void json_bytes(struct json *j, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char buf[256];
	size_t off = 0, n;

	while (*p && off + 4 < sizeof(buf)) {
		n = utf8_len(p);
		if (n) {
			memcpy(buf + off, p, n);
			off += n;
			p += n;
		} else {
			memcpy(buf + off, "\xef\xbf\xbd", 3);
			off += 3;
			p++;
		}
	}
	buf[off] = '\0';
	json_str(j, buf);
}
