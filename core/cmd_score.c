/* cmd_score.c — `kaoping run` and `kaoping score`: load the rules, take
 * the data (CSV files into memory, or the store's imports for the year),
 * score, record the run when there is a store, write the report.  The two
 * commands share one scoring path. */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"
#include "kaoping/outfile.h"
#include "kaoping/report.h"
#include "kaoping/score.h"

/* The report shows each unit's items: the HTML and XLSX reports up to
 * their limit, JSON with --items. */
static int needs_details(const kp_cli_config *c, const kp_data *d)
{
	size_t limit = kp_cli_detail_limit(c);

	return limit > 0 && d->nunits <= limit;
}

/* A run of at least this many units stores no items when its rules let
 * them be derived again (kaoping/derive.h): past the largest report that
 * shows every unit's items (XLSX), where they are the bulk of the database
 * and of the time, and only explain (and JSON --items) shows them. */
#define DERIVE_FROM (KP_REPORT_XLSX_DETAILS + 1)

/* Whether the run about to be stored keeps no items: rules whose items
 * can be derived again, one import whose rows are its units in rowid
 * order (1..n), and many units. */
static int derive_run(const kp_rules *r, const kp_data *d, kp_store *st, const long *ids, size_t nids, int *yes,
		      kp_err *err)
{
	*yes = 0;
	if (nids != 1 || d->nunits < DERIVE_FROM || !kp_score_derivable(r) || !r->text)
		return 0;
	return kp_store_import_dense(st, ids[0], d->nunits, yes, err);
}

/* Score data already bound into *res, recording each unit into a run of
 * st (begun here, aborted on failure) when st is given; the units with
 * missing values are said. */
static int score_units(kp_cli_config *c, const kp_rules *r, kp_data *d, kp_store *st, const long *ids, size_t nids,
		       const kp_last *last, long *run_id, kp_result **res, kp_err *err)
{
	kp_score_opts o;
	kp_score_missing missing = {0};
	kp_score_stats stats = {0, NULL};
	int rc, derive = 0;

	memset(&o, 0, sizeof o);
	o.details = needs_details(c, d);
	o.release_numbers = 1;
	o.progress = kp_cli_tick;
	o.missing = &missing;
	o.last = last;
	if (st && (rc = derive_run(r, d, st, ids, nids, &derive, err)))
		return rc;
	if (st && derive) {
		o.stats_out = &stats;
	} else if (st) {
		o.sink = kp_store_run_sink;
		o.sink_ud = st;
	}
	if (st && (rc = kp_store_run_begin(st, r, kp_cli_year(c, r), ids, nids, run_id, err)))
		return rc;
	kp_cli_phase("bind"); /* not words */
	kp_cli_enter(KP_PH_SCORE);
	rc = kp_score_run(r, d, &o, res, err);
	kp_cli_disarm_timeout();
	kp_cli_missing_list(&missing);
	kp_sb_free(&missing.lines);
	kp_cli_enter(KP_PH_STORE);
	kp_cli_phase("score"); /* not words */
	if (!rc && derive)
		rc = kp_store_run_derive(st, r, ids[0], &stats, kp_cli_version(), err);
	kp_score_stats_free(&stats);
	if (rc && st)
		kp_store_run_abort(st);
	return rc;
}

/* Score data already bound; store the run when st is given; report. */
static int score_and_report(kp_cli_config *c, const kp_rules *r, kp_data *d, kp_store *st,
			    const long *ids, size_t nids, kp_err *err)
{
	kp_last *last = NULL;
	kp_result *res = NULL;
	long run_id = 0;
	int rc, frc, year = kp_cli_year(c, r);

	kp_cli_enter(KP_PH_BEGIN);
	if (st && (rc = kp_store_last(st, year - 1, &last, err)))
		return rc;
	if ((rc = score_units(c, r, d, st, ids, nids, last, &run_id, &res, err)))
		goto out;
	res->year = year;
	if (st && (rc = kp_store_run_finish(st, res, err)))
		goto out;
	kp_cli_phase("store"); /* not words */
	if ((rc = kp_result_render_notes(res, (enum kp_lang)c->lang, err)))
		goto out;
	kp_cli_phase("render"); /* not words */
	/* the report written before the commit, put in place after it: one
	 * that cannot be written (a full disk) leaves the database as it was,
	 * as the command then says, and a report is there only for a run that
	 * is recorded */
	if (st) {
		kp_outfile_defer();
		kp_store_run_flush_begin(st, res->nunits); /* the run's pages to disk meanwhile */
	}
	rc = kp_cli_write_report(c, res, err);
	if (st && (frc = kp_store_run_flush_end(st, rc ? NULL : err)) && !rc)
		rc = frc;
	if (rc)
		goto out;
	kp_cli_phase("report"); /* not words */
	if (st && !(rc = kp_store_run_commit(st, err))) {
		kp_cli_phase("commit"); /* not words */
		kp_cli_note(c, KP_M_CMD_RUN_RECORDED, run_id, c->db);
		if (!(rc = kp_outfile_deferred(1, err)) && c->output)
			kp_cli_note(c, KP_M_CLI_WROTE, c->output);
	}
out:
	if (st)
		kp_outfile_deferred(0, NULL); /* what a failure left held */
	kp_result_free(res);
	kp_store_last_free(last);
	return rc;
}

/* The scoring verbs: load the rules; take the data from the CSV files
 * (into memory) or, with a store, from its imports for the year after
 * importing the files into it; score, record the run there, report.
 * Files imported here are kept only with the run: one transaction holds
 * both, so a failure leaves the database as it was (and removes one it
 * created). */
static int score_verb(kp_cli_config *c, int store_mode, char **files, int nfiles, kp_err *err)
{
	kp_rules *r = NULL;
	kp_data *d = NULL;
	kp_store *st = NULL;
	long *ids = NULL;
	size_t nids = 0;
	struct stat sb;
	int rc, existed = store_mode >= 0 && stat(c->db, &sb) == 0, imported = 0;

	kp_cli_phase("start"); /* not words */
	if ((rc = kp_cli_check_output(c, err)) || (rc = kp_cli_load_rules(c, c->args[0], 0, &r, err)))
		goto out;
	kp_cli_phase("rules"); /* not words */
	kp_cli_year_check(c, r);
	if (!(d = kp_data_new(err))) {
		rc = KP_EINTERNAL;
		goto out;
	}
	if (store_mode >= 0) {
		kp_cli_enter(KP_PH_OPEN);
		if (!existed)
			kp_cli_new_db(c->db);
		if ((rc = kp_store_open(c->db, store_mode, &st, err)))
			goto out;
		kp_cli_new_db_opened(st);
		if (nfiles > 0 && (kp_cli_enter(KP_PH_IMPORT),
				   rc = kp_cli_import_files(c, st, files, nfiles, kp_cli_year(c, r), 1, err)))
			goto out;
		imported = nfiles > 0;
		kp_cli_enter(KP_PH_LOAD);
		rc = kp_store_load(st, kp_cli_year(c, r), r, d, &ids, &nids, err);
	} else {
		rc = kp_cli_read_csvs(c, r, d, files, nfiles, err);
	}
	kp_cli_phase("read"); /* not words */
	if (!rc && !(rc = kp_cli_bad_cells(c, r, d, err)) && !(rc = kp_cli_bind(c, r, d, err)))
		rc = score_and_report(c, r, d, st, ids, nids, err);
out:
	free(ids);
	kp_data_free(d);
	if (store_mode >= 0)
		kp_cli_new_db_done(rc); /* before the close: the lock still held */
	kp_store_close(st); /* rolls back what a failure left open */
	kp_rules_free(r);
	if (rc && imported && existed)
		kp_cli_note(c, KP_M_CMD_RUN_IMPORT_NOT_KEPT, c->db);
	return rc;
}

int kp_cmd_run(kp_cli_config *c, kp_err *err)
{
	if (c->nargs < 2 && !c->db)
		return kp_err_msg(err, KP_EUSAGE, KP_M_CMD_RUN_NEEDS_FILES);
	return score_verb(c, c->db ? KP_STORE_WRITE : -1, c->args + 1, c->nargs - 1, err);
}

int kp_cmd_score(kp_cli_config *c, kp_err *err)
{
	return score_verb(c, KP_STORE_UPDATE, NULL, 0, err);
}

