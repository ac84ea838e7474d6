// SPDX-License-Identifier: GPL-2.0
/*
 * lsmrevoke-test strict <sub> ...: the strict-mode scenarios of
 * tests/guest/suite.d/50-strict.sh.
 *
 *   up <obj> <dir>
 *       load <obj>; right after bpf_object__load() returns (before any
 *       attach, pin or other syscall on the programs) read lsmrevoke's
 *       programs file once and print, per program,
 *       "<name> <id> <state> <requires>" (state/requires "none" when the
 *       program has no line); then attach what can be attached and pin as
 *       "lsmrevoke-test trace up" does (<dir>/<name>, <dir>/link/<name>,
 *       <dir>/map/<name>, .bss as <dir>/map/bss), so that "trace fire",
 *       "trace get" and "trace set" work on <dir>.
 *
 * Exit status 1 means the command itself could not run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define SPROG		"lsmrevoke-test strict"
#define PROGRAMS	"/sys/kernel/security/lsmrevoke/programs"
#define MAX_PROGS	16

static int sfail(int err, const char *what, const char *arg)
{
	fprintf(stderr, SPROG ": %s %s: %s\n", what, arg, strerror(err));
	return 1;
}

static int serr(long ret)
{
	if (ret < 0)
		return (int)-ret;
	return errno ? errno : EINVAL;
}

static int smkdir_p(const char *path)
{
	char buf[PATH_MAX], *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
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

/* The whole programs file in one buffer (NUL-terminated), or NULL. */
static char *read_programs(void)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	FILE *f = fopen(PROGRAMS, "r");
	size_t n;

	if (!buf || !f) {
		free(buf);
		if (f)
			fclose(f);
		return NULL;
	}
	while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (len + 1 == cap) {
			char *nb = realloc(buf, cap * 2);

			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}

/* Prints "<state> <requires>" of @id from @text, or "none none". */
static void print_state(const char *text, __u32 id)
{
	const char *p = text;
	char want[16];
	int wl = snprintf(want, sizeof(want), "%u ", id);

	while (p && *p) {
		const char *nl = strchr(p, '\n');

		if (!strncmp(p, want, wl)) {
			char req[128] = "?", state[128] = "?";

			/* id type name requires state ... */
			sscanf(p, "%*s %*s %*s %127s %127s", req, state);
			printf(" %s %s\n", state, req);
			return;
		}
		p = nl ? nl + 1 : NULL;
	}
	printf(" none none\n");
}

static int cmd_up(int argc, char **argv)
{
	struct bpf_program *prog;
	struct bpf_object *obj;
	struct bpf_map *map;
	char pin[PATH_MAX], *text;
	const char *dir;
	__u32 ids[MAX_PROGS];
	int n = 0, i, err, ret = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: " SPROG " up <obj> <dir>\n");
		return 1;
	}
	dir = argv[1];
	snprintf(pin, sizeof(pin), "%s/link", dir);
	if (smkdir_p(pin))
		return sfail(errno, "mkdir", pin);
	snprintf(pin, sizeof(pin), "%s/map", dir);
	if (smkdir_p(pin))
		return sfail(errno, "mkdir", pin);

	obj = bpf_object__open_file(argv[0], NULL);
	if (!obj)
		return sfail(errno, "open", argv[0]);
	err = bpf_object__load(obj);
	/* The loader is back in user space: judge what lsmrevoke says now. */
	text = err ? NULL : read_programs();
	if (err) {
		sfail(serr(err), "load", argv[0]);
		goto out;
	}
	if (!text) {
		sfail(errno, "read", PROGRAMS);
		goto out;
	}
	bpf_object__for_each_program(prog, obj) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);

		memset(&info, 0, sizeof(info));
		if (n == MAX_PROGS ||
		    bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len)) {
			sfail(errno ? errno : E2BIG, "info",
			      bpf_program__name(prog));
			goto out;
		}
		ids[n++] = info.id;
	}
	i = 0;
	bpf_object__for_each_program(prog, obj) {
		printf("%s %u", bpf_program__name(prog), ids[i]);
		print_state(text, ids[i]);
		i++;
	}

	bpf_object__for_each_map(map, obj) {
		const char *name = bpf_map__name(map);

		if (bpf_map__is_internal(map) && strchr(name, '.'))
			name = strchr(name, '.') + 1;
		snprintf(pin, sizeof(pin), "%s/map/%s", dir, name);
		err = bpf_map__pin(map, pin);
		if (err) {
			sfail(serr(err), "pin", pin);
			goto out;
		}
	}
	bpf_object__for_each_program(prog, obj) {
		const char *name = bpf_program__name(prog);
		struct bpf_link *link = bpf_program__attach(prog);

		if (!link) {
			if (errno != EOPNOTSUPP) {
				sfail(errno, "attach", name);
				goto out;
			}
		} else {
			snprintf(pin, sizeof(pin), "%s/link/%s", dir, name);
			err = bpf_link__pin(link, pin);
			if (err) {
				sfail(serr(err), "pin", pin);
				goto out;
			}
		}
		snprintf(pin, sizeof(pin), "%s/%s", dir, name);
		err = bpf_program__pin(prog, pin);
		if (err) {
			sfail(serr(err), "pin", pin);
			goto out;
		}
	}
	ret = 0;
out:
	free(text);
	bpf_object__close(obj);
	return ret;
}

int cmd_strict(int argc, char **argv)
{
	if (argc >= 1 && !strcmp(argv[0], "up"))
		return cmd_up(argc - 1, argv + 1);
	fprintf(stderr, "usage: " SPROG " up <obj> <dir>\n");
	return 1;
}
