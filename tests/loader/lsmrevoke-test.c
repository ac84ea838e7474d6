// SPDX-License-Identifier: GPL-2.0
/*
 * lsmrevoke-test: the user-space side of the guest test suite.
 *
 * One static binary (libbpf 1.1) with a few subcommands that load, pin,
 * list and churn BPF programs, and one that drops privileges, so that
 * tests/guest/suite.sh can drive every scenario from busybox sh.
 * Errors go to stderr as "lsmrevoke-test: <what>: <strerror>"; any error
 * exits with status 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <linux/capability.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define PROG "lsmrevoke-test"

/* How many programs each churn thread keeps open before freeing the oldest. */
#define CHURN_HOLD	4
#define CHURN_MAX_THREADS	64

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " <command> [args]\n"
		"\n"
		"  load <obj> <pindir>      load every program of <obj>, pin each at\n"
		"                           <pindir>/<name> (directories created),\n"
		"                           print \"<name> <id>\" per program\n"
		"  ids                      print every live program id, sorted\n"
		"  show                     print \"<id> <type> <name> funcs=<n>\" per\n"
		"                           live program, sorted (type as libbpf names\n"
		"                           it; n: functions with BTF func info, so a\n"
		"                           program with one subprogram has 2)\n"
		"  id-of <pinpath>          print the id of a pinned program\n"
		"  churn <obj> <count> <threads> [prog]\n"
		"                           load <prog> (default: the first program\n"
		"                           of <obj>) <count> times in total from\n"
		"                           <threads> threads, each keeping up to %d\n"
		"                           open so loads and frees overlap, then\n"
		"                           free all; print the totals\n"
		"  asuser <uid> <cmd> [args...]\n"
		"                           drop groups, set all gids and uids to\n"
		"                           <uid> (losing every capability), exec <cmd>\n"
		"  read-loop <file> <stopfile> <seconds>\n"
		"                           read <file> again and again (alternately\n"
		"                           whole and in 61-byte reads) until <stopfile>\n"
		"                           exists or <seconds> pass; every snapshot must\n"
		"                           be a '#' header and lines of at least five\n"
		"                           fields starting with a number; print the\n"
		"                           count of reads and of bad ones\n"
		"  nocap <cmd> [args...]    stay uid 0 but drop every capability (also\n"
		"                           from the bounding set, so exec cannot\n"
		"                           regain them), exec <cmd>\n"
		"\n"
		"Set LSMREVOKE_TEST_VERBOSE=1 for libbpf's debug output.\n",
		CHURN_HOLD);
}

static void warnx_errno(int err, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(err));
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	static int verbose = -1;

	if (verbose < 0)
		verbose = getenv("LSMREVOKE_TEST_VERBOSE") != NULL;
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* libbpf 1.x returns -errno; keep a positive errno whatever we are given. */
static int err_of(long ret)
{
	if (ret < 0)
		return (int)-ret;
	return errno ? errno : EINVAL;
}

static int parse_ulong(const char *s, unsigned long max, unsigned long *out)
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

static int mkdir_p(const char *path)
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

static int prog_info(int fd, struct bpf_prog_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return bpf_obj_get_info_by_fd(fd, info, &len);
}

static struct bpf_object *open_and_load(const char *path)
{
	struct bpf_object *obj;
	int err;

	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		warnx_errno(errno, "open %s", path);
		return NULL;
	}
	err = bpf_object__load(obj);
	if (err) {
		warnx_errno(err_of(err), "load %s", path);
		bpf_object__close(obj);
		return NULL;
	}
	return obj;
}

static int cmd_load(int argc, char **argv)
{
	struct bpf_program *prog;
	struct bpf_object *obj;
	char pin[PATH_MAX];
	int ret = 0;

	if (argc != 2) {
		usage(stderr);
		return 1;
	}
	if (mkdir_p(argv[1])) {
		warnx_errno(errno, "mkdir %s", argv[1]);
		return 1;
	}
	obj = open_and_load(argv[0]);
	if (!obj)
		return 1;

	bpf_object__for_each_program(prog, obj) {
		struct bpf_prog_info info;
		int err;

		if (snprintf(pin, sizeof(pin), "%s/%s", argv[1],
			     bpf_program__name(prog)) >= (int)sizeof(pin)) {
			warnx_errno(ENAMETOOLONG, "pin %s", argv[1]);
			ret = 1;
			break;
		}
		err = bpf_program__pin(prog, pin);
		if (err) {
			warnx_errno(err_of(err), "pin %s", pin);
			ret = 1;
			break;
		}
		err = prog_info(bpf_program__fd(prog), &info);
		if (err) {
			warnx_errno(err_of(err), "info %s", pin);
			ret = 1;
			break;
		}
		printf("%s %u\n", bpf_program__name(prog), info.id);
	}
	bpf_object__close(obj);
	return ret;
}

/* Calls fn(id, arg) for every live program id in increasing order. */
static int for_each_prog_id(int (*fn)(__u32 id, void *arg), void *arg)
{
	__u32 id = 0;
	int err;

	for (;;) {
		err = bpf_prog_get_next_id(id, &id);
		if (err) {
			if (err_of(err) == ENOENT)
				return 0;
			warnx_errno(err_of(err), "bpf_prog_get_next_id");
			return 1;
		}
		err = fn(id, arg);
		if (err)
			return err;
	}
}

static int print_id(__u32 id, void *arg)
{
	(void)arg;
	printf("%u\n", id);
	return 0;
}

static int cmd_ids(int argc, char **argv)
{
	(void)argv;
	if (argc != 0) {
		usage(stderr);
		return 1;
	}
	return for_each_prog_id(print_id, NULL);
}

static int show_id(__u32 id, void *arg)
{
	struct bpf_prog_info info;
	const char *type;
	int fd, err;

	(void)arg;
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0) {
		if (err_of(fd) == ENOENT)	/* freed since we saw its id */
			return 0;
		warnx_errno(err_of(fd), "bpf_prog_get_fd_by_id %u", id);
		return 1;
	}
	err = prog_info(fd, &info);
	close(fd);
	if (err) {
		warnx_errno(err_of(err), "info of prog %u", id);
		return 1;
	}
	type = libbpf_bpf_prog_type_str(info.type);
	printf("%u %s %s funcs=%u\n", id, type ? type : "unknown",
	       info.name[0] ? info.name : "-", info.nr_func_info);
	return 0;
}

static int cmd_show(int argc, char **argv)
{
	(void)argv;
	if (argc != 0) {
		usage(stderr);
		return 1;
	}
	return for_each_prog_id(show_id, NULL);
}

static int cmd_id_of(int argc, char **argv)
{
	struct bpf_prog_info info;
	int fd, err;

	if (argc != 1) {
		usage(stderr);
		return 1;
	}
	fd = bpf_obj_get(argv[0]);
	if (fd < 0) {
		warnx_errno(err_of(fd), "bpf_obj_get %s", argv[0]);
		return 1;
	}
	err = prog_info(fd, &info);
	close(fd);
	if (err) {
		warnx_errno(err_of(err), "info %s", argv[0]);
		return 1;
	}
	printf("%u\n", info.id);
	return 0;
}

struct churn {
	enum bpf_prog_type type;
	enum bpf_attach_type expected_attach_type;
	__u32 prog_flags;
	__u32 kern_version;
	const struct bpf_insn *insns;
	size_t insn_cnt;
	unsigned long count;
	unsigned long threads;

	pthread_mutex_t lock;
	unsigned long loaded;
	unsigned long failed;
	int first_err;
};

struct churn_thread {
	pthread_t tid;
	struct churn *c;
	unsigned long count;
	unsigned int seed;
};

static void *churn_thread(void *arg)
{
	struct churn_thread *t = arg;
	struct churn *c = t->c;
	unsigned long i, loaded = 0, failed = 0;
	int held[CHURN_HOLD];
	int first_err = 0;
	int k;

	for (k = 0; k < CHURN_HOLD; k++)
		held[k] = -1;

	for (i = 0; i < t->count; i++) {
		LIBBPF_OPTS(bpf_prog_load_opts, opts,
			.expected_attach_type = c->expected_attach_type,
			.prog_flags = c->prog_flags,
			.kern_version = c->kern_version,
		);
		int slot = i % CHURN_HOLD;
		int fd;

		fd = bpf_prog_load(c->type, "churn", "GPL", c->insns,
				   c->insn_cnt, &opts);
		if (fd < 0) {
			failed++;
			if (!first_err)
				first_err = err_of(fd);
		} else {
			loaded++;
		}
		/* Free the oldest one we hold, keep the new one for a while. */
		if (held[slot] >= 0)
			close(held[slot]);
		held[slot] = fd;
		if (rand_r(&t->seed) % 8 == 0) {
			struct timespec ts = {
				.tv_nsec = (rand_r(&t->seed) % 2000) * 1000L,
			};

			nanosleep(&ts, NULL);
		}
	}
	for (k = 0; k < CHURN_HOLD; k++)
		if (held[k] >= 0)
			close(held[k]);

	pthread_mutex_lock(&c->lock);
	c->loaded += loaded;
	c->failed += failed;
	if (!c->first_err)
		c->first_err = first_err;
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

static int cmd_churn(int argc, char **argv)
{
	struct churn_thread *th;
	struct bpf_program *prog = NULL;
	struct bpf_object *obj;
	struct churn c = { .lock = PTHREAD_MUTEX_INITIALIZER };
	unsigned long i, started;
	int ret = 0, err;

	if (argc != 3 && argc != 4) {
		usage(stderr);
		return 1;
	}
	if (parse_ulong(argv[1], 1000000, &c.count) ||
	    parse_ulong(argv[2], CHURN_MAX_THREADS, &c.threads) ||
	    c.threads == 0) {
		fprintf(stderr, PROG ": churn: bad count or threads (1..%d)\n",
			CHURN_MAX_THREADS);
		return 1;
	}
	obj = open_and_load(argv[0]);
	if (!obj)
		return 1;
	if (argc == 4)
		prog = bpf_object__find_program_by_name(obj, argv[3]);
	else
		prog = bpf_object__next_program(obj, NULL);
	if (!prog) {
		warnx_errno(ENOENT, "churn: program %s in %s",
			    argc == 4 ? argv[3] : "(first)", argv[0]);
		bpf_object__close(obj);
		return 1;
	}
	c.type = bpf_program__type(prog);
	if (c.type == BPF_PROG_TYPE_TRACING || c.type == BPF_PROG_TYPE_LSM ||
	    c.type == BPF_PROG_TYPE_EXT || c.type == BPF_PROG_TYPE_STRUCT_OPS) {
		warnx_errno(EOPNOTSUPP, "churn: %s needs a BTF attach target",
			    bpf_program__name(prog));
		bpf_object__close(obj);
		return 1;
	}
	/* After load the instructions are relocated and carry the object's
	 * map fds, which stay valid while obj is open.
	 */
	c.expected_attach_type = bpf_program__expected_attach_type(prog);
	c.prog_flags = bpf_program__flags(prog);
	c.kern_version = bpf_object__kversion(obj);
	c.insns = bpf_program__insns(prog);
	c.insn_cnt = bpf_program__insn_cnt(prog);

	th = calloc(c.threads, sizeof(*th));
	if (!th) {
		warnx_errno(ENOMEM, "churn");
		bpf_object__close(obj);
		return 1;
	}
	for (started = 0; started < c.threads; started++) {
		th[started].c = &c;
		th[started].count = c.count / c.threads +
				    (started < c.count % c.threads);
		th[started].seed = (unsigned int)(getpid() * 31 + started);
		err = pthread_create(&th[started].tid, NULL, churn_thread,
				     &th[started]);
		if (err) {
			warnx_errno(err, "churn: pthread_create");
			ret = 1;
			break;
		}
	}
	for (i = 0; i < started; i++)
		pthread_join(th[i].tid, NULL);
	free(th);
	bpf_object__close(obj);

	printf("churn: loaded %lu failed %lu threads %lu\n", c.loaded,
	       c.failed, started);
	if (c.failed) {
		warnx_errno(c.first_err, "churn: %lu of %lu loads failed",
			    c.failed, c.count);
		ret = 1;
	}
	return ret;
}

static int cmd_asuser(int argc, char **argv)
{
	unsigned long id;

	if (argc < 2) {
		usage(stderr);
		return 1;
	}
	if (parse_ulong(argv[0], 0xfffffffeUL, &id)) {
		fprintf(stderr, PROG ": asuser: bad uid %s\n", argv[0]);
		return 1;
	}
	if (setgroups(0, NULL)) {
		warnx_errno(errno, "setgroups");
		return 1;
	}
	if (setresgid(id, id, id)) {
		warnx_errno(errno, "setresgid %lu", id);
		return 1;
	}
	if (setresuid(id, id, id)) {
		warnx_errno(errno, "setresuid %lu", id);
		return 1;
	}
	execvp(argv[1], argv + 1);
	warnx_errno(errno, "exec %s", argv[1]);
	return 1;
}

/* A snapshot of a programs-like file: '#' header, then "<number> f f f f...". */
static int snapshot_ok(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *nl;
	int first = 1;

	if (len == 0 || buf[len - 1] != '\n' || buf[0] != '#')
		return 0;
	for (; p < end; p = nl + 1) {
		const char *q;
		int fields = 1;

		nl = memchr(p, '\n', end - p);
		if (first) {
			first = 0;
			continue;
		}
		if (nl == p || *p < '0' || *p > '9')
			return 0;
		for (q = p; q < nl; q++) {
			if (*q != ' ')
				continue;
			if (q + 1 == nl || q[1] == ' ')
				return 0;
			fields++;
		}
		if (fields < 5)
			return 0;
	}
	return 1;
}

static int cmd_read_loop(int argc, char **argv)
{
	static char buf[1 << 20];
	unsigned long reads = 0, bad = 0, secs;
	time_t stop_at;
	int first_err = 0;

	if (argc != 3 || parse_ulong(argv[2], 3600, &secs)) {
		usage(stderr);
		return 1;
	}
	stop_at = time(NULL) + (time_t)secs;
	while (access(argv[1], F_OK) != 0 && time(NULL) < stop_at) {
		size_t chunk = reads % 2 ? 61 : sizeof(buf);
		size_t len = 0;
		ssize_t n = 0;
		int fd;

		reads++;
		fd = open(argv[0], O_RDONLY);
		if (fd < 0) {
			if (!first_err)
				first_err = errno;
			bad++;
			continue;
		}
		while (len < sizeof(buf)) {
			size_t want = sizeof(buf) - len;

			n = read(fd, buf + len, want < chunk ? want : chunk);
			if (n <= 0)
				break;
			len += n;
		}
		if (n < 0 && !first_err)
			first_err = errno;
		close(fd);
		if (n < 0 || !snapshot_ok(buf, len)) {
			if (!bad && n >= 0)
				fprintf(stderr, PROG ": read-loop: bad snapshot:\n%.*s",
					(int)len, buf);
			bad++;
		}
	}
	printf("read-loop: reads %lu bad %lu\n", reads, bad);
	if (first_err)
		warnx_errno(first_err, "read-loop: %s", argv[0]);
	return bad ? 1 : 0;
}

static int cmd_nocap(int argc, char **argv)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	int cap;

	if (argc < 1) {
		usage(stderr);
		return 1;
	}
	/* PR_CAPBSET_READ fails with EINVAL past the last capability. */
	for (cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++) {
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)) {
			warnx_errno(errno, "drop capability %d from the bounding set",
				    cap);
			return 1;
		}
	}
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capset, &hdr, data)) {
		warnx_errno(errno, "capset");
		return 1;
	}
	execvp(argv[0], argv);
	warnx_errno(errno, "exec %s", argv[0]);
	return 1;
}

/* Scenario command groups, one file each (tests/loader/<group>.c). */
int cmd_trace(int argc, char **argv);
int cmd_net(int argc, char **argv);
int cmd_strict(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_cli(int argc, char **argv);
int cmd_robust(int argc, char **argv);

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} cmds[] = {
	{ "trace", cmd_trace },
	{ "net", cmd_net },
	{ "strict", cmd_strict },
	{ "policy", cmd_policy },
	{ "cli", cmd_cli },
	{ "robust", cmd_robust },
	{ "load", cmd_load },
	{ "ids", cmd_ids },
	{ "show", cmd_show },
	{ "id-of", cmd_id_of },
	{ "churn", cmd_churn },
	{ "asuser", cmd_asuser },
	{ "read-loop", cmd_read_loop },
	{ "nocap", cmd_nocap },
};

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return 1;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	libbpf_set_print(libbpf_print);
	/* Output goes to pipes in the suite: never lose it to buffering. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 2, argv + 2);

	fprintf(stderr, PROG ": unknown command %s\n", argv[1]);
	usage(stderr);
	return 1;
}
