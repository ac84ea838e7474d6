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

#include "testlib.h"

#define SPROG		"lsmrevoke-test strict"
#define MAX_PROGS	16

static const char strict_usage[] = "usage: " SPROG " up <obj> <dir>\n";

/* Prints "<state> <requires>" of @id from @text, or "none none". */
static void print_state(const char *text, __u32 id)
{
	const char *line = programs_line(text, id);
	char req[128] = "?", state[128] = "?";

	if (!line) {
		printf(" none none\n");
		return;
	}
	/* id type name requires state ... */
	line_field(line, 3, req, sizeof(req));
	line_field(line, 4, state, sizeof(state));
	printf(" %s %s\n", state, req);
}

/* Prints "<name> <id> <state> <requires>" per program of @obj. */
static int print_states(struct bpf_object *obj, const char *text)
{
	struct bpf_program *prog;
	__u32 ids[MAX_PROGS];
	int n = 0, i = 0;

	bpf_object__for_each_program(prog, obj) {
		struct bpf_prog_info info;

		if (n == MAX_PROGS || prog_info(bpf_program__fd(prog), &info))
			return fail(errno ? errno : E2BIG, "info %s",
				    bpf_program__name(prog));
		ids[n++] = info.id;
	}
	bpf_object__for_each_program(prog, obj) {
		printf("%s %u", bpf_program__name(prog), ids[i]);
		print_state(text, ids[i]);
		i++;
	}
	return 0;
}

static int cmd_up(int argc, char **argv)
{
	struct bpf_program *prog;
	struct bpf_object *obj;
	char pin[PATH_MAX], *text;
	const char *dir;
	int ret = 1;

	if (argc != 2)
		return usage_error(strict_usage);
	dir = argv[1];
	snprintf(pin, sizeof(pin), "%s/link", dir);
	if (mkdir_p(pin))
		return fail(errno, "mkdir %s", pin);
	snprintf(pin, sizeof(pin), "%s/map", dir);
	if (mkdir_p(pin))
		return fail(errno, "mkdir %s", pin);

	obj = open_and_load(argv[0], NULL);
	if (!obj)
		return 1;
	/* The loader is back in user space: judge what lsmrevoke says now. */
	text = read_file(PROGRAMS);
	if (!text) {
		fail(errno, "read %s", PROGRAMS);
		goto out;
	}
	if (print_states(obj, text) || pin_maps(obj, dir, "map/"))
		goto out;
	bpf_object__for_each_program(prog, obj) {
		if (attach_and_pin(prog, dir, "link/", "attach", true))
			goto out;
	}
	ret = 0;
out:
	free(text);
	bpf_object__close(obj);
	return ret;
}

int cmd_strict(int argc, char **argv)
{
	report_as(SPROG, err_text);
	if (argc >= 1 && !strcmp(argv[0], "up"))
		return cmd_up(argc - 1, argv + 1);
	return usage_error(strict_usage);
}
