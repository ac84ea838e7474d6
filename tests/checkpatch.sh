#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the kernel's checkpatch.pl --strict on the given files (make style).
#
# checkpatch.pl and the data files it reads next to itself (spelling.txt,
# const_structs.checkpatch) come from Debian's linux-source-6.1 tarball and
# are extracted once into $LSMREVOKE_CACHE/checkpatch. Any ERROR, WARNING or
# CHECK fails.

set -euo pipefail

CACHE=${LSMREVOKE_CACHE:-/var/cache/lsmrevoke-test}
DIR=$CACHE/checkpatch
TARBALL=/usr/src/linux-source-6.1.tar.xz

die() { printf 'checkpatch.sh: error: %s\n' "$*" >&2; exit 1; }

[ $# -gt 0 ] || die "usage: tests/checkpatch.sh FILE..."

if [ ! -x "$DIR/checkpatch.pl" ]; then
	if [ ! -f "$TARBALL" ]; then
		[ "$(id -u)" = 0 ] || die "$TARBALL is missing: install linux-source-6.1"
		apt-cache show linux-source-6.1 >/dev/null 2>&1 || apt-get update -q
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends linux-source-6.1 xz-utils
	fi
	echo "extracting checkpatch.pl from $TARBALL" >&2
	mkdir -p "$CACHE"
	tmp=$(mktemp -d "$CACHE/.checkpatch.XXXXXX")
	tar -xJf "$TARBALL" -C "$tmp" --strip-components=2 --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
	chmod +x "$tmp/checkpatch.pl"
	rm -rf "$DIR"
	mv "$tmp" "$DIR"
fi

rc=0
"$DIR/checkpatch.pl" --no-tree --strict --show-types -f "$@" || rc=$?
exit "$rc"
