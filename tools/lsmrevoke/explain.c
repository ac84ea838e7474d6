// SPDX-License-Identifier: GPL-2.0
/*
 * lsmrevoke explain ID: why a program is in its state.
 *
 * For each requirement: the instructions that need it and the first one
 * the module found (decoded from the kernel's verified code), and what the
 * lockdown level answers. lsmrevoke(8) can evaluate lockdown itself; a
 * BPF-LSM program on the locked_down hook (or another LSM) can deny more,
 * which only the module sees, so its verdict (the state) is shown too,
 * with the BPF-LSM programs attached to locked_down. Last, what the
 * program returns while revoked (docs/stub-semantics.md).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "lsmrevoke.h"

struct stub {
	const char *type;
	const char *detach;
	const char *deny;
	const char *why;
};

static const struct stub stubs[] = {
	{ "socket_filter", "UINT_MAX", "0",
	  "the whole packet is kept, as with no filter" },
	{ "kprobe", "1", "0",
	  "the perf event records the sample, as with no program" },
	{ "tracepoint", "1", "0",
	  "the perf event records the sample, as with no program" },
	{ "perf_event", "1", "0",
	  "the event's own overflow handler runs, as with no program" },
	{ "raw_tracepoint", "0", "0", "the return value is ignored" },
	{ "raw_tracepoint_writable", "0", "0", "the return value is ignored" },
	{ "tracing", "0", "0",
	  "fentry, fexit and tp_btf ignore it; fmod_ret 0 keeps the original function's result; an iterator prints nothing",
	},
	{ "lsm", "0", "-EPERM",
	  "0 is no objection, as with no BPF-LSM program (lsm_cgroup: 1 allows / 0 denies)" },
	{ "xdp", "XDP_PASS (2)", "XDP_DROP (1)",
	  "the packet goes up the stack as without a program" },
	{ "sched_cls", "TC_ACT_UNSPEC (-1)", "TC_ACT_SHOT (2)",
	  "no verdict: the next filter (or tcx program) decides" },
	{ "sched_act", "TC_ACT_PIPE (3)", "TC_ACT_SHOT (2)",
	  "the next action runs, as if this one were absent" },
	{ "cgroup_skb", "1", "0", "1 allows the packet" },
	{ "cgroup_sock", "1", "0", "1 allows the operation" },
	{ "cgroup_sock_addr", "1", "0",
	  "1 allows the operation with the address untouched (recvmsg, getpeername and getsockname hooks: 1 in both modes)",
	},
	{ "cgroup_device", "1", "0", "1 allows the access" },
	{ "cgroup_sysctl", "1", "0", "1 allows the read or write" },
	{ "cgroup_sockopt", "1", "0", "1 lets the kernel handle the option" },
	{ "sock_ops", "1", "0", "the callback's reply is left untouched" },
	{ "sk_skb", "SK_PASS (1)", "SK_DROP (0)",
	  "the skb is delivered (a stream parser returns skb->len in both modes)" },
	{ "sk_msg", "SK_PASS (1)", "SK_DROP (0)", "the message is sent" },
	{ "sk_reuseport", "SK_PASS (1)", "SK_DROP (0)",
	  "the socket is picked by hash, as with no program" },
	{ "sk_lookup", "SK_PASS (1)", "SK_DROP (0)",
	  "the normal socket lookup continues" },
	{ "lwt_in", "BPF_OK (0)", "BPF_DROP (2)", "normal routing continues" },
	{ "lwt_out", "BPF_OK (0)", "BPF_DROP (2)", "normal routing continues" },
	{ "lwt_xmit", "BPF_OK (0)", "BPF_DROP (2)",
	  "normal transmission continues" },
	{ "lwt_seg6local", "BPF_OK (0)", "BPF_DROP (2)",
	  "normal processing continues" },
	{ "lirc_mode2", "0", "0", "the return value is ignored" },
	{ "flow_dissector", "BPF_FLOW_DISSECTOR_CONTINUE (129)",
	  "BPF_DROP (2)", "the kernel's own dissector handles the packet" },
	{ "syscall", "0", "-EPERM",
	  "BPF_PROG_TEST_RUN sees success without effect" },
	{ "netfilter", "NF_ACCEPT (1)", "NF_DROP (0)",
	  "the packet continues through the hook" },
};

static const struct {
	const char *why;
	const char *text;
} whys[] = {
	{ "interpreted",
	  "it runs in the interpreter (bpf_jit_enable=0): there is no JIT image to patch" },
	{ "entry_in_use",
	  "an fentry, fexit or freplace program is attached to it: its entry is taken" },
	{ "no_ksym", "the kernel has no symbol for its image" },
	{ "struct_ops",
	  "struct_ops programs implement kernel operations: there is no neutral value to return" },
	{ "ext", "an freplace program (older modules; now revoked as if detached)" },
	{ "unknown_type", "lsmrevoke knows no stub value for its program type" },
	{ "out_of_range",
	  "its image is out of reach of a jump to the module's stubs" },
	{ "poke_failed", "patching its entry failed" },
	{ "nomem", "there was no memory for the revocation" },
	{ "unknown_layout", "its JIT image does not start as lsmrevoke expects" },
};

static const struct stub *stub_of(const char *type)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(stubs); i++)
		if (!strcmp(stubs[i].type, type))
			return &stubs[i];
	return NULL;
}

static const char *why_text(const char *why)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(whys); i++)
		if (!strcmp(whys[i].why, why))
			return whys[i].text;
	return "the module gives no further reason";
}

static bool has_attach(const struct prog_kinfo *ki, const char *attach_type)
{
	unsigned int i;

	for (i = 0; i < ki->nr_attach; i++)
		if (!strcmp(ki->attach[i].attach_type, attach_type))
			return true;
	return false;
}

static void print_return(const struct prog_entry *e,
			 const struct prog_kinfo *ki, const char *on_revoke)
{
	const struct stub *s = stub_of(e->type);
	const char *detach, *deny, *why;
	bool is_deny = !strcmp(on_revoke, "deny");

	printf("\n%s (on_revoke=%s):\n",
	       !strcmp(e->state, "revoked") ? "while revoked" :
	       "if revoked", on_revoke);
	if (!s) {
		printf("  nothing: a %s program cannot be revoked, it keeps running\n",
		       e->type);
		return;
	}
	detach = s->detach;
	deny = s->deny;
	why = s->why;
	if (!strcmp(e->type, "lsm") && has_attach(ki, "lsm_cgroup")) {
		detach = "1";
		deny = "0";
		why = "per-cgroup LSM programs allow with 1";
	}
	printf("  returns %s: %s\n", is_deny ? deny : detach,
	       is_deny ? "the fail-closed value" : why);
	printf("  (on_revoke=%s: %s)\n", is_deny ? "detach" : "deny",
	       is_deny ? detach : deny);
	printf("  its subprograms and callbacks return 0; it stays loaded, attached and pinned\n");
}

/* What explain shows besides the program: the policy in force. */
struct policy {
	char mode[16], strict[8], on_revoke[16], level_name[24];
	int level;		/* the lockdown level, or -1 without lockdown */
	size_t nr_lsm;		/* BPF-LSM programs on locked_down */
};

static bool is_strict(const struct policy *pol)
{
	return !strcmp(pol->strict, "1");
}

/* Does lockdown at the level in force deny @req? */
static bool lockdown_denies(const struct req_info *req,
			    const struct policy *pol)
{
	return req_gated(req) && pol->level >= req->level;
}

/*
 * The requirements in whose strict_adds @r is, that is, what strict mode
 * counts as @r: those @e has, or all when it has none of them.
 */
static __u32 strict_sources(const struct req_table *rt,
			    const struct prog_entry *e, unsigned int r)
{
	__u32 from = 0;
	unsigned int s;

	for (s = 0; s < rt->n; s++)
		if (s != r && (rt->v[s].strict_adds & REQ_BIT(r)))
			from |= REQ_BIT(s);
	return from & e->requires ? from & e->requires : from;
}

static void print_site(const struct prog_entry *e, unsigned int r)
{
	char insn[160];

	if (e->site[r] == NO_SITE)
		printf("    first site: none: the whole program (not seen verified)\n");
	else if (prog_insn(e->id, e->site[r], insn, sizeof(insn)))
		printf("    first site: instruction %ld\n", e->site[r]);
	else
		printf("    first site: instruction %ld: %s\n", e->site[r],
		       insn);
}

/* What needs requirement @r in @e: its own instruction, or strict mode. */
static void print_needed_by(const struct req_table *rt,
			    const struct prog_entry *e, unsigned int r,
			    const struct policy *pol)
{
	__u32 from = strict_sources(rt, e, r);
	char names[MAX_REQ * 32];

	if (e->site[r] == NO_SITE && is_strict(pol) && from) {
		req_names(rt, from, " and ", names, sizeof(names));
		printf("    because strict mode counts %s as %s\n", names,
		       rt->v[r].name);
		return;
	}
	printf("    needed by %s\n", rt->v[r].what);
	print_site(e, r);
}

static void print_lockdown_answer(const struct req_info *req,
				  const struct policy *pol)
{
	if (!req_gated(req))
		return;
	if (pol->level < 0)
		printf("    lockdown: not active, allows it\n");
	else if (lockdown_denies(req, pol))
		printf("    lockdown (%s): denies it\n", pol->level_name);
	else
		printf("    lockdown (%s): allows it (denied from %s on)\n",
		       pol->level_name, level_names[req->level]);
}

static void print_requirements(const struct req_table *rt,
			       const struct prog_entry *e,
			       const struct policy *pol)
{
	unsigned int r;

	printf("\nrequires:\n");
	if (!e->requires)
		printf("  nothing lockdown can deny\n");
	for (r = 0; r < rt->n; r++) {
		const struct req_info *req = &rt->v[r];

		if (!(e->requires & REQ_BIT(r)))
			continue;
		if (req->reason[0])
			printf("  %s: lockdown reason %s (%d)\n", req->name,
			       req->reason, req->reason_nr);
		else
			printf("  %s: no lockdown reason (informational)\n",
			       req->name);
		print_needed_by(rt, e, r, pol);
		print_lockdown_answer(req, pol);
	}
}

/* "; strict: btf_read counts as bpf_read_kernel", from the strict_adds. */
static void print_strict_adds(const struct req_table *rt)
{
	char names[MAX_REQ * 32];
	unsigned int r, n = 0;

	printf("; strict");
	for (r = 0; r < rt->n; r++) {
		if (!req_names(rt, rt->v[r].strict_adds, " and ", names,
			       sizeof(names)))
			continue;
		printf("%s%s counts as %s", n++ ? ", " : ": ", rt->v[r].name,
		       names);
	}
}

static void print_lsm_progs(const struct prog_table *t,
			    const struct link_table *lt, struct policy *pol)
{
	__u32 ids[16];
	size_t i, n;

	n = links_find(lt, "lsm_mac", "bpf_lsm_locked_down", ids,
		       ARRAY_SIZE(ids));
	pol->nr_lsm = n;
	for (i = 0; i < n; i++) {
		const struct prog_entry *d = sfs_find(t, ids[i]);

		printf("  BPF-LSM on locked_down: prog %u%s%s: %s\n", ids[i],
		       d && d->name[0] ? " " : "",
		       d && d->name[0] ? d->name : "",
		       "may deny any reason; lsmrevoke(8) cannot evaluate it, the module's verdict includes it");
	}
	if (!n)
		printf("  BPF-LSM on locked_down: %s\n",
		       "none attached through a link (another LSM may still deny)");
}

static void print_policy(const struct prog_table *t,
			 const struct link_table *lt, struct policy *pol)
{
	printf("\npolicy:\n");
	if (pol->level_name[0])
		printf("  lockdown: %s (" LOCKDOWN_FILE ")\n", pol->level_name);
	else
		printf("  lockdown: not active (no " LOCKDOWN_FILE ")\n");
	print_lsm_progs(t, lt, pol);
	printf("  mode: %s", pol->mode);
	if (is_strict(pol))
		print_strict_adds(&t->req);
	printf("\n");
}

static void print_revoked(bool by_lockdown, const struct policy *pol)
{
	if (by_lockdown) {
		printf("  policy denies what it requires: lockdown does\n");
		return;
	}
	printf("  %s: the denial comes from %s\n",
	       "policy denies what it requires, though lockdown alone allows it",
	       pol->nr_lsm ? "the BPF-LSM program(s) on locked_down above" :
	       "another LSM's locked_down hook");
}

static void print_active(bool gated, bool by_lockdown,
			 const struct policy *pol)
{
	if (!gated)
		printf("  it needs nothing policy can deny\n");
	else if (!strcmp(pol->mode, "audit"))
		printf("  audit mode: denials are logged, nothing is revoked\n");
	else if (by_lockdown)
		printf("  lockdown denies it now but %s\n",
		       "the module has not judged it yet (lsmrevoke revalidate)");
	else
		printf("  policy allows every requirement for its loader\n");
}

static void print_verdict(const struct req_table *rt,
			  const struct prog_entry *e,
			  const struct policy *pol)
{
	bool gated = false, by_lockdown = false;
	unsigned int r;

	for (r = 0; r < rt->n; r++) {
		if (!(e->requires & REQ_BIT(r)) || !req_gated(&rt->v[r]))
			continue;
		gated = true;
		if (pol->level >= 0 && lockdown_denies(&rt->v[r], pol))
			by_lockdown = true;
	}
	printf("\nverdict (the module's): %s%s%s\n", e->state,
	       e->why[0] ? ":" : "", e->why);
	if (!strcmp(e->state, "revoked"))
		print_revoked(by_lockdown, pol);
	else if (!strcmp(e->state, "unrevocable"))
		printf("  policy denies what it requires, but it cannot be revoked: %s; %s\n",
		       why_text(e->why),
		       "it keeps running (retried on every pass)");
	else if (!strcmp(e->state, "active"))
		print_active(gated, by_lockdown, pol);
	else if (!strcmp(e->state, "withdrawn"))
		printf("  withdrawn: its sched_ext scheduler was taken out of service %s; %s\n",
		       "(its exit path: tasks back in the fair class) because policy denied what it requires",
		       "one-way: a policy that allows it does not enable the scheduler again, its loader must register it again");
	else
		printf("  its state is changing right now\n");
}

/* The program's identity, history and links. */
static void print_program(const struct prog_entry *e,
			  const struct prog_kinfo *ki)
{
	char loaded[40], a[200];
	unsigned int i;

	printf("prog %u: %s (%s), %s%s%s\n", e->id,
	       e->name[0] ? e->name : "-", e->type, e->state,
	       e->why[0] ? ":" : "", e->why);
	if (ki->found) {
		format_time(boot_to_unix(ki->load_time), loaded,
			    sizeof(loaded));
		printf("  loaded by uid %u at %s", ki->uid, loaded);
	} else {
		printf("  freed by the kernel since the module listed it");
	}
	printf("; %s\n", !strcmp(e->src, "walk") ?
	       "found when the module was loaded" :
	       "tracked since its load");
	if (e->pid >= 0)
		printf("  loader: %.*s, pid %ld\n",
		       (int)(strrchr(e->loader, ':') - e->loader), e->loader,
		       e->pid);
	else if (!strcmp(e->loader, "walk"))
		printf("  loader: walk (%s)\n",
		       "found by the module's walk: no loader known");
	else
		printf("  loader: not reported by the module\n");
	for (i = 0; i < ki->nr_attach; i++) {
		attach_str(&ki->attach[i], a, sizeof(a));
		printf("  attached: %s link %u (%s)\n", ki->attach[i].link_type,
		       ki->attach[i].link_id, a);
	}
	if (!ki->nr_attach)
		printf("  attached: through no link (%s)\n",
		       "attachments without a link are not visible");
}

static int parse_id(const char *s, __u32 *id)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || !v || v > 0xffffffffUL ||
	    s[0] == '-' || s[0] == '+')
		return -EINVAL;
	*id = v;
	return 0;
}

/* The program ID operand; returns -1 to go on, else an exit status. */
static int parse_explain(int argc, char **argv, __u32 *id)
{
	int ret, first;

	ret = parse_opts(argc, argv, "explain", NULL, &first);
	if (ret >= 0)
		return ret;
	if (first >= argc)
		return usage_error("explain", "explain: no program ID given");
	if (first + 1 < argc)
		return usage_error("explain", "explain: unexpected argument %s",
				   argv[first + 1]);
	if (parse_id(argv[first], id))
		return usage_error("explain", "explain: %s is not a program ID",
				   argv[first]);
	return -1;
}

/* For a program the module does not list: does the kernel have it? */
static void report_untracked(__u32 id)
{
	int fd = bpf_prog_get_fd_by_id(id);

	warn_errno(ENOENT, "prog %u", id);
	if (fd < 0)
		return;
	warn_msg("prog %u exists but lsmrevoke does not track it (yet): try again",
		 id);
	close(fd);
}

/* The rest of the policy, once the program is known to be listed. */
static void read_policy(struct policy *pol)
{
	read_word(PARAM_DIR "/on_revoke", pol->on_revoke,
		  sizeof(pol->on_revoke));
	pol->level = lockdown_level(pol->level_name, sizeof(pol->level_name));
	if (pol->level < 0)
		pol->level_name[0] = '\0';
}

/* Explains program @id, when the module lists it. */
static int explain(const struct prog_table *t, __u32 id, struct policy *pol)
{
	const struct prog_entry *e = sfs_find(t, id);
	struct link_table *lt;
	struct prog_kinfo ki;
	int ret;

	if (!e) {
		report_untracked(id);
		return EXIT_FAIL;
	}
	read_policy(pol);
	lt = links_load();
	ret = prog_kinfo(id, lt, &ki);
	if (ret)
		warn_errno(-ret, "prog %u: bpf_prog_get_info_by_fd", id);
	print_program(e, &ki);
	print_requirements(&t->req, e, pol);
	print_policy(t, lt, pol);
	print_verdict(&t->req, e, pol);
	print_return(e, &ki, pol->on_revoke);
	links_free(lt);
	return EXIT_OK;
}

int cmd_explain(int argc, char **argv)
{
	struct policy pol = { .on_revoke = "detach" };
	struct prog_table t;
	int ret;
	__u32 id = 0;

	ret = parse_explain(argc, argv, &id);
	if (ret >= 0)
		return ret;
	if (sfs_programs(&t))
		return EXIT_FAIL;
	ret = EXIT_FAIL;
	if (!sfs_word("mode", pol.mode, sizeof(pol.mode)) &&
	    !sfs_word("strict", pol.strict, sizeof(pol.strict)))
		ret = explain(&t, id, &pol);
	free(t.v);
	return ret;
}
