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
#include <sys/syscall.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <linux/capability.h>

#include "testlib.h"

/* How many programs each churn thread keeps open before freeing the oldest. */
#define CHURN_HOLD	4
#define CHURN_MAX_THREADS	64

static const char main_usage[] =
	"usage: lsmrevoke-test <command> [args]\n"
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
	"                           <threads> threads, each keeping up to " STR(CHURN_HOLD) "\n"
	"                           open so loads and frees overlap, then\n"
	"                           free all; print the totals\n"
	"  asuser <uid> <cmd> [args...]\n"
	"                           drop groups, set all gids and uids to\n"
	"                           <uid> (losing every capability), exec <cmd>\n"
	"  asagent <uid> <cmd> [args...]\n"
	"                           as asuser, but keep the capabilities of a\n"
	"                           BPF agent (CAP_BPF, CAP_PERFMON,\n"
	"                           CAP_SYS_ADMIN, CAP_SYS_RESOURCE,\n"
	"                           CAP_DAC_OVERRIDE) across exec\n"
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
	"Set LSMREVOKE_TEST_VERBOSE=1 for libbpf's debug output.\n";

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	static int verbose = -1;

	if (verbose < 0)
		verbose = !!getenv("LSMREVOKE_TEST_VERBOSE");
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int cmd_load(int argc, char **argv)
{
	struct bpf_program *prog;
	struct bpf_object *obj;
	char pin[PATH_MAX];
	int ret = 0;

	if (argc != 2)
		return usage_error(main_usage);
	if (mkdir_p(argv[1]))
		return fail(errno, "mkdir %s", argv[1]);
	obj = open_and_load(argv[0], NULL);
	if (!obj)
		return 1;

	bpf_object__for_each_program(prog, obj) {
		struct bpf_prog_info info;
		int err;

		if (snprintf(pin, sizeof(pin), "%s/%s", argv[1],
			     bpf_program__name(prog)) >= (int)sizeof(pin)) {
			ret = fail(ENAMETOOLONG, "pin %s", argv[1]);
			break;
		}
		err = bpf_program__pin(prog, pin);
		if (err) {
			ret = fail(err_of(err), "pin %s", pin);
			break;
		}
		err = prog_info(bpf_program__fd(prog), &info);
		if (err) {
			ret = fail(err_of(err), "info %s", pin);
			break;
		}
		printf("%s %u\n", bpf_program__name(prog), info.id);
	}
	bpf_object__close(obj);
	return ret;
}

/*
 * The next live program id after *@id, into *@id: 1 if there is one, 0
 * after the last, -1 on an error (reported).
 */
static int next_prog_id(__u32 *id)
{
	int err = bpf_prog_get_next_id(*id, id);

	if (!err)
		return 1;
	if (err_of(err) == ENOENT)
		return 0;
	fail(err_of(err), "bpf_prog_get_next_id");
	return -1;
}

static int show_id(__u32 id)
{
	struct bpf_prog_info info;
	const char *type;
	int fd, err;

	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0) {
		if (err_of(fd) == ENOENT)	/* freed since we saw its id */
			return 0;
		return fail(err_of(fd), "bpf_prog_get_fd_by_id %u", id);
	}
	err = prog_info(fd, &info);
	close(fd);
	if (err)
		return fail(err_of(err), "info of prog %u", id);
	type = libbpf_bpf_prog_type_str(info.type);
	printf("%u %s %s funcs=%u\n", id, type ? type : "unknown",
	       info.name[0] ? info.name : "-", info.nr_func_info);
	return 0;
}

/* Every live program: its id, or with @show what show_id() prints. */
static int list_progs(int argc, bool show)
{
	__u32 id = 0;
	int more;

	if (argc != 0)
		return usage_error(main_usage);
	while ((more = next_prog_id(&id)) > 0) {
		if (!show)
			printf("%u\n", id);
		else if (show_id(id))
			return 1;
	}
	return more < 0;
}

static int cmd_ids(int argc, char **argv)
{
	(void)argv;
	return list_progs(argc, false);
}

static int cmd_show(int argc, char **argv)
{
	(void)argv;
	return list_progs(argc, true);
}

static int cmd_id_of(int argc, char **argv)
{
	struct bpf_prog_info info;
	int fd, err;

	if (argc != 1)
		return usage_error(main_usage);
	fd = bpf_obj_get(argv[0]);
	if (fd < 0)
		return fail(err_of(fd), "bpf_obj_get %s", argv[0]);
	err = prog_info(fd, &info);
	close(fd);
	if (err)
		return fail(err_of(err), "info %s", argv[0]);
	printf("%u\n", info.id);
	return 0;
}

/* --- churn -------------------------------------------------------------- */

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

/* One load of the churned program: its fd, or a negative error. */
static int churn_load(const struct churn *c)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type = c->expected_attach_type,
		    .prog_flags = c->prog_flags,
		    .kern_version = c->kern_version,
	);

	return bpf_prog_load(c->type, "churn", "GPL", c->insns, c->insn_cnt,
			     &opts);
}

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
		int slot = i % CHURN_HOLD;
		int fd = churn_load(c);

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

/*
 * The program to churn, argv[3] or the first of @obj, into @c: 0, or 1
 * if it has none or one that needs a BTF attach target.
 */
static int churn_prepare(struct churn *c, struct bpf_object *obj, int argc,
			 char **argv)
{
	struct bpf_program *prog;

	if (argc == 4)
		prog = bpf_object__find_program_by_name(obj, argv[3]);
	else
		prog = bpf_object__next_program(obj, NULL);
	if (!prog)
		return fail(ENOENT, "churn: program %s in %s",
			    argc == 4 ? argv[3] : "(first)", argv[0]);
	c->type = bpf_program__type(prog);
	if (c->type == BPF_PROG_TYPE_TRACING || c->type == BPF_PROG_TYPE_LSM ||
	    c->type == BPF_PROG_TYPE_EXT || c->type == BPF_PROG_TYPE_STRUCT_OPS)
		return fail(EOPNOTSUPP, "churn: %s needs a BTF attach target",
			    bpf_program__name(prog));
	/* After load the instructions are relocated and carry the object's
	 * map fds, which stay valid while obj is open.
	 */
	c->expected_attach_type = bpf_program__expected_attach_type(prog);
	c->prog_flags = bpf_program__flags(prog);
	c->kern_version = bpf_object__kversion(obj);
	c->insns = bpf_program__insns(prog);
	c->insn_cnt = bpf_program__insn_cnt(prog);
	return 0;
}

/* Runs the churn threads to their end: how many started; *@ret 1 if not all. */
static unsigned long churn_run(struct churn *c, struct churn_thread *th,
			       int *ret)
{
	unsigned long i, started;
	int err;

	for (started = 0; started < c->threads; started++) {
		th[started].c = c;
		th[started].count = c->count / c->threads +
				    (started < c->count % c->threads);
		th[started].seed = (unsigned int)(getpid() * 31 + started);
		err = pthread_create(&th[started].tid, NULL, churn_thread,
				     &th[started]);
		if (err) {
			*ret = fail(err, "churn: pthread_create");
			break;
		}
	}
	for (i = 0; i < started; i++)
		pthread_join(th[i].tid, NULL);
	return started;
}

static int cmd_churn(int argc, char **argv)
{
	struct churn c = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct churn_thread *th;
	struct bpf_object *obj;
	unsigned long started;
	int ret = 0;

	if (argc != 3 && argc != 4)
		return usage_error(main_usage);
	if (parse_ulong(argv[1], 1000000, &c.count) ||
	    parse_ulong(argv[2], CHURN_MAX_THREADS, &c.threads) ||
	    c.threads == 0) {
		fprintf(stderr, "lsmrevoke-test: churn: bad count or threads (1..%d)\n",
			CHURN_MAX_THREADS);
		return 1;
	}
	obj = open_and_load(argv[0], NULL);
	if (!obj)
		return 1;
	if (churn_prepare(&c, obj, argc, argv)) {
		bpf_object__close(obj);
		return 1;
	}
	th = calloc(c.threads, sizeof(*th));
	if (!th) {
		fail(ENOMEM, "churn");
		bpf_object__close(obj);
		return 1;
	}
	started = churn_run(&c, th, &ret);
	free(th);
	bpf_object__close(obj);

	printf("churn: loaded %lu failed %lu threads %lu\n", c.loaded,
	       c.failed, started);
	if (c.failed)
		ret = fail(c.first_err, "churn: %lu of %lu loads failed",
			   c.failed, c.count);
	return ret;
}

/* --- privileges, reading ------------------------------------------------ */

static int cmd_asuser(int argc, char **argv)
{
	unsigned long id;

	if (argc < 2)
		return usage_error(main_usage);
	if (parse_ulong(argv[0], 0xfffffffeUL, &id)) {
		fprintf(stderr, "lsmrevoke-test: asuser: bad uid %s\n", argv[0]);
		return 1;
	}
	if (setgroups(0, NULL))
		return fail(errno, "setgroups");
	if (setresgid(id, id, id))
		return fail(errno, "setresgid %lu", id);
	if (setresuid(id, id, id))
		return fail(errno, "setresuid %lu", id);
	execvp(argv[1], argv + 1);
	return fail(errno, "exec %s", argv[1]);
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

/*
 * Reads @path into @buf (@size bytes at most) in reads of @chunk bytes:
 * the length read, or -1 with *@err set.
 */
static ssize_t read_snapshot(const char *path, char *buf, size_t size,
			     size_t chunk, int *err)
{
	size_t len = 0;
	ssize_t n = 0;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0) {
		*err = errno;
		return -1;
	}
	while (len < size) {
		size_t want = size - len;

		n = read(fd, buf + len, want < chunk ? want : chunk);
		if (n <= 0)
			break;
		len += n;
	}
	if (n < 0)
		*err = errno;
	close(fd);
	return n < 0 ? -1 : (ssize_t)len;
}

static int cmd_read_loop(int argc, char **argv)
{
	static char buf[1 << 20];
	unsigned long reads = 0, bad = 0, secs;
	time_t stop_at;
	int first_err = 0;

	if (argc != 3 || parse_ulong(argv[2], 3600, &secs))
		return usage_error(main_usage);
	stop_at = time(NULL) + (time_t)secs;
	while (access(argv[1], F_OK) != 0 && time(NULL) < stop_at) {
		size_t chunk = reads % 2 ? 61 : sizeof(buf);
		int err = 0;
		ssize_t len;

		reads++;
		len = read_snapshot(argv[0], buf, sizeof(buf), chunk, &err);
		if (err && !first_err)
			first_err = err;
		if (len < 0 || !snapshot_ok(buf, len)) {
			if (!bad && len >= 0)
				fprintf(stderr, "lsmrevoke-test: read-loop: bad snapshot:\n%.*s",
					(int)len, buf);
			bad++;
		}
	}
	printf("read-loop: reads %lu bad %lu\n", reads, bad);
	if (first_err)
		fail(first_err, "read-loop: %s", argv[0]);
	return bad ? 1 : 0;
}

/*
 * The capabilities a BPF agent runs with: loading and attaching tracing
 * programs (CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN for some attach types),
 * locked memory (CAP_SYS_RESOURCE) and root's pin directories
 * (CAP_DAC_OVERRIDE).
 */
static const int agent_caps[] = { 1, 21, 24, 38, 39 };

static int cmd_asagent(int argc, char **argv)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	unsigned long id;
	unsigned int i;

	if (argc < 2)
		return usage_error(main_usage);
	if (parse_ulong(argv[0], 0xfffffffeUL, &id)) {
		fprintf(stderr, "lsmrevoke-test: asagent: bad uid %s\n", argv[0]);
		return 1;
	}
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0))
		return fail(errno, "keepcaps");
	if (setgroups(0, NULL))
		return fail(errno, "setgroups");
	if (setresgid(id, id, id))
		return fail(errno, "setresgid %lu", id);
	if (setresuid(id, id, id))
		return fail(errno, "setresuid %lu", id);
	/* Permitted survived (keepcaps); exec keeps only ambient ones. */
	memset(data, 0, sizeof(data));
	for (i = 0; i < ARRAY_SIZE(agent_caps); i++) {
		int cap = agent_caps[i];

		data[cap / 32].permitted |= 1U << (cap % 32);
		data[cap / 32].effective |= 1U << (cap % 32);
		data[cap / 32].inheritable |= 1U << (cap % 32);
	}
	if (syscall(SYS_capset, &hdr, data))
		return fail(errno, "capset");
	for (i = 0; i < ARRAY_SIZE(agent_caps); i++)
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, agent_caps[i],
			  0, 0))
			return fail(errno, "ambient capability %d", agent_caps[i]);
	execvp(argv[1], argv + 1);
	return fail(errno, "exec %s", argv[1]);
}

static int cmd_nocap(int argc, char **argv)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	int cap;

	if (argc < 1)
		return usage_error(main_usage);
	/* PR_CAPBSET_READ fails with EINVAL past the last capability. */
	for (cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++) {
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0))
			return fail(errno, "drop capability %d from the bounding set",
				    cap);
	}
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capset, &hdr, data))
		return fail(errno, "capset");
	execvp(argv[0], argv);
	return fail(errno, "exec %s", argv[0]);
}

static const struct cmd cmds[] = {
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
	{ "asagent", cmd_asagent },
	{ "read-loop", cmd_read_loop },
	{ "nocap", cmd_nocap },
};

int main(int argc, char **argv)
{
	const struct cmd *cmd;

	if (argc < 2)
		return usage_error(main_usage);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		fputs(main_usage, stdout);
		return 0;
	}
	libbpf_set_print(libbpf_print);
	/* Output goes to pipes in the suite: never lose it to buffering. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	cmd = find_cmd(cmds, ARRAY_SIZE(cmds), argv[1]);
	if (cmd)
		return cmd->fn(argc - 2, argv + 2);
	fprintf(stderr, "lsmrevoke-test: unknown command %s\n", argv[1]);
	return usage_error(main_usage);
}
