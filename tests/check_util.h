/* check_util.h — small helpers shared by the Check unit tests. */
#ifndef KP_CHECK_UTIL_H
#define KP_CHECK_UTIL_H

#include <check.h>
#include <stdlib.h>

#include "kaoping/msg.h"
#include "kaoping/result.h"

/* A new empty result for an initialiser, or NULL. */
static inline kp_result *ck_result(void)
{
	kp_result *r = NULL;

	return kp_result_new(&r, NULL) ? NULL : r;
}

/* Run one suite; the test binary's exit status is the number of failures.
 * Messages are English (the tests that check Chinese choose it). */
#define KP_CHECK_MAIN(make_suite)                                  \
	int main(void)                                             \
	{                                                          \
		SRunner *sr = srunner_create(make_suite());        \
		int failed;                                        \
		kp_msg_set_lang(KP_LANG_EN);                       \
		srunner_run_all(sr, CK_NORMAL);                    \
		failed = srunner_ntests_failed(sr);                \
		srunner_free(sr);                                  \
		return failed ? EXIT_FAILURE : EXIT_SUCCESS;       \
	}

#endif
