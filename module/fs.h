/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LSMREVOKE_FS_H
#define _LSMREVOKE_FS_H

int lsmrevoke_fs_init(void);
void lsmrevoke_fs_exit(void);

#endif /* _LSMREVOKE_FS_H */
