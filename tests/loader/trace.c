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

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#define PROG "lsmrevoke-test trace"
#define MAX_VARS	16
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const char *errname(int err)
{
	const char *n = strerrorname_np(err);
	static char buf[16];

	if (n)
		return n;
	if (err == 524)
		return "ENOTSUPP";
	snprintf(buf, sizeof(buf), "E%d", err);
	return buf;
}

/* libbpf 1.x returns -errno; keep a positive errno whatever we are given. */
static int err_of(long ret)
{
	if (ret < 0)
		return (int)-ret;
	return errno ? errno : EINVAL;
}

static int fail(int err, const char *fmt, const char *arg)
{
	fprintf(stderr, PROG ": ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, ": %s\n", errname(err));
	return 1;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: lsmrevoke-test trace <sub> [args]\n"
		"  up <obj> <dir> [--attach-to <progpin> <func>]\n"
		"        load <obj>, attach what can be attached, pin programs,\n"
		"        links and maps under <dir>; print \"<name> <id>\"\n"
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
		"        times over; print OK, open:<errno>, write:<errno>\n");
	return 1;
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

static int pin_at(char *buf, const char *dir, const char *prefix,
		  const char *name)
{
	if (snprintf(buf, PATH_MAX, "%s/%s%s", dir, prefix, name) >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* --- up ------------------------------------------------------------- */

static int cmd_up(int argc, char **argv)
{
	const char *path, *dir, *target_pin = NULL, *target_func = NULL;
	struct bpf_program *prog;
	struct bpf_object *obj;
	struct bpf_map *map;
	char pin[PATH_MAX];
	int target_fd = -1, err, ret = 1;

	if (argc == 5 && !strcmp(argv[2], "--attach-to")) {
		target_pin = argv[3];
		target_func = argv[4];
	} else if (argc != 2) {
		return usage();
	}
	path = argv[0];
	dir = argv[1];
	if (pin_at(pin, dir, "", "link") || mkdir_p(pin) ||
	    pin_at(pin, dir, "", "map") || mkdir_p(pin))
		return fail(errno, "mkdir under %s", dir);

	obj = bpf_object__open_file(path, NULL);
	if (!obj)
		return fail(errno, "open %s", path);
	if (target_pin) {
		target_fd = bpf_obj_get(target_pin);
		if (target_fd < 0) {
			fail(err_of(target_fd), "bpf_obj_get %s", target_pin);
			goto out;
		}
		bpf_object__for_each_program(prog, obj) {
			err = bpf_program__set_attach_target(prog, target_fd,
							     target_func);
			if (err) {
				fail(err_of(err), "attach target %s",
				     target_func);
				goto out;
			}
		}
	}
	err = bpf_object__load(obj);
	if (err) {
		fail(err_of(err), "load %s", path);
		goto out;
	}

	bpf_object__for_each_map(map, obj) {
		const char *name = bpf_map__name(map);

		/* Internal maps are "<obj prefix>.bss" and so on. */
		if (bpf_map__is_internal(map) && strchr(name, '.'))
			name = strchr(name, '.') + 1;
		if (pin_at(pin, dir, "map/", name))
			goto out_errno;
		err = bpf_map__pin(map, pin);
		if (err) {
			fail(err_of(err), "pin %s", pin);
			goto out;
		}
	}

	bpf_object__for_each_program(prog, obj) {
		const char *name = bpf_program__name(prog);
		struct bpf_prog_info info;
		struct bpf_link *link;

		link = bpf_program__attach(prog);
		if (!link) {
			err = errno;
			/* No attach point in its section (perf_event, a
			 * tail-call target): pinned only.
			 */
			if (err != EOPNOTSUPP) {
				fprintf(stderr, PROG ": up: attach %s: %s\n",
					name, errname(err));
				goto out;
			}
		} else {
			if (pin_at(pin, dir, "link/", name))
				goto out_errno;
			err = bpf_link__pin(link, pin);
			if (err) {
				fail(err_of(err), "pin %s", pin);
				goto out;
			}
		}
		if (pin_at(pin, dir, "", name))
			goto out_errno;
		err = bpf_program__pin(prog, pin);
		if (err) {
			fail(err_of(err), "pin %s", pin);
			goto out;
		}
		err = prog_info(bpf_program__fd(prog), &info);
		if (err) {
			fail(err_of(err), "info %s", pin);
			goto out;
		}
		printf("%s %u\n", name, info.id);
	}
	ret = 0;
	goto out;
out_errno:
	fail(errno, "pin under %s", dir);
out:
	/* Links and programs stay alive through their pins. */
	bpf_object__close(obj);
	if (target_fd >= 0)
		close(target_fd);
	return ret;
}

/* --- globals of a pinned .bss -------------------------------------- */

struct globals {
	int fd;
	unsigned char *mem;
	size_t len;
	struct btf *btf;
	const struct btf_type *sec;
};

static int globals_open(struct globals *g, const char *dir, int writable)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	char pin[PATH_MAX];
	long page = sysconf(_SC_PAGESIZE);
	int prot = PROT_READ | (writable ? PROT_WRITE : 0);

	memset(g, 0, sizeof(*g));
	if (pin_at(pin, dir, "map/", "bss"))
		return fail(errno, "%s", dir);
	g->fd = bpf_obj_get(pin);
	if (g->fd < 0)
		return fail(err_of(g->fd), "bpf_obj_get %s", pin);
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(g->fd, &info, &len))
		return fail(errno, "map info %s", pin);
	g->btf = btf__load_from_kernel_by_id(info.btf_id);
	if (!g->btf)
		return fail(errno, "btf of %s", pin);
	g->sec = btf__type_by_id(g->btf, info.btf_value_type_id);
	if (!g->sec || !btf_is_datasec(g->sec))
		return fail(EINVAL, "datasec of %s", pin);
	g->len = (info.value_size + page - 1) / page * page;
	g->mem = mmap(NULL, g->len, prot, MAP_SHARED, g->fd, 0);
	if (g->mem == MAP_FAILED)
		return fail(errno, "mmap %s", pin);
	return 0;
}

/* The address and size of global @name, or NULL. */
static void *globals_var(struct globals *g, const char *name, __u32 *size)
{
	const struct btf_var_secinfo *vsi = btf_var_secinfos(g->sec);
	int i;

	for (i = 0; i < btf_vlen(g->sec); i++, vsi++) {
		const struct btf_type *t = btf__type_by_id(g->btf, vsi->type);

		if (!t || strcmp(btf__name_by_offset(g->btf, t->name_off), name))
			continue;
		if (vsi->offset + vsi->size > g->len)
			return NULL;
		*size = vsi->size;
		return g->mem + vsi->offset;
	}
	return NULL;
}

static int globals_read(struct globals *g, const char *name, __u64 *val)
{
	__u32 size;
	void *p = globals_var(g, name, &size);

	if (!p)
		return fail(ENOENT, "global %s", name);
	switch (size) {
	case 4:
		*val = *(volatile __u32 *)p;
		return 0;
	case 8:
		*val = *(volatile __u64 *)p;
		return 0;
	}
	return fail(EINVAL, "global %s: not 4 or 8 bytes", name);
}

static void globals_close(struct globals *g)
{
	if (g->mem && g->mem != MAP_FAILED)
		munmap(g->mem, g->len);
	btf__free(g->btf);
	if (g->fd > 0)
		close(g->fd);
}

static int cmd_get(int argc, char **argv)
{
	struct globals g;
	__u64 v;
	int i, ret = 0;

	if (argc < 2)
		return usage();
	if (globals_open(&g, argv[0], 0)) {
		globals_close(&g);
		return 1;
	}
	for (i = 1; i < argc && !ret; i++) {
		ret = globals_read(&g, argv[i], &v);
		if (!ret)
			printf("%s%s=%llu", i > 1 ? " " : "", argv[i],
			       (unsigned long long)v);
	}
	printf("\n");
	globals_close(&g);
	return ret;
}

static int cmd_set(int argc, char **argv)
{
	struct globals g;
	unsigned long long v;
	__u32 size;
	char *end;
	void *p;
	int ret = 1;

	if (argc != 3)
		return usage();
	errno = 0;
	v = strtoull(argv[2], &end, 0);
	if (errno || *end)
		return usage();
	if (globals_open(&g, argv[0], 1))
		goto out;
	p = globals_var(&g, argv[1], &size);
	if (!p) {
		fail(ENOENT, "global %s", argv[1]);
		goto out;
	}
	if (size == 4) {
		*(volatile __u32 *)p = v;
	} else if (size == 8) {
		*(volatile __u64 *)p = v;
	} else {
		fail(EINVAL, "global %s: not 4 or 8 bytes", argv[1]);
		goto out;
	}
	ret = 0;
out:
	globals_close(&g);
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
			((volatile char *)p)[i * page] = 1;
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

static int fire_wait(struct globals *g, char *arg, char **vars,
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

static int cmd_fire(int argc, char **argv)
{
	struct perf_att att[8];
	__u64 before[MAX_VARS], after;
	int nvars = argc - 2, i, nperf = 0, errors = 0, first_err = 0;
	int ret = 1;
	char spec[256], *tok, *save = NULL;
	struct globals g;
	__u32 pid_size = 0;
	int *pid = NULL;

	if (argc < 2 || nvars > MAX_VARS)
		return usage();
	if (strlen(argv[1]) >= sizeof(spec))
		return fail(E2BIG, "fire: spec %s", argv[1]);
	if (globals_open(&g, argv[0], 1))
		goto out;
	for (i = 0; i < nvars; i++)
		if (globals_read(&g, argv[2 + i], &before[i]))
			goto out;
	pid = globals_var(&g, "monitored_pid", &pid_size);
	if (pid && pid_size != sizeof(*pid))
		pid = NULL;

	if (strstr(argv[1], "pagefault")) {
		nperf = perf_attach(argv[0], att, 8);
		if (nperf < 0) {
			nperf = -nperf - 1;
			goto out_perf;
		}
		if (nperf == 0) {
			fprintf(stderr, PROG ": fire: no perf_event program in %s\n",
				argv[0]);
			goto out;
		}
	}

	if (pid)
		*(volatile int *)pid = getpid();
	for (i = 0; i < nperf; i++)
		ioctl(att[i].perf_fd, PERF_EVENT_IOC_ENABLE, 0);

	strcpy(spec, argv[1]);
	for (tok = strtok_r(spec, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(tok, ':');
		long n = colon ? strtol(colon + 1, NULL, 10) : 1;
		int err;

		if (colon)
			*colon = '\0';
		if (n < 0 || n > 1000000)
			err = fail(ERANGE, "fire: count of %s", tok);
		else if (!strcmp(tok, "wait"))
			err = fire_wait(&g, colon + 1, argv + 2, before, nvars);
		else
			err = fire_one(tok, n, &errors, &first_err);
		if (err) {
			if (pid)
				*(volatile int *)pid = 0;
			goto out_perf;
		}
	}

	for (i = 0; i < nperf; i++)
		ioctl(att[i].perf_fd, PERF_EVENT_IOC_DISABLE, 0);
	if (pid)
		*(volatile int *)pid = 0;

	for (i = 0; i < nvars; i++) {
		if (globals_read(&g, argv[2 + i], &after))
			goto out_perf;
		printf("%s=%lld ", argv[2 + i], (long long)(after - before[i]));
	}
	printf("errors=%d", errors);
	if (fire_waited_ms)
		printf(" waited_ms=%ld", fire_waited_ms);
	if (first_err)
		printf(" errno=%s", errname(first_err));
	printf("\n");
	ret = 0;
out_perf:
	for (i = 0; i < nperf; i++) {
		close(att[i].perf_fd);
		close(att[i].prog_fd);
	}
out:
	globals_close(&g);
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
		return usage();
	key = strtoul(argv[1], &end, 10);
	if (*end || key > UINT_MAX)
		return usage();
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
		return usage();
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
		return usage();
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
		return usage();
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
		return usage();
	if (argc == 3) {
		char *end;

		repeat = strtoul(argv[2], &end, 10);
		if (*end || repeat == 0 || repeat > 1000000)
			return usage();
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
	static const struct {
		const char *name;
		int (*fn)(int argc, char **argv);
	} subs[] = {
		{ "up", cmd_up },
		{ "get", cmd_get },
		{ "set", cmd_set },
		{ "fire", cmd_fire },
		{ "slot", cmd_slot },
		{ "jited", cmd_jited },
		{ "info", cmd_info },
		{ "write", cmd_write },
	};
	size_t i;

	if (argc < 1)
		return usage();
	for (i = 0; i < ARRAY_SIZE(subs); i++)
		if (!strcmp(argv[0], subs[i].name))
			return subs[i].fn(argc - 1, argv + 1);
	fprintf(stderr, PROG ": unknown subcommand %s\n", argv[0]);
	return usage();
}
