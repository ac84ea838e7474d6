// SPDX-License-Identifier: GPL-2.0
/*
 * lsmrevoke-bench: the measurements behind docs/benchmarks.md, run inside
 * the QEMU guest by bench/guest.sh. Every subcommand prints plain
 * "key value..." lines; the shell interleaves the configurations (module
 * loaded or not, program revoked or not) and the host computes ratios.
 *
 *   hot KIND MODE N       KIND tp|fentry|xdp, MODE active|revoked|none:
 *                         "hot KIND MODE <ns per event>" (fastest of
 *                         HOT_BLOCKS blocks of N/3 events)
 *   load SIZE COUNT       "load SIZE <fastest of COUNT bpf_prog_load()>"
 *   revoke TPFILE COUNTS REPS [READY]
 *                         offenders: raw_tracepoint programs calling
 *                         bpf_probe_read_kernel, one link each, spread over
 *                         the tracepoints named in TPFILE. The reloadable
 *                         policy (policy.bpf.o, flag off) stays attached
 *                         throughout. For each count in COUNTS
 *                         (comma-separated, increasing), REPS times:
 *                         "reload N <change ns> <restore ns> <batches>
 *                         <idle ns>": the policy reload (the flag set to
 *                         deny with bpf_map_update_elem, then "1" written
 *                         to revalidate; all N revoked when that returns),
 *                         the same back (all N restored), how many
 *                         text_poke_finish() calls the change made, and
 *                         a revalidate that changes nothing (the pass's
 *                         walk and judgement alone, before the change);
 *                         "revoke N <attach ns> <restore ns> <detach ns>":
 *                         the denier's attach (lsmrevoke revokes the N
 *                         programs before it returns), the destruction of
 *                         its link (restores them) and detaching all N
 *                         links from user space. A count with a suffix
 *                         "a" (1000a) runs in lsmrevoke's audit mode
 *                         (decides and reports, patches nothing): the
 *                         "reload-audit" and "revoke-audit" lines. With
 *                         READY, then creates that file and holds the
 *                         programs until killed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#define DIR_SELF	"/opt/lsmrevoke-test/add/bench/"
#define STATS		"/sys/kernel/security/lsmrevoke/stats"
#define PROGRAMS	"/sys/kernel/security/lsmrevoke/programs"
#define MODE		"/sys/kernel/security/lsmrevoke/mode"
#define REVALIDATE	"/sys/kernel/security/lsmrevoke/revalidate"
#define SYMBOLS		"/sys/kernel/security/lsmrevoke/symbols"
#define FUNC_PROBE_READ_KERNEL 113
/*
 * A hot-path figure is the fastest of HOT_BLOCKS blocks of N/3 events: the
 * guest's vCPUs share the host with other guests, and being descheduled
 * only ever adds time, so the minimum is the estimate least disturbed.
 */
#define HOT_BLOCKS 15

static const char *objdir = DIR_SELF;

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("lsmrevoke-bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int cmp_ull(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a;
	unsigned long long y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

static void raise_limits(void)
{
	struct rlimit r = { RLIM_INFINITY, RLIM_INFINITY };
	struct rlimit f = { 1 << 16, 1 << 16 };

	setrlimit(RLIMIT_MEMLOCK, &r);
	if (setrlimit(RLIMIT_NOFILE, &f))
		die("setrlimit(NOFILE): %s", strerror(errno));
}

/* lsmrevoke's stats value for KEY, or -1 (module not loaded). */
static long stat_value(const char *key)
{
	char line[128], k[64];
	long v, ret = -1;
	FILE *f = fopen(STATS, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %ld", k, &v) == 2 && !strcmp(k, key))
			ret = v;
	fclose(f);
	return ret;
}

/* The state column of lsmrevoke's line for program ID, or "" */
static const char *prog_state(__u32 id)
{
	static char state[64];
	char line[512], st[64];
	unsigned int pid;
	FILE *f = fopen(PROGRAMS, "r");

	state[0] = 0;
	if (!f)
		return state;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%u %*s %*s %*s %63s", &pid, st) == 2 && pid == id)
			snprintf(state, sizeof(state), "%s", st);
	fclose(f);
	return state;
}

static __u32 prog_id(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		die("prog info: %s", strerror(errno));
	return info.id;
}

static struct bpf_object *open_obj(const char *name, const char *only)
{
	char path[512];
	struct bpf_object *obj;
	struct bpf_program *p;

	snprintf(path, sizeof(path), "%s%s", objdir, name);
	obj = bpf_object__open_file(path, NULL);
	if (!obj)
		die("open %s: %s", path, strerror(errno));
	bpf_object__for_each_program(p, obj)
		bpf_program__set_autoload(p, !only ||
					  !strcmp(bpf_program__name(p), only));
	if (bpf_object__load(obj))
		die("load %s (%s): %s", path, only ? only : "all", strerror(errno));
	return obj;
}

/* The denier, attached; its link is the policy. */
static struct bpf_link *deny_attach(struct bpf_object **objp)
{
	struct bpf_program *p;
	struct bpf_link *l;

	if (!*objp)
		*objp = open_obj("deny.bpf.o", NULL);
	p = bpf_object__find_program_by_name(*objp, "bench_deny");
	l = bpf_program__attach_lsm(p);
	if (!l)
		die("attach denier: %s", strerror(errno));
	return l;
}

/* ---- hot path ------------------------------------------------------- */

static unsigned long long syscall_loop(long n)
{
	unsigned long long t = now_ns();
	long i;

	for (i = 0; i < n; i++)
		getpriority(PRIO_PROCESS, 0);
	return now_ns() - t;
}

/* The fastest of HOT_BLOCKS test runs of N/3 repeats of XDP program P. */
static void hot_xdp(const char *kind, const char *mode, struct bpf_program *p,
		    long n)
{
	unsigned long long v[HOT_BLOCKS];
	char pkt[64] = { 0 };
	int i;

	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt,
		    .data_size_in = sizeof(pkt), .repeat = n / 3);

	for (i = 0; i <= HOT_BLOCKS; i++) {
		o.duration = 0;
		if (bpf_prog_test_run_opts(bpf_program__fd(p), &o))
			die("test run: %s", strerror(errno));
		if (o.retval != XDP_PASS)
			die("test run returned %u", o.retval);
		if (i)	/* the first run warms up */
			v[i - 1] = o.duration;
	}
	/* duration: ns per repeat, as the kernel measures it */
	qsort(v, HOT_BLOCKS, sizeof(*v), cmp_ull);
	printf("hot %s %s %.2f\n", kind, mode, (double)v[0]);
}

/* The fastest of HOT_BLOCKS blocks of N/3 getpriority() calls. */
static void hot_syscalls(const char *kind, const char *mode, long n)
{
	unsigned long long v[HOT_BLOCKS];
	int i;

	syscall_loop(n / 5);
	for (i = 0; i < HOT_BLOCKS; i++)
		v[i] = syscall_loop(n / 3);
	qsort(v, HOT_BLOCKS, sizeof(*v), cmp_ull);
	printf("hot %s %s %.2f\n", kind, mode, (double)v[0] / (n / 3));
}

/* hot.bpf.o's program for KIND in MODE. */
static const char *hot_prog(const char *kind, const char *mode)
{
	bool none = !strcmp(mode, "none");
	const char *pname = NULL;

	if (!strcmp(kind, "tp"))
		pname = "hot_tp";
	else if (!strcmp(kind, "fentry"))
		pname = "hot_fentry";
	else if (!strcmp(kind, "xdp"))
		pname = none ? "hot_xdp_none" : "hot_xdp";
	else
		die("hot: unknown kind %s", kind);
	if (strcmp(mode, "active") && strcmp(mode, "revoked") && !none)
		die("hot: unknown mode %s", mode);
	return pname;
}

static int cmd_hot(const char *kind, const char *mode, long n)
{
	struct bpf_object *obj = NULL, *dobj = NULL;
	struct bpf_link *link = NULL, *deny = NULL;
	struct bpf_program *p = NULL;
	bool xdp = !strcmp(kind, "xdp"), none = !strcmp(mode, "none");
	const char *pname = hot_prog(kind, mode);

	if (!none || xdp) {
		obj = open_obj("hot.bpf.o", pname);
		p = bpf_object__find_program_by_name(obj, pname);
		if (!xdp) {
			link = bpf_program__attach(p);
			if (!link)
				die("attach %s: %s", pname, strerror(errno));
		}
	}
	/* Revoked and none both run with the denier attached. */
	if (strcmp(mode, "active"))
		deny = deny_attach(&dobj);
	if (!strcmp(mode, "revoked")) {
		const char *st = prog_state(prog_id(bpf_program__fd(p)));

		if (strcmp(st, "revoked"))
			die("hot %s: program is '%s', not revoked", kind, st);
	}

	if (xdp)
		hot_xdp(kind, mode, p, n);
	else
		hot_syscalls(kind, mode, n);
	bpf_link__destroy(deny);
	bpf_link__destroy(link);
	bpf_object__close(obj);
	bpf_object__close(dobj);
	return 0;
}

/* ---- generated programs --------------------------------------------- */

/*
 * SIZE instructions: bpf_probe_read_kernel(fp - 8, 8, NULL), then a straight
 * line of "r0 += 1", then exit.
 */
static struct bpf_insn *gen_prog(int size)
{
	struct bpf_insn *in = calloc(size, sizeof(*in));
	int i = 0;

	if (!in || size < 8)
		die("%s(%d)", __func__, size);
	in[i++] = (struct bpf_insn){ BPF_ALU64 | BPF_MOV | BPF_X, 1, 10, 0, 0 };
	in[i++] = (struct bpf_insn){ BPF_ALU64 | BPF_ADD | BPF_K, 1, 0, 0, -8 };
	in[i++] = (struct bpf_insn){ BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, 8 };
	in[i++] = (struct bpf_insn){ BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, 0 };
	in[i++] = (struct bpf_insn){ BPF_JMP | BPF_CALL, 0, 0, 0,
				     FUNC_PROBE_READ_KERNEL };
	in[i++] = (struct bpf_insn){ BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0 };
	while (i < size - 1)
		in[i++] = (struct bpf_insn){ BPF_ALU64 | BPF_ADD | BPF_K, 0, 0, 0, 1 };
	in[i++] = (struct bpf_insn){ BPF_JMP | BPF_EXIT, 0, 0, 0, 0 };
	return in;
}

static int load_gen(enum bpf_prog_type type, const char *name,
		    const struct bpf_insn *in, int size)
{
	int fd = bpf_prog_load(type, name, "GPL", in, size, NULL);

	if (fd < 0)
		die("bpf_prog_load(%d insns): %s", size, strerror(errno));
	return fd;
}

static int cmd_load(int size, int count)
{
	struct bpf_insn *in = gen_prog(size);
	unsigned long long *v = calloc(count, sizeof(*v)), t;
	int i, fd;

	for (i = 0; i < count; i++) {
		t = now_ns();
		fd = load_gen(BPF_PROG_TYPE_KPROBE, "bench_load", in, size);
		v[i] = now_ns() - t;
		close(fd);
	}
	/* The fastest load: the least disturbed by other guests. */
	qsort(v, count, sizeof(*v), cmp_ull);
	printf("load %d %llu\n", size, v[0]);
	return 0;
}

/* ---- revocation ----------------------------------------------------- */

static char **tps;
static int ntps;

static void read_tps(const char *file)
{
	char line[256];
	FILE *f = fopen(file, "r");

	if (!f)
		die("%s: %s", file, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (!line[0])
			continue;
		tps = realloc(tps, (ntps + 1) * sizeof(*tps));
		tps[ntps++] = strdup(line);
	}
	fclose(f);
	if (!ntps)
		die("%s names no tracepoint", file);
}

static int *progs, *links;
static int nprogs;
static const char *detach_how;

static void ensure_progs(int n, const struct bpf_insn *in, int size)
{
	progs = realloc(progs, n * sizeof(*progs));
	links = realloc(links, n * sizeof(*links));
	while (nprogs < n) {
		progs[nprogs] = load_gen(BPF_PROG_TYPE_RAW_TRACEPOINT,
					 "bench_rt", in, size);
		links[nprogs] = -1;
		nprogs++;
	}
}

static void attach_links(int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (links[i] >= 0)
			continue;
		links[i] = bpf_raw_tracepoint_open(tps[i % ntps], progs[i]);
		if (links[i] < 0)
			die("raw_tp %s: %s", tps[i % ntps], strerror(errno));
	}
}

/* Stops the programs from user space: BPF_LINK_DETACH if the link allows. */
static unsigned long long detach_links(int n)
{
	unsigned long long t = now_ns();
	int i;

	for (i = 0; i < n; i++) {
		if (!detach_how) {
			detach_how = bpf_link_detach(links[i]) ?
				     "close(link fd)" : "BPF_LINK_DETACH";
		} else if (detach_how[0] == 'B' && bpf_link_detach(links[i])) {
			die("BPF_LINK_DETACH: %s", strerror(errno));
		}
		close(links[i]);
		links[i] = -1;
	}
	return now_ns() - t;
}

static void set_mode(const char *mode)
{
	int fd = open(MODE, O_WRONLY);

	if (fd < 0 || write(fd, mode, strlen(mode)) < 0)
		die("%s: %s", MODE, strerror(errno));
	close(fd);
}

/* The calls=N of lsmrevoke's symbols line for NAME, or -1. */
static long thunk_calls(const char *name)
{
	char line[256], n[64];
	long v, ret = -1;
	const char *c;
	FILE *f = fopen(SYMBOLS, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s", n) != 1 || strcmp(n, name))
			continue;
		c = strstr(line, "calls=");
		if (c && sscanf(c + 6, "%ld", &v) == 1)
			ret = v;
	}
	fclose(f);
	return ret;
}

/* Batches written so far: text_poke_finish(), named so on 7.x. */
static long poke_batches(void)
{
	long n = thunk_calls("text_poke_finish");

	return n >= 0 ? n : thunk_calls("smp_text_poke_batch_finish");
}

/* The reloadable policy, attached; returns its .bss map's fd. */
static int policy_attach(struct bpf_object **objp, struct bpf_link **linkp)
{
	struct bpf_program *p;
	struct bpf_map *m;

	*objp = open_obj("policy.bpf.o", NULL);
	p = bpf_object__find_program_by_name(*objp, "bench_policy");
	*linkp = bpf_program__attach_lsm(p);
	if (!*linkp)
		die("attach policy: %s", strerror(errno));
	m = bpf_object__find_map_by_name(*objp, ".bss");
	if (!m || bpf_map__value_size(m) != sizeof(int))
		die("policy.bpf.o: no .bss map of one int");
	return bpf_map__fd(m);
}

/*
 * A policy reload as a policy manager does it: change the policy (the
 * flag), then notify lsmrevoke (revalidate), whose pass has revoked or
 * restored every program when the write returns. Timed from the start of
 * the map update to the return of the write; the revalidate file is
 * opened before (its open is not part of the change). DENY -1: no
 * update, a revalidate that finds nothing to change.
 */
static unsigned long long policy_reload(int map_fd, int deny)
{
	unsigned long long t;
	int key = 0, fd = open(REVALIDATE, O_WRONLY);

	if (fd < 0)
		die("%s: %s", REVALIDATE, strerror(errno));
	t = now_ns();
	if (deny >= 0 && bpf_map_update_elem(map_fd, &key, &deny, BPF_ANY))
		die("policy update: %s", strerror(errno));
	if (write(fd, "1", 1) != 1)
		die("%s: %s", REVALIDATE, strerror(errno));
	t = now_ns() - t;
	close(fd);
	return t;
}

/*
 * "reload N <change ns> <restore ns> <batches> <idle ns>": the primary
 * measure, a policy reload, with N programs attached.
 */
static void reload_once(int map_fd, int n, bool audit)
{
	unsigned long long tc, tu, ti;
	long revoked, batches;

	ti = policy_reload(map_fd, -1);
	batches = poke_batches();
	tc = policy_reload(map_fd, 1);
	if (batches >= 0)
		batches = poke_batches() - batches;
	revoked = stat_value("revoked");
	if (!audit && revoked >= 0 && revoked < n)
		die("reload %d: only %ld revoked", n, revoked);
	tu = policy_reload(map_fd, 0);
	if (stat_value("revoked") > 0)
		die("reload %d: %ld still revoked", n, stat_value("revoked"));
	printf("reload%s %d %llu %llu %ld %llu\n", audit ? "-audit" : "", n,
	       tc, tu, batches, ti);
}

/*
 * "revoke N <attach ns> <restore ns> <detach ns>": a policy change by
 * attaching a BPF-LSM program, and the user-space alternative.
 */
static void revoke_once(struct bpf_object **dobj, int n, bool audit)
{
	unsigned long long ta, tr, td, t;
	struct bpf_link *deny;
	long revoked;

	t = now_ns();
	deny = deny_attach(dobj);
	ta = now_ns() - t;
	revoked = stat_value("revoked");
	if (!audit && revoked >= 0 && revoked < n)
		die("revoke %d: only %ld revoked", n, revoked);
	t = now_ns();
	bpf_link__destroy(deny);
	tr = now_ns() - t;
	if (stat_value("revoked") > 0)
		die("revoke %d: %ld still revoked", n, stat_value("revoked"));

	/* The user-space alternative. */
	td = detach_links(n);
	printf("revoke%s %d %llu %llu %llu\n", audit ? "-audit" : "", n, ta, tr,
	       td);
	fflush(stdout);
}

/* With READY: creates that file and holds the programs until killed. */
static void hold_programs(const char *ready)
{
	int fd = open(ready, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		die("%s: %s", ready, strerror(errno));
	dprintf(fd, "%d\n", nprogs);
	close(fd);
	for (;;)
		pause();
}

static int cmd_revoke(const char *tpfile, char *counts, int reps,
		      const char *ready)
{
	struct bpf_object *dobj = NULL, *pobj;
	struct bpf_link *plink;
	struct bpf_insn *in = gen_prog(10);
	char *c, *save = NULL;
	int r, map_fd;

	read_tps(tpfile);
	raise_limits();
	map_fd = policy_attach(&pobj, &plink);
	for (c = strtok_r(counts, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
		int n = atoi(c);
		bool audit = strchr(c, 'a');

		ensure_progs(n, in, 10);
		if (audit)
			set_mode("audit");
		/* 1,000 programs and more: one repetition fits the time. */
		for (r = 0; r < (n >= 1000 ? 1 : reps); r++) {
			attach_links(n);
			reload_once(map_fd, n, audit);
			revoke_once(&dobj, n, audit);
		}
		if (audit)
			set_mode("enforce");
	}
	/* Figure 5 runs with nothing attached to locked_down. */
	bpf_link__destroy(plink);
	bpf_object__close(pobj);
	bpf_object__close(dobj);
	printf("detach-method %s\n", detach_how ? detach_how : "-");
	printf("tracked %ld\n", stat_value("tracked"));
	fflush(stdout);
	if (ready)
		hold_programs(ready);
	return 0;
}

int main(int argc, char **argv)
{
	if (getenv("BENCH_OBJDIR"))
		objdir = getenv("BENCH_OBJDIR");
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 5 && !strcmp(argv[1], "hot"))
		return cmd_hot(argv[2], argv[3], atol(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "load"))
		return cmd_load(atoi(argv[2]), atoi(argv[3]));
	if ((argc == 5 || argc == 6) && !strcmp(argv[1], "revoke"))
		return cmd_revoke(argv[2], argv[3], atoi(argv[4]),
				  argc == 6 ? argv[5] : NULL);
	fprintf(stderr, "usage: lsmrevoke-bench hot tp|fentry|xdp active|revoked|none N\n"
		"       lsmrevoke-bench load SIZE COUNT\n"
		"       lsmrevoke-bench revoke TPFILE COUNTS REPS [READY]\n");
	return 2;
}
