/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LSMREVOKE_REDIRECT_PASS_H
#define _LSMREVOKE_REDIRECT_PASS_H

/* Pass-throughs (redirect_pass.S): one per redirect hooks.c places. */
#define LSMREVOKE_REDIRECTS 4

#ifndef __ASSEMBLER__
#include <linux/atomic.h>

void lsmrevoke_redirect_pass_0(void);
void lsmrevoke_redirect_pass_1(void);
void lsmrevoke_redirect_pass_2(void);
void lsmrevoke_redirect_pass_3(void);

/* Where pass-through N enters its function: past the ftrace site. */
extern unsigned long lsmrevoke_redirect_body[LSMREVOKE_REDIRECTS];
/* How often pass-through N let a call through. */
extern atomic_long_t lsmrevoke_redirect_calls[LSMREVOKE_REDIRECTS];
#endif

#endif /* _LSMREVOKE_REDIRECT_PASS_H */
