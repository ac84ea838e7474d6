// SPDX-License-Identifier: GPL-2.0
/*
 * What an extension (freplace) program replaces.
 *
 * A tracing link attaches an extension to one function of another
 * program: the kernel turns that function's entry no-op into a jump to the
 * extension's image, and puts the no-op back when the link goes, after
 * comparing the five bytes with its jump. A revoked extension must leave
 * those bytes alone; instead its own entry jumps past the function's
 * entry, into the function's body (patch.c), so that the function's own
 * code runs as if the extension were detached.
 *
 * The links are found in link_idr, under link_idr_lock. A link is there
 * from bpf_link_prime() until bpf_link_free() removes it, which happens
 * before its release unlinks it and drops its target program: a link seen
 * under the lock still holds its target, and a reference on the target
 * taken there keeps the function's image alive for as long as a jump
 * points into it. A link being created is in link_idr before its
 * trampoline is set: it is skipped, and the pass that its link's return
 * defers (sources.c) runs once the syscall is done and sees it.
 *
 * Until that pass, the callers of a function the extension was attached
 * to meanwhile run the body of the function it replaced before. That is
 * harmless unless that body expects a tail-call count from its caller: a
 * tail-call-reachable function is therefore never jumped into (the
 * extension then returns 0, as with several functions).
 */
#include <linux/bpf.h>
#include <linux/idr.h>
#include <linux/spinlock.h>

#include "ext.h"
#include "ksyms.h"
#include "layout.h"
#include "patch.h"

/*
 * Whether @func, an image of @prog, is a function that tail calls can be
 * made from below: such a function takes the tail-call count from its
 * caller (in rax on 6.12 and later), which a caller of another function
 * the extension is attached to meanwhile would not pass.
 */
static bool tail_call_reachable(const struct bpf_prog *prog, const void *func)
{
	unsigned int i, n = lsmrevoke_func_cnt(prog->aux);

	for (i = 0; i < n; i++)
		if (prog->aux->func[i]->bpf_func == func)
			return prog->aux->func[i]->aux->tail_call_reachable;
	return prog->aux->tail_call_reachable;
}

/*
 * Where the entry of revoked extension @ext goes: *body is the body of the
 * one function it replaces, with a reference on that function's program
 * in *tgt; both are NULL when it replaces none, or several (-EBUSY: one
 * jump cannot go back to several functions), or a function whose image
 * lsmrevoke does not know or that is tail-call reachable (-EINVAL).
 * Process context.
 */
int lsmrevoke_ext_target(const struct bpf_prog *ext, struct bpf_prog **tgt,
			 const void **body)
{
	struct bpf_prog *prog = NULL;
	struct bpf_link *link;
	unsigned int n = 0;
	void *func = NULL;
	int id;

	*tgt = NULL;
	*body = NULL;
	spin_lock_bh(lsmrevoke_ksyms.link_idr_lock);
	idr_for_each_entry(lsmrevoke_ksyms.link_idr, link, id) {
		struct bpf_tracing_link *tl;
		struct bpf_trampoline *tr;
		struct bpf_prog *t;

		if (link->type != BPF_LINK_TYPE_TRACING || link->prog != ext)
			continue;
		tl = container_of(link, struct bpf_tracing_link, link.link);
		tr = READ_ONCE(tl->trampoline);
		t = READ_ONCE(tl->tgt_prog);
		if (!tr || !t)
			continue;
		n++;
		func = tr->func.addr;
		prog = t;
	}
	if (n == 1)
		bpf_prog_inc(prog);
	spin_unlock_bh(lsmrevoke_ksyms.link_idr_lock);

	if (n > 1)
		return -EBUSY;
	if (!n)
		return 0;
	if (!lsmrevoke_layout_known(func) || tail_call_reachable(prog, func)) {
		bpf_prog_put(prog);
		return -EINVAL;
	}
	*tgt = prog;
	*body = lsmrevoke_layout_site(func) + LSMREVOKE_INSN_SIZE;
	return 0;
}
