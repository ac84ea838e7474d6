# SPDX-License-Identifier: GPL-2.0
#
# make check, second part: runs inside each guest booted by
#   tests/run-qemu.sh --module-from dkms --script tests/dkms-boot.sh
# with lsmrevoke already loaded by modprobe. Proves that what is loaded is
# the module dkms built and installed on the host, not one make built: the
# only lsmrevoke.ko in the guest is where dkms installs it, its checksum is
# the one taken from dkms's install tree, and the loaded module's srcversion
# and version are that file's. Then checks that it works.

T=/opt/lsmrevoke-test
REL=$(uname -r)
failed=0

check() {	# check WHAT EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then
		echo "ok: $1: $3"
	else
		echo "FAIL: $1: actual '$3' != expected '$2'"
		failed=1
	fi
}

. /etc/lsmrevoke-test.conf
check "module source" dkms "${MODULE_FROM:-}"

files=$(find /lib/modules -name 'lsmrevoke.ko*')
check "lsmrevoke.ko files in the guest" \
	"/lib/modules/$REL/updates/dkms/lsmrevoke.ko" "$files"

dep=$(grep -E '(^|/)lsmrevoke\.ko:' "/lib/modules/$REL/modules.dep" | cut -d: -f1)
check "modules.dep entry" "updates/dkms/lsmrevoke.ko" "${dep#/lib/modules/"$REL"/}"

sum=$(sha256sum "/lib/modules/$REL/updates/dkms/lsmrevoke.ko" | cut -d' ' -f1)
check "sha256 of the installed module (dkms's)" "$(cat "$T/module.sha256")" "$sum"

check "srcversion of the loaded module" \
	"$(modinfo -F srcversion lsmrevoke)" \
	"$(cat /sys/module/lsmrevoke/srcversion 2>/dev/null)"
check "version of the loaded module" \
	"$(modinfo -F version lsmrevoke)" \
	"$(cat /sys/module/lsmrevoke/version 2>/dev/null)"

loaded=$(dmesg | grep -c "lsmrevoke: version $(modinfo -F version lsmrevoke) loaded")
check "load messages" 1 "$loaded"

header=$(head -n1 /sys/kernel/security/lsmrevoke/programs 2>/dev/null | cut -c1)
check "first character of programs" "#" "$header"

exit "$failed"
