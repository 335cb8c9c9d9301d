/* cmd_check.c — `kaoping check RULES [CSV...]`: the rule file's shape and,
 * given data, its columns and a trial score. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"
#include "kaoping/score.h"

static void on_column(void *ud, const kp_table *t, const char *col)
{
	const kp_cli_config *c = ud;

	if (!t)
		fprintf(stderr, "%s: %s: the rules read the column '%s', which no file has\n", kp_cli_prog,
			c->args[0], col);
	else if (!c->quiet)
		kp_cli_out("note: %s: column '%s' is read by no helper (a function rule may still read it)\n", t->file, col);
}

/* Columns the rules name that the data lacks, and data columns no
 * declarative rule reads. */
static int check_columns(kp_cli_config *c, const kp_rules *r, const kp_data *d, kp_err *err)
{
	size_t missing = 0;
	int rc = kp_data_check_columns(d, r, on_column, c, &missing, err);

	if (!rc && missing)
		return kp_err_set(err, KP_EDATA, "%s: %zu column%s the rules read %s missing from the data", r->file,
				  missing, missing == 1 ? "" : "s", missing == 1 ? "is" : "are");
	return rc;
}

int kp_cmd_check(kp_cli_config *c, kp_err *err)
{
	kp_rules *r = NULL;
	kp_data *d = NULL;
	kp_result *res = NULL;
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
	if (c->nargs > 1) {
		kp_score_opts o;
		memset(&o, 0, sizeof o);
		if (!(d = kp_data_new(err)))
			rc = KP_EINTERNAL;
		if (!rc && !(rc = kp_cli_read_csvs(c, r, d, c->args + 1, c->nargs - 1, err)) && !(rc = check_columns(c, r, d, err)) &&
		    !(rc = kp_data_bind(d, r, err)) && (kp_cli_enter(KP_PH_SCORE), 1) &&
		    !(rc = kp_score_run(r, d, &o, &res, err)) && !c->quiet)
			printf("data: %zu units in %zu files score without errors\n", d->nunits, d->ntab);
	}
	if (!rc && !c->quiet)
		printf("ok\n");
	kp_result_free(res);
	kp_data_free(d);
	kp_rules_free(r);
	return rc;
}

