#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the lsmrevoke test guest (busybox; packed by tests/run-qemu.sh).
#
# Mounts the file systems the tests need, then either runs the suite
# (tests/guest/suite.sh, which loads and unloads lsmrevoke itself) or, in
# script mode, loads lsmrevoke and runs /opt/lsmrevoke-test/script.
# Result lines go to ttyS1, the script's output to ttyS2, the console is
# ttyS0. The last line on ttyS1 is the completion token: the host accepts a
# run only when it is there, so any way of dying early reads as a failure.
# No `set -e`: if init exits, the kernel panics and the token never comes.

export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root

# No /dev/console node in the initramfs: mount devtmpfs first, then reopen.
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t securityfs securityfs /sys/kernel/security
mount -t tracefs tracefs /sys/kernel/tracing
mount -t debugfs debugfs /sys/kernel/debug
mount -t bpf bpf /sys/fs/bpf
mount -t tmpfs tmpfs /tmp
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
ip link set lo up 2>/dev/null
hostname lsmrevoke-test

RESULTS=/dev/ttyS1
OUTPUT=/dev/ttyS2
TEST=/opt/lsmrevoke-test
# Plain 8-bit output on the result ports (no CR/LF translation).
stty -F "$RESULTS" raw -echo 2>/dev/null
stty -F "$OUTPUT" raw -echo 2>/dev/null

# In a subshell: were pid 1 to open a serial port itself, it would become
# the controlling terminal of every test.
result() {
	(echo "$*" >>"$RESULTS")
}

depmod -a
. /etc/lsmrevoke-test.conf

echo "lsmrevoke-test: kernel $(uname -r), mode $MODE"
case $MODE in
suite)
	cd "$TEST" || exit 1
	LSMREVOKE_RESULTS=$RESULTS LSMREVOKE_TEST=$TEST sh "$TEST/guest/suite.sh"
	rc=$?
	[ "$rc" = 0 ] || result "#suite:FAIL (suite.sh exited with $rc)"
	;;
script)
	# modprobe's complaints go with the script's output.
	modprobe lsmrevoke >>"$OUTPUT" 2>&1
	rc=$?
	if [ "$rc" != 0 ]; then
		result "#1 script:FAIL (modprobe lsmrevoke failed with exit $rc)"
	else
		cd "$TEST/add" || exit 1
		sh "$TEST/script" >>"$OUTPUT" 2>&1 </dev/null
		rc=$?
		if [ "$rc" = 0 ]; then
			result "#1 script:OK"
		else
			result "#1 script:FAIL (exit $rc)"
		fi
		cd /
		# Unloading must work whatever the script left behind.
		if grep -q '^lsmrevoke ' /proc/modules; then
			if rmmod lsmrevoke >>"$OUTPUT" 2>&1; then
				result "#2 rmmod:OK"
			else
				result "#2 rmmod:FAIL (rmmod lsmrevoke failed)"
			fi
		else
			result "#2 rmmod:SKIP (the script unloaded lsmrevoke itself)"
		fi
	fi
	;;
*)
	result "#init:FAIL (unknown mode '$MODE')"
	;;
esac

result "LSMREVOKE-DONE"
sync
poweroff -f
