/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pass-throughs of the redirects (hooks.c): where a redirected call
 * that its handler lets through resumes.
 *
 * Resuming it at the instruction after the function's ftrace site, as
 * ftrace does for a handler that leaves the IP alone, is not safe on a CPU
 * that enforces IBT: a BPF trampoline on the same site (root's fexit or
 * fmod_ret program) calls the resume address with an indirect call, and
 * that instruction has no ENDBR. A pass-through has one (it is entered by
 * RET from ftrace's trampoline, or by that indirect call) and enters the
 * function's body with push + RET, so the body runs as if called by the
 * original caller, with the arguments untouched, and returns straight to
 * it: nothing of lsmrevoke stays on the stack, which matters for the
 * delete_module() call that unloads lsmrevoke itself.
 *
 * Slot N: lsmrevoke_redirect_pass_N enters lsmrevoke_redirect_body[N]
 * and counts its calls in lsmrevoke_redirect_calls[N]; hooks.c fills the
 * body when it places the redirect, before the site can be hit.
 */
#include <linux/linkage.h>
#include <linux/cfi_types.h>
#include <asm/unwind_hints.h>

#include "redirect_pass.h"

.macro LSMREVOKE_PASS n
SYM_TYPED_FUNC_START(lsmrevoke_redirect_pass_\n)
	lock incq lsmrevoke_redirect_calls+8*\n(%rip)
	pushq lsmrevoke_redirect_body+8*\n(%rip)
	UNWIND_HINT_FUNC
	RET
SYM_FUNC_END(lsmrevoke_redirect_pass_\n)
.endm

	.text
LSMREVOKE_PASS 0
LSMREVOKE_PASS 1
LSMREVOKE_PASS 2
LSMREVOKE_PASS 3

	.section .data..ro_after_init, "aw"
	.balign 8
SYM_DATA_START(lsmrevoke_redirect_body)
	.fill LSMREVOKE_REDIRECTS, 8, 0
SYM_DATA_END(lsmrevoke_redirect_body)

	.data
	.balign 8
SYM_DATA_START(lsmrevoke_redirect_calls)
	.fill LSMREVOKE_REDIRECTS, 8, 0
SYM_DATA_END(lsmrevoke_redirect_calls)
