/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lsmrevoke(8): the command-line side of the lsmrevoke module.
 *
 * Everything it knows comes from two places: the module's securityfs
 * directory (programs, requirements, stats, events, ...; sfs.c and
 * requirements.c) and the kernel's own BPF syscall (program and link
 * information; bpfinfo.c), and for plan also sched_ext's sysfs directory
 * and struct_ops maps (scx.c). It names no requirement itself: the module's
 * requirements file lists them. Each subcommand lives in a file of its
 * own and returns an exit status: 0, 1 (an error, or for "hidden" a
 * hidden program) or 2 (a usage error).
 */
#ifndef LSMREVOKE_TOOL_H
#define LSMREVOKE_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

#define PROG_NAME	"lsmrevoke"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define EXIT_OK		0
#define EXIT_FAIL	1
#define EXIT_USAGE	2
/* status: a program the policy denies keeps running (unrevocable) */
#define EXIT_UNREVOCABLE	3

/* Overridable at build time, for development against a fake tree only. */
#ifndef SFS_DIR
#define SFS_DIR		"/sys/kernel/security/lsmrevoke"
#endif
#ifndef LOCKDOWN_FILE
#define LOCKDOWN_FILE	"/sys/kernel/security/lockdown"
#endif
#ifndef PARAM_DIR
#define PARAM_DIR	"/sys/module/lsmrevoke/parameters"
#endif

/* main.c */
struct subcmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *synopsis;
	const char *help;
};

void do_warn_errno(int err, const char *fmt, ...);
void do_warn_msg(const char *fmt, ...);
int do_usage_error(const char *cmd, const char *fmt, ...);

/*
 * The formats of the three are checked as printf()'s: user space has no
 * __printf(), so each is a macro that also hands its arguments to a
 * printf() that is never called, as the kernel's no_printk() does.
 */
#define check_format(...)	((void)(0 && printf(__VA_ARGS__)))
#define warn_errno(err, ...) \
	(check_format(__VA_ARGS__), do_warn_errno(err, __VA_ARGS__))
#define warn_msg(...) \
	(check_format(__VA_ARGS__), do_warn_msg(__VA_ARGS__))
#define usage_error(cmd, ...) \
	(check_format(__VA_ARGS__), do_usage_error(cmd, __VA_ARGS__))

int parse_opts(int argc, char **argv, const char *cmd, bool *json,
	       int *optind_out);
bool is_help(const char *arg);
void print_usage(FILE *f, const char *cmd);

/* requirements.c: the module's requirements table */

/* Lockdown levels as the kernel orders them: none < integrity < conf. */
#define LEVEL_NONE		0
#define LEVEL_INTEGRITY		1
#define LEVEL_CONFIDENTIALITY	2
#define NR_LEVELS		3

extern const char * const level_names[NR_LEVELS];

/* The module's requirement flags are a u32: bit k is row k of the table. */
#define MAX_REQ		32

/* One row of the module's requirements file. */
struct req_info {
	char name[32];		/* as in programs: bpf_read_kernel, ... */
	char reason[48];	/* the lockdown reason, "" when none */
	int reason_nr;		/* in this kernel's enum lockdown_reason, or -1 */
	int level;		/* lowest lockdown level that denies it, or 0 */
	__u32 strict_adds;	/* the requirements strict mode adds to it */
	char what[256];		/* what needs it: "needed by <what>" */
};

struct req_table {
	struct req_info v[MAX_REQ];
	unsigned int n;
};

#define REQ_BIT(r)	(1U << (r))

int sfs_requirements(struct req_table *rt);
int req_by_name(const struct req_table *rt, const char *name);
bool req_gated(const struct req_info *req);
size_t req_names(const struct req_table *rt, __u32 flags, const char *sep,
		 char *buf, size_t len);

/* sfs.c: the module's files */
#define NO_SITE		(-1L)

struct prog_entry {
	__u32 id;
	char type[32];
	char name[32];		/* "" when the program has none */
	__u32 requires;		/* REQ_BIT() of its requirements */
	char state[24];		/* active, revoked, unrevocable, ... */
	char why[32];		/* for unrevocable, else "" */
	long uid;		/* the module's uid= (euid), -1 for "-" */
	char src[8];		/* load or walk */
	long site[MAX_REQ];	/* first instruction, or NO_SITE */
	__u32 own;		/* named in sites=: found in its code */
	/* loader= as the module writes it: "<comm>:<pid>", the name
	 * escaped, or "walk"; "" from a module older than the field
	 */
	char loader[72];
	char comm[20];		/* the loader's name, unescaped; "" unknown */
	long pid;		/* the loader's PID, -1 when unknown */
};

/* The programs file and the requirements its flags and names refer to. */
struct prog_table {
	struct prog_entry *v;
	size_t n;
	struct req_table req;
};

struct kv {
	char key[32];
	long long value;
};

struct kv_list {
	struct kv v[32];
	size_t n;
};

int sfs_present(void);
int sfs_read(const char *file, char **buf);
int sfs_write(const char *file, const char *val);
int sfs_open(const char *file, int flags);
int sfs_programs(struct prog_table *t);
const struct prog_entry *sfs_find(const struct prog_table *t, __u32 id);
int sfs_stats(struct kv_list *kv);
long long kv_get(const struct kv_list *kv, const char *key);
int sfs_word(const char *file, char *buf, size_t len);
int read_word(const char *path, char *buf, size_t len);
int lockdown_level(char *name, size_t len);

/* bpfinfo.c: what the kernel tells through bpf(2) */
#define MAX_ATTACH	8

struct attach {
	__u32 link_id;
	char link_type[24];
	char attach_type[32];	/* "" when the link has none */
	char target[128];	/* "" when the kernel does not tell */
};

struct prog_kinfo {
	bool found;		/* the kernel still has the program */
	__u32 uid;
	__u64 load_time;	/* ns since boot */
	unsigned int nr_attach;
	struct attach attach[MAX_ATTACH];
};

struct link_table;
struct btf;

struct btf *kernel_vmlinux_btf(void);
struct link_table *links_load(void);
void links_free(struct link_table *lt);
size_t links_find(const struct link_table *lt, const char *attach_type,
		  const char *target, __u32 *ids, size_t max);
int prog_kinfo(__u32 id, const struct link_table *lt, struct prog_kinfo *ki);
long long boot_to_unix(__u64 boot_ns);
long long mono_to_unix_ns(__u64 mono_ns);
void format_time(long long unix_s, char *buf, size_t len);
int prog_insn(__u32 id, long idx, char *buf, size_t len);
void attach_str(const struct attach *a, char *buf, size_t len);

/* scx.c: the sched_ext root scheduler in service */
struct scx_root {
	char ops[128];		/* its name; "" when none the module follows */
	char unknown[128];	/* why its programs are not known, or "" */
	__u32 *ids;		/* its programs */
	size_t n;
};

void scx_root_load(struct scx_root *r, const struct link_table *lt);
bool scx_root_prog(const struct scx_root *r, __u32 id);
void scx_root_free(struct scx_root *r);

/* json.c: a small writer of compact JSON */
struct json {
	FILE *f;
	int depth;
	bool first[16];
	bool after_key;
};

void json_init(struct json *j, FILE *f);
void json_obj(struct json *j);
void json_obj_end(struct json *j);
void json_arr(struct json *j);
void json_arr_end(struct json *j);
void json_key(struct json *j, const char *key);
void json_str(struct json *j, const char *s);
void json_int(struct json *j, long long v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);
void json_bytes(struct json *j, const char *s);

/* the subcommands */
int cmd_status(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_revalidate(int argc, char **argv);
int cmd_mode(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_hidden(int argc, char **argv);
int cmd_plan(int argc, char **argv);

#endif /* LSMREVOKE_TOOL_H */
