// SPDX-License-Identifier: GPL-2.0
/*
 * lsmrevoke revalidate and lsmrevoke mode [audit|enforce]: the two ways to
 * steer the module. Both return when the pass they cause is done.
 */
#include <string.h>

#include "lsmrevoke.h"

int cmd_revalidate(int argc, char **argv)
{
	struct kv_list kv;
	int ret, first;

	ret = parse_opts(argc, argv, "revalidate", NULL, &first);
	if (ret >= 0)
		return ret;
	if (first < argc)
		return usage_error("revalidate",
				   "revalidate: unexpected argument %s",
				   argv[first]);
	if (sfs_write("revalidate", "1") || sfs_stats(&kv))
		return EXIT_FAIL;
	printf("revalidated: %lld active, %lld revoked, %lld unrevocable\n",
	       kv_get(&kv, "active"), kv_get(&kv, "revoked"),
	       kv_get(&kv, "unrevocable"));
	return EXIT_OK;
}

int cmd_mode(int argc, char **argv)
{
	char mode[16];
	int ret, first;

	ret = parse_opts(argc, argv, "mode", NULL, &first);
	if (ret >= 0)
		return ret;
	if (first + 1 < argc)
		return usage_error("mode", "mode: unexpected argument %s",
				   argv[first + 1]);
	if (first == argc) {
		if (sfs_word("mode", mode, sizeof(mode)))
			return EXIT_FAIL;
		printf("%s\n", mode);
		return EXIT_OK;
	}
	if (strcmp(argv[first], "audit") && strcmp(argv[first], "enforce"))
		return usage_error("mode",
				   "mode: %s is neither audit nor enforce",
				   argv[first]);
	return sfs_write("mode", argv[first]) ? EXIT_FAIL : EXIT_OK;
}
