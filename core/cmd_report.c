/* cmd_report.c — `kaoping report`: a recorded run, as any report format. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"
#include "kaoping/report.h"

int kp_cli_load_run(kp_cli_config *c, kp_result **res, kp_err *err)
{
	kp_store *st = NULL;
	int rc;

	kp_cli_enter(KP_PH_OPEN);
	if ((rc = kp_store_open(c->db, KP_STORE_READ, &st, err)))
		return rc;
	kp_cli_enter(KP_PH_LOAD);
	/* only the HTML and XLSX reports (up to their limit) and JSON with
	 * --items show every item and note */
	rc = kp_store_load_run(st, c->run_id, kp_cli_detail_limit(c), res, err);
	kp_store_close(st);
	if (!rc)
		rc = kp_result_render_notes(*res, (enum kp_lang)c->lang, err);
	return rc;
}

int kp_cmd_report(kp_cli_config *c, kp_err *err)
{
	kp_result *res = NULL;
	int rc = kp_cli_check_output(c, err);

	if (!rc)
		rc = kp_cli_load_run(c, &res, err);
	if (!rc)
		rc = kp_cli_write_report(c, res, err);
	kp_result_free(res);
	return rc;
}
