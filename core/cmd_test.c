/* cmd_test.c — `kaoping test RULES`: the rule file's own test cases. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"
#include "kaoping/ruletest.h"

int kp_cmd_test(kp_cli_config *c, kp_err *err)
{
	kp_rules *r = NULL;
	kp_case_result *cr = NULL;
	size_t n = 0, i, failed = 0;
	int rc;

	if ((rc = kp_cli_load_rules(c, c->args[0], 1, &r, err)))
		return rc;
	kp_cli_enter(KP_PH_TEST);
	rc = kp_ruletest_run(r, &cr, &n, err);
	kp_cli_disarm_timeout();
	for (i = 0; i < n && !rc; i++) {
		if (cr[i].passed) {
			if (!c->quiet)
				kp_cli_out_msg(KP_M_CMD_TEST_OK, cr[i].name);
			continue;
		}
		failed++;
		kp_cli_out_msg(KP_M_CMD_TEST_FAIL, cr[i].name, cr[i].where, cr[i].detail ? cr[i].detail : "");
	}
	if (!rc) {
		kp_cli_out_msg(KP_M_CMD_TEST_COUNTS, n - failed, failed);
		if (n == 0)
			kp_cli_say(KP_M_CMD_TEST_NONE, r->file, "RULES_test.lua");
		if (failed)
			rc = kp_err_msg(err, KP_ETEST, KP_M_CMD_TEST_FAILED, r->file, failed, n);
	}
	kp_ruletest_free(cr, n);
	kp_rules_free(r);
	return rc;
}

