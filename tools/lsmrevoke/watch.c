// SPDX-License-Identifier: GPL-2.0
/*
 * lsmrevoke watch: follows the module's decision log (securityfs events),
 *
 *   <seq> <time_ns> <op> <id> <type> <name> <detail> enforced=<0|1>
 *   # missed <n>
 *
 * as it grows. A new reader starts at the oldest line the module still
 * holds; without --all the lines stamped before watch started are
 * skipped, so what is shown is what happened since. SIGINT and SIGTERM
 * end it with status 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lsmrevoke.h"

struct watch {
	bool all, json;
	unsigned long count, seen;
	long timeout;		/* seconds, or -1 */
	long long start_ns;	/* CLOCK_MONOTONIC when watch started */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void print_missed(const struct watch *w, const char *n)
{
	if (w->json) {
		struct json j;

		json_init(&j, stdout);
		json_obj(&j);
		json_key(&j, "missed");
		json_int(&j, strtoll(n, NULL, 10));
		json_obj_end(&j);
	} else {
		printf("missed %s decisions (the module's log overflowed)\n", n);
	}
}

/* One decision line; false when it is not one (ignored). */
static bool print_event(struct watch *w, char *line)
{
	char *f[8], *save, *tok, stamp[48], frac[8];
	long long mono, unix_ns;
	bool enforced = true;
	int i;

	for (i = 0; i < 7; i++) {
		f[i] = strtok_r(i ? NULL : line, " ", &save);
		if (!f[i])
			return false;
	}
	while ((tok = strtok_r(NULL, " ", &save)))
		if (!strncmp(tok, "enforced=", 9))
			enforced = strcmp(tok + 9, "0");
	mono = strtoll(f[1], NULL, 10);
	if (!w->all && mono < w->start_ns)
		return false;
	unix_ns = mono_to_unix_ns(mono);
	format_time(unix_ns / 1000000000LL, stamp, sizeof(stamp));
	if (w->json) {
		struct json j;

		json_init(&j, stdout);
		json_obj(&j);
		json_key(&j, "seq");
		json_int(&j, strtoll(f[0], NULL, 10));
		json_key(&j, "time_ns");
		json_int(&j, mono);
		json_key(&j, "time");
		json_str(&j, stamp);
		json_key(&j, "op");
		json_str(&j, f[2]);
		json_key(&j, "id");
		json_int(&j, strtoll(f[3], NULL, 10));
		json_key(&j, "type");
		json_str(&j, f[4]);
		json_key(&j, "name");
		if (strcmp(f[5], "-"))
			json_str(&j, f[5]);
		else
			json_null(&j);
		json_key(&j, "detail");
		json_str(&j, f[6]);
		json_key(&j, "enforced");
		json_bool(&j, enforced);
		json_obj_end(&j);
	} else {
		snprintf(frac, sizeof(frac), ".%03lld",
			 (unix_ns / 1000000LL) % 1000);
		/* 2025-01-02T03:04:05.678+0100: the fraction before the zone */
		i = strlen(stamp) > 5 ? (int)strlen(stamp) - 5 : 0;
		printf("%.*s%s%s %s prog %s %s (%s): %s%s\n", i, stamp, frac,
		       stamp + i, f[2], f[3], f[5], f[4], f[6],
		       enforced ? "" : " [audit: not enforced]");
	}
	w->seen++;
	return true;
}

static int handle(struct watch *w, char *buf)
{
	char *line, *save;

	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "# missed ", 9))
			print_missed(w, line + 9);
		else if (line[0] != '#')
			print_event(w, line);
		if (w->count && w->seen >= w->count)
			return 1;
	}
	return 0;
}

static int parse_count(const char *s, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	return errno || end == s || *end || s[0] == '-' ? -EINVAL : 0;
}

static int parse_watch(int argc, char **argv, struct watch *w)
{
	unsigned long v;
	int i;

	for (i = 0; i < argc; i++) {
		if (is_help(argv[i])) {
			print_usage(stdout, "watch");
			return EXIT_OK;
		}
	}
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-a") || !strcmp(a, "--all")) {
			w->all = true;
		} else if (!strcmp(a, "-j") || !strcmp(a, "--json")) {
			w->json = true;
		} else if (!strcmp(a, "-n") || !strcmp(a, "--count") ||
			   !strcmp(a, "-t") || !strcmp(a, "--timeout")) {
			if (i + 1 == argc)
				return usage_error("watch", "watch: %s needs a number",
						   a);
			if (parse_count(argv[++i], &v) || !v || v > 1000000000UL)
				return usage_error("watch",
						   "watch: %s: %s is not a positive number",
						   a, argv[i]);
			if (!strcmp(a, "-n") || !strcmp(a, "--count"))
				w->count = v;
			else
				w->timeout = v;
		} else {
			return usage_error("watch", "watch: unexpected argument %s",
					   a);
		}
	}
	return -1;
}

int cmd_watch(int argc, char **argv)
{
	struct watch w = { .timeout = -1 };
	struct sigaction sa = { .sa_handler = on_signal };
	long long deadline = 0;
	char buf[8192];
	int ret, fd;

	ret = parse_watch(argc, argv, &w);
	if (ret >= 0)
		return ret;
	w.start_ns = mono_ns();
	if (w.timeout > 0)
		deadline = w.start_ns + w.timeout * 1000000000LL;
	fd = sfs_open("events", O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return EXIT_FAIL;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);

	ret = EXIT_OK;
	while (!stop) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int ms = -1;
		ssize_t n;

		if (deadline) {
			long long left = deadline - mono_ns();

			if (left <= 0) {
				if (w.count && w.seen < w.count) {
					warn_errno(ETIMEDOUT, "watch: %lu of %lu decisions in %ld s",
						   w.seen, w.count, w.timeout);
					ret = EXIT_FAIL;
				}
				break;
			}
			ms = left / 1000000 + 1;
		}
		n = poll(&pfd, 1, ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			warn_errno(errno, "poll " SFS_DIR "/events");
			ret = EXIT_FAIL;
			break;
		}
		if (!n)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0) {
			warn_errno(errno, "read " SFS_DIR "/events");
			ret = EXIT_FAIL;
			break;
		}
		if (!n) {
			warn_msg("watch: the module's events file ended (module unloaded?)");
			ret = EXIT_FAIL;
			break;
		}
		buf[n] = '\0';
		if (handle(&w, buf))
			break;
	}
	close(fd);
	if (fflush(stdout)) {
		warn_errno(errno, "watch: stdout");
		ret = EXIT_FAIL;
	}
	return ret;
}
