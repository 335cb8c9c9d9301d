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
		return kp_err_set(err, KP_EUSAGE, "drop needs --year: which year's '%s' to drop (kaoping imports lists them)",
				  c->args[0]);
	if ((rc = kp_store_open(c->db, KP_STORE_UPDATE, &st, err)))
		return rc;
	if (!(rc = kp_store_drop(st, c->year, c->args[0], &d, err))) {
		fprintf(stderr, "%s: dropped '%s' for %d from %s: import %ld of %s, %zu rows, sha256 %.12s; recorded in "
			"import_drops\n", kp_cli_prog, c->args[0], c->year, c->db, d.id, d.file, d.rows, d.sha256);
		if (d.used_by)
			fprintf(stderr, "%s: note: run %s used it and keeps its results; scoring %d again needs '%s' "
				"imported again\n", kp_cli_prog, d.used_by, c->year, c->args[0]);
		kp_store_dropped_free(&d);
	}
	kp_store_close(st);
	return rc;
}
