#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/callgraph.sh DIR: which of the module's files calls which, read
# from the symbols of the objects built in DIR (nm), one line per pair:
#
#   caller.o -> callee.o: symbol ...
#
# then "no cycle between files", or the files in a cycle and exit 1. An
# assembly companion (ksyms_thunk.o) counts as part of its C file. The
# module's files must call one way only (docs/design.md, "The call
# rule"); tests/run-qemu.sh runs this on every debug build, whose objects
# include the fault-injection calls.

set -euo pipefail

dir=${1:?usage: tests/callgraph.sh DIR}
shopt -s nullglob
objs=()
for o in "$dir"/*.o; do
	case $o in *.mod.o | */lsmrevoke.o) continue ;; esac
	objs+=("$o")
done
[ ${#objs[@]} -gt 0 ] || { echo "callgraph.sh: no objects in $dir" >&2; exit 2; }

file_of() {
	local b=${1##*/}
	echo "${b/_thunk.o/.o}"
}

declare -A home
for o in "${objs[@]}"; do
	f=$(file_of "$o")
	while read -r _ type sym; do
		case $type in [TDBR]) home[$sym]=$f ;; esac
	done < <(nm --defined-only "$o")
done

edges=$(for o in "${objs[@]}"; do
	f=$(file_of "$o")
	nm --undefined-only "$o" | while read -r _ sym; do
		to=${home[$sym]-}
		if [ -n "$to" ] && [ "$to" != "$f" ]; then
			echo "$f $to $sym"
		fi
	done
done | sort -u)

awk '{ k = $1 " -> " $2; s[k] = s[k] " " $3 } END { for (k in s) print k ":" s[k] }' \
	<<<"$edges" | sort
if cycle=$(awk '{ print $1, $2 }' <<<"$edges" | sort -u | tsort 2>&1 >/dev/null) &&
	[ -z "$cycle" ]; then
	echo "no cycle between files"
else
	echo "cycle between files:"
	sed 's/^tsort: /  /' <<<"$cycle"
	exit 1
fi
