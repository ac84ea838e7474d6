/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LSMREVOKE_PARAMS_H
#define _LSMREVOKE_PARAMS_H

#include <linux/types.h>

bool lsmrevoke_params_audit(void);
const char *lsmrevoke_params_mode(void);
int lsmrevoke_params_parse_mode(const char *val, bool *audit);
void lsmrevoke_params_set_audit(bool audit);

bool lsmrevoke_params_strict(void);
int lsmrevoke_params_parse_strict(const char *val, bool *strict);
void lsmrevoke_params_set_strict(bool strict);

bool lsmrevoke_params_deny(void);
unsigned int lsmrevoke_params_interval(void);

#endif /* _LSMREVOKE_PARAMS_H */
