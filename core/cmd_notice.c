/* cmd_notice.c — `kaoping notice [RULES]`: the draft commendation notice
 * (通报表彰) of a recorded run, from the built-in template or --template,
 * as md, html or docx.  The rules give the title, office and basis; they
 * must be the file the run was scored with (its SHA-256). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli_int.h"
#include "kaoping/infile.h"
#include "kaoping/notice.h"
#include "kaoping/rank.h"

/* --format, else -o's extension, else md; 0 with a usage error. */
static int notice_format(const kp_cli_config *c, kp_err *err)
{
	const char *dot = c->output ? strrchr(c->output, '.') : NULL;
	int f;

	if (c->format_name) {
		if (!(f = kp_notice_format(c->format_name)))
			kp_err_msg(err, KP_EUSAGE, KP_M_CMD_NOTICE_FORMAT, c->format_name);
		return f;
	}
	if (!c->output)
		return KP_NOTICE_MD;
	if (dot && strchr(dot, '/') == NULL) {
		if (!strcasecmp(dot, ".md") || !strcasecmp(dot, ".markdown"))
			return KP_NOTICE_MD;
		if (!strcasecmp(dot, ".html") || !strcasecmp(dot, ".htm"))
			return KP_NOTICE_HTML;
		if (!strcasecmp(dot, ".docx"))
			return KP_NOTICE_DOCX;
	}
	kp_err_msg(err, KP_EUSAGE, KP_M_CMD_NOTICE_EXT, c->output);
	return 0;
}

/* The rules of the run: RULES, else the path it recorded; the same bytes. */
static int notice_rules(kp_cli_config *c, const kp_result *res, kp_rules **r, kp_err *err)
{
	const char *path = c->nargs ? c->args[0] : res->rules_file;
	int rc;

	if ((rc = kp_cli_load_rules(c, path, 0, r, err))) {
		if (!c->nargs && rc != KP_EUSAGE) /* -o is the rule file: said as it is */
			kp_err_prefix_msg(err, KP_M_CMD_NOTICE_RULES_OF_RUN, res->run_id);
		return rc;
	}
	kp_cli_disarm_timeout();
	if (!res->rules_sha256 || strcmp((*r)->sha256, res->rules_sha256))
		return kp_err_msg(err, KP_EDATA, KP_M_CMD_NOTICE_NOT_RULES, path, res->run_id, (*r)->sha256,
				  res->rules_sha256 ? res->rules_sha256 : "");
	return kp_rank_agrees(*r, res, c->db, err); /* the notice prints its quotas and grades */
}

/* The template: --template FILE, else the one built in. */
static int notice_render(kp_cli_config *c, const kp_rules *r, const kp_result *res, kp_notice *n, kp_err *err)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (!c->tmpl)
		return kp_notice_render(kp_notice_tmpl, kp_notice_tmpl_len, "notice.md.tmpl", r, res, n, err);
	if (!(rc = kp_notice_read_template(c->tmpl, &text, &len, err)))
		rc = kp_notice_render(text, len, c->tmpl, r, res, n, err);
	free(text);
	return rc;
}

int kp_cmd_notice(kp_cli_config *c, kp_err *err)
{
	kp_result *res = NULL;
	kp_rules *r = NULL;
	kp_store *st = NULL;
	kp_notice n = {0};
	int f = notice_format(c, err), rc;

	if (!f)
		return err->kind;
	if (c->output && c->tmpl && kp_infile_same(c->output, c->tmpl))
		return kp_err_msg(err, KP_EUSAGE, KP_M_CMD_NOTICE_SAME_TEMPLATE, c->output, c->tmpl);
	if (f == KP_NOTICE_DOCX && !c->output && isatty(STDOUT_FILENO))
		return kp_err_msg(err, KP_EUSAGE, KP_M_CMD_NOTICE_DOCX_TTY);
	if ((rc = kp_cli_check_output_path(c, err)) || (rc = kp_store_open(c->db, KP_STORE_READ, &st, err)))
		return rc;
	rc = kp_store_load_run(st, c->run_id, 0, &res, err);
	if (!rc)
		rc = kp_result_render_notes(res, (enum kp_lang)c->lang, err);
	kp_store_close(st);
	if (!rc && !(rc = notice_rules(c, res, &r, err)) && !(rc = notice_render(c, r, res, &n, err))) {
		kp_cli_enter(KP_PH_REPORT);
		rc = kp_notice_write(&n, f, c->output, stdout, err);
		if (!rc && c->output)
			kp_cli_note(c, KP_M_CMD_WROTE, c->output);
	}
	kp_notice_free(&n);
	kp_rules_free(r);
	kp_result_free(res);
	return rc;
}
