// SPDX-License-Identifier: GPL-2.0
/*
 * Strict mode, 7.2 and later (tests/guest/suite.d/50-strict.sh): a reader
 * that copies the first bytes of linux_banner ("Linux version ...") with
 * the kfunc bpf_probe_read_kernel_dynptr, which the kernel does not gate
 * under lockdown (lsmrevoke reports kfunc_read), and a control that reads
 * only its context and maps, on the same hook. Both count only the pid
 * that "lsmrevoke-test trace fire" writes into monitored_pid; banner_ok
 * counts the runs that really read "Linux" out of the kernel.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "kfuncs.h"

extern const void linux_banner __ksym;

int monitored_pid;
__u64 kfunc_runs;
__u64 banner_ok;
__u64 strlen_runs;
__u64 strlen_ok;
__u64 stream_runs;
__u64 stream_ok;
__u64 ctl_runs;
char banner[8];

static __always_inline int monitored(void)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	return monitored_pid && pid == (__u32)monitored_pid;
}

SEC("fentry/__x64_sys_getpriority")
int BPF_PROG(sx_kfunc)
{
	struct bpf_dynptr d;

	if (!monitored())
		return 0;
	if (bpf_dynptr_from_mem(banner, sizeof(banner), 0, &d))
		return 0;
	__builtin_memset(banner, 0, sizeof(banner));
	if (bpf_probe_read_kernel_dynptr(&d, 0, 5, &linux_banner))
		return 0;
	__sync_fetch_and_add(&kfunc_runs, 1);
	if (banner[0] == 'L' && banner[1] == 'i' && banner[2] == 'n' &&
	    banner[3] == 'u' && banner[4] == 'x')
		__sync_fetch_and_add(&banner_ok, 1);
	return 0;
}

/*
 * The string kfunc bpf_strlen measures linux_banner ("Linux version ...",
 * well over 20 bytes): it can only know that by reading it.
 */
SEC("fentry/__x64_sys_getpriority")
int BPF_PROG(sx_strlen)
{
	int n;

	if (!monitored())
		return 0;
	n = bpf_strlen((const char *)&linux_banner);
	__sync_fetch_and_add(&strlen_runs, 1);
	if (n > 20)
		__sync_fetch_and_add(&strlen_ok, 1);
	return 0;
}

/*
 * bpf_stream_vprintk formats linux_banner ("%s") into the program's
 * stdout stream; 0 means it was formatted and written. The stream itself
 * is not read by the test.
 */
SEC("fentry/__x64_sys_getpriority")
int BPF_PROG(sx_stream)
{
	static const char fmt[] = "%s";
	__u64 args[1];

	if (!monitored())
		return 0;
	args[0] = (__u64)(unsigned long)&linux_banner;
	__sync_fetch_and_add(&stream_runs, 1);
	if (!bpf_stream_vprintk(1, fmt, args, sizeof(args)))
		__sync_fetch_and_add(&stream_ok, 1);
	return 0;
}

SEC("fentry/__x64_sys_getpriority")
int BPF_PROG(sx_kctl)
{
	if (!monitored())
		return 0;
	__sync_fetch_and_add(&ctl_runs, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
