# SPDX-License-Identifier: GPL-2.0
#
# Thin wrapper: Kbuild lists the objects; the tests live in tests/.
#
#   make [KERNELRELEASE=... | KDIR=...]   build lsmrevoke.ko
#   make debug                            the same with -DDEBUG (pr_debug on)
#   make install                          install it and run depmod
#   make style | sparse                   checkpatch --strict | sparse (C=2)
#   make check                            the QEMU test suite, 6.1 and 6.12, then
#                                         a boot of each with the dkms-built module
#   make demo                             a short demonstration in QEMU (6.1)
#   make matrix                           build against every Debian 6.1/6.12 ABI
#   make deb                              the lsmrevoke-dkms .deb (dpkg-buildpackage)
#   make deb-check                        build, lintian, install, remove the .deb

KERNELRELEASE ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KERNELRELEASE)/build
DEPMOD ?= depmod

all: module

module:
	@$(MAKE) -C $(KDIR) M=$(CURDIR) modules

debug:
	@$(MAKE) -C $(KDIR) M=$(CURDIR) LSMREVOKE_DEBUG=y modules

install:
	@$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install
	$(DEPMOD) -a $(KERNELRELEASE)

clean:
	@$(MAKE) -C $(KDIR) M=$(CURDIR) clean

style:
	bash tests/checkpatch.sh module/*.c module/*.h

sparse:
	@$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 modules

check:
	bash tests/run-qemu.sh --kernel all
	bash tests/run-qemu.sh --kernel all --module-from dkms --script tests/dkms-boot.sh

demo:
	bash tests/run-qemu.sh --kernel 6.1 --script tests/demo.sh

matrix:
	bash tests/matrix.sh

deb:
	dpkg-buildpackage -us -uc -b

deb-check:
	bash tests/deb-test.sh

.PHONY: all module debug install clean style sparse check demo matrix deb deb-check
