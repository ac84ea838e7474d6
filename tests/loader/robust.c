// SPDX-License-Identifier: GPL-2.0
/*
 * lsmrevoke-test robust: bad input, privilege and stress helpers for
 * tests/guest/suite.d/60-robust.sh.
 *
 *   fuzz <sfsdir> <writes> <procs> <seed>
 *        random writes (bytes, lengths up to 64 KiB, split writes, pwrite at
 *        odd offsets, faulting buffers) to revalidate, mode and strict from
 *        <procs> processes, and reads of every readable file with odd
 *        buffer sizes; only EINVAL/EPERM/EFAULT/EAGAIN/ESPIPE may come back,
 *        valid writes must succeed. Valid mode/strict values are never
 *        written (they would change state); valid revalidate writes are, a
 *        few, and counted. Prints the totals and "valid_revalidate=<n>".
 *   try <file> r|w [data]
 *        open and read (or write <data>): prints OK or open:|read:|write:<ERR>
 *   userns <sfsdir>
 *        unshare(CLONE_NEWUSER), map uid/gid 0 to 0 (what unshare -Ur does),
 *        then try to open every file for writing and reading: prints
 *        "<file> <r|w> <result>" per try; exit 0 only if all were refused.
 *   stress <secs> <progsdir> <sfsdir> <modprobe command>
 *        the concurrent stress described in docs/reliability.md; prints
 *        "check: ..." lines ("check ok ..." or "check FAIL expected X, saw Y")
 *        and a last "counts: ..." line; exit 0 only if every check passed.
 *        The module refuses its unload while a program is revoked (its
 *        ratchet): the reloader counts such refusals (reload_refused), and
 *        the final rmmod comes after the policy is relaxed.
 *   run <pin>
 *        one BPF_PROG_TEST_RUN of the pinned program: prints "retval <n>".
 *   audit-drain
 *        the kernel holds up to audit_backlog_limit audit records while no
 *        auditd is registered (audit=1 on the command line): register as
 *        the audit daemon, take every record the kernel hands over, then
 *        unregister. Prints "audit-drain: records <n> ..." with counts by
 *        kind (BPF program LOAD/UNLOAD from the kernel, lsmrevoke's own,
 *        other types).
 *   stress: environment: RB_UNLOAD_RACE=1 lets securityfs opens race rmmod;
 *        RB_MODE=audit keeps the module in mode=audit for the whole stress
 *        (loaded with mode=audit, the mode writer writes only "audit"), so
 *        that it patches no program: the same workload without any
 *        revocation, to tell the module's patching from the rest. The
 *        final checks (which need revocations) then report what they see.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

static const char robust_usage[] =
	"usage: lsmrevoke-test robust <sub> [args]\n"
	"  fuzz <sfsdir> <writes> <procs> <seed>\n"
	"  try <file> r|w [data]\n"
	"  userns <sfsdir>\n"
	"  stress <secs> <progsdir> <sfsdir> <modprobe command>\n"
	"  audit-drain\n"
	"  run <pin>\n";

static const char *ename(int e)
{
	switch (e) {
	case 0: return "OK";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case EINVAL: return "EINVAL";
	case EFAULT: return "EFAULT";
	case EAGAIN: return "EAGAIN";
	case ESPIPE: return "ESPIPE";
	case ENOENT: return "ENOENT";
	case EBUSY: return "EBUSY";
	case ENOMEM: return "ENOMEM";
	case EIO: return "EIO";
	case EBADF: return "EBADF";
	case E2BIG: return "E2BIG";
	case ENODEV: return "ENODEV";
	case EROFS: return "EROFS";
	default: return "E?";
	}
}

/* xorshift64*, one state per thread or process. */
static __u64 rnd(__u64 *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n, len = 0;

	if (fd < 0)
		return -errno;
	while ((size_t)len < size - 1 &&
	       (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	return 0;
}

/* The value of "<key> <value>" in stats text, or -1. */
static long stat_of(const char *text, const char *key)
{
	size_t kl = strlen(key);
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, key, kl) && p[kl] == ' ')
			return strtol(p + kl + 1, NULL, 10);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

/* --- fuzz -------------------------------------------------------------- */

static const char *const wfiles[] = { "revalidate", "mode", "strict" };
static const char *const rfiles[] = { "programs", "stats", "symbols",
	"kernel_programs", "mode", "strict", "events" };
static const char *const tokens[] = { "1", "1\n", "0", "0\n", "enforce",
	"audit", "enforce\n", "audit\n", "2", "-1", "on", "y", "enforced",
	"audi", " 1", "1 ", "1\n\n", "AUDIT", "enforce\r\n", "" };

struct fuzz_stats {
	unsigned long writes, reads, valid_revalidate, skipped_valid;
	unsigned long bad, efault, einval, eperm, eagain, espipe, ok;
	char first_bad[256];
};

static int valid_input(int file, const char *b, size_t len)
{
	switch (file) {
	case 0:
		return (len == 1 && b[0] == '1') ||
		       (len == 2 && b[0] == '1' && b[1] == '\n');
	case 1:
		return (len == 7 && !memcmp(b, "enforce", 7)) ||
		       (len == 8 && !memcmp(b, "enforce\n", 8)) ||
		       (len == 5 && !memcmp(b, "audit", 5)) ||
		       (len == 6 && !memcmp(b, "audit\n", 6));
	default:
		return (len == 1 && (b[0] == '0' || b[0] == '1')) ||
		       (len == 2 && (b[0] == '0' || b[0] == '1') && b[1] == '\n');
	}
}

static void note_bad(struct fuzz_stats *st, const char *fmt, ...)
{
	va_list ap;

	if (!st->bad++) {
		va_start(ap, fmt);
		vsnprintf(st->first_bad, sizeof(st->first_bad), fmt, ap);
		va_end(ap);
	}
}

static void count_err(struct fuzz_stats *st, int e, int espipe_ok,
		      const char *what, const char *file)
{
	switch (e) {
	case EINVAL:
		st->einval++;
		return;
	case EFAULT:
		st->efault++;
		return;
	case EPERM:
		st->eperm++;
		return;
	case EAGAIN:
		st->eagain++;
		return;
	case ESPIPE:
		if (espipe_ok) {
			st->espipe++;
			return;
		}
		break;
	}
	note_bad(st, "%s %s: expected EINVAL/EPERM/EFAULT/EAGAIN, saw %s (%d)",
		 what, file, ename(e), e);
}

#define POOL (128 * 1024)

/* One fuzzing writer (a process of its own). */
struct fuzzer {
	const char *dir;
	__u64 s;			/* rnd() state */
	struct fuzz_stats *st;
	const int *shared_fd;		/* per file, shared by all writers */
	int fds[3];			/* per file, kept by this writer */
	unsigned char *guard;		/* a page followed by an unmapped one */
	long pg;
	int valid_done, max_valid;
	unsigned char buf[80];
	char path[512];
};

/* The random bytes inputs are cut from. */
static unsigned char pool[POOL];

/* Up to 64 reads of a readable file with a random buffer size. */
static void fuzz_read(struct fuzzer *fz)
{
	static const size_t sizes[] = { 1, 7, 61, 4095, 4096, 4097, 65536, 13 };
	static char rbuf[65536 + 1];
	struct fuzz_stats *st = fz->st;
	int rf = rnd(&fz->s) % 7, k, fd;
	size_t bs = sizes[rnd(&fz->s) % 8];
	ssize_t n;

	snprintf(fz->path, sizeof(fz->path), "%s/%s", fz->dir, rfiles[rf]);
	fd = open(fz->path, O_RDONLY | O_NONBLOCK);
	if (fd < 0) {
		count_err(st, errno, 0, "open", rfiles[rf]);
		return;
	}
	for (k = 0; k < 64; k++) {
		if (rnd(&fz->s) % 8 == 0)
			n = pread(fd, rbuf, bs, rnd(&fz->s) % 8191);
		else
			n = read(fd, rbuf, bs);
		st->reads++;
		if (n < 0) {
			count_err(st, errno, 1, "read", rfiles[rf]);
			break;
		}
		if (n == 0)
			break;
		if ((size_t)n > bs)
			note_bad(st, "read %s: expected <= %zu bytes, saw %zd",
				 rfiles[rf], bs, n);
	}
	close(fd);
}

/* A token (valid or nearly) in fz->buf, sometimes mutated; its length. */
static size_t fuzz_token(struct fuzzer *fz)
{
	const char *t = tokens[rnd(&fz->s) % ARRAY_SIZE(tokens)];
	unsigned char *buf = fz->buf;
	__u64 *s = &fz->s;
	size_t len = strlen(t);

	memcpy(buf, t, len);
	switch (rnd(s) % 5) {
	case 0:
		buf[len++] = rnd(s);
		break;
	case 1:
		if (len)
			buf[rnd(s) % len] = rnd(s) % 2 ? 0 : rnd(s);
		break;
	case 2:
		memmove(buf + 1, buf, len);
		buf[0] = rnd(s);
		len++;
		break;
	default:
		break;
	}
	return len;
}

/*
 * The input of a write: random bytes of a random length, or (@r % 5 == 0)
 * a token; for @how 14 its last bytes before the hole after fz->guard,
 * for @how 13 an unmapped address.
 */
static const unsigned char *fuzz_input(struct fuzzer *fz, int how, __u64 r,
				       size_t *lenp)
{
	const unsigned char *src;
	size_t len;

	switch (rnd(&fz->s) % 4) {
	case 0:
		len = rnd(&fz->s) % 24;
		break;
	case 1:
		len = 1 + rnd(&fz->s) % 4;
		break;
	case 2:
		len = rnd(&fz->s) % 4097;
		break;
	default:
		len = rnd(&fz->s) % 65537;
		break;
	}
	src = pool + rnd(&fz->s) % (POOL - 65537);
	if (r % 5 == 0) {
		len = fuzz_token(fz);
		src = fz->buf;
	}
	if (how == 14) {
		/* The input's last bytes on the page before a hole. */
		size_t l = 1 + rnd(&fz->s) % 32;

		memcpy(fz->guard + fz->pg - l, src, l);
		src = fz->guard + fz->pg - l;
		len = l + rnd(&fz->s) % 64;	/* past the end: faults */
	} else if (how == 13) {
		src = (const unsigned char *)(uintptr_t)(1 + rnd(&fz->s) % 4096);
		len = 1 + rnd(&fz->s) % 16;
	}
	*lenp = len;
	return src;
}

/*
 * The fd to write file @f with: the shared one, ours, or a new one (*@own:
 * close it after); -1 if it cannot be opened (counted).
 */
static int fuzz_fd(struct fuzzer *fz, int f, int how, int *own)
{
	int fd;

	*own = 0;
	if (fz->shared_fd[f] >= 0 && how < 4)
		return fz->shared_fd[f];	/* shared with the other writers */
	if (how < 8 && fz->fds[f] >= 0)
		return fz->fds[f];
	snprintf(fz->path, sizeof(fz->path), "%s/%s", fz->dir, wfiles[f]);
	fd = open(fz->path, O_WRONLY);
	if (fd < 0) {
		count_err(fz->st, errno, 0, "open", wfiles[f]);
		return -1;
	}
	if (fz->fds[f] < 0 && how >= 8 && how < 10)
		fz->fds[f] = fd;
	else
		*own = 1;
	return fd;
}

/* Counts what a write of @len bytes to file @f returned (@n, errno @e). */
static void fuzz_count(struct fuzzer *fz, int f, int how, int is_valid,
		       size_t len, ssize_t n, int e)
{
	struct fuzz_stats *st = fz->st;
	int pw = how == 6 || how == 7;

	st->writes++;
	if (is_valid) {
		fz->valid_done++;
		if (n == (ssize_t)len) {
			st->valid_revalidate++;
			st->ok++;
		} else if (n < 0 && pw && e == ESPIPE) {
			st->espipe++;
		} else {
			note_bad(st,
				 "valid write of %zu bytes to %s: expected %zu, saw %zd (%s)",
				 len, wfiles[f], len, n, ename(e));
		}
	} else if (n >= 0) {
		note_bad(st,
			 "write of %zu invalid bytes to %s (how %d): expected an error, saw %zd",
			 len, wfiles[f], how, n);
	} else {
		count_err(st, e, pw, "write", wfiles[f]);
	}
}

/*
 * One write of @src to file @f on @fd: a split write's first part for
 * @how 5, a pwrite at an odd offset for 6 and 7. Valid input is written
 * only to revalidate, and only max_valid times.
 */
static void fuzz_write(struct fuzzer *fz, int f, int how, int fd,
		       const unsigned char *src, size_t len)
{
	int is_valid, pw = how == 6 || how == 7;
	ssize_t n;

	if (how == 5 && len > 1)
		len = 1 + rnd(&fz->s) % (len - 1);	/* a split write's first part */
	if (how == 13)
		is_valid = 0;		/* unmapped buffer */
	else if (how == 14)
		is_valid = src + len <= fz->guard + fz->pg &&
			   valid_input(f, (const char *)src, len);
	else
		is_valid = valid_input(f, (const char *)src, len);
	if (is_valid && (f != 0 || fz->valid_done >= fz->max_valid)) {
		fz->st->skipped_valid++;
		return;
	}
	if (pw)
		n = pwrite(fd, src, len, (rnd(&fz->s) % 65536) | 1);
	else
		n = write(fd, src, len);
	fuzz_count(fz, f, how, is_valid, len, n, n < 0 ? errno : 0);
}

static void fuzz_child(const char *dir, unsigned long nwrites, __u64 seed,
		       struct fuzz_stats *st, const int shared_fd[3],
		       int max_valid)
{
	struct fuzzer fz = {
		.dir = dir, .s = seed | 1, .st = st, .shared_fd = shared_fd,
		.fds = { -1, -1, -1 }, .pg = sysconf(_SC_PAGESIZE),
		.max_valid = max_valid,
	};
	int i;

	for (i = 0; i < POOL; i++)
		pool[i] = rnd(&fz.s);
	/* A page followed by an unmapped one: copies that fault midway. */
	fz.guard = mmap(NULL, 2 * fz.pg, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fz.guard == MAP_FAILED) {
		note_bad(st, "mmap: %s", strerror(errno));
		return;
	}
	munmap(fz.guard + fz.pg, fz.pg);

	while (st->writes < nwrites) {
		int f = rnd(&fz.s) % 3, how = rnd(&fz.s) % 16, fd, own;
		const unsigned char *src;
		__u64 r = rnd(&fz.s);
		size_t len;

		/* Reads, about one for every four writes. */
		if (how == 15) {
			fuzz_read(&fz);
			continue;
		}
		src = fuzz_input(&fz, how, r, &len);
		fd = fuzz_fd(&fz, f, how, &own);
		if (fd < 0)
			continue;
		fuzz_write(&fz, f, how, fd, src, len);
		if (own)
			close(fd);
	}
	for (i = 0; i < 3; i++)
		if (fz.fds[i] >= 0)
			close(fz.fds[i]);
}

/* What the fuzz must leave as it was. */
struct fuzz_state {
	char mode[32], strict[32], stats[4096];
};

static int read_in(const char *dir, const char *name, char *buf, size_t size)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (read_small(path, buf, size)) {
		printf("fuzz: cannot read %s\n", path);
		return 1;
	}
	return 0;
}

static int fuzz_state_of(const char *dir, struct fuzz_state *fs)
{
	return read_in(dir, "mode", fs->mode, sizeof(fs->mode)) ||
	       read_in(dir, "strict", fs->strict, sizeof(fs->strict)) ||
	       read_in(dir, "stats", fs->stats, sizeof(fs->stats));
}

/* Runs the writers; how many died, or -1 if one could not be started. */
static int fuzz_spawn(const char *dir, unsigned long nwrites,
		      unsigned long procs, unsigned long seed,
		      struct fuzz_stats *st, const int shared_fd[3])
{
	unsigned long i;
	int bad = 0;

	for (i = 0; i < procs; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			fuzz_child(dir, nwrites / procs, seed * 7919 + i,
				   &st[i], shared_fd, 8);
			_exit(0);
		}
		if (pid < 0) {
			perror("fork");
			return -1;
		}
	}
	for (i = 0; i < procs; i++) {
		int status;

		if (wait(&status) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status)) {
			printf("fuzz: a writer died (status %#x)\n", status);
			bad++;
		}
	}
	return bad;
}

/* The writers' totals into @tot; prints the first bad result of each. */
static void fuzz_sum(const struct fuzz_stats *st, unsigned long procs,
		     struct fuzz_stats *tot)
{
	unsigned long i;

	for (i = 0; i < procs; i++) {
		tot->writes += st[i].writes;
		tot->reads += st[i].reads;
		tot->valid_revalidate += st[i].valid_revalidate;
		tot->skipped_valid += st[i].skipped_valid;
		tot->bad += st[i].bad;
		tot->einval += st[i].einval;
		tot->efault += st[i].efault;
		tot->eperm += st[i].eperm;
		tot->eagain += st[i].eagain;
		tot->espipe += st[i].espipe;
		if (st[i].bad)
			printf("fuzz: writer %lu: %lu bad, first: %s\n", i,
			       st[i].bad, st[i].first_bad);
	}
}

/* Compares the state after the fuzz with the one before: the failures. */
static int fuzz_compare(const struct fuzz_state *b, const struct fuzz_state *a,
			const struct fuzz_stats *tot)
{
	static const char *const same[] = { "revocations", "restores",
		"tracked", "revoked" };
	long p0 = stat_of(b->stats, "passes");
	long p1 = stat_of(a->stats, "passes");
	int i, bad = 0;

	if (strcmp(b->mode, a->mode)) {
		printf("fuzz: FAIL mode: expected '%.*s' (unchanged), saw '%.*s'\n",
		       (int)strcspn(b->mode, "\n"), b->mode,
		       (int)strcspn(a->mode, "\n"), a->mode);
		bad++;
	}
	if (strcmp(b->strict, a->strict)) {
		printf("fuzz: FAIL strict: expected '%.*s' (unchanged), saw '%.*s'\n",
		       (int)strcspn(b->strict, "\n"), b->strict,
		       (int)strcspn(a->strict, "\n"), a->strict);
		bad++;
	}
	if (p1 - p0 != (long)tot->valid_revalidate) {
		printf("fuzz: FAIL passes: expected +%lu (the valid revalidate writes), saw +%ld\n",
		       tot->valid_revalidate, p1 - p0);
		bad++;
	}
	for (i = 0; i < 4; i++) {
		long x = stat_of(b->stats, same[i]);
		long y = stat_of(a->stats, same[i]);

		if (x != y) {
			printf("fuzz: FAIL stats %s: expected %ld (unchanged), saw %ld\n",
			       same[i], x, y);
			bad++;
		}
	}
	return bad;
}

static int cmd_fuzz(int argc, char **argv)
{
	struct fuzz_stats *st, tot = { 0 };
	struct fuzz_state before, after;
	unsigned long nwrites, procs, seed, i;
	char path[512];
	int shared_fd[3], bad;
	double t0;

	if (argc != 4)
		return usage_error(robust_usage);
	nwrites = strtoul(argv[1], NULL, 10);
	procs = strtoul(argv[2], NULL, 10);
	seed = strtoul(argv[3], NULL, 10);
	if (procs < 1 || procs > 16)
		return usage_error(robust_usage);
	st = mmap(NULL, sizeof(*st) * procs, PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (st == MAP_FAILED)
		return 1;
	memset(st, 0, sizeof(*st) * procs);
	if (fuzz_state_of(argv[0], &before))
		return 1;

	/* One fd per writable file shared by every writer. */
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", argv[0], wfiles[i]);
		shared_fd[i] = open(path, O_WRONLY);
	}
	t0 = now_s();
	bad = fuzz_spawn(argv[0], nwrites, procs, seed, st, shared_fd);
	if (bad < 0)
		return 1;
	fuzz_sum(st, procs, &tot);
	if (fuzz_state_of(argv[0], &after))
		return 1;
	printf("fuzz: writes %lu reads %lu valid_revalidate %lu skipped_valid %lu ",
	       tot.writes, tot.reads, tot.valid_revalidate, tot.skipped_valid);
	printf("einval %lu efault %lu eperm %lu eagain %lu espipe %lu bad %lu in %.1f s\n",
	       tot.einval, tot.efault, tot.eperm, tot.eagain, tot.espipe,
	       tot.bad, now_s() - t0);
	bad += fuzz_compare(&before, &after, &tot);
	if (tot.bad) {
		printf("fuzz: FAIL %lu unexpected results\n", tot.bad);
		bad++;
	}
	return bad ? 1 : 0;
}

/* --- try, userns ------------------------------------------------------- */

static const char *try_file(const char *path, int wr, const char *data,
			    char *out, size_t size)
{
	char buf[256];
	int fd = open(path, wr ? O_WRONLY : (O_RDONLY | O_NONBLOCK));
	ssize_t n;

	if (fd < 0) {
		snprintf(out, size, "open:%s", ename(errno));
		return out;
	}
	if (wr)
		n = write(fd, data, strlen(data));
	else
		n = read(fd, buf, sizeof(buf));
	if (n < 0)
		snprintf(out, size, "%s:%s", wr ? "write" : "read", ename(errno));
	else
		snprintf(out, size, "OK");
	close(fd);
	return out;
}

static int cmd_try(int argc, char **argv)
{
	char out[64];

	if (argc < 2 || (strcmp(argv[1], "r") && strcmp(argv[1], "w")))
		return usage_error(robust_usage);
	printf("%s\n", try_file(argv[0], argv[1][0] == 'w',
				argc > 2 ? argv[2] : "1", out, sizeof(out)));
	return 0;
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

static int cmd_userns(int argc, char **argv)
{
	static const struct { const char *f; int wr; const char *data; } t[] = {
		{ "revalidate", 1, "1" }, { "mode", 1, "audit" },
		{ "strict", 1, "1" }, { "mode", 1, "enforce" },
		{ "strict", 1, "0" }, { "programs", 0, NULL },
		{ "stats", 0, NULL }, { "symbols", 0, NULL },
		{ "kernel_programs", 0, NULL }, { "mode", 0, NULL },
		{ "strict", 0, NULL }, { "events", 0, NULL },
	};
	char path[512], out[64];
	unsigned int i, allowed = 0;

	if (argc != 1)
		return usage_error(robust_usage);
	if (unshare(CLONE_NEWUSER)) {
		printf("unshare: %s\n", strerror(errno));
		return 2;
	}
	if (write_str("/proc/self/setgroups", "deny") ||
	    write_str("/proc/self/uid_map", "0 0 1") ||
	    write_str("/proc/self/gid_map", "0 0 1")) {
		printf("uid_map: %s\n", strerror(errno));
		return 2;
	}
	printf("userns: uid %d euid %d\n", (int)getuid(), (int)geteuid());
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		snprintf(path, sizeof(path), "%s/%s", argv[0], t[i].f);
		try_file(path, t[i].wr, t[i].data ? t[i].data : "", out,
			 sizeof(out));
		printf("%s %s %s\n", t[i].f, t[i].wr ? "w" : "r", out);
		if (!strcmp(out, "OK"))
			allowed++;
	}
	return allowed ? 1 : 0;
}

/* --- audit-drain --------------------------------------------------------- */

static int audit_set_pid(int fd, __u32 pid)
{
	struct {
		struct nlmsghdr nh;
		struct audit_status st;
	} req;
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.st));
	req.nh.nlmsg_type = AUDIT_SET;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.nh.nlmsg_seq = pid ? 1 : 2;
	req.st.mask = AUDIT_STATUS_PID;
	req.st.pid = pid;
	return sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&k,
		      sizeof(k)) < 0 ? -errno : 0;
}

struct audit_counts {
	unsigned long n, load, unload, ours, other, bytes, acks, errs;
	int first_err;
};

/* Counts the netlink messages of one datagram (@len bytes at @buf). */
static void audit_count(struct audit_counts *c, void *buf, ssize_t len)
{
	struct nlmsghdr *nh;

	for (nh = buf; NLMSG_OK(nh, (size_t)len); nh = NLMSG_NEXT(nh, len)) {
		const char *text = NLMSG_DATA(nh);
		size_t tl = nh->nlmsg_len - NLMSG_HDRLEN;
		bool bpf = nh->nlmsg_type == AUDIT_BPF;

		if (nh->nlmsg_type == NLMSG_ERROR) {
			int e = ((struct nlmsgerr *)NLMSG_DATA(nh))->error;

			if (e) {
				c->errs++;
				if (!c->first_err)
					c->first_err = -e;
			} else {
				c->acks++;
			}
			continue;
		}
		c->n++;
		c->bytes += nh->nlmsg_len;
		if (bpf && memmem(text, tl, " reason=", 8))
			c->ours++;
		else if (bpf && memmem(text, tl, "op=UNLOAD", 9))
			c->unload++;
		else if (bpf && memmem(text, tl, "op=LOAD", 7))
			c->load++;
		else
			c->other++;
	}
}

static int cmd_audit_drain(int argc, char **argv)
{
	static char buf[1 << 16];
	struct timeval tv = { .tv_sec = 1 };
	struct audit_counts c = { .n = 0 };
	double t0 = now_s();
	int fd, r;

	(void)argc;
	(void)argv;
	fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT);
	if (fd < 0) {
		printf("audit-drain: socket: %s\n", strerror(errno));
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	r = audit_set_pid(fd, getpid());
	if (r) {
		printf("audit-drain: AUDIT_SET pid: %s\n", strerror(-r));
		close(fd);
		return 1;
	}
	/* Until a second passes without a record (at most 60 s). */
	while (now_s() - t0 < 60) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);

		if (len <= 0)
			break;
		audit_count(&c, buf, len);
	}
	r = audit_set_pid(fd, 0);
	/* Its ack, so that the unregistration is done when we exit. */
	recv(fd, buf, sizeof(buf), 0);
	close(fd);
	printf("audit-drain: records %lu (%lu bytes): bpf LOAD %lu, bpf UNLOAD %lu, ",
	       c.n, c.bytes, c.load, c.unload);
	printf("lsmrevoke %lu, other %lu; acks %lu, errors %lu%s%s in %.1f s\n",
	       c.ours, c.other, c.acks, c.errs,
	       c.first_err ? ", first: " : "",
	       c.first_err ? strerror(c.first_err) : "", now_s() - t0);
	return c.errs || r ? 1 : 0;
}

/* --- stress ------------------------------------------------------------ */

struct image {
	unsigned char *img;
	__u32 len, nfuncs, *lens;
};

struct tracked {
	__u32 id;
	int fd;
	int gated;
	struct image load;
	struct tracked *next;
};

static struct {
	const char *progs, *sfs, *modprobe;
	int stop;
	pthread_mutex_t lock;
	struct tracked *list;
	struct bpf_object *deny_obj;
	struct bpf_program *deny_prog;	/* rs_deny, the lsm program */
	struct bpf_link *deny_link;	/* rs_deny's link, flipped */
	struct bpf_link *fx_links[2];	/* rs_fx_in/out, for the whole stress */
	int deny_bss_fd;
	size_t deny_off, deny_size;	/* "enabled" in the .bss value */
	size_t deny_cnt_off[3];		/* denials, fixup_allows, mark_failures */
	int audit_only;			/* RB_MODE=audit */
	long loaded, load_fail, attached, tail_links, tail_eperm, flips,
	     attach_flips, reloads, reload_busy, reload_refused,
	     reload_after_revoked, reload_fail, mode_writes,
	     reads, read_errs, revalidates, revocations, restores,
	     free_checks, free_rereads, untracked, violations;
	char first_violation[512];
	char first_untracked[256];
	int unload_race;	/* 1: opens may race with rmmod */
	pthread_rwlock_t open_lock;
} S = { .lock = PTHREAD_MUTEX_INITIALIZER,
	.open_lock = PTHREAD_RWLOCK_INITIALIZER };

/* Whether the workers are to stop (set by the main thread). */
static int stopping(void)
{
	return __atomic_load_n(&S.stop, __ATOMIC_RELAXED);
}

static void set_stop(int stop)
{
	__atomic_store_n(&S.stop, stop, __ATOMIC_RELAXED);
}

/*
 * Unless RB_UNLOAD_RACE=1, no securityfs open overlaps a delete_module()
 * call. (Such an open once WARNed in do_dentry_open(), a module defect now
 * fixed: it fails with ENODEV. robust_unload_race runs the stress with
 * RB_UNLOAD_RACE=1 to keep it so; the plain stress keeps them apart, as
 * it always did, so that its figures stay comparable.)
 */
static int sfs_open(const char *path, int flags)
{
	int fd;

	if (!S.unload_race)
		pthread_rwlock_rdlock(&S.open_lock);
	fd = open(path, flags);
	if (!S.unload_race)
		pthread_rwlock_unlock(&S.open_lock);
	return fd;
}

static void violation(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&S.lock);
	if (!S.violations++) {
		va_start(ap, fmt);
		vsnprintf(S.first_violation, sizeof(S.first_violation), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&S.lock);
}

static void free_image(struct image *im)
{
	free(im->img);
	free(im->lens);
	memset(im, 0, sizeof(*im));
}

static int get_image(int fd, struct image *im, __u32 *id)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info), jl, nf;

	memset(im, 0, sizeof(*im));
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (id)
		*id = info.id;
	jl = info.jited_prog_len;
	nf = info.nr_jited_func_lens;
	im->img = calloc(1, jl + 1);
	im->lens = calloc(nf + 1, sizeof(__u32));
	if (!im->img || !im->lens)
		return -ENOMEM;
	memset(&info, 0, sizeof(info));
	info.jited_prog_len = jl;
	info.jited_prog_insns = (__u64)(unsigned long)im->img;
	info.nr_jited_func_lens = nf;
	info.jited_func_lens = (__u64)(unsigned long)im->lens;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	im->len = info.jited_prog_len;
	im->nfuncs = info.nr_jited_func_lens;
	return 0;
}

static const unsigned char nop5[5] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };

/*
 * 0: identical; 1: differs only by 5-byte jumps (e9) in place of 5-byte
 * no-ops within the first 24 bytes of functions (a revoked entry), in
 * either direction (a program can be revoked by the time its loader reads
 * its image: verified while the policy allowed, judged after it changed);
 * -1 otherwise, with a description.
 */
static int compare_image(const struct image *a, const struct image *b,
			 char *why, size_t size)
{
	__u32 i, f, start, diff = 0;

	if (a->len != b->len) {
		snprintf(why, size, "length %u, saw %u", a->len, b->len);
		return -1;
	}
	for (i = 0; i < a->len; i++) {
		__u32 p, lo, ok = 0;

		if (a->img[i] == b->img[i])
			continue;
		diff++;
		for (f = 0, start = 0; f < a->nfuncs; start += a->lens[f], f++)
			if (i < start + a->lens[f])
				break;
		if (a->nfuncs == 0)
			start = 0;
		if (i >= start + 24)
			goto bad;
		lo = i >= start + 4 ? i - 4 : start;
		for (p = lo; p <= i && !ok; p++)
			ok = p + 5 <= a->len &&
			     ((b->img[p] == 0xe9 && !memcmp(a->img + p, nop5, 5)) ||
			      (a->img[p] == 0xe9 && !memcmp(b->img + p, nop5, 5)));
		if (!ok)
			goto bad;
		continue;
bad:
		snprintf(why, size, "byte %u: %02x, saw %02x (not an entry jump)",
			 i, a->img[i], b->img[i]);
		return -1;
	}
	return diff ? 1 : 0;
}

/* All of securityfs file @path (opened as sfs_open() does), or NULL. */
static char *sfs_read(const char *path)
{
	return read_close(sfs_open(path, O_RDONLY));
}

static void sfs_write(const char *file, const char *data)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", S.sfs, file);
	fd = sfs_open(path, O_WRONLY);
	if (fd < 0)
		return;
	/* A refused write shows in the state checked afterwards. */
	if (write(fd, data, strlen(data)) < 0)
		errno = 0;
	close(fd);
}

/*
 * The module's cumulative counters now (they restart at every load), and
 * the programs revoked now (its "revoked" line); 0s if it is not loaded.
 */
static void sample_stats(long *rev, long *res, long *revoked)
{
	char path[512], *text;

	*rev = *res = *revoked = 0;
	snprintf(path, sizeof(path), "%s/stats", S.sfs);
	text = sfs_read(path);
	if (!text)
		return;
	*rev = stat_of(text, "revocations");
	*res = stat_of(text, "restores");
	*revoked = stat_of(text, "revoked");
	if (*rev < 0)
		*rev = 0;
	if (*res < 0)
		*res = 0;
	if (*revoked < 0)
		*revoked = 0;
	free(text);
}

/* The programs revoked now, per the stats file; -1 if it is unreadable. */
static long revoked_now(void)
{
	char path[512], *text;
	long n;

	snprintf(path, sizeof(path), "%s/stats", S.sfs);
	text = sfs_read(path);
	if (!text)
		return -1;
	n = stat_of(text, "revoked");
	free(text);
	return n;
}

static int module_loaded(void)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/stats", S.sfs);
	return access(path, F_OK) == 0;
}

/* delete_module("lsmrevoke", @flags), kept apart from opens: 0 or -errno. */
static int delete_lsmrevoke(unsigned int flags)
{
	int r, e;

	if (!S.unload_race)
		pthread_rwlock_wrlock(&S.open_lock);
	r = syscall(SYS_delete_module, "lsmrevoke", flags);
	e = errno;
	if (!S.unload_race)
		pthread_rwlock_unlock(&S.open_lock);
	return r ? -e : 0;
}

/*
 * rmmod, under the ratchet: while a program is revoked the module refuses
 * its unload (EBUSY; EWOULDBLOCK: each revoked program holds a module
 * reference). A refusal while the stats, read right after it, show a
 * revoked program is the ratchet at work: counted in reload_refused, the
 * attempt given up (-EBUSY), no failure. Any other refusal (open files
 * hold references too) is retried, up to 2000 times, then a failure.
 * The counters are sampled before every call; an unload that succeeds
 * although that sample showed a revoked program is counted in
 * reload_after_revoked: not a failure by itself (a pass or a free may
 * restore or drop it between the sample and the call; stress_summary()
 * checks what can be).
 */
static int module_unload(void)
{
	long rev, res, revoked;
	int i, r;

	for (i = 0; i < 2000; i++) {
		sample_stats(&rev, &res, &revoked);
		r = delete_lsmrevoke(O_NONBLOCK);
		if (!r) {
			S.revocations += rev;
			S.restores += res;
			if (revoked > 0)
				S.reload_after_revoked++;
			return 0;
		}
		if (r == -ENOENT)
			return 0;
		if (r != -EWOULDBLOCK && r != -EBUSY && r != -EAGAIN)
			break;
		if (revoked_now() > 0) {
			S.reload_refused++;
			return -EBUSY;
		}
		S.reload_busy++;
		usleep(2000);
	}
	S.reload_fail++;
	return -1;
}

static int module_load(void)
{
	if (module_loaded())
		return 0;
	if (system(S.audit_only ? "modprobe lsmrevoke mode=audit >/dev/null 2>&1" :
		   S.modprobe) || !module_loaded()) {
		S.reload_fail++;
		return -1;
	}
	return 0;
}

static void *global_ptr(struct bpf_object *obj, const char *name)
{
	struct btf *btf = bpf_object__btf(obj);
	struct bpf_map *map;
	const struct btf_type *sec;
	const struct btf_var_secinfo *v;
	size_t size;
	char *data;
	int id, i;

	if (!btf)
		return NULL;
	bpf_object__for_each_map(map, obj) {
		const char *n = bpf_map__name(map);

		if (!bpf_map__is_internal(map) || !strstr(n, ".bss"))
			continue;
		data = (char *)bpf_map__initial_value(map, &size);
		id = btf__find_by_name_kind(btf, ".bss", BTF_KIND_DATASEC);
		if (!data || id < 0)
			return NULL;
		sec = btf__type_by_id(btf, id);
		v = btf_var_secinfos(sec);
		for (i = 0; i < btf_vlen(sec); i++, v++) {
			const struct btf_type *var = btf__type_by_id(btf, v->type);

			if (!strcmp(btf__name_by_offset(btf, var->name_off), name))
				return data + v->offset;
		}
	}
	return NULL;
}

static struct bpf_object *open_load(const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s.bpf.o", S.progs, name);
	return open_and_load_quiet(path);
}

/*
 * The denier's "enabled" global, written through the .bss map (libbpf 1.1
 * does not map the kernel's copy for objects opened without a skeleton).
 */
static void deny_set(int on)
{
	char *v = calloc(1, S.deny_size + 8);
	__u32 key = 0;

	if (!v)
		return;
	if (!bpf_map_lookup_elem(S.deny_bss_fd, &key, v)) {
		*(int *)(v + S.deny_off) = on;
		bpf_map_update_elem(S.deny_bss_fd, &key, v, BPF_ANY);
	}
	free(v);
}

static int deny_get(void)
{
	char *v = calloc(1, S.deny_size + 8);
	__u32 key = 0;
	int on = 0;

	if (v && !bpf_map_lookup_elem(S.deny_bss_fd, &key, v))
		on = *(int *)(v + S.deny_off);
	free(v);
	return on;
}

/* A __u64 counter of the denier's .bss at OFF, or -1. */
static long long deny_counter(size_t off)
{
	char *v = calloc(1, S.deny_size + 8);
	__u32 key = 0;
	long long n = -1;

	if (v && !bpf_map_lookup_elem(S.deny_bss_fd, &key, v))
		n = *(__u64 *)(v + off);
	free(v);
	return n;
}

static void deny_attach(void)
{
	if (S.deny_link)
		return;
	S.deny_link = bpf_program__attach(S.deny_prog);
	if (!S.deny_link || libbpf_get_error(S.deny_link))
		S.deny_link = NULL;
}

static void deny_detach(void)
{
	if (S.deny_link)
		bpf_link__destroy(S.deny_link);
	S.deny_link = NULL;
}

/*
 * An int3 (cc) on the first byte of a function's entry site (its first
 * byte, or the one after an endbr64 on IBT kernels; module/layout.c): a
 * revocation or restore is being written there (the kernel's int3
 * protocol), the image is not settled. A cc anywhere else is code: an
 * immediate, a displacement, a call's rel32 (those depend on where the
 * image and its maps were allocated, so a long run meets them).
 */
static int image_in_flux(const struct image *im)
{
	static const unsigned char endbr64[4] = { 0xf3, 0x0f, 0x1e, 0xfa };
	__u32 f, start, n = im->nfuncs ? im->nfuncs : 1, site;

	for (f = 0, start = 0; f < n; start += im->nfuncs ? im->lens[f] : 0, f++) {
		site = start;
		if (site + sizeof(endbr64) < im->len &&
		    !memcmp(im->img + site, endbr64, sizeof(endbr64)))
			site += sizeof(endbr64);
		if (site < im->len && im->img[site] == 0xcc)
			return 1;
	}
	return 0;
}

/* Describes @im's first 32 bytes, for a program that could not be checked. */
static void note_untracked(__u32 id, const struct image *im, const char *why)
{
	char hex[3 * 32 + 1] = "";
	__u32 i;

	for (i = 0; im->img && i < im->len && i < 32; i++)
		snprintf(hex + 3 * i, sizeof(hex) - 3 * i, "%02x ", im->img[i]);
	pthread_mutex_lock(&S.lock);
	if (!S.untracked++)
		snprintf(S.first_untracked, sizeof(S.first_untracked),
			 "prog %u: %s; first bytes %s", id, why, hex);
	pthread_mutex_unlock(&S.lock);
}

/* Re-reads of an image in flux: up to 50 x 20 ms. */
#define FLUX_TRIES	50

static void track_add(int fd, int gated)
{
	struct tracked *t = calloc(1, sizeof(*t));

	if (!t)
		return;
	t->fd = dup(fd);
	t->gated = gated;
	if (t->fd >= 0 && !get_image(t->fd, &t->load, &t->id)) {
		int tries = 0;

		/* The load image, read again while a patch is under way. */
		while (image_in_flux(&t->load) && tries++ < FLUX_TRIES) {
			free_image(&t->load);
			usleep(20000);
			if (get_image(t->fd, &t->load, &t->id))
				break;
			__sync_fetch_and_add(&S.free_rereads, 1);
		}
	}
	if (t->fd < 0 || !t->load.img || image_in_flux(&t->load)) {
		/* Counted: the final checks require every program compared. */
		note_untracked(t->id, &t->load, t->fd < 0 ? "dup failed" :
			       !t->load.img ? "image unreadable" :
			       "entry site still an int3 after 1 s");
		if (t->fd >= 0)
			close(t->fd);
		free_image(&t->load);
		free(t);
		return;
	}
	pthread_mutex_lock(&S.lock);
	t->next = S.list;
	S.list = t;
	pthread_mutex_unlock(&S.lock);
}

/* Before a program goes: its image now is its load image or a revoked one. */
/* Takes the tracked program @id off the list: it, or NULL if untracked. */
static struct tracked *track_take(__u32 id)
{
	struct tracked **pp, *t = NULL;

	pthread_mutex_lock(&S.lock);
	for (pp = &S.list; *pp; pp = &(*pp)->next)
		if ((*pp)->id == id) {
			t = *pp;
			*pp = t->next;
			break;
		}
	pthread_mutex_unlock(&S.lock);
	return t;
}

/* Compares @now, the image of program @id (@fd) before it goes, with @t's. */
static void track_check(const struct tracked *t, int fd, struct image *now,
			__u32 id)
{
	char why[128];
	int tries = 0;

	__sync_fetch_and_add(&S.free_checks, 1);
	/*
	 * A revocation or restore may be under way (the int3 protocol
	 * leaves an int3, cc, on the site's first byte between its
	 * steps): an image that does not compare is read again, for
	 * up to 1 s, before it counts.
	 */
	while (compare_image(&t->load, now, why, sizeof(why)) < 0 &&
	       tries++ < FLUX_TRIES) {
		free_image(now);
		usleep(20000);
		if (get_image(fd, now, NULL))
			break;
		__sync_fetch_and_add(&S.free_rereads, 1);
	}
	if (compare_image(&t->load, now, why, sizeof(why)) < 0)
		violation("prog %u at free: expected its load image or an entry jump, saw %s",
			  id, why);
}

/* Before a program goes: its image now is its load image or a revoked one. */
static void track_del(int fd)
{
	struct tracked *t;
	struct image now;
	__u32 id;

	if (get_image(fd, &now, &id)) {
		note_untracked(0, &now, "image unreadable at free");
		free_image(&now);
		return;
	}
	t = track_take(id);
	if (t) {
		track_check(t, fd, &now, id);
		close(t->fd);
		free_image(&t->load);
		free(t);
	}
	free_image(&now);
}

#define HOLD 6

/* The objects the loaders load, robust_<name>.bpf.o; the last has tail calls. */
static const char *const stress_objs[] = { "robust_gated", "robust_plain",
					   "robust_tail" };

struct held {
	struct bpf_object *obj;
	struct bpf_link *links[4];
};

static void release(struct held *h)
{
	struct bpf_program *p;
	int i;

	if (!h->obj)
		return;
	for (i = 0; i < 4; i++)
		if (h->links[i])
			bpf_link__destroy(h->links[i]);
	bpf_object__for_each_program(p, h->obj)
		track_del(bpf_program__fd(p));
	bpf_object__close(h->obj);
	memset(h, 0, sizeof(*h));
}

/* Tracks every program of @h, attaching a random few (up to 4). */
static void load_attach(struct held *h, __u64 *s)
{
	struct bpf_program *p;
	int nl = 0;

	bpf_object__for_each_program(p, h->obj) {
		const char *n = bpf_program__name(p);
		int gated = !strcmp(n, "rs_gated") || !strcmp(n, "rs_target");

		__sync_fetch_and_add(&S.loaded, 1);
		track_add(bpf_program__fd(p), gated);
		if (rnd(s) % 2 && nl < 4 && strcmp(n, "rs_target") &&
		    strcmp(n, "rs_other")) {
			struct bpf_link *l = bpf_program__attach(p);

			if (l && !libbpf_get_error(l)) {
				h->links[nl++] = l;
				__sync_fetch_and_add(&S.attached, 1);
			}
		}
	}
}

/* robust_tail: rs_target and rs_other into the slots of its rs_jmp. */
static void load_tail_calls(struct held *h)
{
	struct bpf_map *m = bpf_object__find_map_by_name(h->obj, "rs_jmp");
	struct bpf_program *t, *o;
	int i;

	t = bpf_object__find_program_by_name(h->obj, "rs_target");
	o = bpf_object__find_program_by_name(h->obj, "rs_other");
	for (i = 0; m && t && o && i < 4; i++) {
		__u32 key = i;
		int fd = bpf_program__fd(i % 2 ? o : t);

		if (!bpf_map_update_elem(bpf_map__fd(m), &key, &fd, BPF_ANY))
			__sync_fetch_and_add(&S.tail_links, 1);
		else if (errno == EPERM)
			__sync_fetch_and_add(&S.tail_eperm, 1);
		else
			violation("prog-array update: expected success or EPERM, saw %s",
				  ename(errno));
	}
}

static void *loader_fn(void *arg)
{
	__u64 s = (uintptr_t)arg * 0x9e3779b97f4a7c15ULL + 1;
	struct held held[HOLD] = { 0 };
	unsigned int slot = 0;
	int i;

	while (!stopping()) {
		int k = rnd(&s) % 3;
		struct held *h = &held[slot++ % HOLD];

		release(h);
		h->obj = open_load(stress_objs[k]);
		if (!h->obj) {
			__sync_fetch_and_add(&S.load_fail, 1);
			continue;
		}
		load_attach(h, &s);
		if (k == 2)
			load_tail_calls(h);
		/* Run what is attached. */
		for (i = 0; i < 20; i++)
			syscall(SYS_getppid);
	}
	for (i = 0; i < HOLD; i++)
		release(&held[i]);
	return NULL;
}

static void *flipper_fn(void *arg)
{
	__u64 s = 12345;

	(void)arg;
	while (!stopping()) {
		switch (rnd(&s) % 4) {
		case 0:
		case 1:
			deny_set(!deny_get());
			sfs_write("revalidate", "1");
			__sync_fetch_and_add(&S.flips, 1);
			__sync_fetch_and_add(&S.revalidates, 1);
			break;
		case 2:
			if (S.deny_link)
				deny_detach();
			else
				deny_attach();
			__sync_fetch_and_add(&S.attach_flips, 1);
			break;
		default:
			sfs_write("revalidate", "1\n");
			__sync_fetch_and_add(&S.revalidates, 1);
			break;
		}
		usleep(20000 + rnd(&s) % 30000);
	}
	return NULL;
}

static void *mode_fn(void *arg)
{
	__u64 s = 777;

	(void)arg;
	while (!stopping()) {
		sfs_write("mode", S.audit_only ? "audit\n" :
			  rnd(&s) % 3 ? "enforce\n" : "audit");
		__sync_fetch_and_add(&S.mode_writes, 1);
		usleep(100000 + rnd(&s) % 100000);
	}
	if (!S.audit_only)
		sfs_write("mode", "enforce");
	return NULL;
}

/* A securityfs open failed during the stress: only ENOENT or ENODEV may. */
static void open_failed(const char *f, int err)
{
	if (err == ENOENT || err == ENODEV)
		return;
	violation("open %s: expected success, ENOENT (unloaded) or ENODEV (unloading), saw %s",
		  f, ename(err));
}

static void *reader_fn(void *arg)
{
	static const size_t sizes[] = { 1, 7, 61, 4095, 65536 };
	static const char *const files[] = { "programs", "stats", "symbols",
		"kernel_programs", "mode", "strict", "events" };
	static __thread char buf[65536];
	__u64 s = (uintptr_t)arg + 99;

	while (!stopping()) {
		const char *f = files[rnd(&s) % 7];
		size_t bs = sizes[rnd(&s) % 5];
		char path[512];
		ssize_t n;
		int fd;

		snprintf(path, sizeof(path), "%s/%s", S.sfs, f);
		fd = sfs_open(path, O_RDONLY | O_NONBLOCK);
		if (fd < 0) {
			open_failed(f, errno);
			usleep(1000);
			continue;
		}
		while ((n = read(fd, buf, bs)) > 0)
			;
		/* events refuses a buffer smaller than its next line: EINVAL. */
		if (n < 0 && errno != EAGAIN &&
		    !(errno == EINVAL && !strcmp(f, "events") && bs < 4095)) {
			__sync_fetch_and_add(&S.read_errs, 1);
			violation("read %s: expected data or EAGAIN, saw %s", f,
				  ename(errno));
		}
		close(fd);
		__sync_fetch_and_add(&S.reads, 1);
	}
	return NULL;
}

/*
 * rmmod and modprobe every 3 s; an unload the ratchet refused is tried
 * again after 0.5 s, so that the module still reloads while the flipper
 * keeps programs revoked much of the time.
 */
static void *reloader_fn(void *arg)
{
	double next = now_s() + 2;
	int r;

	(void)arg;
	while (!stopping()) {
		if (now_s() < next) {
			usleep(50000);
			continue;
		}
		r = module_unload();
		if (!r) {
			usleep(100000);
			if (!module_load())
				__sync_fetch_and_add(&S.reloads, 1);
		}
		next = now_s() + (r == -EBUSY ? 0.5 : 3);
	}
	return NULL;
}

/* Prints "check ok <what>" or "check FAIL <what>"; 1 if it failed. */
static int verdict(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("check %s ", ok ? "ok" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	return ok ? 0 : 1;
}

/* Compares programs' ids with the kernel's, for up to 10 s. */
static int ids_equal(char *why, size_t size)
{
	int tries;

	for (tries = 0; tries < 100; tries++) {
		char path[512], *text;
		unsigned int nk = 0, nm = 0, missing = 0, stale = 0;
		__u32 id = 0, first_missing = 0;
		const char *p;

		snprintf(path, sizeof(path), "%s/programs", S.sfs);
		text = sfs_read(path);
		if (!text)
			return -1;
		while (!bpf_prog_get_next_id(id, &id)) {
			char st[64];

			nk++;
			if (prog_state(text, id, st, sizeof(st))) {
				if (!missing++)
					first_missing = id;
			}
		}
		for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p) {
			__u32 mid;
			int fd;

			if (*p == '#' || *p == '\n')
				continue;
			nm++;
			mid = strtoul(p, NULL, 10);
			fd = bpf_prog_get_fd_by_id(mid);
			if (fd < 0)
				stale++;
			else
				close(fd);
		}
		free(text);
		snprintf(why, size,
			 "kernel %u ids, programs %u lines, missing %u (first %u), stale %u",
			 nk, nm, missing, first_missing, stale);
		if (!missing && !stale)
			return 0;
		usleep(100000);
	}
	return 1;
}

/* --- stress: setup, run, checks ---------------------------------------- */

static void stress_init(char **argv)
{
	pthread_rwlockattr_t a;

	S.progs = argv[1];
	S.sfs = argv[2];
	S.modprobe = argv[3];
	signal(SIGPIPE, SIG_IGN);
	/* Refused loads are expected (and counted): no verifier logs. */
	libbpf_set_print(NULL);
	S.unload_race = getenv("RB_UNLOAD_RACE") && !strcmp(getenv("RB_UNLOAD_RACE"), "1");
	S.audit_only = getenv("RB_MODE") && !strcmp(getenv("RB_MODE"), "audit");
	if (S.audit_only)
		printf("stress: RB_MODE=audit: mode=audit for the whole stress, nothing patched\n");
	pthread_rwlockattr_init(&a);
	pthread_rwlockattr_setkind_np(&a, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&S.open_lock, &a);
}

/* Where the denier's globals are in its .bss value. */
static int deny_globals(void)
{
	static const char *const cnt[3] = { "denials", "fixup_allows",
					    "mark_failures" };
	const char *base = NULL;
	char *g = global_ptr(S.deny_obj, "enabled");
	struct bpf_map *m;
	size_t sz;
	int i;

	if (!g)
		return verdict(0, "denier global 'enabled': expected found, saw none");
	bpf_object__for_each_map(m, S.deny_obj) {
		if (!bpf_map__is_internal(m) || !strstr(bpf_map__name(m), ".bss"))
			continue;
		base = bpf_map__initial_value(m, &sz);
		S.deny_bss_fd = bpf_map__fd(m);
		S.deny_size = bpf_map__value_size(m);
	}
	if (!base)
		return verdict(0, "denier .bss: expected found, saw none");
	S.deny_off = g - base;
	for (i = 0; i < 3; i++) {
		g = global_ptr(S.deny_obj, cnt[i]);
		if (!g)
			return verdict(0, "denier global '%s': expected found, saw none",
				       cnt[i]);
		S.deny_cnt_off[i] = g - base;
	}
	return 0;
}

/*
 * The denier: robust_deny.bpf.o's rs_deny, flipped by the flipper;
 * its rs_fx_in/rs_fx_out (fentry/fexit on do_misc_fixups, which tell
 * rs_deny who is inside it: see robust_deny.bpf.c) stay attached
 * from here to the end.
 */
static int deny_setup(void)
{
	int i;

	S.deny_obj = open_load("robust_deny");
	if (!S.deny_obj)
		return verdict(0, "load robust_deny.bpf.o: expected success, saw failure");
	S.deny_prog = bpf_object__find_program_by_name(S.deny_obj, "rs_deny");
	if (!S.deny_prog)
		return verdict(0, "robust_deny.bpf.o: expected a program rs_deny, saw none");
	if (deny_globals())
		return 1;
	for (i = 0; i < 2; i++) {
		const char *n = i ? "rs_fx_out" : "rs_fx_in";
		struct bpf_program *p = bpf_object__find_program_by_name(S.deny_obj, n);

		S.fx_links[i] = p ? bpf_program__attach(p) : NULL;
		if (!S.fx_links[i] || libbpf_get_error(S.fx_links[i]))
			return verdict(0,
				       "attach %s (fentry/fexit do_misc_fixups): expected success, saw %s",
				       n, p ? ename(errno) : "no such program");
	}
	deny_attach();
	return 0;
}

/* The workers, for @secs seconds. */
static void stress_run(int secs)
{
	pthread_t th[16];
	int nth = 0, i;
	double t0 = now_s();

	for (i = 0; i < 3; i++)
		pthread_create(&th[nth++], NULL, loader_fn, (void *)(uintptr_t)(i + 1));
	for (i = 0; i < 2; i++)
		pthread_create(&th[nth++], NULL, reader_fn, (void *)(uintptr_t)i);
	pthread_create(&th[nth++], NULL, flipper_fn, NULL);
	pthread_create(&th[nth++], NULL, mode_fn, NULL);
	pthread_create(&th[nth++], NULL, reloader_fn, NULL);
	while (now_s() - t0 < secs)
		sleep(1);
	/* Loaders first keep their programs: stop everything else. */
	set_stop(1);
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	printf("stress: ran %.1f s\n", now_s() - t0);
}

/* robust_tail's rs_target into slot 0 of its rs_jmp. */
static void final_tail_call(struct bpf_object *obj)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, "rs_jmp");
	struct bpf_program *t = bpf_object__find_program_by_name(obj, "rs_target");
	int fd = bpf_program__fd(t);
	__u32 key = 0;

	bpf_map_update_elem(bpf_map__fd(m), &key, &fd, BPF_ANY);
}

/*
 * The loaders freed their programs; keep a final set loaded for the
 * checks: one of each object, linked and attached.
 */
static int final_load(struct held h[3])
{
	char path[512], m[32] = "";
	int i, fails = 0;

	fails += verdict(!module_load(), "modprobe after the stress: expected success");
	sfs_write("mode", "enforce");
	snprintf(path, sizeof(path), "%s/mode", S.sfs);
	read_small(path, m, sizeof(m));
	m[strcspn(m, "\n")] = '\0';
	fails += verdict(!strcmp(m, "enforce"),
			 "mode for the final checks: expected enforce, saw %s", m);
	deny_set(0);
	deny_attach();
	for (i = 0; i < 3; i++) {
		struct bpf_program *p;

		h[i].obj = open_load(stress_objs[i]);
		if (!h[i].obj) {
			fails += verdict(0, "load %s: expected success", stress_objs[i]);
			continue;
		}
		bpf_object__for_each_program(p, h[i].obj) {
			const char *n = bpf_program__name(p);

			track_add(bpf_program__fd(p), !strcmp(n, "rs_gated") ||
				  !strcmp(n, "rs_target"));
			S.loaded++;
		}
		if (i == 2)
			final_tail_call(h[i].obj);
	}
	sfs_write("revalidate", "1");
	return fails;
}

static void final_release(struct held h[3])
{
	struct bpf_program *p;
	int i;

	for (i = 0; i < 3; i++) {
		if (!h[i].obj)
			continue;
		bpf_object__for_each_program(p, h[i].obj)
			track_del(bpf_program__fd(p));
		bpf_object__close(h[i].obj);
	}
}

/* The programs file now ("" if it cannot be read). */
static char *programs_now(void)
{
	char path[512], *text;

	snprintf(path, sizeof(path), "%s/programs", S.sfs);
	text = sfs_read(path);
	return text ? text : strdup("");
}

/* Policy allows: every program of ours active, image as loaded. */
static int check_allowed(void)
{
	char *text = programs_now(), why[256];
	struct tracked *t;
	long n_active = 0;
	int fails = 0;

	pthread_mutex_lock(&S.lock);
	for (t = S.list; t; t = t->next) {
		struct image now;
		char st[64] = "none";
		int c;

		prog_state(text, t->id, st, sizeof(st));
		if (get_image(t->fd, &now, NULL)) {
			fails += verdict(0, "prog %u image: expected readable", t->id);
			continue;
		}
		c = compare_image(&t->load, &now, why, sizeof(why));
		if (c != 0 || strcmp(st, "active"))
			fails += verdict(0,
					 "prog %u (policy allows): expected active and its load image, saw %s and %s",
					 t->id, st, c ? (c > 0 ? "an entry jump" : why) :
					 "its load image");
		else
			n_active++;
		free_image(&now);
	}
	pthread_mutex_unlock(&S.lock);
	free(text);
	return fails + verdict(n_active > 0,
			       "programs checked active with their load image: %ld",
			       n_active);
}

/* One program under a denying policy; the counters are check_denied()'s. */
static int check_denied_one(const struct tracked *t, const char *text,
			    long *n_revoked, long *n_active, long *n_jump)
{
	struct image now;
	char st[64] = "none", why[256];
	int c, fails = 0;

	prog_state(text, t->id, st, sizeof(st));
	if (get_image(t->fd, &now, NULL))
		return 0;
	c = compare_image(&t->load, &now, why, sizeof(why));
	if (!strcmp(st, "revoked")) {
		(*n_revoked)++;
		if (c != 1)
			fails += verdict(0, "prog %u revoked: expected an entry jump, saw %s",
					 t->id, c ? why : "its load image");
		else
			(*n_jump)++;
	} else {
		(*n_active)++;
		if (c != 0)
			fails += verdict(0, "prog %u %s: expected its load image, saw %s",
					 t->id, st, c > 0 ? "an entry jump" : why);
		if (t->gated && strcmp(st, "active") == 0)
			fails += verdict(0,
					 "prog %u needs bpf_read_kernel under a denying policy: expected revoked, saw %s",
					 t->id, st);
	}
	free_image(&now);
	return fails;
}

/* Policy denies: revoked ones jump, every other one is as loaded. */
static int check_denied(void)
{
	long n_revoked = 0, n_active = 0, n_jump = 0;
	struct tracked *t;
	int fails = 0;
	char *text;

	deny_set(1);
	fails += verdict(deny_get() == 1, "denier enabled: expected 1, saw %d", deny_get());
	sfs_write("revalidate", "1");
	text = programs_now();
	pthread_mutex_lock(&S.lock);
	for (t = S.list; t; t = t->next)
		fails += check_denied_one(t, text, &n_revoked, &n_active,
					  &n_jump);
	pthread_mutex_unlock(&S.lock);
	free(text);
	return fails + verdict(n_revoked > 0 && n_jump == n_revoked,
			       "revoked under the denier: %ld (entry jumps %ld), untouched %ld",
			       n_revoked, n_jump, n_active);
}

/*
 * The ratchet, checked directly with nothing else running: the denier
 * denies and check_denied() ran a pass, so programs are revoked; rmmod
 * must be refused, plain (EBUSY, or EWOULDBLOCK: every revoked program
 * holds a module reference) and forced (O_TRUNC: EBUSY), and the module
 * stay loaded (if it went, it is loaded again for the checks after).
 */
static int check_ratchet(void)
{
	long n = revoked_now();
	int r, fails;

	fails = verdict(n > 0,
			"stats before the final unload attempts: expected revoked > 0, saw %ld",
			n);
	if (n <= 0)
		return fails;
	r = delete_lsmrevoke(O_NONBLOCK);
	fails += verdict(r == -EBUSY || r == -EWOULDBLOCK,
			 "rmmod with %ld programs revoked: expected EBUSY or EWOULDBLOCK (EAGAIN), saw %s",
			 n, r ? ename(-r) : "success");
	if (module_loaded()) {
		r = delete_lsmrevoke(O_NONBLOCK | O_TRUNC);
		fails += verdict(r == -EBUSY,
				 "forced rmmod (O_TRUNC) with %ld programs revoked: expected EBUSY, saw %s",
				 n, r ? ename(-r) : "success");
	}
	if (!module_loaded())
		fails += verdict(0,
				 "module after the unloads the ratchet refuses: expected loaded, saw it gone (modprobe again: %s)",
				 module_load() ? "failed" : "done");
	return fails;
}

/* The kernel's lockdown file (beside the module's directory), or "?". */
static void lockdown_now(char *buf, size_t size)
{
	const char *slash = strrchr(S.sfs, '/');
	char path[512];

	snprintf(path, sizeof(path), "%.*s/lockdown",
		 slash ? (int)(slash - S.sfs) : 0, S.sfs);
	if (read_small(path, buf, size) || !*buf)
		snprintf(buf, size, "?");
	buf[strcspn(buf, "\n")] = '\0';
}

/*
 * Relaxes the policy for the final rmmod. Every worker has stopped
 * (stress_run() joined them: no flipper to enable or attach the denier
 * again, no mode writer; mode stays enforce, strict 0), so: the denier
 * disabled and detached, then passes (revalidate) until stats show
 * revoked 0, for up to 5 s (a program the loaders freed stays listed
 * until the kernel frees it, later). The lockdown level is not the
 * stress's to lower: if it denies, programs stay revoked, and the
 * verdict says so with the level.
 */
static int relax_policy(void)
{
	char lock[128];
	long n = -1;
	int tries;

	deny_set(0);
	deny_detach();
	for (tries = 0; tries < 50 && n != 0; tries++) {
		if (tries)
			usleep(100000);
		sfs_write("revalidate", "1");
		n = revoked_now();
	}
	lockdown_now(lock, sizeof(lock));
	return verdict(n == 0 && !S.deny_link && deny_get() == 0,
		       "stats after relaxing the policy (denier disabled and detached, revalidate): expected revoked 0, saw %ld (lockdown: %s)",
		       n, lock);
}

/*
 * The final rmmod, once the policy is relaxed and nothing is revoked (the
 * ratchet refuses it before): it must succeed, and every image must be
 * its load image. If the policy cannot be relaxed, programs stay revoked
 * and rmmod is not tried: none is freed to get around the ratchet.
 */
static int check_restored(void)
{
	struct tracked *t;
	long n_active = 0;
	char why[256];
	int fails, r;

	fails = relax_policy();
	if (fails)
		return fails + verdict(0,
				       "final rmmod: not tried: programs still revoked after relaxing the policy (the ratchet would refuse it, rightly)");
	r = module_unload();
	fails = verdict(!r, "final rmmod (revoked 0): expected success, saw %s",
			!r ? "success" : r == -EBUSY ?
			"a refusal with programs revoked" : "a failure");
	pthread_mutex_lock(&S.lock);
	for (t = S.list; t; t = t->next) {
		struct image now;
		int c;

		if (get_image(t->fd, &now, NULL))
			continue;
		c = compare_image(&t->load, &now, why, sizeof(why));
		if (c)
			fails += verdict(0, "prog %u after rmmod: expected its load image, saw %s",
					 t->id, c > 0 ? "an entry jump left" : why);
		else
			n_active++;
		free_image(&now);
	}
	pthread_mutex_unlock(&S.lock);
	return fails + verdict(n_active > 0,
			       "images equal to their load image after rmmod: %ld",
			       n_active);
}

/* The denier's counters; a failed mark could let a denial reach do_misc_fixups(). */
static int deny_report(void)
{
	long long dn = deny_counter(S.deny_cnt_off[0]);
	long long fa = deny_counter(S.deny_cnt_off[1]);
	long long mf = deny_counter(S.deny_cnt_off[2]);

	printf("denier: denials %lld fixup_allows %lld mark_failures %lld\n",
	       dn, fa, mf);
	return verdict(mf == 0,
		       "denier's do_misc_fixups marks that failed: expected 0, saw %lld",
		       mf);
}

/* What happened during the stress; the "counts: ..." line. */
static int stress_summary(void)
{
	int fails = 0;

	fails += verdict(S.violations == 0, "during the stress: %ld violations%s%s",
			 S.violations, S.violations ? ", first: " : "",
			 S.first_violation);
	fails += verdict(S.untracked == 0 && S.free_checks == S.loaded,
			 "programs compared with their load image when freed: expected %ld (every one loaded), saw %ld; not tracked %ld%s%s",
			 S.loaded, S.free_checks, S.untracked,
			 S.untracked ? ", first: " : "", S.first_untracked);
	fails += verdict(S.loaded > 0 && S.reloads > 0 && S.flips > 0,
			 "activity: loaded %ld reloads %ld flips %ld", S.loaded,
			 S.reloads, S.flips);
	/*
	 * The ratchet during the run, as far as it can be told: an unload
	 * whose stats sample just before showed a revoked program may
	 * still rightly succeed (a pass or a free can come between), so
	 * such unloads do not fail by themselves; but some of them and not
	 * one refusal with a revoked program means the ratchet did not
	 * hold. Not checked here: that each refusal came from the ratchet
	 * rather than an open file. check_ratchet() is the strict check.
	 */
	fails += verdict(S.reload_after_revoked == 0 || S.reload_refused > 0,
			 "ratchet during the stress: unloads refused with programs revoked %ld, unloads that succeeded after a sample showing some %ld",
			 S.reload_refused, S.reload_after_revoked);
	printf("counts: loaded %ld load_failures %ld attached %ld tail_links %ld tail_eperm %ld ",
	       S.loaded, S.load_fail, S.attached, S.tail_links, S.tail_eperm);
	printf("revocations %ld restores %ld flips %ld attach_flips %ld revalidates %ld ",
	       S.revocations, S.restores, S.flips, S.attach_flips,
	       S.revalidates);
	printf("mode_writes %ld reads %ld reloads %ld reload_busy_retries %ld ",
	       S.mode_writes, S.reads, S.reloads, S.reload_busy);
	printf("reload_refused %ld reload_after_revoked %ld ",
	       S.reload_refused, S.reload_after_revoked);
	printf("reload_failures %ld free_checks %ld free_rereads %ld\n",
	       S.reload_fail, S.free_checks, S.free_rereads);
	return fails;
}

static int cmd_stress(int argc, char **argv)
{
	struct held h[3] = { 0 };
	int i, fails = 0;
	char why[256];

	if (argc != 4)
		return usage_error(robust_usage);
	stress_init(argv);
	if (module_load())
		return verdict(0, "modprobe at start: expected success, saw failure");
	if (deny_setup())
		return 1;
	stress_run(atoi(argv[0]));

	set_stop(0);
	fails += final_load(h);
	fails += verdict(!ids_equal(why, sizeof(why)),
			 "programs ids == the kernel's live list: %s", why);
	fails += check_allowed();
	fails += check_denied();
	fails += check_ratchet();
	fails += check_restored();
	final_release(h);

	fails += deny_report();
	deny_detach();
	for (i = 0; i < 2; i++)
		bpf_link__destroy(S.fx_links[i]);
	bpf_object__close(S.deny_obj);
	fails += stress_summary();
	return fails ? 1 : 0;
}

static int cmd_run(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	int fd;

	if (argc != 1)
		return usage_error(robust_usage);
	fd = bpf_obj_get(argv[0]);
	if (fd < 0)
		return fail(errno, "open %s", argv[0]);
	if (bpf_prog_test_run_opts(fd, &opts)) {
		close(fd);
		return fail(errno, "test run %s", argv[0]);
	}
	printf("retval %u\n", opts.retval);
	close(fd);
	return 0;
}

int cmd_robust(int argc, char **argv)
{
	static const struct cmd subs[] = {
		{ "fuzz", cmd_fuzz },
		{ "try", cmd_try },
		{ "userns", cmd_userns },
		{ "stress", cmd_stress },
		{ "audit-drain", cmd_audit_drain },
		{ "run", cmd_run },
	};
	const struct cmd *sub;

	if (argc < 1)
		return usage_error(robust_usage);
	sub = find_cmd(subs, ARRAY_SIZE(subs), argv[0]);
	if (sub)
		return sub->fn(argc - 1, argv + 1);
	return usage_error(robust_usage);
}
