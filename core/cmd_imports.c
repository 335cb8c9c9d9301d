/* cmd_imports.c — `kaoping imports [--year Y]`: what the database holds,
 * one import a line (year, rows, the SHA-256's first 12 digits, when,
 * dataset, file), oldest year first. */
#include <stdio.h>

#include "cli_int.h"

static int print_import(void *ud, const kp_store_import_row *row, kp_err *err)
{
	int *n = ud;

	(void)err;
	if ((*n)++ == 0)
		kp_cli_out_msg(KP_M_CMD_IMPORTS_HEAD);
	kp_cli_out_line("%-6d %-8zu %-12.12s %-20s %-5ld %s  %s\n", row->year, row->rows, row->sha256, row->when, row->id,
		   row->name, row->file);
	return 0;
}

int kp_cmd_imports(kp_cli_config *c, kp_err *err)
{
	kp_store *st = NULL;
	int rc, n = 0;

	if (!(rc = kp_store_open(c->db, KP_STORE_READ, &st, err)) &&
	    !(rc = kp_store_imports(st, c->year, print_import, &n, err)) && n == 0) {
		if (c->year)
			kp_cli_note(c, KP_M_CMD_IMPORTS_NONE_YEAR, c->db, c->year);
		else
			kp_cli_note(c, KP_M_CMD_IMPORTS_NONE, c->db);
	}
	kp_store_close(st);
	return rc;
}
