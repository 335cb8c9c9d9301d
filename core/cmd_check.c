/* cmd_check.c — `kaoping check RULES [CSV...]`: the rule file's shape and,
 * given data, its columns and a trial score. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"
#include "kaoping/score.h"

/* Data columns no declarative rule reads are gathered per file and named
 * in one note a file, not a note a column. */
struct unread {
	const kp_cli_config *c;
	const kp_rules *r;
	const kp_data *d;
	const kp_table *t;   /* the file being gathered */
	char *cols;          /* "A, B, C" */
	size_t n;
	int oom;
};

/* "note: FILE: N columns no rule reads: A, B" on stdout. */
static void unread_note(const struct unread *u)
{
	if (!u->t || !u->n || u->c->quiet)
		return;
	if (u->r->uses_lua && u->n == 1)
		kp_cli_out_msg(KP_M_CMD_CHECK_UNREAD_LUA_ONE, u->t->file, u->n, u->cols);
	else if (u->r->uses_lua)
		kp_cli_out_msg(KP_M_CMD_CHECK_UNREAD_LUA, u->t->file, u->n, u->cols);
	else if (u->n == 1)
		kp_cli_out_msg(KP_M_CMD_CHECK_UNREAD_ONE, u->t->file, u->n, u->cols);
	else
		kp_cli_out_msg(KP_M_CMD_CHECK_UNREAD, u->t->file, u->n, u->cols);
}

static void unread_flush(struct unread *u)
{
	unread_note(u);
	free(u->cols);
	u->cols = NULL, u->n = 0, u->t = NULL;
}

static void on_column(void *ud, const kp_table *t, const char *col)
{
	struct unread *u = ud;
	char *more;

	if (!t) {
		const kp_table *in = NULL;
		const char *near = kp_data_near_column(u->d, col, &in);
		if (near)
			kp_cli_say(KP_M_CMD_CHECK_NO_COLUMN_NEAR, u->c->args[0], col, near, in->file);
		else
			kp_cli_say(KP_M_CMD_CHECK_NO_COLUMN, u->c->args[0], col);
		return;
	}
	if (t != u->t)
		unread_flush(u);
	u->t = t;
	if (asprintf(&more, "%s%s%s", u->cols ? u->cols : "", u->cols ? ", " : "", col) < 0) {
		u->oom = 1;
		return;
	}
	free(u->cols);
	u->cols = more, u->n++;
}

/* Columns the rules name that the data lacks, and data columns no
 * declarative rule reads. */
static int check_columns(kp_cli_config *c, const kp_rules *r, const kp_data *d, kp_err *err)
{
	size_t missing = 0;
	struct unread u = { c, r, d, NULL, NULL, 0, 0 };
	int rc = kp_data_check_columns(d, r, on_column, &u, &missing, err);

	unread_flush(&u);
	if (!rc && u.oom)
		return kp_err_oom(err);

	if (!rc && missing == 1)
		return kp_err_msg(err, KP_EDATA, KP_M_CMD_CHECK_MISSING_ONE, r->file, missing);
	if (!rc && missing)
		return kp_err_msg(err, KP_EDATA, KP_M_CMD_CHECK_MISSING, r->file, missing);
	return rc;
}

/* An indicator a rule function scores, without desc: the published
 * criteria could say only 按规则函数计分.  A warning, not a failure. */
static void warn_undescribed(const kp_cli_config *c, const kp_rules *r)
{
	size_t i;

	for (i = 0; i < r->nind; i++)
		if (r->ind[i].m.kind == KP_M_FUNC && (!r->ind[i].desc || !r->ind[i].desc[0]))
			kp_cli_note(c, KP_M_CMD_CHECK_NO_DESC, r->ind[i].where, r->ind[i].name);
}

/* The rule file's shape: its sections, indicators, points and cases. */
static void print_shape(const kp_rules *r)
{
	size_t i;

	kp_cli_out_msg(KP_M_CMD_CHECK_SUMMARY, r->file, r->title, r->year, r->nsec, r->nind, r->full_points, r->nded,
		       r->nbon, r->nveto, r->ngrade, r->ncase);
	for (i = 0; i < r->nsec; i++)
		kp_cli_out_msg(KP_M_CMD_CHECK_SECTION, r->sec[i].name, r->sec[i].points, r->sec[i].count);
}

/* The data files given after the rules: read, checked and scored in trial
 * (nothing recorded); the units with missing values go to *missing. */
static int check_data(kp_cli_config *c, const kp_rules *r, kp_score_missing *missing, kp_err *err)
{
	kp_data *d = NULL;
	kp_result *res = NULL;
	kp_score_opts o;
	int rc = 0;

	memset(&o, 0, sizeof o);
	o.missing = missing;
	if (!(d = kp_data_new(err)))
		rc = KP_EINTERNAL;
	if (!rc && !(rc = kp_cli_read_csvs(c, r, d, c->args + 1, c->nargs - 1, err)) &&
	    !(rc = kp_cli_bad_cells(c, r, d, err)) && !(rc = check_columns(c, r, d, err)) &&
	    !(rc = kp_cli_bind(c, r, d, err)) && (kp_cli_enter(KP_PH_SCORE), 1) &&
	    !(rc = kp_score_run(r, d, &o, &res, err)) && !c->quiet)
		kp_cli_out_msg(KP_M_CMD_CHECK_DATA_OK, d->nunits, d->ntab);
	kp_result_free(res);
	kp_data_free(d);
	return rc;
}

int kp_cmd_check(kp_cli_config *c, kp_err *err)
{
	kp_rules *r = NULL;
	kp_score_missing missing = {0};
	int rc;

	if ((rc = kp_cli_load_rules(c, c->args[0], 1, &r, err)))
		return rc;
	if (!c->quiet)
		print_shape(r);
	warn_undescribed(c, r);
	if (c->nargs > 1)
		rc = check_data(c, r, &missing, err);
	kp_cli_missing_list(&missing);
	kp_sb_free(&missing.lines);
	if (!rc && !c->quiet)
		kp_cli_out_msg(KP_M_CMD_CHECK_OK);
	kp_rules_free(r);
	return rc;
}
