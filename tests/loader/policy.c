// SPDX-License-Identifier: GPL-2.0
/*
 * lsmrevoke-test policy <sub> ...: the policy-source scenarios of
 * tests/guest/suite.d/30-policy.sh and 90-lockdown.sh, and tests/demo.sh.
 *
 * Offenders are loaded, attached and pinned under a directory (programs at
 * <dir>/<name>, links at <dir>/link_<name>, the .bss and .data maps at
 * <dir>/map_bss and <dir>/map_data: bpffs refuses dots in names), so that
 * the shell can change the policy between steps. Globals are read and
 * written by name through the map's BTF and a shared mapping (the programs
 * count concurrently).
 *
 * The policy is tightened with policy_deny.bpf.o, a BPF-LSM locked_down
 * program denying the lockdown reasons of its deny_mask. Attaching and
 * detaching it from this process through the link fd is synchronous for
 * lsmrevoke (its pass runs before the syscall returns to us), so the
 * commands that do both (cycle, flip, race) check states right after.
 *
 * Expected failures are results, not errors: they are printed as errno
 * names on stdout with exit status 0. Exit status 1 means the command
 * itself could not run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/userfaultfd.h>

#include "testlib.h"

#define PROG "lsmrevoke-test policy"
#define PO_MAGIC	0x5a5a5a5aU
#define MAX_VARS	16

/* Lockdown reasons the denier knows by name. */
#define REASON_WRITE_USER	17
#define REASON_READ_KERNEL	24

static const char policy_usage[] =
	"usage: lsmrevoke-test policy <sub> [args]\n"
	"  up <obj> <dir>     load <obj>, attach its programs, pin programs,\n"
	"                     links and maps under <dir>; print \"<name> <id>\"\n"
	"  fire <dir> <n> [<var>...]\n"
	"                     set monitored_pid (and target_addr, a buffer of\n"
	"                     ours) and call getpriority() <n> times; print\n"
	"                     var=delta, written=<times the buffer was\n"
	"                     written> and errors=<failed syscalls>\n"
	"  cycle <denyobj> <mask> <dir> <n> <snap> [<var>...]\n"
	"                     fire; attach the denier; copy programs to\n"
	"                     <snap>.attached; fire; destroy its link; copy\n"
	"                     programs to <snap>.detached; fire. One line\n"
	"                     per phase: \"<phase> var=delta ...\"\n"
	"  hold <denyobj> <mask> <readyfile> <stopfile>\n"
	"                     attach the denier, write its id to <readyfile>,\n"
	"                     wait for <stopfile>, destroy the link, exit\n"
	"  pin <denyobj> <mask> <linkpin>\n"
	"                     attach the denier, pin its link, print its id\n"
	"  flip <denyobj> <mask> <count>\n"
	"                     attach and destroy the denier <count> times\n"
	"                     (a copy denying nothing stays attached)\n"
	"  race <raceobj> <denyobj> <min> <max> <windows>\n"
	"                     load race_off in a loop on CPU 0 while\n"
	"                     race_deny attaches on CPU 1 (a <denyobj>\n"
	"                     denying nothing stays attached); check each\n"
	"                     round; stop after <min> seconds once\n"
	"                     <windows> loads fell into the window, or\n"
	"                     after <max> seconds\n"
	"  drain <sleepyobj> <denyobj> <mask>\n"
	"                     load and attach <sleepyobj>'s sleepable\n"
	"                     program; a thread opens a file, and the program\n"
	"                     blocks on a userfaultfd page; attach the denier\n"
	"                     (timed), resolve the fault; print sleepy_id=,\n"
	"                     attach_ms=, state= (when the attach returned),\n"
	"                     entered=, finished= and open=\n"
	"  many <obj> <prog> <count> <denyobj> <mask>\n"
	"                     load <count> copies of <prog> (not attached);\n"
	"                     attach the denier, detach it; print many=\n"
	"                     revoked= jumps= (entry jump only) active=\n"
	"                     identical= (image as loaded)\n"
	"  write <file> <data> [<snap>]\n"
	"                     one write(2) of <data>; print OK, open:<errno>\n"
	"                     or write:<errno>; with <snap>, copy programs\n"
	"                     there right after the write returned\n"
	"<mask>: read, write, read,write or none (what the denier denies).\n";

static void sleep_us(long us)
{
	struct timespec ts = {
		.tv_sec = us / 1000000,
		.tv_nsec = (us % 1000000) * 1000L,
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* --- globals: the .bss and .data maps of an object ------------------ */

struct globals {
	struct datasec s[2];
	int n;
};

/* The globals of the objects pinned under @dir (map_bss, map_data). */
static int globals_open_dir(struct globals *g, const char *dir)
{
	static const char *const names[] = { "bss", "data" };
	char pin[PATH_MAX];
	unsigned int i;

	memset(g, 0, sizeof(*g));
	for (i = 0; i < 2; i++) {
		int fd;

		if (pin_at(pin, dir, "map_", names[i]))
			return fail(errno, "%s", dir);
		fd = bpf_obj_get(pin);
		if (fd < 0) {
			if (err_of(fd) == ENOENT)
				continue;
			return fail(err_of(fd), "bpf_obj_get %s", pin);
		}
		if (datasec_open(&g->s[g->n], fd, pin, PROT_READ | PROT_WRITE)) {
			close(fd);
			return 1;
		}
		g->n++;
	}
	if (!g->n)
		return fail(ENOENT, "no map_bss or map_data under %s", dir);
	return 0;
}

/* The globals of a loaded object (its fds stay the object's). */
static int globals_open_obj(struct globals *g, struct bpf_object *obj)
{
	struct bpf_map *map;

	memset(g, 0, sizeof(*g));
	bpf_object__for_each_map(map, obj) {
		const char *name = bpf_map__name(map);

		if (!bpf_map__is_internal(map) ||
		    (!strstr(name, ".bss") && !strstr(name, ".data")))
			continue;
		if (g->n == 2)
			break;
		if (datasec_open(&g->s[g->n], bpf_map__fd(map), name,
				 PROT_READ | PROT_WRITE))
			return 1;
		g->n++;
	}
	return 0;
}

static void globals_close(struct globals *g, bool own_fds)
{
	int i;

	for (i = 0; i < g->n; i++)
		datasec_close(&g->s[i], own_fds);
	g->n = 0;
}

/* The address and size of global @name (4 or 8 bytes), or NULL. */
static void *globals_var(struct globals *g, const char *name, __u32 *size)
{
	int k;

	for (k = 0; k < g->n; k++) {
		void *p = datasec_var(&g->s[k], name, size);

		if (p)
			return *size == 4 || *size == 8 ? p : NULL;
	}
	return NULL;
}

static int globals_get(struct globals *g, const char *name, __u64 *val)
{
	__u32 size;
	void *p = globals_var(g, name, &size);

	if (!p)
		return fail(ENOENT, "global %s", name);
	if (size == 4)
		*val = __atomic_load_n((__u32 *)p, __ATOMIC_SEQ_CST);
	else
		*val = __atomic_load_n((__u64 *)p, __ATOMIC_SEQ_CST);
	return 0;
}

/* Sets global @name if the object has it; returns 1 if it has not. */
static int globals_set(struct globals *g, const char *name, __u64 val)
{
	__u32 size;
	void *p = globals_var(g, name, &size);

	if (!p)
		return 1;
	if (size == 4)
		__atomic_store_n((__u32 *)p, (__u32)val, __ATOMIC_SEQ_CST);
	else
		__atomic_store_n((__u64 *)p, val, __ATOMIC_SEQ_CST);
	return 0;
}

/* --- the programs file ---------------------------------------------- */

static int copy_file(const char *from, const char *to)
{
	char *buf = read_file(from);
	FILE *f;
	int ret = 0;

	if (!buf)
		return fail(errno, "read %s", from);
	f = fopen(to, "w");
	if (!f) {
		free(buf);
		return fail(errno, "open %s", to);
	}
	if (fputs(buf, f) < 0)
		ret = fail(errno, "write %s", to);
	if (fclose(f) && !ret)
		ret = fail(errno, "close %s", to);
	free(buf);
	return ret;
}

/* The state field of program @id in a programs snapshot, or "none". */
static const char *state_in(const char *snap, __u32 id, char *buf, size_t len)
{
	if (prog_state(snap, id, buf, len))
		snprintf(buf, len, "none");
	return buf;
}

/* --- up, get, fire -------------------------------------------------- */

static int cmd_up(int argc, char **argv)
{
	struct bpf_program *prog;
	struct bpf_object *obj;
	int ret = 1;

	if (argc != 2)
		return usage_error(policy_usage);
	if (mkdir_p(argv[1]))
		return fail(errno, "mkdir %s", argv[1]);
	obj = open_and_load(argv[0], NULL);
	if (!obj)
		return 1;
	if (pin_maps(obj, argv[1], "map_"))
		goto out;
	bpf_object__for_each_program(prog, obj) {
		if (attach_and_pin(prog, argv[1], "link_", "attach", false))
			goto out;
		printf("%s %u\n", bpf_program__name(prog),
		       prog_id(bpf_program__fd(prog)));
	}
	ret = 0;
out:
	/* Links, programs and maps stay alive through their pins. */
	bpf_object__close(obj);
	return ret;
}

struct fire_result {
	long long delta[MAX_VARS];
	long written, errors;
	int first_err;
};

/*
 * @n getpriority() calls with monitored_pid set to us and target_addr (if
 * the object has it) pointing at a buffer of ours, cleared before each.
 */
static int fire_run(struct globals *g, long n, char **vars, int nvars,
		    struct fire_result *r)
{
	static __u32 buf[16];	/* the program writes buf[4] */
	__u64 before[MAX_VARS], v;
	long i;
	int k;

	memset(r, 0, sizeof(*r));
	for (k = 0; k < nvars; k++)
		if (globals_get(g, vars[k], &before[k]))
			return 1;
	globals_set(g, "target_addr", (unsigned long)&buf[4]);
	if (globals_set(g, "monitored_pid", getpid()))
		return fail(ENOENT, "global %s", "monitored_pid");
	for (i = 0; i < n; i++) {
		__atomic_store_n(&buf[4], 0, __ATOMIC_SEQ_CST);
		if (syscall(SYS_getpriority, PRIO_PROCESS, 0) < 0) {
			if (!r->first_err)
				r->first_err = errno;
			r->errors++;
		}
		if (__atomic_load_n(&buf[4], __ATOMIC_SEQ_CST) == PO_MAGIC)
			r->written++;
	}
	globals_set(g, "monitored_pid", 0);
	globals_set(g, "target_addr", 0);
	for (k = 0; k < nvars; k++) {
		if (globals_get(g, vars[k], &v))
			return 1;
		r->delta[k] = (long long)(v - before[k]);
	}
	return 0;
}

static void fire_print(const char *phase, char **vars, int nvars,
		       const struct fire_result *r)
{
	int k;

	if (phase)
		printf("%s ", phase);
	for (k = 0; k < nvars; k++)
		printf("%s=%lld ", vars[k], r->delta[k]);
	printf("written=%ld errors=%ld", r->written, r->errors);
	if (r->errors)
		printf(" errno=%s", errname(r->first_err));
	printf("\n");
}

static int parse_n(const char *s, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > max)
		return -1;
	*out = v;
	return 0;
}

static int cmd_fire(int argc, char **argv)
{
	struct fire_result r;
	struct globals g;
	long n;
	int ret;

	if (argc < 2 || argc - 2 > MAX_VARS || parse_n(argv[1], 1000000, &n))
		return usage_error(policy_usage);
	if (globals_open_dir(&g, argv[0]))
		return 1;
	ret = fire_run(&g, n, argv + 2, argc - 2, &r);
	if (!ret)
		fire_print(NULL, argv + 2, argc - 2, &r);
	globals_close(&g, 1);
	return ret;
}

/* --- the denier ----------------------------------------------------- */

struct denier {
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct globals g;
	__u32 id;
};

static int parse_mask(const char *s, __u64 *mask)
{
	char buf[64], *tok, *save = NULL;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	*mask = 0;
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "none"))
			continue;
		if (!strcmp(tok, "read"))
			*mask |= 1ULL << REASON_READ_KERNEL;
		else if (!strcmp(tok, "write"))
			*mask |= 1ULL << REASON_WRITE_USER;
		else
			return -1;
	}
	return 0;
}

/* Loads the denier of @path (not attached) denying the reasons of @mask. */
static int denier_load(struct denier *d, const char *path, const char *mask)
{
	__u64 m;

	memset(d, 0, sizeof(*d));
	if (parse_mask(mask, &m)) {
		fprintf(stderr, PROG ": bad mask '%s'\n", mask);
		return 1;
	}
	d->obj = open_and_load(path, NULL);
	if (!d->obj)
		return 1;
	d->prog = bpf_object__next_program(d->obj, NULL);
	if (!d->prog)
		return fail(ENOENT, "no program in %s", path);
	d->id = prog_id(bpf_program__fd(d->prog));
	if (globals_open_obj(&d->g, d->obj))
		return 1;
	if (globals_set(&d->g, "deny_mask", m))
		return fail(ENOENT, "global %s", "deny_mask");
	return 0;
}

static void denier_close(struct denier *d)
{
	globals_close(&d->g, 0);
	bpf_object__close(d->obj);
}

static struct bpf_link *denier_attach(struct denier *d)
{
	struct bpf_link *link = bpf_program__attach(d->prog);

	if (!link)
		fail(errno, "attach %s", "denier");
	return link;
}

/* Loads the denier of @path denying @mask and attaches it: its link. */
static struct bpf_link *denier_up(struct denier *d, const char *path,
				  const char *mask)
{
	if (denier_load(d, path, mask))
		return NULL;
	return denier_attach(d);
}

/*
 * The anchor: a second copy of the denier that denies nothing, attached
 * for the whole of a flip or race run. With a program on the hook already,
 * attaching and detaching the denier only swaps trampoline images; alone,
 * every attach and detach registers or unregisters an ftrace direct call,
 * whose RCU-tasks grace periods cost 100-250 ms under TCG.
 */
static struct bpf_link *anchor_attach(struct denier *a, const char *path)
{
	return denier_up(a, path, "none");
}

/* --- cycle, hold, pin, flip ----------------------------------------- */

static int cmd_cycle(int argc, char **argv)
{
	char path[PATH_MAX];
	struct fire_result r;
	struct bpf_link *link;
	struct denier d;
	struct globals g;
	char **vars = argv + 5;
	int nvars = argc - 5, ret = 1;
	long n;

	if (argc < 5 || nvars > MAX_VARS || parse_n(argv[3], 1000000, &n))
		return usage_error(policy_usage);
	if (denier_load(&d, argv[0], argv[1]))
		goto out_denier;
	if (globals_open_dir(&g, argv[2]))
		goto out_denier;
	printf("deny_id=%u\n", d.id);

	if (fire_run(&g, n, vars, nvars, &r))
		goto out;
	fire_print("before", vars, nvars, &r);

	link = denier_attach(&d);
	if (!link)
		goto out;
	/* Nothing between the attach and the snapshot and events. */
	snprintf(path, sizeof(path), "%s.attached", argv[4]);
	if (copy_file(PROGRAMS, path) ||
	    fire_run(&g, n, vars, nvars, &r)) {
		bpf_link__destroy(link);
		goto out;
	}
	fire_print("attached", vars, nvars, &r);

	bpf_link__destroy(link);
	snprintf(path, sizeof(path), "%s.detached", argv[4]);
	if (copy_file(PROGRAMS, path) || fire_run(&g, n, vars, nvars, &r))
		goto out;
	fire_print("detached", vars, nvars, &r);
	ret = 0;
out:
	globals_close(&g, 1);
out_denier:
	denier_close(&d);
	return ret;
}

static int write_id(const char *path, __u32 id)
{
	char tmp[PATH_MAX];
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return fail(ENAMETOOLONG, "%s", path);
	f = fopen(tmp, "w");
	if (!f)
		return fail(errno, "open %s", tmp);
	fprintf(f, "%u\n", id);
	if (fclose(f))
		return fail(errno, "write %s", tmp);
	if (rename(tmp, path))
		return fail(errno, "rename to %s", path);
	return 0;
}

/* Waits at most 600 s for @stopfile; the link goes with our exit anyway. */
static int cmd_hold(int argc, char **argv)
{
	struct bpf_link *link;
	struct denier d;
	int ret = 1, waited;

	if (argc != 4)
		return usage_error(policy_usage);
	link = denier_up(&d, argv[0], argv[1]);
	if (!link)
		goto out;
	if (write_id(argv[2], d.id)) {
		bpf_link__destroy(link);
		goto out;
	}
	for (waited = 0; access(argv[3], F_OK); waited++) {
		if (waited > 600 * 500) {
			fprintf(stderr, PROG ": hold: no %s after 600 s\n",
				argv[3]);
			break;
		}
		sleep_us(2000);
	}
	bpf_link__destroy(link);
	ret = 0;
out:
	denier_close(&d);
	return ret;
}

static int cmd_pin(int argc, char **argv)
{
	struct bpf_link *link;
	struct denier d;
	int err, ret = 1;

	if (argc != 3)
		return usage_error(policy_usage);
	link = denier_up(&d, argv[0], argv[1]);
	if (!link)
		goto out;
	err = bpf_link__pin(link, argv[2]);
	if (err)
		fail(err_of(err), "pin %s", argv[2]);
	else
		ret = 0;
	bpf_link__destroy(link);	/* the pin keeps it attached */
	if (!ret)
		printf("%u\n", d.id);
out:
	denier_close(&d);
	return ret;
}

static int cmd_flip(int argc, char **argv)
{
	struct bpf_link *anchor;
	struct denier d, a;
	__u64 t0, t1, t_att = 0, t_det = 0, denials = 0;
	long n, i = 0;
	int ret = 1;

	if (argc != 3 || parse_n(argv[2], 1000000, &n))
		return usage_error(policy_usage);
	anchor = anchor_attach(&a, argv[0]);
	if (!anchor)
		goto out_anchor;
	if (denier_load(&d, argv[0], argv[1]))
		goto out;
	for (i = 0; i < n; i++) {
		struct bpf_link *link;

		t0 = now_ns();
		link = denier_attach(&d);
		t1 = now_ns();
		if (!link)
			break;
		t_att += t1 - t0;
		bpf_link__destroy(link);
		t_det += now_ns() - t1;
	}
	globals_get(&d.g, "denials", &denials);
	ret = i == n ? 0 : 1;
out:
	denier_close(&d);
	bpf_link__destroy(anchor);
out_anchor:
	denier_close(&a);
	printf("flips=%ld attach_ms=%llu detach_ms=%llu denials=%llu\n", i,
	       (unsigned long long)(t_att / 1000000),
	       (unsigned long long)(t_det / 1000000),
	       (unsigned long long)denials);
	return ret;
}

/* --- race ----------------------------------------------------------- */

/*
 * Two processes share a page. The loader (CPU 0) loads race_off again and
 * again from the start of a round until a load fails (the denier is in
 * force: the verifier refuses bpf_probe_read_kernel), and runs every
 * offender (BPF_PROG_TEST_RUN) right after its load returned, before
 * anything else. The attacher (CPU 1) attaches the denier at a random
 * moment of a load. Then, with the denier attached, the loader runs every
 * offender of the round again: it must return 0 and count nothing
 * (lsmrevoke's stub), and the attacher checks that programs says
 * "revoked".
 *
 * The window: a load that passed verification before the policy changed
 * (else it would have failed) and completed after it. Such a load is seen
 * as an offender already revoked at its first run, right after its load
 * returned (lsmrevoke judged it before the load returned). A load that
 * returned after the attach call returned, the policy change complete,
 * must be revoked at its first run.
 */
#define RACE_MAX_LOADS	128

struct race_load {
	__u32 id;
	__u64 t0, t1;
	int seen_attached;	/* the attach had returned when we looked */
	int imm_ran;		/* ran at its first run, right after the load */
	int ran;		/* ran with the denier attached */
};

struct race_shared {
	int round, attached, child_done, checked, child_closed, stop;
	int ready;		/* the loader has its object, rounds may start */
	int loads_done;
	__u64 last_load_ns;
	__u64 t_fail;		/* when the load that ended the round began */
	int nload;
	int load_err;		/* its errno */
	int child_err;		/* the loader could not go on */
	char child_msg[128];
	struct race_load loads[RACE_MAX_LOADS];
};

#define LD(p)		__atomic_load_n(p, __ATOMIC_ACQUIRE)
#define ST(p, v)	__atomic_store_n(p, v, __ATOMIC_RELEASE)

/* Waits until *@p == @want; 0 if it came, -1 on stop or after @secs. */
static int race_wait(struct race_shared *sh, int *p, int want, int secs)
{
	__u64 end = now_ns() + (__u64)secs * 1000000000ULL;
	long spins = 0;

	while (LD(p) != want) {
		if (LD(&sh->stop) || now_ns() > end)
			return -1;
		if (++spins > 1000)
			sched_yield();
	}
	return 0;
}

static int pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* Runs @fd once: 1 if the program ran (returned 7 or counted), 0 if not. */
static int race_run(int fd, __u64 *counter)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	__u64 before = __atomic_load_n(counter, __ATOMIC_SEQ_CST);
	int err;

	err = bpf_prog_test_run_opts(fd, &opts);
	if (err) {
		errno = err_of(err);
		return -1;
	}
	return opts.retval != 0 ||
	       __atomic_load_n(counter, __ATOMIC_SEQ_CST) != before;
}

static void child_fail(struct race_shared *sh, int err, const char *what)
{
	snprintf(sh->child_msg, sizeof(sh->child_msg), "%s: %s", what,
		 errname(err));
	ST(&sh->child_err, 1);
	ST(&sh->stop, 1);
}

/* The loads of round @r; returns how many succeeded, -1 on error. */
static int race_loads(struct race_shared *sh, int r,
		      const struct bpf_insn *insns, size_t insn_cnt,
		      __u64 *counter, int *fds)
{
	int n;

	for (n = 0; n < RACE_MAX_LOADS && !LD(&sh->stop); n++) {
		LIBBPF_OPTS(bpf_prog_load_opts, opts);
		struct race_load *l = &sh->loads[n];
		__u64 t0, t1;
		int fd, att;

		t0 = now_ns();
		fd = bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, "race_off",
				   "GPL", insns, insn_cnt, &opts);
		t1 = now_ns();
		att = LD(&sh->attached) == r;
		if (fd < 0) {
			sh->t_fail = t0;
			ST(&sh->load_err, err_of(fd));
			break;
		}
		fds[n] = fd;
		l->imm_ran = race_run(fd, counter);
		if (l->imm_ran < 0) {
			child_fail(sh, errno, "test run");
			return -1;
		}
		l->t0 = t0;
		l->t1 = t1;
		l->seen_attached = att;
		sh->last_load_ns = t1 - t0;
		ST(&sh->loads_done, n + 1);
	}
	return n;
}

static void race_child(struct race_shared *sh, const char *path)
{
	const struct bpf_insn *insns;
	struct bpf_program *prog;
	struct bpf_object *obj;
	struct globals g = {};
	int fds[RACE_MAX_LOADS];
	__u64 *counter;
	size_t insn_cnt;
	__u32 size;
	int r;

	if (pin_cpu(0)) {
		child_fail(sh, errno, "sched_setaffinity CPU 0");
		return;
	}
	obj = open_and_load(path, (const char *const []){ "race_off", NULL });
	if (!obj) {
		child_fail(sh, errno, "load race_off");
		return;
	}
	prog = bpf_object__find_program_by_name(obj, "race_off");
	counter = globals_open_obj(&g, obj) ? NULL :
		  globals_var(&g, "race_runs", &size);
	if (!prog || !counter || size != 8) {
		child_fail(sh, ENOENT, "race_off and race_runs");
		goto out;
	}
	insns = bpf_program__insns(prog);
	insn_cnt = bpf_program__insn_cnt(prog);
	ST(&sh->ready, 1);

	for (r = 1; !race_wait(sh, &sh->round, r, 30); r++) {
		int n, i;

		n = race_loads(sh, r, insns, insn_cnt, counter, fds);
		if (n < 0)
			break;
		sh->nload = n;
		if (race_wait(sh, &sh->attached, r, 30))
			break;
		for (i = 0; i < n; i++) {
			struct race_load *l = &sh->loads[i];

			l->id = prog_id(fds[i]);
			l->ran = race_run(fds[i], counter);
			if (l->ran < 0) {
				child_fail(sh, errno, "test run");
				goto out;
			}
		}
		ST(&sh->child_done, r);
		if (race_wait(sh, &sh->checked, r, 30))
			break;
		for (i = 0; i < n; i++)
			close(fds[i]);
		ST(&sh->child_closed, r);
	}
out:
	globals_close(&g, 0);
	bpf_object__close(obj);
}

struct race_totals {
	long rounds, loads, window, after;
	long not_revoked, ran, after_ran, bad_err, overflow;
	__u64 load_ns, attach_ns, fail_ns;
	char first_bad[160];
};

static void race_bad(struct race_totals *t, const char *what, __u32 id,
		     const char *detail)
{
	if (!t->first_bad[0])
		snprintf(t->first_bad, sizeof(t->first_bad), "%s %u: %s",
			 what, id, detail);
}

/* Tallies round @r; @snap is programs read with the denier attached. */
static void race_tally(struct race_totals *t, struct race_shared *sh, int r,
		       const char *snap, __u64 ta0, __u64 ta1)
{
	char st[32];
	int i;

	t->rounds++;
	t->attach_ns += ta1 - ta0;
	if (sh->nload == RACE_MAX_LOADS) {
		t->overflow++;
	} else {
		t->fail_ns += sh->t_fail > ta0 ? sh->t_fail - ta0 : 0;
		if (sh->load_err != EINVAL && sh->load_err != EACCES &&
		    sh->load_err != EPERM) {
			t->bad_err++;
			race_bad(t, "round", r, errname(sh->load_err));
		}
	}
	for (i = 0; i < sh->nload; i++) {
		struct race_load *l = &sh->loads[i];

		t->loads++;
		t->load_ns += l->t1 - l->t0;
		if (!l->imm_ran)
			t->window++;
		if (l->t1 > ta1)
			t->after++;
		if (l->seen_attached && l->imm_ran) {
			t->after_ran++;
			race_bad(t, "prog", l->id,
				 "ran right after a load that returned after the attach");
		}
		if (l->ran) {
			t->ran++;
			race_bad(t, "prog", l->id, "ran with the denier attached");
		}
		state_in(snap, l->id, st, sizeof(st));
		if (strcmp(st, "revoked")) {
			t->not_revoked++;
			race_bad(t, "prog", l->id, st);
		}
	}
}

static void race_print(const struct race_totals *t)
{
	long rounds = t->rounds ? t->rounds : 1;
	long loads = t->loads ? t->loads : 1;

	printf("rounds=%ld loads=%ld window=%ld after=%ld not_revoked=%ld ",
	       t->rounds, t->loads, t->window, t->after, t->not_revoked);
	printf("ran=%ld after_ran=%ld bad_err=%ld overflow=%ld ",
	       t->ran, t->after_ran, t->bad_err, t->overflow);
	printf("load_us=%llu attach_us=%llu fail_us=%llu\n",
	       (unsigned long long)(t->load_ns / loads / 1000),
	       (unsigned long long)(t->attach_ns / rounds / 1000),
	       (unsigned long long)(t->fail_ns / rounds / 1000));
	if (t->first_bad[0])
		printf("first_bad: %s\n", t->first_bad);
}

/*
 * The loader verifies its object once before the rounds start: were the
 * first round's denier attached before that, the setup itself would be
 * refused. 0 once it is ready; -1 if it failed or took over 60 s.
 */
static int race_ready(struct race_shared *sh)
{
	__u64 end = now_ns() + 60000000000ULL;

	while (!LD(&sh->ready)) {
		if (LD(&sh->child_err) || now_ns() > end)
			return -1;
		sched_yield();
	}
	return 0;
}

/* One round as the attacher; 0 if it ran to the end. */
static int race_round(struct race_shared *sh, int r, struct denier *d,
		      struct race_totals *t, unsigned int *seed)
{
	struct bpf_link *link;
	__u64 ta0, ta1, spin;
	int k = rand_r(seed) % 6, ret = -1;
	char *snap;

	ST(&sh->loads_done, 0);
	ST(&sh->load_err, 0);
	ST(&sh->round, r);
	/* A few loads in, at a random point of the next one. */
	ta0 = now_ns();
	while (LD(&sh->loads_done) < k && !LD(&sh->load_err) &&
	       !LD(&sh->stop) && now_ns() - ta0 < 10000000000ULL)
		;
	spin = sh->last_load_ns ? rand_r(seed) % sh->last_load_ns : 0;
	ta0 = now_ns();
	while (now_ns() - ta0 < spin)
		;
	ta0 = now_ns();
	link = denier_attach(d);
	ta1 = now_ns();
	if (!link)
		return -1;
	ST(&sh->attached, r);
	if (race_wait(sh, &sh->child_done, r, 30)) {
		fprintf(stderr, PROG ": race: loader stuck in round %d\n", r);
		goto out;
	}
	snap = read_file(PROGRAMS);
	if (!snap) {
		fail(errno, "read %s", PROGRAMS);
		goto out;
	}
	race_tally(t, sh, r, snap, ta0, ta1);
	free(snap);
	ST(&sh->checked, r);
	if (!race_wait(sh, &sh->child_closed, r, 30))
		ret = 0;
out:
	bpf_link__destroy(link);
	return ret;
}

/*
 * The policy change of the race: race_deny of @path, with race_fx_in and
 * race_fx_out attached for as long as it is loaded.
 */
static int race_denier(struct denier *d, struct bpf_link **fx, const char *path)
{
	static const char *const names[] = {
		"race_deny", "race_fx_in", "race_fx_out", NULL
	};
	int i;

	memset(d, 0, sizeof(*d));
	d->obj = open_and_load(path, names);
	if (!d->obj)
		return 1;
	for (i = 0; i < 2; i++) {
		struct bpf_program *p;

		p = bpf_object__find_program_by_name(d->obj, names[i + 1]);
		fx[i] = p ? bpf_program__attach(p) : NULL;
		if (!fx[i])
			return fail(errno, "attach %s", names[i + 1]);
	}
	d->prog = bpf_object__find_program_by_name(d->obj, names[0]);
	if (!d->prog)
		return fail(ENOENT, "%s", names[0]);
	d->id = prog_id(bpf_program__fd(d->prog));
	return globals_open_obj(&d->g, d->obj);
}

struct race_limits {
	long min_secs, max_secs, want;
};

/* The attacher's rounds: 0 once they ran for long enough, 1 on a failure. */
static int race_attacher(struct race_shared *sh, struct denier *d,
			 struct race_totals *t, const struct race_limits *lim)
{
	unsigned int seed = getpid();
	__u64 start;
	int r;

	if (pin_cpu(1))
		return fail(errno, "sched_setaffinity CPU %s", "1");
	if (race_ready(sh)) {
		fprintf(stderr, PROG ": race: the loader never got ready\n");
		return 1;
	}
	start = now_ns();
	for (r = 1;; r++) {
		__u64 secs = (now_ns() - start) / 1000000000ULL;

		if (secs >= (__u64)lim->max_secs ||
		    (secs >= (__u64)lim->min_secs && t->window >= lim->want))
			return 0;
		if (race_round(sh, r, d, t, &seed))
			return 1;
	}
}

/* Forks the loader (race_off of @path), runs the rounds, prints the totals. */
static int race_rounds(struct race_shared *sh, struct denier *d,
		       const char *path, const struct race_limits *lim)
{
	__u64 denials = 0, fixup_allows = 0;
	struct race_totals t = {};
	int ret, status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return fail(errno, "fork %s", "loader");
	if (pid == 0) {
		race_child(sh, path);
		_exit(LD(&sh->child_err) ? 1 : 0);
	}
	ret = race_attacher(sh, d, &t, lim);
	ST(&sh->stop, 1);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		fprintf(stderr, PROG ": race: loader failed: %s\n",
			sh->child_msg[0] ? sh->child_msg : "(no message)");
		ret = 1;
	}
	globals_get(&d->g, "denials", &denials);
	globals_get(&d->g, "fixup_allows", &fixup_allows);
	race_print(&t);
	printf("denials=%llu fixup_allows=%llu\n",
	       (unsigned long long)denials, (unsigned long long)fixup_allows);
	return ret;
}

static int cmd_race(int argc, char **argv)
{
	struct bpf_link *anchor = NULL, *fx[2] = {};
	struct denier d = {}, a = {};
	struct race_limits lim;
	struct race_shared *sh;
	int ret = 1;

	if (argc != 5 || parse_n(argv[2], 3600, &lim.min_secs) ||
	    parse_n(argv[3], 3600, &lim.max_secs) ||
	    parse_n(argv[4], 1000000, &lim.want))
		return usage_error(policy_usage);
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		fprintf(stderr, PROG ": race: needs 2 CPUs\n");
		return 1;
	}
	anchor = anchor_attach(&a, argv[1]);
	if (!anchor || race_denier(&d, fx, argv[0]))
		goto out;
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		fail(errno, "mmap %s", "shared");
		goto out;
	}
	memset(sh, 0, sizeof(*sh));
	ret = race_rounds(sh, &d, argv[0], &lim);
	munmap(sh, sizeof(*sh));
out:
	bpf_link__destroy(fx[0]);
	bpf_link__destroy(fx[1]);
	denier_close(&d);
	bpf_link__destroy(anchor);
	denier_close(&a);
	return ret;
}

/* --- many ---------------------------------------------------------- */

#define MANY_MAX	4096

struct many_prog {
	int fd;
	__u32 id, len;
	unsigned char *img;
};

/* The JITed image of @fd, in a new buffer; its length in *len. */
static unsigned char *jited_of(int fd, __u32 *len)
{
	struct bpf_prog_info info;
	__u32 ilen = sizeof(info);
	unsigned char *img;

	if (prog_info(fd, &info) || !info.jited_prog_len)
		return NULL;
	img = calloc(1, info.jited_prog_len);
	if (!img)
		return NULL;
	*len = info.jited_prog_len;
	memset(&info, 0, sizeof(info));
	info.jited_prog_len = *len;
	info.jited_prog_insns = (__u64)(unsigned long)img;
	if (bpf_obj_get_info_by_fd(fd, &info, &ilen) ||
	    info.jited_prog_len != *len) {
		free(img);
		return NULL;
	}
	return img;
}

/*
 * 1 when @now is @was with a jump (e9) over the entry no-op, which sits
 * after ENDBR64 on IBT kernels; 0 otherwise.
 */
static int entry_jump_only(const unsigned char *was,
			   const unsigned char *now, __u32 len)
{
	static const unsigned char nop5[5] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };
	__u32 off = (len > 4 && was[0] == 0xf3 && was[1] == 0x0f &&
		     was[2] == 0x1e && was[3] == 0xfa) ? 4 : 0;

	if (len < off + 5 || memcmp(was + off, nop5, 5) || now[off] != 0xe9)
		return 0;
	return !memcmp(was, now, off) &&
	       !memcmp(was + off + 5, now + off + 5, len - off - 5);
}

/* How many of @p are in @state in a fresh read of programs. */
static long count_state(const struct many_prog *p, long n, const char *state)
{
	char *snap = read_file(PROGRAMS), buf[64];
	long i, c = 0;

	if (!snap)
		return -1;
	for (i = 0; i < n; i++)
		c += !strcmp(state_in(snap, p[i].id, buf, sizeof(buf)), state);
	free(snap);
	return c;
}

/* Loads @n copies of @prog into @p, with their ids and JITed images. */
static int many_load(struct bpf_program *prog, struct many_prog *p, long n,
		     const char *count)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts);
	long i;

	opts.expected_attach_type = bpf_program__expected_attach_type(prog);
	for (i = 0; i < n; i++) {
		p[i].fd = bpf_prog_load(bpf_program__type(prog), "po_many",
					"GPL", bpf_program__insns(prog),
					bpf_program__insn_cnt(prog), &opts);
		if (p[i].fd < 0)
			return fail(errno, "load copy %s", count);
		p[i].id = prog_id(p[i].fd);
		p[i].img = jited_of(p[i].fd, &p[i].len);
		if (!p[i].id || !p[i].img)
			return fail(errno ?: EIO, "info of copy %s", count);
	}
	return 0;
}

/*
 * How many of @p have their load image now, or with @jump, their load
 * image with a jump over the entry.
 */
static long count_images(const struct many_prog *p, long n, bool jump)
{
	long i, c = 0;

	for (i = 0; i < n; i++) {
		__u32 len;
		unsigned char *img = jited_of(p[i].fd, &len);

		if (img && len == p[i].len)
			c += jump ? entry_jump_only(p[i].img, img, len) :
				    !memcmp(img, p[i].img, len);
		free(img);
	}
	return c;
}

/* Attaches and detaches the denier; prints what became of @p. */
static int many_flip(struct denier *d, const struct many_prog *p, long n)
{
	long revoked, jumps, active, identical;
	struct bpf_link *link = denier_attach(d);

	if (!link)
		return 1;
	revoked = count_state(p, n, "revoked");
	jumps = count_images(p, n, true);
	bpf_link__destroy(link);
	active = count_state(p, n, "active");
	identical = count_images(p, n, false);
	printf("many=%ld revoked=%ld jumps=%ld active=%ld identical=%ld\n",
	       n, revoked, jumps, active, identical);
	return 0;
}

/*
 * <count> copies of <prog> of <obj>, not attached, revoked by one attach
 * of the denier and restored by its detach: one pass each, which writes
 * the entries in several batches. Prints the counts the shell checks.
 */
static int cmd_many(int argc, char **argv)
{
	struct many_prog *p = NULL;
	struct bpf_program *prog;
	struct bpf_object *obj;
	struct denier d;
	int ret = 1;
	long i, n;

	if (argc != 5 || parse_n(argv[2], MANY_MAX, &n) || n < 1)
		return usage_error(policy_usage);
	obj = open_and_load(argv[0], NULL);
	if (!obj)
		return 1;
	prog = bpf_object__find_program_by_name(obj, argv[1]);
	if (!prog) {
		fail(ENOENT, "program %s", argv[1]);
		goto out_obj;
	}
	if (denier_load(&d, argv[3], argv[4]))
		goto out_denier;
	p = calloc(n, sizeof(*p));
	if (!p) {
		fail(ENOMEM, "%s", "many");
		goto out_denier;
	}
	if (!many_load(prog, p, n, argv[2]) && !many_flip(&d, p, n))
		ret = 0;
	for (i = 0; i < n; i++) {
		if (p[i].fd > 0)
			close(p[i].fd);
		free(p[i].img);
	}
	free(p);
out_denier:
	denier_close(&d);
out_obj:
	bpf_object__close(obj);
	return ret;
}

/* One write; with @snap, programs copied there right after it returned. */
static int cmd_write(int argc, char **argv)
{
	size_t len;
	ssize_t n;
	int fd, err;

	if (argc != 2 && argc != 3)
		return usage_error(policy_usage);
	len = strlen(argv[1]);
	fd = open(argv[0], O_WRONLY);
	if (fd < 0) {
		printf("open:%s\n", errname(errno));
		return 0;
	}
	n = write(fd, argv[1], len);
	err = errno;
	if (argc == 3 && copy_file(PROGRAMS, argv[2])) {
		close(fd);
		return 1;
	}
	if (n < 0)
		printf("write:%s\n", errname(err));
	else if ((size_t)n != len)
		printf("write:short(%zd)\n", n);
	else
		printf("OK\n");
	close(fd);
	return 0;
}

/* --- drain: a sleepable run in flight when it is revoked ------------ */

struct sleeper {
	pthread_t th;
	struct globals *g;
	int err;
};

/* The monitored thread: its open() runs the program, which blocks. */
static void *sleeper_fn(void *arg)
{
	struct sleeper *s = arg;
	int fd;

	globals_set(s->g, "monitored_tid", (__u64)syscall(SYS_gettid));
	fd = open("/proc/self/comm", O_RDONLY | O_CLOEXEC);
	s->err = fd < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* A page registered with a new userfaultfd (missing pages): its fd. */
static int uffd_page(void **page, size_t size)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	int fd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -fail(errno, "userfaultfd");
	*page = mmap(NULL, size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	reg.range.start = (unsigned long)*page;
	reg.range.len = size;
	if (*page == MAP_FAILED || ioctl(fd, UFFDIO_API, &api) ||
	    ioctl(fd, UFFDIO_REGISTER, &reg)) {
		fail(errno, "userfaultfd page");
		close(fd);
		return -1;
	}
	return fd;
}

/* Waits up to 20 s for the fault on the page: the run is in flight. */
static int uffd_wait(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct uffd_msg msg;

	if (poll(&p, 1, 20000) != 1)
		return fail(ETIMEDOUT, "no fault on the userfaultfd page");
	if (read(fd, &msg, sizeof(msg)) != sizeof(msg) ||
	    msg.event != UFFD_EVENT_PAGEFAULT)
		return fail(EIO, "userfaultfd message");
	return 0;
}

/* Attaches the denier with the run in flight; prints what it saw. */
static int drain_attach(struct denier *d, __u32 id)
{
	char *snap, state[32];
	struct bpf_link *link;
	__u64 t0, t1;

	t0 = now_ns();
	link = denier_attach(d);
	t1 = now_ns();
	if (!link)
		return 1;
	snap = read_file(PROGRAMS);
	if (!snap || prog_state(snap, id, state, sizeof(state)))
		snprintf(state, sizeof(state), "none");
	free(snap);
	printf("sleepy_id=%u attach_ms=%llu state=%s ", id,
	       (unsigned long long)((t1 - t0) / 1000000), state);
	bpf_link__destroy(link);
	return 0;
}

/*
 * A thread's open() blocked inside the sleepy program on the fault of
 * @page; then the denier's attach; then the fault resolved.
 */
static int drain_run(struct denier *d, struct globals *g, __u32 id,
		     void *page, int uffd)
{
	struct uffdio_zeropage zp = { 0 };
	__u64 entered = 0, finished = 0;
	struct sleeper s = { .g = g };
	int ret;

	if (globals_set(g, "user_addr", (unsigned long)page))
		return fail(ENOENT, "global %s", "user_addr");
	if (pthread_create(&s.th, NULL, sleeper_fn, &s))
		return fail(EAGAIN, "thread");
	ret = uffd_wait(uffd) || drain_attach(d, id);
	zp.range.start = (unsigned long)page;
	zp.range.len = sysconf(_SC_PAGESIZE);
	if (ioctl(uffd, UFFDIO_ZEROPAGE, &zp))
		ret = fail(errno, "resolve the fault");
	pthread_join(s.th, NULL);
	globals_get(g, "entered", &entered);
	globals_get(g, "finished", &finished);
	printf("entered=%llu finished=%llu open=%s\n",
	       (unsigned long long)entered, (unsigned long long)finished,
	       s.err ? errname(s.err) : "OK");
	return ret;
}

static int cmd_drain(int argc, char **argv)
{
	struct bpf_program *prog;
	struct bpf_object *obj;
	struct bpf_link *link;
	struct globals g;
	struct denier d;
	void *page = NULL;
	int uffd, ret = 1;

	if (argc != 3)
		return usage_error(policy_usage);
	if (denier_load(&d, argv[1], argv[2]))
		goto out_denier;
	obj = open_and_load(argv[0], NULL);
	if (!obj)
		goto out_denier;
	prog = bpf_object__next_program(obj, NULL);
	if (globals_open_obj(&g, obj))
		goto out_obj;
	link = bpf_program__attach(prog);
	if (!link) {
		fail(errno, "attach %s", bpf_program__name(prog));
		goto out;
	}
	uffd = uffd_page(&page, sysconf(_SC_PAGESIZE));
	if (uffd >= 0) {
		ret = drain_run(&d, &g, prog_id(bpf_program__fd(prog)), page,
				uffd);
		close(uffd);
	}
	bpf_link__destroy(link);
out:
	globals_close(&g, 0);
out_obj:
	bpf_object__close(obj);
out_denier:
	denier_close(&d);
	return ret;
}

int cmd_policy(int argc, char **argv)
{
	static const struct cmd subs[] = {
		{ "up", cmd_up },
		{ "fire", cmd_fire },
		{ "cycle", cmd_cycle },
		{ "hold", cmd_hold },
		{ "pin", cmd_pin },
		{ "flip", cmd_flip },
		{ "race", cmd_race },
		{ "many", cmd_many },
		{ "drain", cmd_drain },
		{ "write", cmd_write },
	};
	const struct cmd *sub;

	report_as(PROG, errname);
	if (argc < 1)
		return usage_error(policy_usage);
	sub = find_cmd(subs, ARRAY_SIZE(subs), argv[0]);
	if (sub)
		return sub->fn(argc - 1, argv + 1);
	fprintf(stderr, PROG ": unknown command %s\n", argv[0]);
	return usage_error(policy_usage);
}
