/* cmd_criteria.c — `kaoping criteria RULES`: the published 考核细则. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"
#include "kaoping/criteria.h"
#include "kaoping/report.h"

int kp_cmd_criteria(kp_cli_config *c, kp_err *err)
{
	static const char *const zh[] = {"一级指标", "分值", "二级指标", "分值", "评分标准", "依据", "考核科室"};
	static const char *const en[] = {"section", "points", "indicator", "points", "method", "basis", "office"};
	const char *head[KP_CRITERIA_COLS + 2];
	char sub[64];
	kp_rules *r = NULL;
	kp_report_opts o;
	kp_criteria g = {.lang = c->lang};
	int rc;

	if ((rc = kp_cli_check_output(c, err)) || (rc = kp_cli_load_rules(c, c->args[0], 0, &r, err)))
		return rc;
	memset(&o, 0, sizeof o);
	o.format = kp_cli_report_format(c); /* --format, else -o's extension */
	o.lang = c->lang, o.bom = c->bom, o.output = c->output;
	if (o.format != KP_FMT_TABLE && o.format != KP_FMT_CSV && o.format != KP_FMT_MD && o.format != KP_FMT_HTML)
		rc = kp_err_set(err, KP_EUSAGE, "criteria prints table, csv, md or html");
	snprintf(sub, sizeof sub, c->lang == KP_LANG_EN ? "criteria, %g points" : "考核细则 · 满分%g分", r->full_points);
	if (!rc && !(rc = kp_criteria_build(r, &g, err))) {
		if (!c->quiet && o.format == KP_FMT_TABLE)
			kp_cli_out("%s  (%g分)\n\n", r->title, r->full_points);
		const char *const *l = c->lang == KP_LANG_EN ? en : zh;
		size_t k = KP_CRITERIA_COLS;
		memcpy(head, l, KP_CRITERIA_COLS * sizeof *head);
		if (g.has_basis)
			head[k++] = l[KP_CRITERIA_COLS];
		if (g.has_office)
			head[k++] = l[KP_CRITERIA_COLS + 1];
		rc = kp_report_grid_titled(r->title, sub, head, g.ncols, (const char *const *)g.cells, g.n / g.ncols, &o,
					   stdout, err);
	}
	kp_criteria_free(&g);
	kp_rules_free(r);
	return rc;
}

