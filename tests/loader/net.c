// SPDX-License-Identifier: GPL-2.0
/*
 * lsmrevoke-test net <sub> ...: the networking scenarios of
 * tests/guest/suite.d/20-net.sh.
 *
 * Programs are loaded and pinned by "lsmrevoke-test load"; these commands
 * attach them (links pinned in bpffs, so they outlive the command; tc
 * filters live in their qdisc), read their global counters, and make
 * traffic: a UDP server that keeps its sockets (and their socket filters)
 * across rounds that the suite triggers between policy changes, plus the
 * socket() and sysctl probes of the cgroup_sock and cgroup_sysctl tests.
 * Every wait is bounded. Errors go to stderr, exit status 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <linux/if_link.h>

#include "testlib.h"

#define PROG "lsmrevoke-test"

/* include/uapi/linux/bpf.h of 6.6+; the build uses the 6.1 headers. */
#define NET_BPF_TCX_INGRESS	46
#define NET_BPF_TCX_EGRESS	47

#define MAX_FLOWS	32
/* Datagram size; the first 4 bytes carry the round number. */
#define DGRAM_LEN	64
/* A round ends this long after the last datagram arrived... */
#define ROUND_IDLE_MS	1000
/* ...or after this long in all. */
#define ROUND_MAX_MS	8000
/* The server waits this long for the next round, then exits. */
#define SERVE_WAIT_S	180
/* hold-lsm keeps its link at most this long. */
#define HOLD_WAIT_S	300

static const char net_usage[] =
	"usage: " PROG " net <sub> [args]\n"
	"\n"
	"  serve <dir> <count> <home-cgroup|-> <flow>...\n"
	"      flow: <name>,<sndns>,<rcvns>,<dst-ip>,<port>[,<filter-pin>\n"
	"            [,<sndcg>[,<rcvcg>]]]  (- for none or ours)\n"
	"      per flow open a receiving UDP socket bound to\n"
	"      <dst-ip>:<port> in network namespace <rcvns> (a path such\n"
	"      as /run/netns/X), in cgroup <rcvcg> (a cgroup2 directory;\n"
	"      back to <home-cgroup> after), with the pinned socket filter\n"
	"      attached (SO_ATTACH_BPF), and a sending one in <sndns> and\n"
	"      <sndcg>; write <dir>/ready. Then for every\n"
	"      round k = 1, 2, ...: wait for <dir>/go.k (or <dir>/quit),\n"
	"      send <count> datagrams of " STR(DGRAM_LEN) " bytes on every flow, receive\n"
	"      until all came or " STR(ROUND_IDLE_MS) " ms pass without one, and write\n"
	"      <dir>/res.k: per flow \"<name> sent S senderr E recv R\n"
	"      whole W late L\" (recv: this round's datagrams, whole: those\n"
	"      of full length, late: stale ones). Exits after " STR(SERVE_WAIT_S) " s\n"
	"      without a round.\n"
	"  count <key>=<prog-pin>:<var>...\n"
	"      print \"<key> <value>\" for the global variable <var> of\n"
	"      the pinned program (found through its maps' BTF)\n"
	"  link lsm <prog-pin> <link-pin>\n"
	"  link cgroup <prog-pin> <link-pin> <ingress|egress|sock_create|sysctl> <cgroup>\n"
	"  link xdp <prog-pin> <link-pin> <drv|skb> <ifname> <netns|->\n"
	"  link tcx <prog-pin> <link-pin> <ingress|egress> <ifname> <netns|->\n"
	"      attach through a BPF link and pin the link (remove the pin\n"
	"      to detach)\n"
	"  ext <obj> <pin-dir> <target-prog-pin> <link-pin>\n"
	"      load every freplace/<function> program of <obj> as an\n"
	"      extension of the pinned program, pin it at <pin-dir>/<name>,\n"
	"      print \"<name> <id>\", attach it through a link pinned at\n"
	"      <link-pin> (one program per object)\n"
	"  ext-link <ext-pin> <target-prog-pin> <function> <link-pin>\n"
	"      attach the pinned extension to <function> of the pinned\n"
	"      program through a link pinned at <link-pin>\n"
	"  xdp-run <prog-pin> <port> <count>\n"
	"      run the pinned XDP program <count> times (BPF_PROG_TEST_RUN)\n"
	"      on an Ethernet/IPv4/UDP frame to <port>; print \"retval R\"\n"
	"  hold-lsm <prog-pin> <dir>\n"
	"      attach the pinned BPF-LSM program through a link held by\n"
	"      this process only; write <dir>/held (or <dir>/failed), wait\n"
	"      for <dir>/release (at most " STR(HOLD_WAIT_S) " s), close the link and exit:\n"
	"      once this process is gone the program is detached (a pinned\n"
	"      link is released later, from an RCU callback)\n"
	"  tc-attach <prog-pin> <ingress|egress> <ifname> <netns|-> <prio>\n"
	"      create clsact if needed, attach direct-action at <prio>\n"
	"  tc-detach <ifname> <netns|->\n"
	"      delete the clsact qdisc of <ifname> with all its filters\n"
	"  sock-create <cgroup> <count>\n"
	"      move into <cgroup>, call socket(AF_INET, SOCK_DGRAM) <count>\n"
	"      times; print \"created C denied D other O\" (denied: EPERM)\n"
	"  sysctl-read <cgroup> <path> <count>\n"
	"      move into <cgroup>, open and read <path> <count> times;\n"
	"      print \"read R denied D other O\" (denied: EPERM)\n";

static long now_ms(void)
{
	return now_ns() / 1000000;
}

static void nap_ms(long ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (ms % 1000) * 1000000L,
	};

	nanosleep(&ts, NULL);
}

/*
 * Enter network namespace @path ("-": stay). *@orig gets our own, for
 * netns_leave; -1 if nothing changed.
 */
static int netns_enter(const char *path, int *orig)
{
	int fd;

	*orig = -1;
	if (!strcmp(path, "-"))
		return 0;
	*orig = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (*orig < 0) {
		fail(errno, "open /proc/self/ns/net");
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET)) {
		fail(errno, "enter netns %s", path);
		if (fd >= 0)
			close(fd);
		close(*orig);
		*orig = -1;
		return -1;
	}
	close(fd);
	return 0;
}

static int netns_leave(int orig)
{
	int ret = 0;

	if (orig < 0)
		return 0;
	if (setns(orig, CLONE_NEWNET)) {
		fail(errno, "return to our netns");
		ret = -1;
	}
	close(orig);
	return ret;
}

/* Move this process into the cgroup2 directory @dir ("-": stay). */
static int cgroup_enter(const char *dir)
{
	char path[PATH_MAX], pid[32];
	int fd, len, ok;

	if (!strcmp(dir, "-"))
		return 0;
	if (snprintf(path, sizeof(path), "%s/cgroup.procs", dir) >=
	    (int)sizeof(path)) {
		fail(ENAMETOOLONG, "cgroup %s", dir);
		return -1;
	}
	len = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		fail(errno, "open %s", path);
		return -1;
	}
	ok = write(fd, pid, len) == len;
	if (!ok)
		fail(errno, "write %s", path);
	close(fd);
	return ok ? 0 : -1;
}

static int ifindex_of(const char *ifname)
{
	unsigned int idx = if_nametoindex(ifname);

	if (!idx)
		fail(errno, "no interface %s", ifname);
	return (int)idx;
}

/* --- serve ------------------------------------------------------------ */

struct flow {
	char name[32];
	int snd;
	int rcv;
	struct sockaddr_in dst;
	unsigned long sent, senderr, recv, whole, late;
	int first_err;
};

/* The cgroup serve returns to after creating a socket in another one. */
static const char *home_cgroup = "-";

/*
 * A UDP socket in network namespace @ns, charged to cgroup @cg (a socket
 * belongs to the cgroup of the task that creates it), both "-" for ours.
 */
static int flow_socket(const char *ns, const char *cg, int *fd)
{
	int orig, ret = 0;

	if (strcmp(cg, "-") && !strcmp(home_cgroup, "-")) {
		fail(0, "serve: a flow in cgroup %s needs a home cgroup", cg);
		return -1;
	}
	if (cgroup_enter(cg))
		return -1;
	if (netns_enter(ns, &orig)) {
		if (strcmp(cg, "-"))
			cgroup_enter(home_cgroup);
		return -1;
	}
	*fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (*fd < 0) {
		fail(errno, "socket in netns %s", ns);
		ret = -1;
	}
	if (netns_leave(orig))
		ret = -1;
	if (strcmp(cg, "-") && cgroup_enter(home_cgroup))
		ret = -1;
	return ret;
}

/*
 * "<name>,<sndns>,<rcvns>,<dst-ip>,<port>[,<filter-pin>[,<sndcg>[,<rcvcg>]]]",
 * each optional field "-" for none.
 */
static int flow_open(struct flow *f, char *spec)
{
	char *field[8] = { "", "", "", "", "", "-", "-", "-" };
	unsigned long port;
	int n = 0, one = 1, rcvbuf = 1 << 20;
	char *save = NULL, *p;

	for (p = strtok_r(spec, ",", &save); p && n < 8;
	     p = strtok_r(NULL, ",", &save))
		field[n++] = p;
	if (n < 5 || strlen(field[0]) >= sizeof(f->name) ||
	    parse_ulong(field[4], 65535, &port) || !port) {
		fail(0, "serve: bad flow '%s'", spec);
		return -1;
	}
	memset(f, 0, sizeof(*f));
	f->snd = -1;
	f->rcv = -1;
	strcpy(f->name, field[0]);
	f->dst.sin_family = AF_INET;
	f->dst.sin_port = htons(port);
	if (inet_pton(AF_INET, field[3], &f->dst.sin_addr) != 1) {
		fail(0, "serve: flow %s: bad address %s", f->name, field[3]);
		return -1;
	}
	if (flow_socket(field[2], field[7], &f->rcv) ||
	    flow_socket(field[1], field[6], &f->snd))
		return -1;
	setsockopt(f->rcv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(f->rcv, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(f->rcv, (struct sockaddr *)&f->dst, sizeof(f->dst))) {
		fail(errno, "serve: flow %s: bind %s:%lu", f->name,
		     field[3], port);
		return -1;
	}
	if (fcntl(f->rcv, F_SETFL, O_NONBLOCK)) {
		fail(errno, "serve: flow %s: O_NONBLOCK", f->name);
		return -1;
	}
	if (strcmp(field[5], "-")) {
		int prog = bpf_obj_get(field[5]);

		if (prog < 0) {
			fail(err_of(prog), "serve: flow %s: get %s",
			     f->name, field[5]);
			return -1;
		}
		if (setsockopt(f->rcv, SOL_SOCKET, SO_ATTACH_BPF, &prog,
			       sizeof(prog))) {
			fail(errno, "serve: flow %s: SO_ATTACH_BPF %s",
			     f->name, field[5]);
			close(prog);
			return -1;
		}
		close(prog);
	}
	return 0;
}

/* Read everything queued on @f; count what belongs to round @round. */
static int flow_drain(struct flow *f, unsigned int round)
{
	unsigned char buf[DGRAM_LEN * 2];
	int got = 0;

	for (;;) {
		unsigned int r;
		ssize_t len = recv(f->rcv, buf, sizeof(buf), MSG_DONTWAIT);
		int i, whole;

		if (len < 0)
			break;
		got++;
		if (len < 4) {
			f->late++;
			continue;
		}
		memcpy(&r, buf, sizeof(r));
		if (r != round) {
			f->late++;
			continue;
		}
		f->recv++;
		whole = len == DGRAM_LEN;
		for (i = 8; whole && i < DGRAM_LEN; i++)
			whole = buf[i] == (unsigned char)(i ^ 0x5a);
		f->whole += whole;
	}
	return got;
}

static void flow_send(struct flow *f, unsigned int idx, unsigned int round,
		      unsigned int seq)
{
	unsigned char buf[DGRAM_LEN];
	int i;

	memcpy(buf, &round, 4);
	buf[4] = idx;
	buf[5] = seq & 0xff;
	buf[6] = seq >> 8;
	buf[7] = 0;
	for (i = 8; i < DGRAM_LEN; i++)
		buf[i] = i ^ 0x5a;
	if (sendto(f->snd, buf, sizeof(buf), 0, (struct sockaddr *)&f->dst,
		   sizeof(f->dst)) == sizeof(buf)) {
		f->sent++;
	} else {
		f->senderr++;
		if (!f->first_err)
			f->first_err = errno;
	}
}

static void serve_round(struct flow *flows, int nflows, unsigned int round,
			unsigned long count)
{
	struct pollfd pfd[MAX_FLOWS];
	long start, last;
	unsigned long seq;
	int i;

	for (i = 0; i < nflows; i++) {
		struct flow *f = &flows[i];

		f->sent = 0;
		f->senderr = 0;
		f->recv = 0;
		f->whole = 0;
		f->late = 0;
		f->first_err = 0;
		flow_drain(f, round);	/* stale ones count as late */
		pfd[i].fd = f->rcv;
		pfd[i].events = POLLIN;
	}
	for (seq = 0; seq < count; seq++) {
		for (i = 0; i < nflows; i++)
			flow_send(&flows[i], i, round, seq);
		nap_ms(1);
	}
	start = now_ms();
	last = start;
	for (;;) {
		long t = now_ms(), wait;
		int done = 1;

		for (i = 0; i < nflows; i++)
			if (flows[i].recv < count)
				done = 0;
		if (done || t - last >= ROUND_IDLE_MS ||
		    t - start >= ROUND_MAX_MS)
			break;
		wait = ROUND_IDLE_MS - (t - last);
		if (poll(pfd, nflows, wait) <= 0)
			continue;
		for (i = 0; i < nflows; i++)
			if ((pfd[i].revents & POLLIN) &&
			    flow_drain(&flows[i], round))
				last = now_ms();
	}
}

static int serve_report(const char *dir, struct flow *flows, int nflows,
			unsigned int round)
{
	char tmp[PATH_MAX], path[PATH_MAX];
	FILE *f;
	int i;

	snprintf(tmp, sizeof(tmp), "%s/res.%u.tmp", dir, round);
	snprintf(path, sizeof(path), "%s/res.%u", dir, round);
	f = fopen(tmp, "w");
	if (!f) {
		fail(errno, "serve: %s", tmp);
		return -1;
	}
	for (i = 0; i < nflows; i++) {
		struct flow *fl = &flows[i];

		fprintf(f, "%s sent %lu senderr %lu recv %lu whole %lu late %lu",
			fl->name, fl->sent, fl->senderr, fl->recv, fl->whole,
			fl->late);
		if (fl->first_err)
			fprintf(f, " error %s", strerror(fl->first_err));
		fputc('\n', f);
	}
	if (fclose(f) || rename(tmp, path)) {
		fail(errno, "serve: %s", path);
		return -1;
	}
	return 0;
}

static int exists_in(const char *dir, const char *name, unsigned int n)
{
	char path[PATH_MAX];

	if (n)
		snprintf(path, sizeof(path), "%s/%s.%u", dir, name, n);
	else
		snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

static int cmd_serve(int argc, char **argv)
{
	static struct flow flows[MAX_FLOWS];
	char path[PATH_MAX];
	unsigned long count;
	unsigned int round;
	int nflows = 0, i, ret = 1;
	FILE *f;

	if (argc < 4 || argc - 3 > MAX_FLOWS ||
	    parse_ulong(argv[1], 10000, &count) || !count)
		return usage_error(net_usage);
	home_cgroup = argv[2];
	for (i = 3; i < argc; i++) {
		if (flow_open(&flows[nflows], argv[i]))
			goto out;
		nflows++;
	}
	snprintf(path, sizeof(path), "%s/ready", argv[0]);
	f = fopen(path, "w");
	if (!f) {
		fail(errno, "serve: %s", path);
		goto out;
	}
	fprintf(f, "%d\n", (int)getpid());
	fclose(f);

	for (round = 1;; round++) {
		long deadline = now_ms() + SERVE_WAIT_S * 1000L;

		while (!exists_in(argv[0], "go", round)) {
			if (exists_in(argv[0], "quit", 0)) {
				ret = 0;
				goto out;
			}
			if (now_ms() > deadline) {
				fail(0, "serve: no round %u within %d s",
				     round, SERVE_WAIT_S);
				goto out;
			}
			nap_ms(20);
		}
		serve_round(flows, nflows, round, count);
		if (serve_report(argv[0], flows, nflows, round))
			goto out;
	}
out:
	for (i = 0; i < nflows; i++) {
		close(flows[i].snd);
		close(flows[i].rcv);
	}
	return ret;
}

/* --- count ------------------------------------------------------------ */

/* The unsigned integer of @size (1, 2, 4 or 8) bytes at @p (little endian). */
static int read_uint(const unsigned char *p, __u32 size,
		     unsigned long long *val)
{
	__u64 v = 0;

	if (size != 1 && size != 2 && size != 4 && size != 8)
		return -EINVAL;
	memcpy(&v, p, size);
	*val = v;
	return 0;
}

/*
 * Global @var in the data section map @fd (value type a BTF DATASEC):
 * 0 and its value, -ENOENT if the section has no such variable.
 */
static int map_global(int fd, const struct bpf_map_info *mi, const char *var,
		      unsigned long long *val)
{
	const struct btf_var_secinfo *vs;
	const struct btf_type *t;
	unsigned char *buf = NULL;
	struct btf *btf;
	__u32 key = 0;
	int k, ret = -ENOENT;

	btf = btf__load_from_kernel_by_id(mi->btf_id);
	if (!btf)
		return -ENOENT;
	t = btf__type_by_id(btf, mi->btf_value_type_id);
	if (!t || !btf_is_datasec(t))
		goto out;
	vs = btf_var_secinfos(t);
	for (k = 0; k < btf_vlen(t); k++, vs++) {
		const struct btf_type *vt = btf__type_by_id(btf, vs->type);

		if (vt && !strcmp(btf__name_by_offset(btf, vt->name_off), var))
			break;
	}
	if (k == btf_vlen(t))
		goto out;
	ret = -EINVAL;
	if (vs->offset + vs->size > mi->value_size)
		goto out;
	buf = calloc(1, mi->value_size);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	if (bpf_map_lookup_elem(fd, &key, buf))
		ret = -errno;
	else
		ret = read_uint(buf + vs->offset, vs->size, val);
out:
	free(buf);
	btf__free(btf);
	return ret;
}

/*
 * The value of global @var of the program @prog_fd: look through its maps
 * for a data section that has @var.
 */
static int prog_global(int prog_fd, const char *var, unsigned long long *val)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info), nr, i;
	__u32 *ids;
	int ret = -ENOENT, err;

	memset(&info, 0, sizeof(info));
	err = bpf_obj_get_info_by_fd(prog_fd, &info, &len);
	if (err)
		return -err_of(err);
	nr = info.nr_map_ids;
	ids = calloc(nr ? nr : 1, sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = nr;
	info.map_ids = (unsigned long)ids;
	len = sizeof(info);
	err = bpf_obj_get_info_by_fd(prog_fd, &info, &len);
	if (err) {
		free(ids);
		return -err_of(err);
	}
	for (i = 0; i < nr && ret == -ENOENT; i++) {
		struct bpf_map_info mi;
		__u32 mlen = sizeof(mi);
		int fd;

		fd = bpf_map_get_fd_by_id(ids[i]);
		if (fd < 0)
			continue;
		memset(&mi, 0, sizeof(mi));
		if (!bpf_obj_get_info_by_fd(fd, &mi, &mlen) && mi.btf_id &&
		    mi.btf_value_type_id && mi.type == BPF_MAP_TYPE_ARRAY)
			ret = map_global(fd, &mi, var, val);
		close(fd);
	}
	free(ids);
	return ret;
}

static int cmd_count(int argc, char **argv)
{
	int i, ret = 0;

	if (argc < 1)
		return usage_error(net_usage);
	for (i = 0; i < argc; i++) {
		char spec[PATH_MAX], *eq, *colon;
		unsigned long long val = 0;
		int fd, err;

		if (strlen(argv[i]) >= sizeof(spec)) {
			fail(ENAMETOOLONG, "count %s", argv[i]);
			return 1;
		}
		strcpy(spec, argv[i]);
		eq = strchr(spec, '=');
		colon = strrchr(spec, ':');
		if (!eq || !colon || colon < eq) {
			fail(0, "count: bad spec '%s'", argv[i]);
			return 1;
		}
		*eq = '\0';
		*colon = '\0';
		fd = bpf_obj_get(eq + 1);
		if (fd < 0) {
			fail(err_of(fd), "count: get %s", eq + 1);
			ret = 1;
			continue;
		}
		err = prog_global(fd, colon + 1, &val);
		close(fd);
		if (err) {
			fail(-err, "count: %s in %s", colon + 1, eq + 1);
			ret = 1;
			continue;
		}
		printf("%s %llu\n", spec, val);
	}
	return ret;
}

/* --- attach ----------------------------------------------------------- */

static int link_pin(int prog_fd, int target, enum bpf_attach_type type,
		    __u32 flags, const char *pin)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = flags);
	int link, err;

	link = bpf_link_create(prog_fd, target, type, &opts);
	if (link < 0) {
		fail(err_of(link), "link_create (attach type %d)", type);
		return -1;
	}
	err = bpf_obj_pin(link, pin);
	if (err)
		fail(err_of(err), "pin link %s", pin);
	close(link);
	return err ? -1 : 0;
}

/* What "link <kind> <prog-pin> <link-pin> [<how> ...]" attaches as. */
static const struct link_kind {
	const char *kind;
	int argc;
	const char *how;	/* argv[3]; NULL: none */
	enum bpf_attach_type type;
	__u32 flags;
} link_kinds[] = {
	{ "lsm", 3, NULL, BPF_LSM_MAC, 0 },
	{ "cgroup", 5, "ingress", BPF_CGROUP_INET_INGRESS, 0 },
	{ "cgroup", 5, "egress", BPF_CGROUP_INET_EGRESS, 0 },
	{ "cgroup", 5, "sock_create", BPF_CGROUP_INET_SOCK_CREATE, 0 },
	{ "cgroup", 5, "sysctl", BPF_CGROUP_SYSCTL, 0 },
	{ "xdp", 6, "drv", BPF_XDP, XDP_FLAGS_DRV_MODE },
	{ "xdp", 6, "skb", BPF_XDP, XDP_FLAGS_SKB_MODE },
	{ "tcx", 6, "ingress", NET_BPF_TCX_INGRESS, 0 },
	{ "tcx", 6, "egress", NET_BPF_TCX_EGRESS, 0 },
};

static const struct link_kind *link_kind_of(int argc, char **argv)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(link_kinds); i++) {
		const struct link_kind *k = &link_kinds[i];

		if (!strcmp(argv[0], k->kind) && argc == k->argc &&
		    (!k->how || !strcmp(argv[3], k->how)))
			return k;
	}
	return NULL;
}

static int cmd_link(int argc, char **argv)
{
	const struct link_kind *k;
	int prog, target = 0, orig = -1, ret = 1;
	bool cgroup;

	k = argc < 3 ? NULL : link_kind_of(argc, argv);
	if (!k)
		return usage_error(net_usage);
	cgroup = !strcmp(k->kind, "cgroup");
	prog = bpf_obj_get(argv[1]);
	if (prog < 0)
		return fail(err_of(prog), "get %s", argv[1]);
	if (cgroup) {
		target = open(argv[4], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (target < 0) {
			fail(errno, "open cgroup %s", argv[4]);
			goto out;
		}
	} else if (argc == 6) {
		if (netns_enter(argv[5], &orig))
			goto out;
		target = ifindex_of(argv[4]);
		if (!target)
			goto out;
	}
	ret = link_pin(prog, target, k->type, k->flags, argv[2]) ? 1 : 0;
out:
	if (cgroup && target > 0)
		close(target);
	if (netns_leave(orig))
		ret = 1;
	close(prog);
	return ret;
}

/*
 * "ext <obj> <pin-dir> <target-prog-pin> <link-pin>": load every program
 * of <obj> (freplace/<function>) as an extension of the pinned program,
 * pin it at <pin-dir>/<name>, print "<name> <id>", and attach it through
 * a pinned link.
 */
static int cmd_ext(int argc, char **argv)
{
	struct bpf_program *prog;
	struct bpf_object *obj;
	struct bpf_link *link;
	char pin[PATH_MAX];
	int target, err, ret = 1;

	if (argc != 4)
		return usage_error(net_usage);
	target = bpf_obj_get(argv[2]);
	if (target < 0)
		return fail(err_of(target), "get %s", argv[2]);
	if (mkdir_p(argv[1])) {
		fail(errno, "mkdir %s", argv[1]);
		goto out_target;
	}
	obj = bpf_object__open_file(argv[0], NULL);
	if (!obj) {
		fail(errno, "open %s", argv[0]);
		goto out_target;
	}
	bpf_object__for_each_program(prog, obj) {
		err = bpf_program__set_attach_target(prog, target, NULL);
		if (err) {
			fail(err_of(err), "attach target of %s",
			     bpf_program__name(prog));
			goto out;
		}
	}
	err = bpf_object__load(obj);
	if (err) {
		fail(err_of(err), "load %s", argv[0]);
		goto out;
	}
	bpf_object__for_each_program(prog, obj) {
		const char *func = strchr(bpf_program__section_name(prog), '/');
		struct bpf_prog_info info;

		if (!func) {
			fail(EINVAL, "%s: section is not freplace/<function>",
			     bpf_program__name(prog));
			goto out;
		}
		if (snprintf(pin, sizeof(pin), "%s/%s", argv[1],
			     bpf_program__name(prog)) >= (int)sizeof(pin)) {
			fail(ENAMETOOLONG, "pin %s", argv[1]);
			goto out;
		}
		err = bpf_program__pin(prog, pin);
		if (!err)
			err = prog_info(bpf_program__fd(prog), &info);
		if (err) {
			fail(err_of(err), "pin %s", pin);
			goto out;
		}
		link = bpf_program__attach_freplace(prog, target, func + 1);
		if (!link) {
			fail(errno, "attach %s to %s", bpf_program__name(prog),
			     func + 1);
			goto out;
		}
		err = bpf_link__pin(link, argv[3]);
		bpf_link__destroy(link);
		if (err) {
			fail(err_of(err), "pin link %s", argv[3]);
			goto out;
		}
		printf("%s %u\n", bpf_program__name(prog), info.id);
	}
	ret = 0;
out:
	bpf_object__close(obj);
out_target:
	close(target);
	return ret;
}

/*
 * "ext-link <ext-pin> <target-prog-pin> <function> <link-pin>": attach the
 * pinned extension to <function> of the pinned program (found in its BTF)
 * through a pinned link, as libbpf's bpf_program__attach_freplace() does.
 */
static int cmd_ext_link(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts);
	struct bpf_prog_info info;
	int ext, target, link, id, ret = 1;
	struct btf *btf = NULL;

	if (argc != 4)
		return usage_error(net_usage);
	ext = bpf_obj_get(argv[0]);
	if (ext < 0)
		return fail(err_of(ext), "get %s", argv[0]);
	target = bpf_obj_get(argv[1]);
	if (target < 0) {
		fail(err_of(target), "get %s", argv[1]);
		goto out_ext;
	}
	if (prog_info(target, &info) || !info.btf_id) {
		fail(ENOENT, "BTF of %s", argv[1]);
		goto out;
	}
	btf = btf__load_from_kernel_by_id(info.btf_id);
	if (!btf) {
		fail(errno, "load BTF %u", info.btf_id);
		goto out;
	}
	id = btf__find_by_name_kind(btf, argv[2], BTF_KIND_FUNC);
	if (id < 0) {
		fail(err_of(id), "function %s in %s", argv[2], argv[1]);
		goto out;
	}
	opts.target_btf_id = id;
	link = bpf_link_create(ext, target, 0, &opts);
	if (link < 0) {
		fail(err_of(link), "attach %s to %s", argv[0], argv[2]);
		goto out;
	}
	ret = bpf_obj_pin(link, argv[3]) ? fail(errno, "pin link %s", argv[3]) : 0;
	close(link);
out:
	btf__free(btf);
	close(target);
out_ext:
	close(ext);
	return ret;
}

/*
 * "xdp-run <prog-pin> <port> <count>": run the pinned XDP program <count>
 * times (BPF_PROG_TEST_RUN) on an Ethernet/IPv4/UDP frame to <port>;
 * print "retval <R>".
 */
static int cmd_xdp_run(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	unsigned char frame[64] = { 0 };
	unsigned int port;
	int prog, err;

	if (argc != 3)
		return usage_error(net_usage);
	port = strtoul(argv[1], NULL, 10);
	/* Ethernet: type IPv4; IPv4: version 4, IHL 5, UDP; UDP: the port. */
	frame[12] = 0x08;
	frame[14] = 0x45;
	frame[17] = sizeof(frame) - 14;
	frame[22] = 64;
	frame[23] = IPPROTO_UDP;
	frame[36] = port >> 8;
	frame[37] = port & 0xff;
	frame[39] = sizeof(frame) - 34;
	prog = bpf_obj_get(argv[0]);
	if (prog < 0)
		return fail(err_of(prog), "get %s", argv[0]);
	opts.data_in = frame;
	opts.data_size_in = sizeof(frame);
	opts.repeat = strtoul(argv[2], NULL, 10);
	err = bpf_prog_test_run_opts(prog, &opts);
	close(prog);
	if (err)
		return fail(err_of(err), "test run %s", argv[0]);
	printf("retval %u\n", opts.retval);
	return 0;
}

static int touch_in(const char *dir, const char *name)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f) {
		fail(errno, "%s", path);
		return -1;
	}
	fprintf(f, "%d\n", (int)getpid());
	return fclose(f) ? -1 : 0;
}

static int cmd_hold_lsm(int argc, char **argv)
{
	long deadline;
	int prog, link;

	if (argc != 2)
		return usage_error(net_usage);
	prog = bpf_obj_get(argv[0]);
	if (prog < 0) {
		fail(err_of(prog), "get %s", argv[0]);
		touch_in(argv[1], "failed");
		return 1;
	}
	link = bpf_link_create(prog, 0, BPF_LSM_MAC, NULL);
	close(prog);
	if (link < 0) {
		fail(err_of(link), "attach %s", argv[0]);
		touch_in(argv[1], "failed");
		return 1;
	}
	if (touch_in(argv[1], "held")) {
		close(link);
		return 1;
	}
	deadline = now_ms() + HOLD_WAIT_S * 1000L;
	while (!exists_in(argv[1], "release", 0) && now_ms() < deadline)
		nap_ms(20);
	/* The last reference: released here, in process context. */
	close(link);
	return 0;
}

static int cmd_tc_attach(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_tc_hook, hook);
	LIBBPF_OPTS(bpf_tc_opts, opts);
	unsigned long prio;
	int prog, orig, err, ret = 1;

	if (argc != 5 || parse_ulong(argv[4], 0xffff, &prio) || !prio ||
	    (strcmp(argv[1], "ingress") && strcmp(argv[1], "egress")))
		return usage_error(net_usage);
	prog = bpf_obj_get(argv[0]);
	if (prog < 0) {
		fail(err_of(prog), "get %s", argv[0]);
		return 1;
	}
	if (netns_enter(argv[3], &orig)) {
		close(prog);
		return 1;
	}
	hook.ifindex = ifindex_of(argv[2]);
	if (!hook.ifindex)
		goto out;
	hook.attach_point = strcmp(argv[1], "ingress") ? BPF_TC_EGRESS :
							  BPF_TC_INGRESS;
	err = bpf_tc_hook_create(&hook);
	if (err && err_of(err) != EEXIST) {
		fail(err_of(err), "create clsact on %s", argv[2]);
		goto out;
	}
	opts.prog_fd = prog;
	opts.priority = prio;
	opts.handle = 1;
	err = bpf_tc_attach(&hook, &opts);
	if (err) {
		fail(err_of(err), "tc attach %s on %s %s", argv[0],
		     argv[2], argv[1]);
		goto out;
	}
	ret = 0;
out:
	if (netns_leave(orig))
		ret = 1;
	close(prog);
	return ret;
}

static int cmd_tc_detach(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_tc_hook, hook);
	int orig, err, ret = 1;

	if (argc != 2)
		return usage_error(net_usage);
	if (netns_enter(argv[1], &orig))
		return 1;
	hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
	hook.ifindex = ifindex_of(argv[0]);
	if (hook.ifindex) {
		err = bpf_tc_hook_destroy(&hook);
		if (err)
			fail(err_of(err), "delete clsact on %s", argv[0]);
		else
			ret = 0;
	}
	if (netns_leave(orig))
		ret = 1;
	return ret;
}

/* --- cgroup probes ------------------------------------------------------ */

static int cmd_sock_create(int argc, char **argv)
{
	unsigned long count, i, created = 0, denied = 0, other = 0;
	int first_err = 0;

	if (argc != 2 || parse_ulong(argv[1], 100000, &count))
		return usage_error(net_usage);
	if (cgroup_enter(argv[0]))
		return 1;
	for (i = 0; i < count; i++) {
		int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

		if (fd >= 0) {
			created++;
			close(fd);
		} else if (errno == EPERM) {
			denied++;
		} else {
			other++;
			if (!first_err)
				first_err = errno;
		}
	}
	printf("created %lu denied %lu other %lu\n", created, denied, other);
	if (first_err)
		fail(first_err, "sock-create: other error");
	return 0;
}

static int cmd_sysctl_read(int argc, char **argv)
{
	unsigned long count, i, nread = 0, denied = 0, other = 0;
	int first_err = 0;

	if (argc != 3 || parse_ulong(argv[2], 100000, &count))
		return usage_error(net_usage);
	if (cgroup_enter(argv[0]))
		return 1;
	for (i = 0; i < count; i++) {
		char buf[256];
		int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
		ssize_t n;

		if (fd < 0) {
			other++;
			if (!first_err)
				first_err = errno;
			continue;
		}
		n = read(fd, buf, sizeof(buf));
		if (n > 0) {
			nread++;
		} else if (n < 0 && errno == EPERM) {
			denied++;
		} else {
			other++;
			if (!first_err)
				first_err = n < 0 ? errno : ENODATA;
		}
		close(fd);
	}
	printf("read %lu denied %lu other %lu\n", nread, denied, other);
	if (first_err)
		fail(first_err, "sysctl-read: other error");
	return 0;
}

int cmd_net(int argc, char **argv)
{
	static const struct cmd subs[] = {
		{ "serve", cmd_serve },
		{ "count", cmd_count },
		{ "link", cmd_link },
		{ "ext", cmd_ext },
		{ "ext-link", cmd_ext_link },
		{ "xdp-run", cmd_xdp_run },
		{ "hold-lsm", cmd_hold_lsm },
		{ "tc-attach", cmd_tc_attach },
		{ "tc-detach", cmd_tc_detach },
		{ "sock-create", cmd_sock_create },
		{ "sysctl-read", cmd_sysctl_read },
	};
	const struct cmd *sub;

	report_as(PROG ": net", err_text_nonzero);
	if (argc < 1)
		return usage_error(net_usage);
	if (!strcmp(argv[0], "-h") || !strcmp(argv[0], "help")) {
		fputs(net_usage, stdout);
		return 0;
	}
	sub = find_cmd(subs, ARRAY_SIZE(subs), argv[0]);
	if (sub)
		return sub->fn(argc - 1, argv + 1);
	fail(0, "unknown subcommand %s", argv[0]);
	return usage_error(net_usage);
}
