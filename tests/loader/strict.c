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
 *   window <obj> <prog> <onprog-obj> <rounds>
 *       the load window, raced the way another root process would: a
 *       racer thread watches for new program IDs (BPF_PROG_GET_NEXT_ID),
 *       opens each one named <prog> by ID and, as fast as it can, runs it
 *       (BPF_PROG_TEST_RUN) until a run returns 0 (lsmrevoke's stub); every
 *       other program it first attaches the fentry program of
 *       <onprog-obj> to (detached at once). Meanwhile this thread loads
 *       <obj> <rounds> times, each one kept until the racer is done with
 *       it. Prints "rounds=R seen=S early_runs=E max_early=M unrevoked=U
 *       attach_won=A attach_refused=F max_window_us=W": early runs are
 *       runs of the program's own code (it returns 7) by the racer, W the
 *       longest time from the racer's open to its first stubbed run (runs
 *       only), U the programs still not stubbed after 2 s of runs, A the
 *       fentry attachments that succeeded (leaving the program
 *       unrevocable: entry_in_use while they last).
 *
 * Exit status 1 means the command itself could not run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testlib.h"

#define SPROG		"lsmrevoke-test strict"
#define MAX_PROGS	16

static const char strict_usage[] =
	"usage: " SPROG " up <obj> <dir>\n"
	"       " SPROG " window <obj> <prog> <onprog-obj> <rounds>\n";

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

/* --- window ------------------------------------------------------------ */

#define WINDOW_WAIT_NS	(2 * 1000000000ULL)

struct window {
	const char *name;		/* the program to race */
	const char *onprog;		/* the fentry object attached to it */
	__u32 start_id;
	int stop;
	__u32 done_id;			/* the racer is done with this ID */
	unsigned long seen, early_runs, max_early, unrevoked;
	unsigned long attach_won, attach_refused;
	__u64 max_window_ns;
	int err;
	char msg[160];
};

#define LD(p)		__atomic_load_n((p), __ATOMIC_SEQ_CST)
#define ST(p, v)	__atomic_store_n((p), (v), __ATOMIC_SEQ_CST)

static void window_fail(struct window *w, int err, const char *what)
{
	snprintf(w->msg, sizeof(w->msg), "%s: %s", what, errname(err));
	w->err = err;
	ST(&w->stop, 1);
}

/* Attaches the fentry program of w->onprog to @fd: 1 if it attached. */
static int window_attach(struct window *w, int fd)
{
	struct bpf_program *prog;
	struct bpf_object *obj;
	struct bpf_link *link;
	int won = 0;

	obj = bpf_object__open_file(w->onprog, NULL);
	if (!obj)
		return 0;
	prog = bpf_object__next_program(obj, NULL);
	if (prog && !bpf_program__set_attach_target(prog, fd, w->name) &&
	    !bpf_object__load(obj)) {
		link = bpf_program__attach_trace(prog);
		if (link) {
			won = 1;
			bpf_link__destroy(link);
		}
	}
	bpf_object__close(obj);
	return won;
}

/*
 * Runs @fd until a run lands in the stub (returns 0) or WINDOW_WAIT_NS
 * pass: the runs of its own code, and the time it took.
 */
static unsigned long window_runs(struct window *w, int fd, bool *stubbed,
				 __u64 *took)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	unsigned long early = 0;
	__u64 t0 = now_ns();

	*stubbed = false;
	while ((*took = now_ns() - t0) < WINDOW_WAIT_NS) {
		opts.retval = 0;
		if (bpf_prog_test_run_opts(fd, &opts)) {
			window_fail(w, errno, "test run");
			break;
		}
		if (!opts.retval) {
			*stubbed = true;
			break;
		}
		early++;
	}
	return early;
}

/*
 * The racer's work on one program it opened by ID: on even rounds it runs
 * it until the stub answers; on odd ones it first attaches the fentry
 * program to it (detached at once), then runs it the same way.
 */
static void window_race(struct window *w, int fd)
{
	unsigned long early;
	bool stubbed;
	__u64 took;

	if (w->seen % 2) {
		if (window_attach(w, fd))
			w->attach_won++;
		else
			w->attach_refused++;
	}
	early = window_runs(w, fd, &stubbed, &took);
	if (!(w->seen % 2) && stubbed && took > w->max_window_ns)
		w->max_window_ns = took;
	w->seen++;
	w->early_runs += early;
	if (early > w->max_early)
		w->max_early = early;
	if (!stubbed)
		w->unrevoked++;
}

static void *window_racer(void *arg)
{
	struct window *w = arg;
	struct bpf_prog_info info;
	__u32 cur = w->start_id, next;
	int fd;

	while (!LD(&w->stop)) {
		if (bpf_prog_get_next_id(cur, &next)) {
			sched_yield();
			continue;
		}
		cur = next;
		fd = bpf_prog_get_fd_by_id(next);
		if (fd < 0)
			continue;
		if (!prog_info(fd, &info) && !strcmp(info.name, w->name))
			window_race(w, fd);
		close(fd);
		ST(&w->done_id, next);
	}
	return NULL;
}

static int cmd_window(int argc, char **argv)
{
	struct window w = { .name = argv[1], .onprog = argv[2] };
	struct bpf_prog_info info;
	unsigned long r, rounds;
	pthread_t racer;
	__u32 id = 0;
	int err;

	if (argc != 4)
		return usage_error(strict_usage);
	rounds = strtoul(argv[3], NULL, 10);
	while (!bpf_prog_get_next_id(id, &id))
		w.start_id = id;
	err = pthread_create(&racer, NULL, window_racer, &w);
	if (err)
		return fail(err, "pthread_create");
	for (r = 0; r < rounds && !LD(&w.stop); r++) {
		struct bpf_object *obj = open_and_load(argv[0], NULL);
		struct bpf_program *prog;
		__u64 t0;

		if (!obj) {
			window_fail(&w, EINVAL, "load");
			break;
		}
		prog = bpf_object__find_program_by_name(obj, w.name);
		if (!prog || prog_info(bpf_program__fd(prog), &info)) {
			bpf_object__close(obj);
			window_fail(&w, ENOENT, w.name);
			break;
		}
		/* Kept until the racer is done with it (or has missed it). */
		t0 = now_ns();
		while (LD(&w.done_id) < info.id && !LD(&w.stop) &&
		       now_ns() - t0 < 2 * WINDOW_WAIT_NS)
			sched_yield();
		bpf_object__close(obj);
	}
	ST(&w.stop, 1);
	pthread_join(racer, NULL);
	if (w.err)
		return fail(w.err, "window: %s", w.msg);
	printf("rounds=%lu seen=%lu early_runs=%lu max_early=%lu unrevoked=%lu",
	       r, w.seen, w.early_runs, w.max_early, w.unrevoked);
	printf(" attach_won=%lu attach_refused=%lu max_window_us=%llu\n",
	       w.attach_won, w.attach_refused,
	       (unsigned long long)(w.max_window_ns / 1000));
	return 0;
}

int cmd_strict(int argc, char **argv)
{
	report_as(SPROG, err_text);
	if (argc >= 1 && !strcmp(argv[0], "up"))
		return cmd_up(argc - 1, argv + 1);
	if (argc >= 1 && !strcmp(argv[0], "window"))
		return cmd_window(argc - 1, argv + 1);
	return usage_error(strict_usage);
}
