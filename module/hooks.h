/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LSMREVOKE_HOOKS_H
#define _LSMREVOKE_HOOKS_H

int lsmrevoke_hooks_init(void);
void lsmrevoke_hooks_exit(void);

#endif /* _LSMREVOKE_HOOKS_H */
