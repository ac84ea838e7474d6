/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Thunks into kernel functions whose ENDBR may be sealed (6.12 with
 * CONFIG_X86_KERNEL_IBT seals every function that is never address-taken,
 * kallsyms_lookup_name among them). An indirect call to such a function
 * raises #CP on a CPU that enforces IBT, because its first instruction is
 * no longer ENDBR64.
 *
 * A thunk is called directly and leaves through RET with the target's
 * address pushed on the stack: the target runs as if called by the thunk's
 * caller, with the arguments untouched, and returns straight to it. IBT
 * checks indirect CALL and JMP only, and RET keeps the transfer behind
 * whichever return thunk the kernel chose. Each thunk counts its calls so
 * that tests can show this path is the one taken.
 */
#include <linux/linkage.h>
#include <asm/unwind_hints.h>

.macro LSMREVOKE_THUNK target
SYM_FUNC_START(lsmrevoke_thunk_\target)
	lock incq lsmrevoke_thunk_calls_\target(%rip)
	pushq lsmrevoke_thunk_target_\target(%rip)
	UNWIND_HINT_FUNC
	RET
SYM_FUNC_END(lsmrevoke_thunk_\target)
.endm

	.text
LSMREVOKE_THUNK kallsyms_lookup_name
LSMREVOKE_THUNK text_poke_queue
LSMREVOKE_THUNK text_poke_finish
LSMREVOKE_THUNK set_memory_rw
LSMREVOKE_THUNK set_memory_ro
LSMREVOKE_THUNK btf_name_by_offset
LSMREVOKE_THUNK __scx_exit

/*
 * The select-runtime function (compat.h), entered past its ftrace site:
 * sources.c's wrapper, which the compile hook sends the kernel into, calls
 * the function's body this way, so that no probe or trampoline on that
 * site sees the wrapper's own call (no second redirect, whatever another
 * tracer did to the return address). The ftrace site is a 5-byte call or
 * no-op, the first instruction after ENDBR, before the prologue: skipping
 * it skips tracing and nothing else. sources.c sets the address when the
 * hook is placed; the call counter is the symbol's own.
 */
SYM_FUNC_START(lsmrevoke_thunk_select_runtime)
	lock incq lsmrevoke_thunk_calls_select_runtime(%rip)
	pushq lsmrevoke_select_runtime_body(%rip)
	UNWIND_HINT_FUNC
	RET
SYM_FUNC_END(lsmrevoke_thunk_select_runtime)
