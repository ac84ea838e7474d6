// SPDX-License-Identifier: GPL-2.0
/* lsmrevoke-test net <sub> ...: scenario commands (placeholder). */
#include <stdio.h>

int cmd_net(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "lsmrevoke-test: net: no subcommands yet\n");
	return 1;
}
