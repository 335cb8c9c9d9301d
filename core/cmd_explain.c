/* cmd_explain.c — `kaoping explain UNIT`: every point of one unit of a
 * recorded run, with its notes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"
#include "kaoping/report.h"

int kp_cmd_explain(kp_cli_config *c, kp_err *err)
{
	kp_result *res = NULL;
	kp_report_opts o;
	size_t i;
	int rc = kp_cli_load_run(c, &res, err);

	if (rc)
		return rc;
	for (i = 0; i < res->nunits; i++)
		if (!strcmp(res->units[i].id, c->args[0]) || (res->units[i].name && !strcmp(res->units[i].name, c->args[0])))
			break;
	if (i == res->nunits) {
		rc = kp_err_set(err, KP_EDATA, "%s: run %ld has no unit '%s' (give a unit id or name; kaoping report lists them)",
				c->db, res->run_id, c->args[0]);
	} else {
		memset(&o, 0, sizeof o);
		o.format = c->format >= 0 ? c->format : KP_FMT_TABLE;
		o.lang = c->lang;
		o.output = c->output;
		rc = kp_report_explain(res, i, &o, stdout, err);
	}
	kp_result_free(res);
	return rc;
}

