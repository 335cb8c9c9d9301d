/* cmd_explain.c — `kaoping explain UNIT`: every point of one unit of a
 * recorded run, with its notes.  Reads that unit only (kp_store_load_unit). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"
#include "kaoping/report.h"

int kp_cmd_explain(kp_cli_config *c, kp_err *err)
{
	kp_store *st = NULL;
	kp_result *res = NULL;
	kp_report_opts o;
	int rc;

	if ((rc = kp_store_open(c->db, KP_STORE_READ, &st, err)))
		return rc;
	rc = kp_store_load_unit(st, c->run_id, c->args[0], &res, err);
	kp_store_close(st);
	if (rc)
		return rc;
	memset(&o, 0, sizeof o);
	o.format = c->format >= 0 ? c->format : KP_FMT_TABLE;
	o.lang = c->lang;
	o.output = c->output;
	rc = kp_report_explain(res, 0, &o, stdout, err);
	kp_result_free(res);
	return rc;
}
