/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LSMREVOKE_VERSION_H
#define _LSMREVOKE_VERSION_H

#define LSMREVOKE_VERSION "0.1.0"

#endif /* _LSMREVOKE_VERSION_H */
