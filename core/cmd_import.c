/* cmd_import.c — `kaoping import`: CSV files and workbooks into the database, all or
 * nothing, saying what each became; a database this failed import created
 * is removed again. */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"
#include "kaoping/enc.h"
#include "kaoping/xlsx.h"

int kp_cli_import_files(kp_cli_config *c, kp_store *st, char **files, int n, int year, int hold, kp_err *err)
{
	kp_import_opts o;
	kp_import_done *done = calloc((size_t)n + 1, sizeof *done);
	kp_cli_progress p;
	int i, rc;

	if (!done)
		return kp_err_oom(err);
	memset(&o, 0, sizeof o);
	o.year = year, o.as = c->as, o.replace = c->replace, o.hold = hold;
	kp_cli_progress_begin(c, &o.csv, &p, n == 1 ? files[0] : kp_msg_fmt(KP_MSG_CMD_PROGRESS_IMPORT));
	rc = kp_store_import(st, (const char *const *)files, (size_t)n, &o, done, err);
	kp_cli_progress_end(&p);
	for (i = 0; i < n && !rc; i++) {
		const char *kind = done[i].workbook ? kp_xlsx_kind_name(done[i].workbook) : kp_enc_name(done[i].encoding);
		if (done[i].replaced)
			kp_cli_note(c, KP_M_CMD_REPLACED, files[i], done[i].name, year, done[i].rows, done[i].cols, kind);
		else
			kp_cli_note(c, KP_M_CMD_IMPORTED, files[i], done[i].name, year, done[i].rows, done[i].cols, kind);
		if (!done[i].rows && !hold) /* only an event list may be empty: said before score refuses
					     anything else (run --db scores it next) */
			kp_cli_note(c, KP_M_CMD_IMPORTED_NO_ROWS, files[i]);
		if (done[i].retired[0]) /* a dataset of another name gone: never silent, as a drop */
			kp_cli_say(KP_M_CMD_REPLACED_OTHER, files[i], done[i].retired, year, done[i].name, done[i].retired);
		if (done[i].lost.n) /* never silent: explain loses them */
			kp_cli_say(KP_M_CMD_UNDERIVED, done[i].lost.n, done[i].lost.newest);
		kp_cli_read_notes(c, files[i], done[i].skipped_rows, done[i].dropped_cols, done[i].tabs);
	}
	free(done);
	return rc;
}

int kp_cmd_import(kp_cli_config *c, kp_err *err)
{
	kp_store *st = NULL;
	struct stat sb;
	int rc, year, existed = stat(c->db, &sb) == 0;

	if (c->as && c->nargs > 1)
		return kp_err_msg(err, KP_EUSAGE, KP_M_CMD_IMPORT_AS_ONE);
	if (!existed)
		kp_cli_new_db(c->db);
	if (!(rc = kp_store_open(c->db, KP_STORE_WRITE, &st, err))) {
		kp_cli_new_db_opened(st);
		if (!(rc = kp_cli_import_year(c, st, c->args, c->nargs, &year, err)))
			rc = kp_cli_import_files(c, st, c->args, c->nargs, year, 0, err);
	}
	kp_cli_new_db_done(rc); /* before the close: the lock still held */
	kp_store_close(st);
	return rc;
}

