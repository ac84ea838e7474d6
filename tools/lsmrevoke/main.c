// SPDX-License-Identifier: GPL-2.0
/*
 * lsmrevoke(8): dispatch, usage and the error conventions.
 *
 * Errors go to stderr as "lsmrevoke: <what>: <strerror>". Exit status 0 on
 * success, 1 on an error (and from "hidden" when something is hidden), 2 on
 * a usage error. Every subcommand takes -h/--help.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "lsmrevoke.h"

#ifndef LSMREVOKE_VERSION
#define LSMREVOKE_VERSION "unknown"
#endif

static const struct subcmd subcmds[] = {
	{ "status", cmd_status, "[--json]",
	  "One row per tracked program: ID, type, name, what it requires,\n"
	  "its state, where it is attached, the loader's uid and load time,\n"
	  "then a summary line.\n"
	  "  -j, --json   one JSON document (docs/lsmrevoke-json.md)\n" },
	{ "explain", cmd_explain, "ID",
	  "Why program ID is in its state: each requirement, the first\n"
	  "instruction that needs it, what the policy in force answers, the\n"
	  "module's verdict, and what a revoke makes the program return.\n" },
	{ "plan", cmd_plan, "[--json] SETTING...",
	  "What a policy change would revoke and restore, before it is made.\n"
	  "SETTING is lockdown=none|integrity|confidentiality or strict=0|1;\n"
	  "several may be combined. Evaluates lockdown only: a BPF-LSM\n"
	  "locked_down policy is not evaluated (see lsmrevoke(8)).\n"
	  "  -j, --json   one JSON document\n" },
	{ "revalidate", cmd_revalidate, "",
	  "Judge every program against the policy in force now; returns when\n"
	  "every revoke and restore it implies is done.\n" },
	{ "mode", cmd_mode, "[audit|enforce]",
	  "Print the mode, or set it: enforce revokes, audit only logs the\n"
	  "decisions (and restores what is revoked).\n" },
	{ "stats", cmd_stats, "[--json]",
	  "The module's counters, one \"<key> <value>\" per line.\n"
	  "  -j, --json   one JSON object\n" },
	{ "watch", cmd_watch, "[--all] [--count N] [--timeout SECS] [--json]",
	  "Follow the module's decisions (revoke, restore, unrevocable) as\n"
	  "they happen, one line each.\n"
	  "  -a, --all          first print the decisions the module still holds\n"
	  "  -n, --count N      exit after N decisions\n"
	  "  -t, --timeout SECS exit after SECS seconds (status 1 when --count\n"
	  "                     decisions were not seen by then)\n"
	  "  -j, --json         one JSON object per line\n" },
	{ "hidden", cmd_hidden, "[--json]",
	  "Compare the kernel's own program list with what BPF_PROG_GET_NEXT_ID\n"
	  "shows user space; list every program hidden from user space.\n"
	  "Exit status 1 when one is.\n"
	  "  -j, --json   one JSON object\n" },
};

#define NR_SUBCMDS ARRAY_SIZE(subcmds)

void do_warn_errno(int err, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, PROG_NAME ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(err));
}

void do_warn_msg(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, PROG_NAME ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const struct subcmd *find_subcmd(const char *name)
{
	size_t i;

	for (i = 0; i < NR_SUBCMDS; i++)
		if (!strcmp(subcmds[i].name, name))
			return &subcmds[i];
	return NULL;
}

void print_usage(FILE *f, const char *cmd)
{
	const struct subcmd *s = cmd ? find_subcmd(cmd) : NULL;
	size_t i;

	if (s) {
		fprintf(f, "usage: " PROG_NAME " %s%s%s\n\n%s", s->name,
			*s->synopsis ? " " : "", s->synopsis, s->help);
		fprintf(f, "  -h, --help   this help\n");
		return;
	}
	fprintf(f, "usage: " PROG_NAME " <command> [options]\n\n");
	for (i = 0; i < NR_SUBCMDS; i++)
		fprintf(f, "  " PROG_NAME " %s%s%s\n", subcmds[i].name,
			*subcmds[i].synopsis ? " " : "", subcmds[i].synopsis);
	fprintf(f, "\n  " PROG_NAME " <command> -h   help on a command\n"
		"  " PROG_NAME " -V               version\n"
		"\nSee lsmrevoke(8).\n");
}

int do_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, PROG_NAME ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	print_usage(stderr, cmd);
	return EXIT_USAGE;
}

bool is_help(const char *arg)
{
	return !strcmp(arg, "-h") || !strcmp(arg, "--help");
}

/*
 * The options shared by the subcommands that take only --json: returns -1
 * to go on (with *optind_out at the first operand), else an exit status.
 */
int parse_opts(int argc, char **argv, const char *cmd, bool *json,
	       int *optind_out)
{
	int i;

	for (i = 0; i < argc; i++) {
		if (is_help(argv[i])) {
			print_usage(stdout, cmd);
			return EXIT_OK;
		}
	}
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (argv[i][0] != '-' || !argv[i][1])
			break;
		if (json && (!strcmp(argv[i], "-j") ||
			     !strcmp(argv[i], "--json"))) {
			*json = true;
			continue;
		}
		return usage_error(cmd, "%s: unknown option %s", cmd, argv[i]);
	}
	*optind_out = i;
	return -1;
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (level == LIBBPF_DEBUG || !getenv("LSMREVOKE_DEBUG"))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

int main(int argc, char **argv)
{
	const struct subcmd *s;

	if (argc < 2)
		return usage_error(NULL, "no command given");
	if (is_help(argv[1]) || !strcmp(argv[1], "help")) {
		if (argc > 2 && !find_subcmd(argv[2]))
			return usage_error(NULL, "unknown command %s", argv[2]);
		print_usage(stdout, argc > 2 ? argv[2] : NULL);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		printf(PROG_NAME " " LSMREVOKE_VERSION " (libbpf %s)\n",
		       libbpf_version_string());
		return EXIT_OK;
	}
	s = find_subcmd(argv[1]);
	if (!s)
		return usage_error(NULL, "unknown command %s", argv[1]);
	libbpf_set_print(libbpf_quiet);
	return s->fn(argc - 2, argv + 2);
}
