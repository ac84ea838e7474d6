/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LSMREVOKE_EXT_H
#define _LSMREVOKE_EXT_H

struct bpf_prog;

int lsmrevoke_ext_target(const struct bpf_prog *ext, struct bpf_prog **tgt,
			 const void **body);

#endif /* _LSMREVOKE_EXT_H */
