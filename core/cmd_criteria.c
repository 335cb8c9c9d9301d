/* cmd_criteria.c — `kaoping criteria RULES`: the published 考核细则. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"
#include "kaoping/criteria.h"
#include "kaoping/report.h"

/* A message in the report's language (--lang), not the messages' (KP_M_ID
 * in place of id and en, so the compiler checks the arguments); malloc'd,
 * NULL when out of memory. */
static char *report_text(enum kp_lang lang, enum kp_msgid id, const char *en, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;
static char *report_text(enum kp_lang lang, enum kp_msgid id, const char *en, ...)
{
	va_list ap;
	char *s;
	int n;

	(void)en;
	va_start(ap, en);
	n = vasprintf(&s, kp_msg_text(id, lang), ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}

/* The column headers in the report's language: the grid's columns, then
 * basis and office when some item has one. */
static void criteria_heads(const kp_criteria *g, enum kp_lang lang, const char **head)
{
	static const enum kp_msgid ids[] = {
		KP_MSG_CMD_CRITERIA_SECTION, KP_MSG_CMD_CRITERIA_POINTS, KP_MSG_CMD_CRITERIA_INDICATOR,
		KP_MSG_CMD_CRITERIA_POINTS, KP_MSG_CMD_CRITERIA_METHOD
	};
	size_t k;

	for (k = 0; k < KP_CRITERIA_COLS; k++)
		head[k] = kp_msg_text(ids[k], lang);
	if (g->has_basis)
		head[k++] = kp_msg_text(KP_MSG_CMD_CRITERIA_BASIS, lang);
	if (g->has_office)
		head[k++] = kp_msg_text(KP_MSG_CMD_CRITERIA_OFFICE, lang);
}

/* The criteria as a titled grid: the title line on a terminal's table,
 * then the grid under its subtitle. */
static int criteria_write(const kp_cli_config *c, const kp_rules *r, const kp_criteria *g, const kp_report_opts *o,
			  kp_err *err)
{
	enum kp_lang lang = (enum kp_lang)c->lang; /* the report's, not the messages' */
	const char *head[KP_CRITERIA_COLS + 2];
	char *title = report_text(lang, KP_M_CMD_CRITERIA_TITLE, r->title, r->full_points);
	char *sub = report_text(lang, KP_M_CMD_CRITERIA_SUBTITLE, r->full_points);
	int rc = 0;

	if (!title || !sub)
		rc = kp_err_oom(err);
	if (!rc && !c->quiet && o->format == KP_FMT_TABLE)
		kp_cli_out("%s", title);
	criteria_heads(g, lang, head);
	if (!rc)
		rc = kp_report_grid_titled(r->title, sub, head, g->ncols, (const char *const *)g->cells, g->n / g->ncols,
					   o, stdout, err);
	free(title), free(sub);
	return rc;
}

int kp_cmd_criteria(kp_cli_config *c, kp_err *err)
{
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
		rc = kp_err_msg(err, KP_EUSAGE, KP_M_CMD_CRITERIA_FORMAT);
	if (!rc && !(rc = kp_criteria_build(r, &g, err)))
		rc = criteria_write(c, r, &g, &o, err);
	kp_criteria_free(&g);
	kp_rules_free(r);
	return rc;
}
