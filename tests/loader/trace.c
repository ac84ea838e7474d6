// SPDX-License-Identifier: GPL-2.0
/* lsmrevoke-test trace <sub> ...: scenario commands (placeholder). */
#include <stdio.h>

int cmd_trace(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "lsmrevoke-test: trace: no subcommands yet\n");
	return 1;
}
