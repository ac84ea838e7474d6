// SPDX-License-Identifier: GPL-2.0
/*
 * lsmrevoke-test: the helpers its command groups share (testlib.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

const struct cmd *find_cmd(const struct cmd *cmds, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(name, cmds[i].name))
			return &cmds[i];
	return NULL;
}

/* --- messages ---------------------------------------------------------- */

/* strerror(3)'s text for @err. */
const char *err_text(int err)
{
	return strerror(err);
}

/* The same, but nothing (NULL) for 0. */
const char *err_text_nonzero(int err)
{
	return err ? strerror(err) : NULL;
}

/* The errno name of @err (EPERM, ...), as the scenarios print results. */
const char *errname(int err)
{
	const char *n = strerrorname_np(err);
	static char buf[16];

	if (n)
		return n;
	if (err == 524)
		return "ENOTSUPP";
	snprintf(buf, sizeof(buf), "E%d", err);
	return buf;
}

static const char *report_prefix = "lsmrevoke-test";
static const char *(*report_err)(int err) = err_text;

/* How fail() reports from now on: "<prefix>: ...: <err_str(err)>". */
void report_as(const char *prefix, const char *(*err_str)(int err))
{
	report_prefix = prefix;
	report_err = err_str;
}

/*
 * Prints "<prefix>: <fmt ...>: <error>" to stderr (no ": <error>" where
 * the error string is NULL); returns 1.
 */
int fail(int err, const char *fmt, ...)
{
	const char *what;
	va_list ap;

	fprintf(stderr, "%s: ", report_prefix);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	what = report_err(err);
	if (what)
		fprintf(stderr, ": %s\n", what);
	else
		fputc('\n', stderr);
	return 1;
}

/* Prints a usage text to stderr; returns 1, the status of a usage error. */
int usage_error(const char *text)
{
	fputs(text, stderr);
	return 1;
}

/* --- arguments, files, time ------------------------------------------- */

/* libbpf 1.x returns -errno; keep a positive errno whatever we are given. */
int err_of(long ret)
{
	if (ret < 0)
		return (int)-ret;
	return errno ? errno : EINVAL;
}

/* A decimal number up to @max; -1 if @s is anything else. */
int parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

/* mkdir -p, mode 0700. */
int mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);
	char *p;

	if (len == 0 || len >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, path, len + 1);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0700) && errno != EEXIST)
		return -1;
	return 0;
}

/* "<dir>/<prefix><name>" into @buf (PATH_MAX bytes); -1 if too long. */
int pin_at(char *buf, const char *dir, const char *prefix, const char *name)
{
	if (snprintf(buf, PATH_MAX, "%s/%s%s", dir, prefix, name) >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* Reads @fd to its end into a NUL-terminated malloc'ed buffer, or NULL. */
static char *read_fd(int fd)
{
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap);

	if (!buf)
		return NULL;
	for (;;) {
		ssize_t n;

		if (cap - len < 4096) {
			char *nb = realloc(buf, cap * 2);

			if (!nb)
				goto err;
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0)
			goto err;
		if (n == 0)
			break;
		len += n;
	}
	buf[len] = '\0';
	return buf;
err:
	free(buf);
	return NULL;
}

/*
 * All of @fd (from open(2) or the like; closed after) in a NUL-terminated
 * malloc'ed buffer; NULL with errno set on failure, or if @fd is negative.
 */
char *read_close(int fd)
{
	char *buf;

	if (fd < 0)
		return NULL;
	buf = read_fd(fd);
	close(fd);
	return buf;
}

/* All of @path, as read_close() returns it. */
char *read_file(const char *path)
{
	return read_close(open(path, O_RDONLY));
}

__u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* --- programs and objects --------------------------------------------- */

int prog_info(int fd, struct bpf_prog_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return bpf_obj_get_info_by_fd(fd, info, &len);
}

/* The id of program @fd, 0 if it cannot be had. */
__u32 prog_id(int fd)
{
	struct bpf_prog_info info;

	return prog_info(fd, &info) ? 0 : info.id;
}

static bool listed(const char *const *names, const char *name)
{
	for (; *names; names++)
		if (!strcmp(*names, name))
			return true;
	return false;
}

/* Is @name a function in /proc/kallsyms? */
static bool kernel_has(const char *name)
{
	char line[512], sym[256];
	bool found = false;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%*s %*s %255s", sym) == 1 &&
			!strcmp(sym, name);
	fclose(f);
	return found;
}

/*
 * Kernel functions the test programs attach to that a newer kernel
 * renamed: a program attached to the old name is pointed at the new one
 * where only the new one exists.
 */
static const char *const renamed[][2] = {
	{ "do_misc_fixups", "bpf_do_misc_fixups" },	/* 7.3 */
};

static void retarget(struct bpf_program *prog)
{
	const char *sec = bpf_program__section_name(prog);
	const char *slash = sec ? strchr(sec, '/') : NULL;
	size_t i;

	if (!slash || (strncmp(sec, "fentry/", 7) && strncmp(sec, "fexit/", 6)))
		return;
	for (i = 0; i < ARRAY_SIZE(renamed); i++) {
		if (strcmp(slash + 1, renamed[i][0]) ||
		    kernel_has(renamed[i][0]) || !kernel_has(renamed[i][1]))
			continue;
		bpf_program__set_attach_target(prog, 0, renamed[i][1]);
	}
}

static struct bpf_object *load_object(const char *path,
				      const char *const *only, bool report)
{
	struct bpf_program *prog;
	struct bpf_object *obj;
	int err;

	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		if (report)
			fail(errno, "open %s", path);
		return NULL;
	}
	bpf_object__for_each_program(prog, obj) {
		if (only)
			bpf_program__set_autoload(prog,
						  listed(only, bpf_program__name(prog)));
		retarget(prog);
	}
	err = bpf_object__load(obj);
	if (err) {
		if (report)
			fail(err_of(err), "load %s", path);
		bpf_object__close(obj);
		return NULL;
	}
	return obj;
}

/*
 * Opens and loads @path: every program, or with @only (NULL-terminated)
 * just those it names. Failures are reported as "open <path>" or
 * "load <path>".
 */
struct bpf_object *open_and_load(const char *path, const char *const *only)
{
	return load_object(path, only, true);
}

/* The same without a message. */
struct bpf_object *open_and_load_quiet(const char *path)
{
	return load_object(path, NULL, false);
}

/*
 * Pins every map of @obj at <dir>/<prefix><name>, the internal ones by
 * their section name (bpffs refuses the '.' of "<obj prefix>.bss").
 */
int pin_maps(struct bpf_object *obj, const char *dir, const char *prefix)
{
	char pin[PATH_MAX];
	struct bpf_map *map;
	int err;

	bpf_object__for_each_map(map, obj) {
		const char *name = bpf_map__name(map);

		/* Internal maps are "<obj prefix>.bss" and so on. */
		if (bpf_map__is_internal(map) && strchr(name, '.'))
			name = strchr(name, '.') + 1;
		if (pin_at(pin, dir, prefix, name))
			return fail(errno, "pin under %s", dir);
		err = bpf_map__pin(map, pin);
		if (err)
			return fail(err_of(err), "pin %s", pin);
	}
	return 0;
}

/*
 * Attaches @prog and pins its link at <dir>/<link_prefix><name>, then the
 * program at <dir>/<name>; the link stays open until we exit. With
 * @optional, a program that has no attach point in its section
 * (perf_event, a tail-call target: EOPNOTSUPP) is pinned only. A failed
 * attach is reported as "<what> <name>".
 */
int attach_and_pin(struct bpf_program *prog, const char *dir,
		   const char *link_prefix, const char *what, bool optional)
{
	const char *name = bpf_program__name(prog);
	struct bpf_link *link = bpf_program__attach(prog);
	char pin[PATH_MAX];
	int err;

	if (!link) {
		if (!optional || errno != EOPNOTSUPP)
			return fail(errno, "%s %s", what, name);
	} else {
		if (pin_at(pin, dir, link_prefix, name))
			return fail(errno, "pin under %s", dir);
		err = bpf_link__pin(link, pin);
		if (err)
			return fail(err_of(err), "pin %s", pin);
	}
	if (pin_at(pin, dir, "", name))
		return fail(errno, "pin under %s", dir);
	err = bpf_program__pin(prog, pin);
	if (err)
		return fail(err_of(err), "pin %s", pin);
	return 0;
}

/* --- lsmrevoke's programs file ----------------------------------------- */

/* The line of program @id in the text of the programs file, or NULL. */
const char *programs_line(const char *programs, __u32 id)
{
	const char *p = programs;

	while (p && *p) {
		char *end;

		if (*p != '#' && strtoul(p, &end, 10) == id && end != p &&
		    *end == ' ')
			return p;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

/*
 * Field @field of a programs line ("id type name requires state ...",
 * the id is field 0) into @buf; -1 if the line has no such field.
 */
int line_field(const char *line, int field, char *buf, size_t size)
{
	const char *f = line;

	for (; field > 0; field--) {
		f = strchr(f, ' ');
		if (!f)
			return -1;
		f++;
	}
	snprintf(buf, size, "%.*s", (int)strcspn(f, "\n "), f);
	return 0;
}

/* The state of program @id ("active", "revoked", ...); -1 if it has none. */
int prog_state(const char *programs, __u32 id, char *state, size_t size)
{
	const char *line = programs_line(programs, id);

	return line ? line_field(line, 4, state, size) : -1;
}

/* --- globals: a data section map (.bss, .data) mapped with its BTF ---- */

/*
 * Maps the value of data section map @fd (@what names it in messages)
 * with @prot, and loads its BTF. The caller calls datasec_close() after,
 * even when this failed.
 */
int datasec_open(struct datasec *s, int fd, const char *what, int prot)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	long page = sysconf(_SC_PAGESIZE);

	memset(s, 0, sizeof(*s));
	s->fd = fd;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return fail(errno, "map info %s", what);
	s->btf = btf__load_from_kernel_by_id(info.btf_id);
	if (!s->btf)
		return fail(errno, "btf of %s", what);
	s->sec = btf__type_by_id(s->btf, info.btf_value_type_id);
	if (!s->sec || !btf_is_datasec(s->sec))
		return fail(EINVAL, "datasec of %s", what);
	s->len = (info.value_size + page - 1) / page * page;
	s->mem = mmap(NULL, s->len, prot, MAP_SHARED, fd, 0);
	if (s->mem == MAP_FAILED) {
		s->mem = NULL;
		return fail(errno, "mmap %s", what);
	}
	return 0;
}

/* The address and size of global @name, or NULL. */
void *datasec_var(const struct datasec *s, const char *name, __u32 *size)
{
	const struct btf_var_secinfo *vsi = btf_var_secinfos(s->sec);
	int i;

	for (i = 0; i < btf_vlen(s->sec); i++, vsi++) {
		const struct btf_type *t = btf__type_by_id(s->btf, vsi->type);

		if (!t || strcmp(btf__name_by_offset(s->btf, t->name_off), name))
			continue;
		if (vsi->offset + vsi->size > s->len)
			return NULL;
		*size = vsi->size;
		return s->mem + vsi->offset;
	}
	return NULL;
}

void datasec_close(struct datasec *s, bool own_fd)
{
	if (s->mem)
		munmap(s->mem, s->len);
	btf__free(s->btf);
	if (own_fd && s->fd >= 0)
		close(s->fd);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}
