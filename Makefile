# SPDX-License-Identifier: GPL-2.0
#
# Thin wrapper: Kbuild lists the objects; the tests live in tests/.
#
#   make [KERNELRELEASE=... | KDIR=...]   build lsmrevoke.ko
#   make debug                            the same with -DDEBUG (pr_debug on)
#   make install                          install it and run depmod, and the
#                                         lsmrevoke command and its man page
#   make tools                            the lsmrevoke command (libbpf-dev;
#                                         LSMREVOKE_STATIC=1 links it statically)
#   make style | sparse                   checkpatch --strict | sparse (C=2)
#   make check                            the QEMU test suite on the newest kernel
#                                         of every Debian series (6.1, 6.12,
#                                         6.12-deb13, 7.x), then a boot of each
#                                         with the dkms-built module, one for the
#                                         missed-probe backstop and one under
#                                         UEFI Secure Boot (OVMF)
#   make check-flavours                   the suite on the rt-amd64 (PREEMPT_RT)
#                                         and cloud-amd64 kernels of the newest
#                                         series
#   make demo                             a short demonstration in QEMU (6.1)
#   make bench                            the benchmarks in QEMU, 6.1 and 6.12:
#                                         a table, docs/benchmarks.md and
#                                         docs/revocation-latency.png
#   make secureboot                       only the Secure Boot boots
#   make check-debug                      suite and stress on a KASAN/lockdep/
#                                         kmemleak build of Debian's 6.1 source
#   make matrix                           build against every ABI of every
#                                         Debian series, and the newest series'
#                                         cloud-amd64 and rt-amd64 headers
#   make deb                              the lsmrevoke-dkms and lsmrevoke-tools .debs
#   make deb-check                        build, lintian, install, remove the .deb
#                                         on this Debian 12 host, then install
#                                         and remove them on a Debian 13 root

KERNELRELEASE ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KERNELRELEASE)/build
DEPMOD ?= depmod

# The lsmrevoke(8) command, built into TOOLS_OUT and installed under DESTDIR.
TOOLS_OUT ?= tools/lsmrevoke
TOOL_SRCS := $(wildcard tools/lsmrevoke/*.c)
TOOL_VERSION := $(shell sed -n 's/^\#define LSMREVOKE_VERSION "\(.*\)"$$/\1/p' module/version.h)
TOOL_CFLAGS ?= -O2 -g
TOOL_LIBS := $(if $(LSMREVOKE_STATIC),-static -lbpf -lelf -lz,-lbpf)
SBINDIR ?= /usr/sbin
MAN8DIR ?= /usr/share/man/man8

all: module

module:
	@$(MAKE) -C $(KDIR) M=$(CURDIR) modules

debug:
	@$(MAKE) -C $(KDIR) M=$(CURDIR) LSMREVOKE_DEBUG=y modules

install: install-module install-tools

install-module:
	@$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install
	$(DEPMOD) -a $(KERNELRELEASE)

tools: $(TOOLS_OUT)/lsmrevoke

$(TOOLS_OUT)/lsmrevoke: $(TOOL_SRCS) tools/lsmrevoke/lsmrevoke.h module/version.h
	@mkdir -p $(TOOLS_OUT)
	$(CC) $(TOOL_CFLAGS) $(CFLAGS) -Wall -Wextra \
		-DLSMREVOKE_VERSION='"$(TOOL_VERSION)"' $(CPPFLAGS) \
		-o $@ $(TOOL_SRCS) $(LDFLAGS) $(TOOL_LIBS)

install-tools: tools
	install -D -m 0755 $(TOOLS_OUT)/lsmrevoke $(DESTDIR)$(SBINDIR)/lsmrevoke
	install -D -m 0644 docs/lsmrevoke.8 $(DESTDIR)$(MAN8DIR)/lsmrevoke.8

clean:
	rm -f tools/lsmrevoke/lsmrevoke
	@$(MAKE) -C $(KDIR) M=$(CURDIR) clean

# Every C source and header of ours: the module, the command, the tests and
# the benchmarks (checkpatch --strict; BPF programs are *.bpf.c).
STYLE_SRCS = $(wildcard module/*.c module/*.h tools/lsmrevoke/*.c \
	tools/lsmrevoke/*.h tests/loader/*.c tests/loader/*.h tests/progs/*.c \
	tests/progs/*.h tests/kmod/*.c bench/*.c)

style:
	bash tests/checkpatch.sh $(STYLE_SRCS)

sparse:
	@$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 modules

check:
	bash tests/run-qemu.sh --kernel all
	bash tests/run-qemu.sh --kernel all --module-from dkms --script tests/dkms-boot.sh
	bash tests/run-qemu.sh --kernel all --script tests/backstop.sh
	bash tests/secureboot.sh --kernel all

check-flavours:
	bash tests/run-qemu.sh --kernel newest --flavour rt-amd64
	bash tests/run-qemu.sh --kernel newest --flavour cloud-amd64

bench:
	bash bench/run.sh

demo:
	bash tests/run-qemu.sh --kernel 6.1 --script tests/demo.sh

stress:
	LSMREVOKE_STRESS_SECS=$${LSMREVOKE_STRESS_SECS:-300} LSMREVOKE_TIMEOUT=$${LSMREVOKE_TIMEOUT:-2400} bash tests/run-qemu.sh --kernel all

# The suite and a short stress on a debug build of Debian's 6.1 source
# (KASAN, KFENCE, lockdep, kmemleak; built once, then cached).
check-debug:
	bash tests/debug-kernel.sh
	LSMREVOKE_STRESS_SECS=$${LSMREVOKE_STRESS_SECS:-60} bash tests/run-qemu.sh --kernel debug

matrix:
	bash tests/matrix.sh

secureboot:
	bash tests/secureboot.sh --kernel all

deb:
	dpkg-buildpackage -us -uc -b

# The .debs built and tested on this Debian 12 host (tests/deb-test.sh),
# then installed on Debian 13 (tests/deb-root.sh: a throwaway overlay on
# the trixie build root). Both run; either failing fails the target.
# LSMREVOKE_KEEP_DEB=DIR keeps the .debs there.
deb-check:
	@keep=$${LSMREVOKE_KEEP_DEB:-}; d=$${keep:-$$(mktemp -d)}; rc=0; \
	LSMREVOKE_KEEP_DEB=$$d bash tests/deb-test.sh || rc=1; \
	bash tests/deb-root.sh trixie "$$d" || rc=1; \
	[ -n "$$keep" ] || rm -rf "$$d"; exit $$rc

.PHONY: stress check-debug all module debug install install-module install-tools tools clean style sparse \
	check check-flavours demo bench secureboot matrix deb deb-check
