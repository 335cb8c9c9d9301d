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

static void unread_flush(struct unread *u)
{
	if (u->t && u->n && !u->c->quiet)
		kp_cli_out(u->r->uses_lua ? "note: %s: %zu column%s no helper reads (a function rule may read %s): %s\n"
					  : "note: %s: %zu column%s no rule reads%s: %s\n",
			   u->t->file, u->n, u->n == 1 ? "" : "s", u->r->uses_lua ? (u->n == 1 ? "it" : "them") : "",
			   u->cols);
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
			fprintf(stderr, "%s: %s: the rules read the column '%s', which no file has; did you mean '%s' "
				"(%s)?\n", kp_cli_prog, u->c->args[0], col, near, in->file);
		else
			fprintf(stderr, "%s: %s: the rules read the column '%s', which no file has\n", kp_cli_prog,
				u->c->args[0], col);
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

	if (!rc && missing)
		return kp_err_set(err, KP_EDATA, "%s: %zu column%s the rules read %s missing from the data", r->file,
				  missing, missing == 1 ? "" : "s", missing == 1 ? "is" : "are");
	return rc;
}

/* An indicator a rule function scores, without desc: the published
 * criteria could say only 按规则函数计分.  A warning, not a failure. */
static void warn_undescribed(const kp_cli_config *c, const kp_rules *r)
{
	size_t i;

	for (i = 0; i < r->nind && !c->quiet; i++)
		if (r->ind[i].m.kind == KP_M_FUNC && (!r->ind[i].desc || !r->ind[i].desc[0]))
			fprintf(stderr, "%s: warning: %s: indicator '%s' is scored by a function and has no desc; "
				"the criteria say only 按规则函数计分: write what it scores as desc = \"…\"\n", kp_cli_prog,
				r->ind[i].where, r->ind[i].name);
}

int kp_cmd_check(kp_cli_config *c, kp_err *err)
{
	kp_rules *r = NULL;
	kp_data *d = NULL;
	kp_result *res = NULL;
	kp_score_missing missing = {0};
	size_t i;
	int rc;

	if ((rc = kp_cli_load_rules(c, c->args[0], 1, &r, err)))
		return rc;
	if (!c->quiet) {
		kp_cli_out("%s: %s (%d), %zu sections, %zu indicators, %g points; %zu deductions, %zu bonus, %zu vetoes, "
		       "%zu grades, %zu test cases\n", r->file, r->title, r->year, r->nsec, r->nind, r->full_points,
		       r->nded, r->nbon, r->nveto, r->ngrade, r->ncase);
		for (i = 0; i < r->nsec; i++)
			kp_cli_out("  %s: %g points, %zu indicators\n", r->sec[i].name, r->sec[i].points, r->sec[i].count);
	}
	warn_undescribed(c, r);
	if (c->nargs > 1) {
		kp_score_opts o;
		memset(&o, 0, sizeof o);
		o.missing = &missing;
		if (!(d = kp_data_new(err)))
			rc = KP_EINTERNAL;
		if (!rc && !(rc = kp_cli_read_csvs(c, r, d, c->args + 1, c->nargs - 1, err)) &&
		    !(rc = kp_cli_bad_cells(c, r, d, err)) && !(rc = check_columns(c, r, d, err)) &&
		    !(rc = kp_cli_bind(c, r, d, err)) && (kp_cli_enter(KP_PH_SCORE), 1) &&
		    !(rc = kp_score_run(r, d, &o, &res, err)) && !c->quiet)
			printf("data: %zu units in %zu files score without errors\n", d->nunits, d->ntab);
	}
	kp_cli_missing_list(&missing);
	kp_sb_free(&missing.lines);
	if (!rc && !c->quiet)
		printf("ok\n");
	kp_result_free(res);
	kp_data_free(d);
	kp_rules_free(r);
	return rc;
}

