// SPDX-License-Identifier: GPL-2.0
/*
 * Strict mode (tests/guest/suite.d/50-strict.sh): the iterator printers.
 * Each is a task iterator that prints once per read of its pinned link:
 *  - sx_seqfmt prints linux_banner with bpf_seq_printf("%s"): "Linux";
 *  - sx_seqbtf prints the task with bpf_seq_printf_btf:
 *    "(struct task_struct)";
 *  - sx_seqctl prints the iteration number with "%d": nothing of the
 *    kernel's is formatted.
 * All three load ctx->meta->seq, a load through a BTF pointer (btf_read).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

extern const void linux_banner __ksym;

struct seq_file;

struct bpf_iter_meta {
	struct seq_file *seq;
	__u64 session_id;
	__u64 seq_num;
} __attribute__((preserve_access_index));

struct task_struct {
	int pid;
} __attribute__((preserve_access_index));

struct bpf_iter__task {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
} __attribute__((preserve_access_index));

SEC("iter/task")
int sx_seqfmt(struct bpf_iter__task *ctx)
{
	static const char fmt[] = "%s\n";
	struct seq_file *seq = ctx->meta->seq;
	__u64 args[1];

	if (!ctx->task || ctx->meta->seq_num)
		return 0;
	args[0] = (__u64)(unsigned long)&linux_banner;
	bpf_seq_printf(seq, fmt, sizeof(fmt), args, sizeof(args));
	return 0;
}

SEC("iter/task")
int sx_seqbtf(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct btf_ptr p = {};

	if (!ctx->task || ctx->meta->seq_num)
		return 0;
	p.ptr = ctx->task;
	p.type_id = bpf_core_type_id_kernel(struct task_struct);
	bpf_seq_printf_btf(seq, &p, sizeof(p), 0);
	return 0;
}

SEC("iter/task")
int sx_seqctl(struct bpf_iter__task *ctx)
{
	static const char fmt[] = "n=%d\n";
	struct seq_file *seq = ctx->meta->seq;
	__u64 args[1];

	if (!ctx->task || ctx->meta->seq_num)
		return 0;
	args[0] = 7;
	bpf_seq_printf(seq, fmt, sizeof(fmt), args, sizeof(args));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
