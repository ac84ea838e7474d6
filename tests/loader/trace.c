// SPDX-License-Identifier: GPL-2.0
/*
 * lsmrevoke-test trace <sub> ...: the tracing scenarios of
 * tests/guest/suite.d/10-trace.sh.
 *
 * Objects are loaded, attached and pinned under a directory (programs at
 * <dir>/<name>, their links at <dir>/link/<name>, maps at <dir>/map/<name>
 * with .bss as <dir>/map/bss; bpffs refuses names with a '.'), so that the
 * shell can revoke, restore and free them between steps. Globals are read
 * and written by name, through the .bss map's BTF and a shared mapping,
 * never by a read-modify-write of the whole value (the programs count
 * concurrently).
 *
 * Expected failures are results, not errors: they are printed as errno
 * names (EPERM, ENOENT, ...) on stdout with exit status 0. Exit status 1
 * means the command itself could not run.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/perf_event.h>

#include "testlib.h"

#define PROG "lsmrevoke-test trace"
#define MAX_VARS	16
#define FIRE_SPEC_MAX	256

static const char trace_usage[] =
	"usage: lsmrevoke-test trace <sub> [args]\n"
	"  up <obj> <dir> [--attach-to <progpin>|- <func>]\n"
	"        load <obj>, attach what can be attached, pin programs,\n"
	"        links and maps under <dir>; print \"<name> <id>\";\n"
	"        --attach-to: every program to <func> of the pinned\n"
	"        program, or of the kernel for -\n"
	"  get <dir> <var>...        print var=value from <dir>/map/bss\n"
	"  set <dir> <var> <value>   store a global in <dir>/map/bss\n"
	"  fire <dir> <ev:n>[,<ev:n>...] [<var>...]\n"
	"        set monitored_pid to our pid, fire the events (getpriority,\n"
	"        setnice, capget, pagefault, sleep (ms), wait:<ms>:<var>:<min>\n"
	"        (until var grew by min)), clear it; print var=delta\n"
	"        and errors=<failed syscalls> [errno=<first>]\n"
	"  slot <mappin> <key> get|del|set [<progpin>]\n"
	"        prog-array slot: print the id there, OK, or the errno name\n"
	"  jited <progpin> <prefix>  write the JITed image to <prefix>.img and\n"
	"        each function's to <prefix>.<i>; print jited_len= funcs=\n"
	"  info <progpin>            print id= type= jited= jited_len=\n"
	"        xlated_len= funcs= name=\n"
	"  write <file> <data> [repeat]\n"
	"        one write(2) of <data> (\\n, \\t, \\0, \\\\ escapes) <repeat>\n"
	"        times over; print OK, open:<errno>, write:<errno>\n";

/* --- up ------------------------------------------------------------- */

/* Every program of @obj to attach to @func of program @target_fd (0: the kernel). */
static int set_targets(struct bpf_object *obj, int target_fd, const char *func)
{
	struct bpf_program *prog;
	int err;

	bpf_object__for_each_program(prog, obj) {
		err = bpf_program__set_attach_target(prog, target_fd, func);
		if (err)
			return fail(err_of(err), "attach target %s", func);
	}
	return 0;
}

/* Pins what "up" pins (see the top of this file); prints "<name> <id>". */
static int up_pin(struct bpf_object *obj, const char *dir)
{
	struct bpf_program *prog;
	char pin[PATH_MAX];
	int err;

	if (pin_maps(obj, dir, "map/"))
		return 1;
	bpf_object__for_each_program(prog, obj) {
		const char *name = bpf_program__name(prog);
		struct bpf_prog_info info;

		if (attach_and_pin(prog, dir, "link/", "up: attach", true))
			return 1;
		pin_at(pin, dir, "", name);
		err = prog_info(bpf_program__fd(prog), &info);
		if (err)
			return fail(err_of(err), "info %s", pin);
		printf("%s %u\n", name, info.id);
	}
	return 0;
}

static int cmd_up(int argc, char **argv)
{
	const char *path, *dir, *target_pin = NULL, *target_func = NULL;
	struct bpf_object *obj;
	char pin[PATH_MAX];
	int target_fd = -1, err, ret = 1;

	if (argc == 5 && !strcmp(argv[2], "--attach-to")) {
		target_pin = argv[3];
		target_func = argv[4];
	} else if (argc != 2) {
		return usage_error(trace_usage);
	}
	path = argv[0];
	dir = argv[1];
	if (pin_at(pin, dir, "", "link") || mkdir_p(pin) ||
	    pin_at(pin, dir, "", "map") || mkdir_p(pin))
		return fail(errno, "mkdir under %s", dir);

	obj = bpf_object__open_file(path, NULL);
	if (!obj)
		return fail(errno, "open %s", path);
	if (target_pin && !strcmp(target_pin, "-")) {
		if (set_targets(obj, 0, target_func))
			goto out;
	} else if (target_pin) {
		target_fd = bpf_obj_get(target_pin);
		if (target_fd < 0) {
			fail(err_of(target_fd), "bpf_obj_get %s", target_pin);
			goto out;
		}
		if (set_targets(obj, target_fd, target_func))
			goto out;
	}
	err = bpf_object__load(obj);
	if (err) {
		fail(err_of(err), "load %s", path);
		goto out;
	}
	ret = up_pin(obj, dir);
out:
	/* Links and programs stay alive through their pins. */
	bpf_object__close(obj);
	if (target_fd >= 0)
		close(target_fd);
	return ret;
}

/* --- globals of a pinned .bss -------------------------------------- */

static int globals_open(struct datasec *g, const char *dir, int writable)
{
	char pin[PATH_MAX];
	int fd;

	memset(g, 0, sizeof(*g));
	g->fd = -1;
	if (pin_at(pin, dir, "map/", "bss"))
		return fail(errno, "%s", dir);
	fd = bpf_obj_get(pin);
	if (fd < 0)
		return fail(err_of(fd), "bpf_obj_get %s", pin);
	return datasec_open(g, fd, pin,
			    PROT_READ | (writable ? PROT_WRITE : 0));
}

static int globals_read(struct datasec *g, const char *name, __u64 *val)
{
	__u32 size;
	void *p = datasec_var(g, name, &size);

	if (!p)
		return fail(ENOENT, "global %s", name);
	switch (size) {
	case 4:
		*val = __atomic_load_n((__u32 *)p, __ATOMIC_RELAXED);
		return 0;
	case 8:
		*val = __atomic_load_n((__u64 *)p, __ATOMIC_RELAXED);
		return 0;
	}
	return fail(EINVAL, "global %s: not 4 or 8 bytes", name);
}

static int cmd_get(int argc, char **argv)
{
	struct datasec g;
	__u64 v;
	int i, ret = 0;

	if (argc < 2)
		return usage_error(trace_usage);
	if (globals_open(&g, argv[0], 0)) {
		datasec_close(&g, true);
		return 1;
	}
	for (i = 1; i < argc && !ret; i++) {
		ret = globals_read(&g, argv[i], &v);
		if (!ret)
			printf("%s%s=%llu", i > 1 ? " " : "", argv[i],
			       (unsigned long long)v);
	}
	printf("\n");
	datasec_close(&g, true);
	return ret;
}

static int cmd_set(int argc, char **argv)
{
	struct datasec g;
	unsigned long long v;
	__u32 size;
	char *end;
	void *p;
	int ret = 1;

	if (argc != 3)
		return usage_error(trace_usage);
	errno = 0;
	v = strtoull(argv[2], &end, 0);
	if (errno || *end)
		return usage_error(trace_usage);
	if (globals_open(&g, argv[0], 1))
		goto out;
	p = datasec_var(&g, argv[1], &size);
	if (!p) {
		fail(ENOENT, "global %s", argv[1]);
		goto out;
	}
	if (size == 4) {
		__atomic_store_n((__u32 *)p, v, __ATOMIC_RELAXED);
	} else if (size == 8) {
		__atomic_store_n((__u64 *)p, v, __ATOMIC_RELAXED);
	} else {
		fail(EINVAL, "global %s: not 4 or 8 bytes", argv[1]);
		goto out;
	}
	ret = 0;
out:
	datasec_close(&g, true);
	return ret;
}

/* --- fire ------------------------------------------------------------ */

struct perf_att {
	int prog_fd;
	int perf_fd;
};

/*
 * One sampling page-fault event on ourselves per perf_event program
 * pinned in @dir, running that program on every fault.
 */
static int perf_attach(const char *dir, struct perf_att *att, int max)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_PAGE_FAULTS,
		.sample_period = 1,
		.disabled = 1,
	};
	char pin[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int n = 0;

	d = opendir(dir);
	if (!d)
		return -fail(errno, "opendir %s", dir);
	while ((de = readdir(d)) && n < max) {
		struct bpf_prog_info info;
		struct stat st;
		int fd;

		/* Programs are the files; links and maps are in directories. */
		if (de->d_name[0] == '.' || pin_at(pin, dir, "", de->d_name) ||
		    stat(pin, &st) || !S_ISREG(st.st_mode))
			continue;
		fd = bpf_obj_get(pin);
		if (fd < 0)
			continue;
		if (prog_info(fd, &info) || info.type != BPF_PROG_TYPE_PERF_EVENT) {
			close(fd);
			continue;
		}
		att[n].prog_fd = fd;
		att[n].perf_fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1,
					 PERF_FLAG_FD_CLOEXEC);
		if (att[n].perf_fd < 0) {
			fail(errno, "perf_event_open for %s", pin);
			closedir(d);
			return -(n + 1);
		}
		if (ioctl(att[n].perf_fd, PERF_EVENT_IOC_SET_BPF, fd)) {
			fail(errno, "PERF_EVENT_IOC_SET_BPF %s", pin);
			closedir(d);
			return -(n + 1);
		}
		n++;
	}
	closedir(d);
	return n;
}

static int fire_one(const char *ev, long n, int *errors, int *first_err)
{
	long page = sysconf(_SC_PAGESIZE);
	long i;

#define COUNT_ERR(cond) do {				\
		if (cond) {				\
			if (!*first_err)		\
				*first_err = errno;	\
			(*errors)++;			\
		}					\
	} while (0)

	if (!strcmp(ev, "getpriority")) {
		for (i = 0; i < n; i++)
			COUNT_ERR(syscall(SYS_getpriority, PRIO_PROCESS, 0) < 0);
	} else if (!strcmp(ev, "setnice")) {
		for (i = 0; i < n; i++) {
			int cur;

			errno = 0;
			cur = getpriority(PRIO_PROCESS, 0);
			COUNT_ERR(errno != 0);
			COUNT_ERR(setpriority(PRIO_PROCESS, 0, cur) < 0);
		}
	} else if (!strcmp(ev, "capget")) {
		struct __user_cap_header_struct hdr;
		struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

		for (i = 0; i < n; i++) {
			hdr.version = _LINUX_CAPABILITY_VERSION_3;
			hdr.pid = 0;
			COUNT_ERR(syscall(SYS_capget, &hdr, data) < 0);
		}
	} else if (!strcmp(ev, "pagefault")) {
		char *p = mmap(NULL, n * page, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return fail(errno, "mmap for %s", ev);
		madvise(p, n * page, MADV_NOHUGEPAGE);
		for (i = 0; i < n; i++)
			__atomic_store_n(&p[i * page], 1, __ATOMIC_RELAXED);
		munmap(p, n * page);
	} else if (!strcmp(ev, "sleep")) {
		struct timespec ts = {
			.tv_sec = n / 1000,
			.tv_nsec = (n % 1000) * 1000000L,
		};

		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
	} else {
		fprintf(stderr, PROG ": fire: unknown event %s\n", ev);
		return 1;
	}
#undef COUNT_ERR
	return 0;
}

/*
 * "wait:<ms>:<var>:<min>": sleep until <var> (one of the listed vars, with
 * its value at the start in @before) has grown by <min>, at most <ms>.
 * For counts driven by timers, which a loaded host may delay.
 */
static long fire_waited_ms;

static int fire_wait(struct datasec *g, char *arg, char **vars,
		     const __u64 *before, int nvars)
{
	char *ms_s = arg, *var, *min_s;
	struct timespec step = { .tv_nsec = 10 * 1000000L };
	long ms, min, waited;
	__u64 now;
	int i;

	var = strchr(ms_s, ':');
	min_s = var ? strchr(var + 1, ':') : NULL;
	if (!min_s) {
		fprintf(stderr, PROG ": fire: wait:<ms>:<var>:<min>\n");
		return 1;
	}
	*var++ = '\0';
	*min_s++ = '\0';
	ms = strtol(ms_s, NULL, 10);
	min = strtol(min_s, NULL, 10);
	for (i = 0; i < nvars && strcmp(vars[i], var); i++)
		;
	if (i == nvars)
		return fail(EINVAL, "fire: wait for %s, not a listed var", var);
	for (waited = 0; waited < ms; waited += 10) {
		if (globals_read(g, var, &now))
			return 1;
		if ((long long)(now - before[i]) >= min)
			break;
		nanosleep(&step, NULL);
	}
	fire_waited_ms += waited;
	return 0;
}

struct fire_state {
	struct perf_att att[8];
	int nperf;
	int errors;
	int first_err;
};

/* The perf_event programs under @dir, for an event list with pagefault. */
static int fire_perf(const char *dir, struct fire_state *fs)
{
	fs->nperf = perf_attach(dir, fs->att, ARRAY_SIZE(fs->att));
	if (fs->nperf < 0) {
		fs->nperf = -fs->nperf - 1;
		return 1;
	}
	if (fs->nperf == 0) {
		fprintf(stderr, PROG ": fire: no perf_event program in %s\n",
			dir);
		return 1;
	}
	return 0;
}

/* Fires the events of @spec ("<ev:n>[,<ev:n>...]"). */
static int fire_events(struct datasec *g, const char *spec, char **vars,
		       const __u64 *before, int nvars, struct fire_state *fs)
{
	char buf[FIRE_SPEC_MAX], *tok, *save = NULL;

	strcpy(buf, spec);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(tok, ':');
		long n = colon ? strtol(colon + 1, NULL, 10) : 1;
		int err;

		if (colon)
			*colon = '\0';
		if (n < 0 || n > 1000000)
			err = fail(ERANGE, "fire: count of %s", tok);
		else if (!strcmp(tok, "wait"))
			err = fire_wait(g, colon + 1, vars, before, nvars);
		else
			err = fire_one(tok, n, &fs->errors, &fs->first_err);
		if (err)
			return 1;
	}
	return 0;
}

/* "var=delta ... errors=<n> [waited_ms=<ms>] [errno=<first>]" */
static int fire_print(struct datasec *g, char **vars, const __u64 *before,
		      int nvars, const struct fire_state *fs)
{
	__u64 after;
	int i;

	for (i = 0; i < nvars; i++) {
		if (globals_read(g, vars[i], &after))
			return 1;
		printf("%s=%lld ", vars[i], (long long)(after - before[i]));
	}
	printf("errors=%d", fs->errors);
	if (fire_waited_ms)
		printf(" waited_ms=%ld", fire_waited_ms);
	if (fs->first_err)
		printf(" errno=%s", errname(fs->first_err));
	printf("\n");
	return 0;
}

static void set_pid(int *pid, int val)
{
	if (pid)
		__atomic_store_n(pid, val, __ATOMIC_RELAXED);
}

static int cmd_fire(int argc, char **argv)
{
	struct fire_state fs = { .nperf = 0 };
	int nvars = argc - 2, i, ret = 1;
	__u64 before[MAX_VARS];
	struct datasec g;
	__u32 pid_size = 0;
	int *pid = NULL;

	if (argc < 2 || nvars > MAX_VARS)
		return usage_error(trace_usage);
	if (strlen(argv[1]) >= FIRE_SPEC_MAX)
		return fail(E2BIG, "fire: spec %s", argv[1]);
	if (globals_open(&g, argv[0], 1))
		goto out;
	for (i = 0; i < nvars; i++)
		if (globals_read(&g, argv[2 + i], &before[i]))
			goto out;
	pid = datasec_var(&g, "monitored_pid", &pid_size);
	if (pid && pid_size != sizeof(*pid))
		pid = NULL;
	if (strstr(argv[1], "pagefault") && fire_perf(argv[0], &fs))
		goto out;

	set_pid(pid, getpid());
	for (i = 0; i < fs.nperf; i++)
		ioctl(fs.att[i].perf_fd, PERF_EVENT_IOC_ENABLE, 0);
	if (fire_events(&g, argv[1], argv + 2, before, nvars, &fs)) {
		set_pid(pid, 0);
		goto out;
	}
	for (i = 0; i < fs.nperf; i++)
		ioctl(fs.att[i].perf_fd, PERF_EVENT_IOC_DISABLE, 0);
	set_pid(pid, 0);
	if (!fire_print(&g, argv + 2, before, nvars, &fs))
		ret = 0;
out:
	for (i = 0; i < fs.nperf; i++) {
		close(fs.att[i].perf_fd);
		close(fs.att[i].prog_fd);
	}
	datasec_close(&g, true);
	return ret;
}

/* --- slot, jited, info, write ---------------------------------------- */

static int cmd_slot(int argc, char **argv)
{
	unsigned long key;
	char *end;
	int map_fd, prog_fd, err;
	__u32 k, val;

	if (argc < 3)
		return usage_error(trace_usage);
	key = strtoul(argv[1], &end, 10);
	if (*end || key > UINT_MAX)
		return usage_error(trace_usage);
	k = key;
	map_fd = bpf_obj_get(argv[0]);
	if (map_fd < 0)
		return fail(err_of(map_fd), "bpf_obj_get %s", argv[0]);

	if (!strcmp(argv[2], "get") && argc == 3) {
		err = bpf_map_lookup_elem(map_fd, &k, &val);
		if (err)
			printf("%s\n", errname(err_of(err)));
		else
			printf("%u\n", val);
	} else if (!strcmp(argv[2], "del") && argc == 3) {
		err = bpf_map_delete_elem(map_fd, &k);
		printf("%s\n", err ? errname(err_of(err)) : "OK");
	} else if (!strcmp(argv[2], "set") && argc == 4) {
		prog_fd = bpf_obj_get(argv[3]);
		if (prog_fd < 0) {
			close(map_fd);
			return fail(err_of(prog_fd), "bpf_obj_get %s", argv[3]);
		}
		val = prog_fd;
		err = bpf_map_update_elem(map_fd, &k, &val, BPF_ANY);
		printf("%s\n", err ? errname(err_of(err)) : "OK");
		close(prog_fd);
	} else {
		close(map_fd);
		return usage_error(trace_usage);
	}
	close(map_fd);
	return 0;
}

static int write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return fail(errno, "open %s", path);
	if (len && fwrite(buf, len, 1, f) != 1) {
		fclose(f);
		return fail(errno, "write %s", path);
	}
	if (fclose(f))
		return fail(errno, "close %s", path);
	return 0;
}

static int cmd_jited(int argc, char **argv)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info), *lens = NULL, nfuncs, i, off = 0;
	unsigned char *img = NULL;
	char path[PATH_MAX];
	int fd, ret = 1;

	if (argc != 2)
		return usage_error(trace_usage);
	fd = bpf_obj_get(argv[0]);
	if (fd < 0)
		return fail(err_of(fd), "bpf_obj_get %s", argv[0]);
	if (prog_info(fd, &info)) {
		fail(errno, "info %s", argv[0]);
		goto out;
	}
	nfuncs = info.nr_jited_func_lens;
	img = calloc(1, info.jited_prog_len + 1);
	lens = calloc(nfuncs + 1, sizeof(*lens));
	if (!img || !lens) {
		fail(ENOMEM, "%s", "jited");
		goto out;
	}
	len = info.jited_prog_len;
	memset(&info, 0, sizeof(info));
	info.jited_prog_len = len;
	info.jited_prog_insns = (__u64)(unsigned long)img;
	info.nr_jited_func_lens = nfuncs;
	info.jited_func_lens = (__u64)(unsigned long)lens;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		fail(errno, "jited image of %s", argv[0]);
		goto out;
	}
	snprintf(path, sizeof(path), "%s.img", argv[1]);
	if (write_file(path, img, info.jited_prog_len))
		goto out;
	for (i = 0; i < nfuncs; i++) {
		if (off + lens[i] > info.jited_prog_len) {
			fail(ERANGE, "function lengths of %s", argv[0]);
			goto out;
		}
		snprintf(path, sizeof(path), "%s.%u", argv[1], i);
		if (write_file(path, img + off, lens[i]))
			goto out;
		off += lens[i];
	}
	printf("jited_len=%u funcs=%u\n", info.jited_prog_len, nfuncs);
	ret = 0;
out:
	free(img);
	free(lens);
	close(fd);
	return ret;
}

static int cmd_info(int argc, char **argv)
{
	struct bpf_prog_info info;
	const char *type;
	int fd;

	if (argc != 1)
		return usage_error(trace_usage);
	fd = bpf_obj_get(argv[0]);
	if (fd < 0)
		return fail(err_of(fd), "bpf_obj_get %s", argv[0]);
	if (prog_info(fd, &info)) {
		close(fd);
		return fail(errno, "info %s", argv[0]);
	}
	close(fd);
	type = libbpf_bpf_prog_type_str(info.type);
	printf("id=%u type=%s jited=%d jited_len=%u xlated_len=%u funcs=%u name=%s\n",
	       info.id, type ? type : "unknown", info.jited_prog_len > 0,
	       info.jited_prog_len, info.xlated_prog_len,
	       info.nr_jited_func_lens, info.name[0] ? info.name : "-");
	return 0;
}

/* Decodes \n, \t, \0 and \\ in place; returns the length. */
static size_t unescape(char *s)
{
	char *r = s, *w = s;

	while (*r) {
		if (*r == '\\' && r[1]) {
			r++;
			switch (*r) {
			case 'n':
				*w++ = '\n';
				break;
			case 't':
				*w++ = '\t';
				break;
			case '0':
				*w++ = '\0';
				break;
			default:
				*w++ = *r;
			}
			r++;
		} else {
			*w++ = *r++;
		}
	}
	return w - s;
}

static int cmd_write(int argc, char **argv)
{
	unsigned long repeat = 1, i;
	size_t len;
	char *buf;
	ssize_t n;
	int fd;

	if (argc != 2 && argc != 3)
		return usage_error(trace_usage);
	if (argc == 3) {
		char *end;

		repeat = strtoul(argv[2], &end, 10);
		if (*end || repeat == 0 || repeat > 1000000)
			return usage_error(trace_usage);
	}
	len = unescape(argv[1]);
	buf = malloc(len * repeat + 1);
	if (!buf)
		return fail(ENOMEM, "%s", "write");
	for (i = 0; i < repeat; i++)
		memcpy(buf + i * len, argv[1], len);
	fd = open(argv[0], O_WRONLY);
	if (fd < 0) {
		printf("open:%s\n", errname(errno));
		free(buf);
		return 0;
	}
	n = write(fd, buf, len * repeat);
	if (n < 0)
		printf("write:%s\n", errname(errno));
	else if ((size_t)n != len * repeat)
		printf("short:%zd\n", n);
	else
		printf("OK\n");
	close(fd);
	free(buf);
	return 0;
}

int cmd_trace(int argc, char **argv)
{
	static const struct cmd subs[] = {
		{ "up", cmd_up },
		{ "get", cmd_get },
		{ "set", cmd_set },
		{ "fire", cmd_fire },
		{ "slot", cmd_slot },
		{ "jited", cmd_jited },
		{ "info", cmd_info },
		{ "write", cmd_write },
	};
	const struct cmd *sub;

	report_as(PROG, errname);
	if (argc < 1)
		return usage_error(trace_usage);
	sub = find_cmd(subs, ARRAY_SIZE(subs), argv[0]);
	if (sub)
		return sub->fn(argc - 1, argv + 1);
	fprintf(stderr, PROG ": unknown subcommand %s\n", argv[0]);
	return usage_error(trace_usage);
}
