/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels lsmrevoke builds for, and nothing
 * else. Kbuild force-includes this file; core code is written against the
 * newest API and tests only the LSMREVOKE_* names defined here.
 *
 * Feature probes come from Kbuild (grep of the headers) where a symbol can
 * be probed; version numbers are used only where nothing can be probed.
 */
#ifndef _LSMREVOKE_COMPAT_H
#define _LSMREVOKE_COMPAT_H

#include <linux/version.h>

/*
 * BPF_PROBE_MEMSX (6.6): sign-extending loads through BTF pointers. On older
 * kernels LDX mode 0x40 is never produced, so scanning for it is harmless.
 */
#ifndef LSMREVOKE_HAVE_PROBE_MEMSX
#define BPF_PROBE_MEMSX 0x40
#endif

/*
 * 6.12 (6.7 upstream) counts hidden subprograms, the exception callback
 * among them, in real_func_cnt; func_cnt leaves them out. Every JIT image
 * is one of aux->func[0 .. real_func_cnt).
 */
#ifdef LSMREVOKE_HAVE_REAL_FUNC_CNT
#define lsmrevoke_func_cnt(aux) ((aux)->real_func_cnt)
#else
#define lsmrevoke_func_cnt(aux) ((aux)->func_cnt)
#endif

/*
 * prog_array_member_cnt (Debian's 6.1 from ABI 55, and 6.12) counts the
 * prog-array slots a program sits in, under ext_mutex. Without it, every
 * prog array is searched.
 */
#ifndef LSMREVOKE_HAVE_PROG_ARRAY_MEMBER_CNT
#define LSMREVOKE_CANNOT_COUNT_PROG_ARRAY_MEMBERS
#endif

#endif /* _LSMREVOKE_COMPAT_H */
