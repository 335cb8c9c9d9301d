/* cmd_runs.c — `kaoping runs`: the runs recorded in the database, one a
 * line (id, year, units, the rule file's SHA-256's first 12 digits, when,
 * rule file), oldest first. */
#include <stdio.h>

#include "cli_int.h"

static int print_run(void *ud, const kp_store_run_row *row, kp_err *err)
{
	int *n = ud;
	char units[24] = "-";

	(void)err;
	if ((*n)++ == 0)
		kp_cli_out_msg(KP_M_CMD_RUNS_HEAD);
	if (row->units >= 0)
		snprintf(units, sizeof units, "%ld", row->units);
	kp_cli_out_line("%-5ld %-6d %-6s %-12.12s %-20s %s\n", row->id, row->year, units, row->rules_sha256, row->when,
		   row->rules_file);
	return 0;
}

int kp_cmd_runs(kp_cli_config *c, kp_err *err)
{
	kp_store *st = NULL;
	int rc, n = 0;

	if (!(rc = kp_store_open(c->db, KP_STORE_READ, &st, err)) && !(rc = kp_store_runs(st, print_run, &n, err)) &&
	    n == 0)
		kp_cli_note(c, KP_M_CMD_RUNS_NONE, c->db);
	kp_store_close(st);
	return rc;
}
