/* cmd_compare.c — `kaoping compare`: the same imported data scored with
 * two rule files, or two recorded runs, side by side (compare.h), in any
 * report format.  Also the step `kaoping robust` shares: score the year's
 * imported data without recording a run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_int.h"
#include "kaoping/compare.h"
#include "kaoping/report.h"
#include "kaoping/score.h"

int kp_cli_score_year(kp_cli_config *c, kp_store *st, const char *rules, int year_a, int details, kp_rules **r,
		      kp_data **d, kp_result **res, kp_err *err)
{
	kp_score_opts o;
	kp_last *last = NULL;
	long *ids = NULL;
	size_t nids = 0;
	int rc, year;

	*d = NULL, *res = NULL;
	if ((rc = kp_cli_load_rules(c, rules, 0, r, err)))
		return rc;
	kp_cli_year_check(c, *r);
	year = year_a ? year_a : kp_cli_year(c, *r);
	if (year_a && !c->year && (*r)->year && (*r)->year != year_a)
		kp_cli_say(KP_M_CMD_COMPARE_YEAR_NOT_B, (*r)->file, (*r)->year, year_a, year_a);
	if (!(*d = kp_data_new(err)))
		return KP_EINTERNAL;
	kp_cli_enter(KP_PH_LOAD);
	rc = kp_store_load(st, year, *r, *d, &ids, &nids, err);
	free(ids);
	if (rc)
		return rc;
	kp_cli_enter(KP_PH_READ);
	if ((rc = kp_data_bind(*d, *r, err)))
		return rc;
	/* last year's results, as score gives them to the rules (u.last): a
	 * rule that reads them (进步奖) scored otherwise than the run does */
	kp_cli_enter(KP_PH_LOAD);
	if ((rc = kp_store_last(st, year - 1, &last, err)))
		return rc;
	memset(&o, 0, sizeof o);
	o.details = details;
	o.last = last;
	kp_cli_enter(KP_PH_SCORE);
	rc = kp_score_run(*r, *d, &o, res, err);
	kp_cli_disarm_timeout();
	kp_store_last_free(last);
	kp_cli_enter(KP_PH_NONE);
	if (!rc)
		(*res)->year = year;
	if (!rc)
		rc = kp_result_render_notes(*res, (enum kp_lang)c->lang, err);
	return rc;
}

/* Two rule files on the same year's data (--year, else the year of the
 * first): the rules, data and results are the caller's (freed even after
 * an error). */
static int score_both(kp_cli_config *c, kp_rules *r[2], kp_data *d[2], kp_result *res[2], kp_err *err)
{
	kp_store *st = NULL;
	int rc, i;

	kp_cli_enter(KP_PH_OPEN);
	if ((rc = kp_store_open(c->db, KP_STORE_READ, &st, err)))
		return rc;
	for (i = 0; i < 2 && !rc; i++) /* B scores the year A did: the same data */
		rc = kp_cli_score_year(c, st, c->args[i], i ? res[0]->year : 0, 0, &r[i], &d[i], &res[i], err);
	kp_store_close(st);
	return rc;
}

/* Two recorded runs (--run N --run M). */
static int load_both(kp_cli_config *c, kp_result *res[2], kp_err *err)
{
	kp_store *st = NULL;
	int rc;

	if ((rc = kp_store_open(c->db, KP_STORE_READ, &st, err)))
		return rc;
	if (!(rc = kp_store_load_run(st, c->run_prev, 0, &res[0], err)))
		rc = kp_store_load_run(st, c->run_id, 0, &res[1], err);
	if (!rc && !(rc = kp_result_render_notes(res[0], (enum kp_lang)c->lang, err)))
		rc = kp_result_render_notes(res[1], (enum kp_lang)c->lang, err);
	kp_store_close(st);
	return rc;
}

static int usage(const kp_cli_config *c, kp_err *err)
{
	(void)c;
	return kp_err_msg(err, KP_EUSAGE, KP_M_CMD_COMPARE_USAGE);
}

int kp_cmd_compare(kp_cli_config *c, kp_err *err)
{
	kp_rules *r[2] = { NULL, NULL };
	kp_data *d[2] = { NULL, NULL };
	kp_result *res[2] = { NULL, NULL };
	kp_compare *cmp = NULL;
	kp_report_opts o;
	size_t cut = 0;
	int rc, i, runs = c->run_prev > 0 && c->run_id > 0;

	/* a third --run would silently drop the first: two runs or none */
	if ((runs && (c->nargs != 0 || c->nruns != 2)) || (!runs && (c->nargs != 2 || c->run_id > 0)) || (runs && c->year))
		return usage(c, err);
	if ((rc = kp_cli_check_output(c, err)))
		return rc;
	rc = runs ? load_both(c, res, err) : score_both(c, r, d, res, err);
	if (!rc)
		rc = kp_compare_run(res[0], res[1], &cmp, err);
	if (!rc) {
		kp_cli_enter(KP_PH_REPORT);
		memset(&o, 0, sizeof o);
		o.format = kp_cli_report_format(c), o.lang = c->lang, o.bom = c->bom, o.output = c->output;
		o.cut = &cut;
		rc = kp_report_compare(cmp, &o, stdout, err);
		if (!rc && cut) /* with --quiet too: the workbook is not the whole comparison */
			kp_cli_say(KP_M_CLI_XLSX_CUT, c->output ? c->output : "-", cut);
		if (!rc && c->output)
			kp_cli_note(c, KP_M_CMD_WROTE, c->output);
	}
	kp_compare_free(cmp);
	for (i = 0; i < 2; i++)
		kp_result_free(res[i]), kp_data_free(d[i]), kp_rules_free(r[i]);
	return rc;
}
