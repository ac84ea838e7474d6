#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/ibt-entries.sh KO CONFIG: the functions of lsmrevoke.ko that the
# kernel may enter by an indirect branch of code it did not compile for
# them carry an ENDBR64 the kernel keeps, on a kernel whose CONFIG (its
# .config) has CONFIG_X86_KERNEL_IBT. They are the addresses lsmrevoke's
# ftrace handlers resume a redirected call at (hooks.c): a BPF trampoline
# on the same site (root's fexit program) calls that address indirectly.
#   - refused() (guard.c), select_runtime_wrapper() (sources.c) and the
#     redirect pass-throughs (redirect_pass.S) start with ENDBR64;
#   - none is on the list of ENDBRs the kernel seals when it loads the
#     module (.ibt_endbr_seal, which objtool fills with the functions it
#     finds never address-taken).
# QEMU's TCG enforces no IBT, so this is what can be checked without the
# hardware. One line per function; exit 1 on a problem, 2 on bad usage.

set -euo pipefail

ko=${1:?usage: tests/ibt-entries.sh KO CONFIG}
config=${2:?usage: tests/ibt-entries.sh KO CONFIG}
[ -f "$ko" ] && [ -f "$config" ] ||
	{ echo "ibt-entries.sh: $ko or $config is missing" >&2; exit 2; }
if ! grep -qx 'CONFIG_X86_KERNEL_IBT=y' "$config"; then
	echo "no CONFIG_X86_KERNEL_IBT: nothing to check"
	exit 0
fi

readonly ENTRIES=(refused select_runtime_wrapper lsmrevoke_redirect_pass_0
	lsmrevoke_redirect_pass_1 lsmrevoke_redirect_pass_2
	lsmrevoke_redirect_pass_3)

# The list must name every function the module's sources resume a call
# at (instruction_pointer_set(regs, (unsigned long)NAME); hooks.c's
# passes[] are the pass-throughs above).
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../module" && pwd)
for fn in $(grep -ho 'instruction_pointer_set([a-z_]*, (unsigned long)[a-z_]*' \
	"$src"/*.c | sed 's/.*(unsigned long)//' | sort -u); do
	[ "$fn" = passes ] && continue
	case " ${ENTRIES[*]} " in
	*" $fn "*) ;;
	*) echo "ibt-entries.sh: module/ resumes calls at $fn, which this script does not check: add it to ENTRIES" >&2
	   exit 1 ;;
	esac
done

# The section index and name of .text, and the offsets in .text the seal
# list names (relocations against .text: its symbol's value is 0).
text_ndx=$(readelf -SW "$ko" | sed -n 's/^ *\[ *\([0-9]*\)\] \.text .*/\1/p')
[ -n "$text_ndx" ] || { echo "ibt-entries.sh: $ko has no .text" >&2; exit 1; }
sealed=$(readelf -rW "$ko" | awk '
	/^Relocation section/ { f = ($3 == "'"'"'.rela.ibt_endbr_seal'"'"'") ; next }
	f && $5 == ".text" { print $NF }' | sed 's/^0*\(.\)/\1/')

bad=0
for fn in "${ENTRIES[@]}"; do
	line=$(readelf -sW "$ko" | awk -v n="$fn" '$8 == n && $4 == "FUNC"')
	if [ -z "$line" ]; then
		echo "$fn: FAIL (no such function in $ko: the list above is stale)"
		bad=1
		continue
	fi
	read -r _ value _ _ _ _ ndx _ <<<"$line"
	if [ "$ndx" != "$text_ndx" ]; then
		echo "$fn: FAIL (not in .text)"
		bad=1
		continue
	fi
	off=$(printf '%x' "$((16#$value))")
	first=$(objdump -d --no-show-raw-insn --disassemble="$fn" "$ko" |
		awk '/^ *[0-9a-f]+:/ { $1 = ""; print; exit }')
	if [ "${first# }" != endbr64 ]; then
		echo "$fn: FAIL (starts with '${first# }', not endbr64)"
		bad=1
	elif grep -qx "$off" <<<"$sealed"; then
		echo "$fn: FAIL (its ENDBR is on the seal list)"
		bad=1
	else
		echo "$fn: endbr64, kept"
	fi
done
exit "$bad"
