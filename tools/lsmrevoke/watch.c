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
 * end it with status 0 (they are blocked and read from a signalfd).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "lsmrevoke.h"

struct watch {
	bool all, json;
	unsigned long count, seen;
	long timeout;		/* seconds, or -1 */
	long long start_ns;	/* CLOCK_MONOTONIC when watch started */
	long long deadline;	/* CLOCK_MONOTONIC, or 0 without --timeout */
	int fd;			/* the events file */
	int sig_fd;		/* a signalfd for SIGINT and SIGTERM */
};

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

/* SIGINT and SIGTERM, blocked, as a signalfd to poll; -errno. */
static int stop_signals(void)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return fd < 0 ? -errno : fd;
}

static int timed_out(const struct watch *w)
{
	if (!w->count || w->seen >= w->count)
		return EXIT_OK;
	warn_errno(ETIMEDOUT, "watch: %lu of %lu decisions in %ld s", w->seen,
		   w->count, w->timeout);
	return EXIT_FAIL;
}

/* What the events file has now: -1 to go on, else the exit status. */
static int read_events(struct watch *w, char *buf, size_t size)
{
	ssize_t n = read(w->fd, buf, size - 1);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return -1;
	if (n < 0) {
		warn_errno(errno, "read " SFS_DIR "/events");
		return EXIT_FAIL;
	}
	if (!n) {
		warn_msg("watch: the module's events file ended (module unloaded?)");
		return EXIT_FAIL;
	}
	buf[n] = '\0';
	return handle(w, buf) ? EXIT_OK : -1;
}

/*
 * Waits for decisions, a signal or the deadline, and prints what came:
 * -1 to go on, else the exit status (0 after a signal).
 */
static int watch_step(struct watch *w, char *buf, size_t size)
{
	struct pollfd pfd[2] = {
		{ .fd = w->fd, .events = POLLIN },
		{ .fd = w->sig_fd, .events = POLLIN },
	};
	int n, ms = -1;

	if (w->deadline) {
		long long left = w->deadline - mono_ns();

		if (left <= 0)
			return timed_out(w);
		ms = left / 1000000 + 1;
	}
	n = poll(pfd, ARRAY_SIZE(pfd), ms);
	if (n < 0 && errno == EINTR)
		return -1;
	if (n < 0) {
		warn_errno(errno, "poll " SFS_DIR "/events");
		return EXIT_FAIL;
	}
	if (pfd[1].revents)
		return EXIT_OK;
	return n ? read_events(w, buf, size) : -1;
}

int cmd_watch(int argc, char **argv)
{
	struct watch w = { .timeout = -1 };
	char buf[8192];
	int ret;

	ret = parse_watch(argc, argv, &w);
	if (ret >= 0)
		return ret;
	w.start_ns = mono_ns();
	if (w.timeout > 0)
		w.deadline = w.start_ns + w.timeout * 1000000000LL;
	w.fd = sfs_open("events", O_RDONLY | O_NONBLOCK);
	if (w.fd < 0)
		return EXIT_FAIL;
	w.sig_fd = stop_signals();
	if (w.sig_fd < 0) {
		warn_errno(-w.sig_fd, "watch: signalfd");
		close(w.fd);
		return EXIT_FAIL;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	ret = -1;
	while (ret < 0)
		ret = watch_step(&w, buf, sizeof(buf));
	close(w.sig_fd);
	close(w.fd);
	if (fflush(stdout)) {
		warn_errno(errno, "watch: stdout");
		ret = EXIT_FAIL;
	}
	return ret;
}
