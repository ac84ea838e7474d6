/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where a call that guard.c refuses goes instead of the refused function:
 * its probe's pre-handler set the return value and pointed the saved
 * instruction pointer here, at the function's entry, where the stack
 * holds its caller's return address. RET goes back to that caller, as
 * the kernel's own error injection (just_return_func) does. It is never
 * called, so it needs no ENDBR of its own: 7.x's SYM_FUNC_START puts none
 * there, and ANNOTATE_NOENDBR tells objtool that is meant (6.x puts one,
 * which is harmless).
 */
#include <linux/linkage.h>
#include <linux/objtool.h>

	.text
SYM_FUNC_START(lsmrevoke_guard_ret)
	ANNOTATE_NOENDBR
	RET
SYM_FUNC_END(lsmrevoke_guard_ret)
