/* cmd_drop.c — `kaoping drop --year Y DATASET`: remove an import, in one
 * transaction recorded in the database (import_drops: what, when, which
 * runs had used it).  Never silent: what was dropped is said even with
 * --quiet.  A run that used the import keeps its results (it recorded what
 * it scored); the drop says which runs those are. */
#include <stdio.h>

#include "cli_int.h"

int kp_cmd_drop(kp_cli_config *c, kp_err *err)
{
	kp_store *st = NULL;
	kp_store_dropped d;
	int rc;

	if (!c->year)
		return kp_err_msg(err, KP_EUSAGE, KP_M_CMD_DROP_NEEDS_YEAR, c->args[0]);
	if ((rc = kp_store_open(c->db, KP_STORE_UPDATE, &st, err)))
		return rc;
	if (!(rc = kp_store_drop(st, c->year, c->args[0], &d, err))) {
		kp_cli_say(KP_M_CMD_DROPPED, c->args[0], c->year, c->db, d.id, d.file, d.rows, d.sha256);
		if (d.used_by)
			kp_cli_say(KP_M_CMD_DROP_USED, d.used_by, c->year, c->args[0]);
		if (d.lost.n) /* never silent: explain loses them */
			kp_cli_say(KP_M_CMD_UNDERIVED, d.lost.n, d.lost.newest);
		kp_store_dropped_free(&d);
	}
	kp_store_close(st);
	return rc;
}
