/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lsmrevoke-test: the helpers its command groups share (testlib.c) and
 * the groups' entry points (tests/loader/<group>.c each).
 *
 * Messages go to stderr as "<prefix>: <what>: <error>", where the group
 * that runs chooses the prefix and how an errno is named (report_as());
 * fail() returns 1, the exit status of a command that could not run.
 */
#ifndef LSMREVOKE_TEST_TESTLIB_H
#define LSMREVOKE_TEST_TESTLIB_H

#include <stdbool.h>
#include <stddef.h>

#include <linux/types.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
/* A macro's value as a string literal: STR(CHURN_HOLD) is "4". */
#define STR(x)		STR_(x)
#define STR_(x)		#x

#define PROGRAMS	"/sys/kernel/security/lsmrevoke/programs"

/* --- command groups: lsmrevoke-test <group> <sub> [args] -------------- */

int cmd_trace(int argc, char **argv);
int cmd_net(int argc, char **argv);
int cmd_strict(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_cli(int argc, char **argv);
int cmd_robust(int argc, char **argv);

/* A command of a dispatch table. */
struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
};

const struct cmd *find_cmd(const struct cmd *cmds, size_t n, const char *name);

/* --- messages ---------------------------------------------------------- */

const char *err_text(int err);
const char *err_text_nonzero(int err);
const char *errname(int err);
void report_as(const char *prefix, const char *(*err_str)(int err));
int fail(int err, const char *fmt, ...);
int usage_error(const char *text);

/* --- arguments, files, time ------------------------------------------- */

int err_of(long ret);
int parse_ulong(const char *s, unsigned long max, unsigned long *out);
int mkdir_p(const char *path);
int pin_at(char *buf, const char *dir, const char *prefix, const char *name);
char *read_close(int fd);
char *read_file(const char *path);
__u64 now_ns(void);

/* --- programs and objects --------------------------------------------- */

int prog_info(int fd, struct bpf_prog_info *info);
__u32 prog_id(int fd);
struct bpf_object *open_and_load(const char *path, const char *const *only);
struct bpf_object *open_and_load_quiet(const char *path);
int pin_maps(struct bpf_object *obj, const char *dir, const char *prefix);
int attach_and_pin(struct bpf_program *prog, const char *dir,
		   const char *link_prefix, const char *what, bool optional);

/* --- lsmrevoke's programs file ----------------------------------------- */

const char *programs_line(const char *programs, __u32 id);
int line_field(const char *line, int field, char *buf, size_t size);
int prog_state(const char *programs, __u32 id, char *state, size_t size);

/* --- globals: a data section map (.bss, .data) mapped with its BTF ---- */

struct datasec {
	int fd;
	unsigned char *mem;
	size_t len;
	struct btf *btf;
	const struct btf_type *sec;
};

int datasec_open(struct datasec *s, int fd, const char *what, int prot);
void *datasec_var(const struct datasec *s, const char *name, __u32 *size);
void datasec_close(struct datasec *s, bool own_fd);

#endif /* LSMREVOKE_TEST_TESTLIB_H */
