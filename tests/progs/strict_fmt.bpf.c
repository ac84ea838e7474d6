// SPDX-License-Identifier: GPL-2.0
/*
 * Strict mode (tests/guest/suite.d/50-strict.sh): format strings that read
 * kernel memory, and a control that formats only its own memory, all on
 * getpriority:
 *  - sx_printk prints linux_banner with bpf_trace_printk("%s"): the helper
 *    copies the string, so its return value (the length printed) is long
 *    only when it read the banner;
 *  - sx_snprintf formats linux_banner with bpf_snprintf("%s") into out,
 *    which then starts with "Linux";
 *  - sx_pi6 formats 16 bytes of linux_banner with "%pi6": "4c69" is "Li";
 *  - sx_fctl prints a %s of a map string and integers with
 *    bpf_trace_printk, bpf_trace_vprintk and bpf_snprintf: nothing of the
 *    kernel's is read, and lsmrevoke must not say so.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

extern const void linux_banner __ksym;

int monitored_pid;
__u64 printk_runs, printk_ok;
__u64 snprintf_runs, snprintf_ok;
__u64 pi6_runs, pi6_ok;
__u64 vprintk_runs, vprintk_ok;
__u64 pks_runs, pks_ok;
char outk[48];
__u64 ctl_runs;
char out[48];
char out6[48];
char ctl_out[16];
char name[8] = "map";

static __always_inline int monitored(void)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	return monitored_pid && pid == (__u32)monitored_pid;
}

SEC("fentry/__x64_sys_getpriority")
int BPF_PROG(sx_printk)
{
	long n;

	if (!monitored())
		return 0;
	n = bpf_printk("%s", &linux_banner);
	__sync_fetch_and_add(&printk_runs, 1);
	if (n > 20)
		__sync_fetch_and_add(&printk_ok, 1);
	return 0;
}

SEC("fentry/__x64_sys_getpriority")
int BPF_PROG(sx_snprintf)
{
	static const char fmt[] = "%s";
	__u64 args[1];

	if (!monitored())
		return 0;
	args[0] = (__u64)(unsigned long)&linux_banner;
	out[0] = 0;
	bpf_snprintf(out, sizeof(out), fmt, args, sizeof(args));
	__sync_fetch_and_add(&snprintf_runs, 1);
	if (out[0] == 'L' && out[1] == 'i' && out[2] == 'n' && out[3] == 'u' &&
	    out[4] == 'x')
		__sync_fetch_and_add(&snprintf_ok, 1);
	return 0;
}

SEC("fentry/__x64_sys_getpriority")
int BPF_PROG(sx_pi6)
{
	static const char fmt[] = "%pi6";
	__u64 args[1];

	if (!monitored())
		return 0;
	args[0] = (__u64)(unsigned long)&linux_banner;
	out6[0] = 0;
	bpf_snprintf(out6, sizeof(out6), fmt, args, sizeof(args));
	__sync_fetch_and_add(&pi6_runs, 1);
	if (out6[0] == '4' && out6[1] == 'c' && out6[2] == '6' && out6[3] == '9')
		__sync_fetch_and_add(&pi6_ok, 1);
	return 0;
}

/* bpf_trace_vprintk (bpf_printk with more than three arguments). */
SEC("fentry/__x64_sys_getpriority")
int BPF_PROG(sx_vprintk)
{
	long n;

	if (!monitored())
		return 0;
	n = bpf_printk("%s %d %d %d", &linux_banner, 1, 2, 3);
	__sync_fetch_and_add(&vprintk_runs, 1);
	if (n > 20)
		__sync_fetch_and_add(&vprintk_ok, 1);
	return 0;
}

/* %pks: a kernel string copied by bpf_snprintf. */
SEC("fentry/__x64_sys_getpriority")
int BPF_PROG(sx_pks)
{
	static const char fmt[] = "%pks";
	__u64 args[1];

	if (!monitored())
		return 0;
	args[0] = (__u64)(unsigned long)&linux_banner;
	outk[0] = 0;
	bpf_snprintf(outk, sizeof(outk), fmt, args, sizeof(args));
	__sync_fetch_and_add(&pks_runs, 1);
	if (outk[0] == 'L' && outk[1] == 'i' && outk[2] == 'n' &&
	    outk[3] == 'u' && outk[4] == 'x')
		__sync_fetch_and_add(&pks_ok, 1);
	return 0;
}

SEC("fentry/__x64_sys_getpriority")
int BPF_PROG(sx_fctl)
{
	static const char fmt[] = "%d-%d";
	__u64 args[2];

	if (!monitored())
		return 0;
	args[0] = 1;
	args[1] = 2;
	bpf_printk("%s %d", name, 7);
	bpf_printk("%d %d %d %d", 1, 2, 3, 4);
	bpf_snprintf(ctl_out, sizeof(ctl_out), fmt, args, sizeof(args));
	__sync_fetch_and_add(&ctl_runs, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
