/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel functions (kfuncs) that test programs call, resolved by
 * libbpf against the running kernel's BTF at load time.
 */
#ifndef LSMREVOKE_TEST_KFUNCS_H
#define LSMREVOKE_TEST_KFUNCS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* 6.2+: @obj as a read-only pointer to the kernel BTF type @btf_id. */
void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

/*
 * 7.2+: copies @size bytes of kernel memory at @unsafe_ptr__ign into the
 * dynptr, with no lockdown check (bpf_probe_read_kernel has one).
 */
int bpf_probe_read_kernel_dynptr(const struct bpf_dynptr *dptr, __u64 off,
				 __u64 size, const void *unsafe_ptr__ign) __ksym __weak;

/*
 * 7.2+: the length of the string at @s__ign, read byte by byte from any
 * address (unchecked: __ign).
 */
int bpf_strlen(const char *s__ign) __ksym __weak;

/*
 * 7.2+: printf @fmt__str with the values in @args into the program's
 * stream @stream_id (1: stdout); the program's aux is implicit.
 */
int bpf_stream_vprintk(int stream_id, const char *fmt__str, const void *args,
		       __u32 len__sz) __ksym __weak;

#endif /* LSMREVOKE_TEST_KFUNCS_H */
