// SPDX-License-Identifier: GPL-2.0
/*
 * The module's securityfs files, /sys/kernel/security/lsmrevoke/, and the
 * few other kernel files lsmrevoke(8) reads (lockdown, module parameters).
 *
 * Every failure is reported here, once, with a hint when the cause is
 * common: the module is not loaded, securityfs is not mounted, or the
 * caller is not root. Functions return 0 or -errno.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lsmrevoke.h"

/* Says why the directory is missing; returns -ENOENT. */
static int explain_missing(void)
{
	struct stat st;

	warn_errno(ENOENT, "%s", SFS_DIR);
	if (stat("/sys/module/lsmrevoke", &st))
		warn_msg("the lsmrevoke module is not loaded (modprobe lsmrevoke)");
	else
		warn_msg("securityfs is not mounted at /sys/kernel/security (%s)",
			 "mount -t securityfs none /sys/kernel/security");
	return -ENOENT;
}

int sfs_present(void)
{
	struct stat st;

	if (stat(SFS_DIR, &st) && errno == ENOENT)
		return explain_missing();
	return 0;
}

/* Opens SFS_DIR/@file, saying why when it cannot; returns an fd or -errno. */
int sfs_open(const char *file, int flags)
{
	char path[256];
	struct stat st;
	int fd, err;

	snprintf(path, sizeof(path), SFS_DIR "/%s", file);
	fd = open(path, flags | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	err = errno;
	if (err == ENOENT && stat(SFS_DIR, &st))
		return explain_missing();
	warn_errno(err, "%s", path);
	if (err == EACCES || err == EPERM)
		warn_msg("permission denied: run lsmrevoke as root (%s)",
			 "the module's files need CAP_SYS_ADMIN");
	else if (err == ENOENT)
		warn_msg("the loaded lsmrevoke module has no %s file: %s", file,
			 "it is older than this command");
	return -err;
}

/* The whole of an open file, NUL-terminated, in *@buf (to be freed). */
static int read_fd(int fd, const char *what, char **buf)
{
	size_t len = 0, size = 4096;
	char *p = malloc(size), *q;
	ssize_t n;

	if (!p) {
		warn_errno(ENOMEM, "read %s", what);
		return -ENOMEM;
	}
	for (;;) {
		if (size - len < 2) {
			q = realloc(p, size * 2);
			if (!q) {
				free(p);
				warn_errno(ENOMEM, "read %s", what);
				return -ENOMEM;
			}
			p = q;
			size *= 2;
		}
		n = read(fd, p + len, size - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;

			free(p);
			warn_errno(err, "read %s", what);
			return -err;
		}
		if (!n)
			break;
		len += n;
	}
	p[len] = '\0';
	*buf = p;
	return 0;
}

int sfs_read(const char *file, char **buf)
{
	char what[256];
	int fd, ret;

	fd = sfs_open(file, O_RDONLY);
	if (fd < 0)
		return fd;
	snprintf(what, sizeof(what), SFS_DIR "/%s", file);
	ret = read_fd(fd, what, buf);
	close(fd);
	return ret;
}

int sfs_write(const char *file, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd, err;

	fd = sfs_open(file, O_WRONLY);
	if (fd < 0)
		return fd;
	n = write(fd, val, len);
	err = n < 0 ? errno : 0;
	if (!err && (size_t)n != len)
		err = EIO;
	if (close(fd) && !err)
		err = errno;
	if (err) {
		warn_errno(err, "write %s to " SFS_DIR "/%s", val, file);
		if (err == EPERM)
			warn_msg("lockdown is on: %s",
				 "mode and strict only move toward enforcement");
		return -err;
	}
	return 0;
}

/* The first word of a small file, without the newline. */
int read_word(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	buf[n] = '\0';
	buf[strcspn(buf, "\n ")] = '\0';
	return 0;
}

/* The first word of a module file (mode, strict). */
int sfs_word(const char *file, char *buf, size_t len)
{
	char *p;
	int ret;

	ret = sfs_read(file, &p);
	if (ret)
		return ret;
	snprintf(buf, len, "%.*s", (int)strcspn(p, "\n "), p);
	free(p);
	return 0;
}

/*
 * The lockdown level in force, from "none [integrity] confidentiality":
 * 0, 1 or 2, its name in @name; -ENOENT without the lockdown LSM.
 */
int lockdown_level(char *name, size_t len)
{
	char buf[128], *open_b, *close_b;
	ssize_t n;
	int fd, i;

	fd = open(LOCKDOWN_FILE, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	open_b = strchr(buf, '[');
	close_b = open_b ? strchr(open_b, ']') : NULL;
	if (!close_b)
		return -EINVAL;
	*close_b = '\0';
	for (i = 0; i < NR_LEVELS; i++) {
		if (!strcmp(open_b + 1, level_names[i])) {
			snprintf(name, len, "%s", level_names[i]);
			return i;
		}
	}
	return -EINVAL;
}

static void copy_field(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src);
}

/* requires: names of requirements, comma-separated, or "-" */
static __u32 parse_requires(const struct req_table *rt, char *s)
{
	char *tok, *save;
	__u32 flags = 0;
	int r;

	if (!strcmp(s, "-"))
		return 0;
	for (tok = strtok_r(s, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		r = req_by_name(rt, tok);
		if (r >= 0)
			flags |= REQ_BIT(r);
	}
	return flags;
}

/* sites=<req>@<insn>,... or "-" */
static void parse_sites(const struct req_table *rt, struct prog_entry *e,
			char *s)
{
	char *tok, *save, *at;
	int r;

	if (!strcmp(s, "-"))
		return;
	for (tok = strtok_r(s, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		at = strchr(tok, '@');
		if (!at)
			continue;
		*at = '\0';
		r = req_by_name(rt, tok);
		if (r < 0)
			continue;
		e->own |= REQ_BIT(r);
		/* "name@-": the whole program needs it, no one instruction */
		if (strcmp(at + 1, "-"))
			e->site[r] = strtol(at + 1, NULL, 10);
	}
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * loader=<comm>:<pid> or loader=walk. The module writes every byte of the
 * name outside 0x21-0x7e, and '\', as \xHH; the PID follows the last ':'.
 * A value that is neither leaves the loader unknown.
 */
static void parse_loader(struct prog_entry *e, const char *v)
{
	const char *colon = strrchr(v, ':'), *p;
	size_t n = 0;
	char *end;
	long pid;
	int hi, lo;

	copy_field(e->loader, sizeof(e->loader), v);
	if (!colon)
		return;
	pid = strtol(colon + 1, &end, 10);
	if (end == colon + 1 || *end || pid < 0)
		return;
	for (p = v; p < colon && n + 1 < sizeof(e->comm); p++) {
		hi = -1;
		lo = -1;
		if (p[0] == '\\' && p[1] == 'x' && p + 3 < colon) {
			hi = hex_digit(p[2]);
			lo = hex_digit(p[3]);
		}
		if (hi >= 0 && lo >= 0) {
			e->comm[n++] = (char)(hi << 4 | lo);
			p += 3;
		} else {
			e->comm[n++] = *p;
		}
	}
	e->comm[n] = '\0';
	e->pid = pid;
}

/* The key=value fields after the state; unknown ones are ignored. */
static void parse_prog_options(const struct req_table *rt,
			       struct prog_entry *e, char **save)
{
	char *tok, *eq;

	while ((tok = strtok_r(NULL, " ", save))) {
		eq = strchr(tok, '=');
		if (!eq)
			continue;
		*eq++ = '\0';
		if (!strcmp(tok, "uid"))
			e->uid = strcmp(eq, "-") ? strtol(eq, NULL, 10) : -1;
		else if (!strcmp(tok, "src"))
			copy_field(e->src, sizeof(e->src), eq);
		else if (!strcmp(tok, "sites"))
			parse_sites(rt, e, eq);
		else if (!strcmp(tok, "loader"))
			parse_loader(e, eq);
	}
}

/* One programs line, its requirements named in @rt. */
static int parse_prog_line(const struct req_table *rt, char *line,
			   struct prog_entry *e)
{
	char *f[5], *save, *colon;
	int i;

	memset(e, 0, sizeof(*e));
	e->uid = -1;
	e->pid = -1;
	for (i = 0; i < MAX_REQ; i++)
		e->site[i] = NO_SITE;
	for (i = 0; i < 5; i++) {
		f[i] = strtok_r(i ? NULL : line, " ", &save);
		if (!f[i])
			return -EINVAL;
	}
	e->id = strtoul(f[0], NULL, 10);
	copy_field(e->type, sizeof(e->type), f[1]);
	copy_field(e->name, sizeof(e->name), strcmp(f[2], "-") ? f[2] : "");
	e->requires = parse_requires(rt, f[3]);
	colon = strchr(f[4], ':');
	if (colon) {
		*colon = '\0';
		copy_field(e->why, sizeof(e->why), colon + 1);
	}
	copy_field(e->state, sizeof(e->state), f[4]);
	parse_prog_options(rt, e, &save);
	return 0;
}

static int by_id(const void *a, const void *b)
{
	const struct prog_entry *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/*
 * The programs file, parsed and sorted by ID, with the requirements table
 * its requires and sites name.
 */
int sfs_programs(struct prog_table *t)
{
	char *buf, *line, *save;
	size_t cap = 0;
	int ret;

	t->v = NULL;
	t->n = 0;
	ret = sfs_requirements(&t->req);
	if (ret)
		return ret;
	ret = sfs_read("programs", &buf);
	if (ret)
		return ret;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#' || !line[0])
			continue;
		if (t->n == cap) {
			struct prog_entry *v;

			cap = cap ? cap * 2 : 64;
			v = realloc(t->v, cap * sizeof(*v));
			if (!v) {
				free(buf);
				free(t->v);
				t->v = NULL;
				warn_errno(ENOMEM, "programs");
				return -ENOMEM;
			}
			t->v = v;
		}
		if (!parse_prog_line(&t->req, line, &t->v[t->n]))
			t->n++;
	}
	free(buf);
	if (t->n)
		qsort(t->v, t->n, sizeof(*t->v), by_id);
	return 0;
}

const struct prog_entry *sfs_find(const struct prog_table *t, __u32 id)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->v[i].id == id)
			return &t->v[i];
	return NULL;
}

int sfs_stats(struct kv_list *kv)
{
	char *buf, *line, *save, key[32];
	long long v;
	int ret;

	kv->n = 0;
	ret = sfs_read("stats", &buf);
	if (ret)
		return ret;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (kv->n == ARRAY_SIZE(kv->v))
			break;
		if (sscanf(line, "%31s %lld", key, &v) != 2)
			continue;
		copy_field(kv->v[kv->n].key, sizeof(kv->v[0].key), key);
		kv->v[kv->n].value = v;
		kv->n++;
	}
	free(buf);
	return 0;
}

long long kv_get(const struct kv_list *kv, const char *key)
{
	size_t i;

	for (i = 0; i < kv->n; i++)
		if (!strcmp(kv->v[i].key, key))
			return kv->v[i].value;
	return -1;
}
