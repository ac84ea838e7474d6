// SPDX-License-Identifier: GPL-2.0
/*
 * What lsmrevoke relies on in the running kernel, checked before use.
 *
 * At init a two-instruction socket filter and a one-slot prog array are
 * created through kern_sys_bpf(), as the kernel's own light skeletons do,
 * and inspected:
 *  - the program is JITed with the entry lsmrevoke patches: a 5-byte no-op
 *    (preceded by ENDBR64 on kernels built with IBT);
 *  - prog_idr and map_idr, found through kallsyms, hold exactly these two
 *    objects under their IDs (the symbols and the offsets of aux->id,
 *    map->id, map->ops and bpf_array's aux are right);
 *  - the prog array's ops are the ones tailcall.c calls.
 * Any difference fails init with -EOPNOTSUPP and a message naming it.
 * With the JIT off at load time nothing can be compared; then every image
 * is checked right before it is patched instead (lsmrevoke_layout_known),
 * which is done for every image anyway.
 */
#include <linux/bpf.h>
#include <linux/fdtable.h>
#include <linux/filter.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "fault.h"
#include "ksyms.h"
#include "layout.h"

LSMREVOKE_IMPORT_BPF_NS();

static bool test_bad_layout;
module_param(test_bad_layout, bool, 0444);
MODULE_PARM_DESC(test_bad_layout,
		 "testing only: expect a wrong JIT entry, so that init refuses to load [0]");

static const u8 endbr64[4] = { 0xf3, 0x0f, 0x1e, 0xfa };

/*
 * The check program stays alive until modprobe's return to user space
 * releases its file; the init walk must not take it for a user's program.
 */
static u32 check_prog_id __ro_after_init;

bool lsmrevoke_layout_is_check_prog(const struct bpf_prog *prog)
{
	return check_prog_id && prog->aux->id == check_prog_id;
}

static u8 entry_nop[5] __ro_after_init = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };

/* Where the entry no-op sits: after the ENDBR64 of IBT kernels. */
static unsigned int entry_offset(void)
{
	return LSMREVOKE_JIT_ENTRY_OFFSET;
}

/* The entry no-op of @image: where a revocation writes its jump. */
u8 *lsmrevoke_layout_site(void *image)
{
	return (u8 *)image + entry_offset();
}

/* The JIT's entry no-op, as checked at init (x86_nops[5]). */
const u8 *lsmrevoke_layout_nop(void)
{
	return entry_nop;
}

/*
 * Does @image start the way a JIT image lsmrevoke may patch does? The
 * entry may hold the no-op, or a call or jump put there by the kernel's
 * own poke (an fentry/freplace attachment, or our revocation), which
 * bpf_arch_text_poke() then judges. Any context.
 */
bool lsmrevoke_layout_known(const void *image)
{
	u8 insn[9];
	unsigned int off = entry_offset();

	if (copy_from_kernel_nofault(insn, image, sizeof(insn)))
		return false;
	if (off && memcmp(insn, endbr64, sizeof(endbr64)))
		return false;
	return !memcmp(insn + off, entry_nop, sizeof(entry_nop)) ||
	       insn[off] == 0xe8 || insn[off] == 0xe9;
}

static int check_prog(const struct bpf_prog *prog)
{
	unsigned int off = entry_offset();
	const struct bpf_prog *found;
	u8 insn[9];

	spin_lock_bh(lsmrevoke_ksyms.prog_idr_lock);
	found = idr_find(lsmrevoke_ksyms.prog_idr, prog->aux->id);
	spin_unlock_bh(lsmrevoke_ksyms.prog_idr_lock);
	if (found != prog) {
		pr_err("unknown kernel layout: prog_idr does not hold program %u where expected; refusing to load\n",
		       prog->aux->id);
		return -EOPNOTSUPP;
	}

	if (!prog->jited) {
		pr_info("BPF JIT is off: JIT entries will be checked one by one before patching\n");
		return 0;
	}
	if (copy_from_kernel_nofault(insn, prog->bpf_func, sizeof(insn)))
		return -EFAULT;
	if ((off && memcmp(insn, endbr64, sizeof(endbr64))) ||
	    memcmp(insn + off, entry_nop, sizeof(entry_nop))) {
		pr_err("unknown JIT entry: expected %*phN%*phN, found %*phN; refusing to load\n",
		       off, endbr64, (int)sizeof(entry_nop), entry_nop,
		       off + (int)sizeof(entry_nop), insn);
		return -EOPNOTSUPP;
	}
	return 0;
}

static int check_map(struct bpf_map *map)
{
	struct bpf_array *array = container_of(map, struct bpf_array, map);
	const struct bpf_map *found;

	spin_lock_bh(lsmrevoke_ksyms.map_idr_lock);
	found = idr_find(lsmrevoke_ksyms.map_idr, map->id);
	spin_unlock_bh(lsmrevoke_ksyms.map_idr_lock);
	if (found != map || map->map_type != BPF_MAP_TYPE_PROG_ARRAY ||
	    !array->aux || array->aux->map != map || !map->ops->map_poke_run ||
	    !map->ops->map_fd_put_ptr || map->max_entries != 1) {
		pr_err("unknown kernel layout: prog array %u does not look as expected; refusing to load\n",
		       map->id);
		return -EOPNOTSUPP;
	}
	return 0;
}

static int probe_prog(void)
{
	struct bpf_insn insns[] = {
		BPF_MOV64_IMM(BPF_REG_0, 0),
		BPF_EXIT_INSN(),
	};
	union bpf_attr attr = {};
	struct bpf_prog *prog;
	int fd, ret;

	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = (unsigned long)insns;
	attr.insn_cnt = ARRAY_SIZE(insns);
	attr.license = (unsigned long)"GPL";
	strscpy(attr.prog_name, "lsmrevoke_check", sizeof(attr.prog_name));
	fd = kern_sys_bpf(BPF_PROG_LOAD, &attr, sizeof(attr));
	if (fd < 0) {
		pr_err("cannot load a program to check the JIT layout: %d\n", fd);
		return fd;
	}
	prog = bpf_prog_get_type_dev(fd, BPF_PROG_TYPE_SOCKET_FILTER, false);
	close_fd(fd);
	if (IS_ERR(prog))
		return PTR_ERR(prog);
	check_prog_id = prog->aux->id;
	ret = check_prog(prog);
	bpf_prog_put(prog);
	return ret;
}

static int probe_map(void)
{
	union bpf_attr attr = {};
	struct bpf_map *map;
	int fd, ret;

	attr.map_type = BPF_MAP_TYPE_PROG_ARRAY;
	attr.key_size = sizeof(u32);
	attr.value_size = sizeof(u32);
	attr.max_entries = 1;
	fd = kern_sys_bpf(BPF_MAP_CREATE, &attr, sizeof(attr));
	if (fd < 0) {
		pr_err("cannot create a prog array to check the kernel layout: %d\n",
		       fd);
		return fd;
	}
	map = bpf_map_get(fd);
	close_fd(fd);
	if (IS_ERR(map))
		return PTR_ERR(map);
	ret = check_map(map);
	bpf_map_put(map);
	return ret;
}

/* Needs ksyms; runs before any probe is installed. */
int lsmrevoke_layout_init(void)
{
	int ret;

	if (test_bad_layout || lsmrevoke_fault("layout"))
		entry_nop[4] ^= 0xff;
	ret = probe_prog();
	if (ret)
		return ret;
	return probe_map();
}
