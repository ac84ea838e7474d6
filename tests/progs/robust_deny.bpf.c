// SPDX-License-Identifier: GPL-2.0
/*
 * tests/guest/suite.d/60-robust.sh, stress: the flipped policy. A BPF-LSM
 * locked_down program (rs_deny) that, while attached and enabled, denies
 * LOCKDOWN_BPF_READ_KERNEL (24) and passes every other answer through, as
 * trace_deny does: the stress flips `enabled` (a write to .bss, which
 * lsmrevoke does not see) and then writes revalidate, or attaches and
 * detaches rs_deny's link (events lsmrevoke reacts to).
 *
 * One exception: a task inside do_misc_fixups() is always allowed. The
 * verifier asks for a gated helper's prototype twice per load, in
 * check_helper_call() and again in do_misc_fixups(), and uses the second
 * answer without checking it for NULL: a denial there is a NULL pointer
 * dereference in the verifier (a stock-kernel bug, seen on 6.12 when the
 * policy tightened while a gated program was being verified). Allowing
 * the second question is always consistent with the first: a load only
 * reaches do_misc_fixups() after check_helper_call() accepted every
 * helper call of the program, i.e. after this hook allowed each gated
 * helper once already; do_misc_fixups() asks about those same calls
 * again, so "allowed" is the answer the load already got. A program
 * verified just before the policy tightened is then loaded just after
 * it, which is the window lsmrevoke exists for: its next pass revokes it.
 *
 * "Inside do_misc_fixups()" is kept per task (rs_fixups, keyed by the
 * thread id), because the stress verifies programs from several threads at
 * once: one global tid, as in policy_race.bpf.c, would let a second loader
 * entering do_misc_fixups() overwrite the first one's mark while the first
 * is still asking. rs_fx_in/rs_fx_out stay attached for the whole stress.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define LOCKDOWN_BPF_READ_KERNEL	24
#define EPERM				1

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);	/* thread id */
	__type(value, __u32);	/* 1: inside do_misc_fixups() */
} rs_fixups SEC(".maps");

int enabled;
__u64 denials;
__u64 fixup_allows;
__u64 mark_failures;	/* rs_fixups updates that failed (full, busy) */

SEC("fentry/do_misc_fixups")
int BPF_PROG(rs_fx_in)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid(), one = 1;

	/* (do_misc_fixups() does not recurse: no nesting to count.) */
	if (bpf_map_update_elem(&rs_fixups, &tid, &one, BPF_ANY))
		__sync_fetch_and_add(&mark_failures, 1);
	return 0;
}

SEC("fexit/do_misc_fixups")
int BPF_PROG(rs_fx_out)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	bpf_map_delete_elem(&rs_fixups, &tid);
	return 0;
}

SEC("lsm/locked_down")
int BPF_PROG(rs_deny, int what, int ret)
{
	__u32 tid;

	if (ret)
		return ret;
	if (!enabled || what != LOCKDOWN_BPF_READ_KERNEL)
		return 0;
	tid = (__u32)bpf_get_current_pid_tgid();
	if (bpf_map_lookup_elem(&rs_fixups, &tid)) {
		__sync_fetch_and_add(&fixup_allows, 1);
		return 0;
	}
	__sync_fetch_and_add(&denials, 1);
	return -EPERM;
}

char LICENSE[] SEC("license") = "GPL";
