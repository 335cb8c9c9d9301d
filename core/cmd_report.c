/* cmd_report.c — `kaoping report`: a recorded run, as any report format;
 * and the rule file of a recorded run, for what the run does not keep
 * (the issuing office here, each item's basis and office in explain). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli_int.h"
#include "kaoping/report.h"

int kp_cli_run_rules(kp_cli_config *c, const kp_result *res, const char *left_out, kp_rules **out, kp_err *err)
{
	kp_rules *r = NULL;
	kp_err e = { 0 };
	struct stat st;
	const char *f = res->rules_file;

	*out = NULL;
	if (!f || !*f)
		return 0;
	if (stat(f, &st) != 0) {
		kp_cli_note(c, KP_M_CMD_RUN_RULES_GONE, f, strerror(errno), left_out);
		return 0;
	}
	if (kp_cli_load_rules(c, f, 0, &r, &e)) {
		if (e.kind == KP_EUSAGE) {
			kp_cli_disarm_timeout();
			return kp_err_move(err, &e);
		}
		kp_cli_note(c, KP_M_CMD_RUN_RULES_BAD, f, e.msg, left_out);
		kp_err_clear(&e);
		r = NULL;
	} else if (!res->rules_sha256 || strcmp(r->sha256, res->rules_sha256)) {
		kp_cli_note(c, KP_M_CMD_RUN_RULES_CHANGED, f, res->run_id, left_out);
		kp_rules_free(r);
		r = NULL;
	}
	kp_cli_disarm_timeout();
	*out = r;
	return 0;
}

/* The HTML report's heading names the issuing office, which a stored run
 * does not keep: it comes from the run's rule file, when that is still
 * where it was scored and unchanged. */
static int issuing_office(kp_cli_config *c, kp_result *res, kp_err *err)
{
	kp_rules *r = NULL;
	int rc;

	if (kp_cli_report_format(c) != KP_FMT_HTML || res->office)
		return 0;
	if ((rc = kp_cli_run_rules(c, res, kp_msg_fmt(KP_MSG_CMD_REPORT_LEFT_OUT_OFFICE), &r, err)) || !r)
		return rc;
	if (r->office && !(res->office = kp_result_str(res, r->office, err)))
		rc = err->kind ? err->kind : KP_EINTERNAL;
	kp_rules_free(r);
	return rc;
}

int kp_cli_load_run(kp_cli_config *c, kp_result **res, kp_err *err)
{
	kp_store *st = NULL;
	int rc;

	kp_cli_enter(KP_PH_OPEN);
	if ((rc = kp_store_open(c->db, KP_STORE_READ, &st, err)))
		return rc;
	kp_cli_enter(KP_PH_LOAD);
	/* only the HTML and XLSX reports (up to their limit) and JSON with
	 * --items show every item and note */
	rc = kp_store_load_run(st, c->run_id, kp_cli_detail_limit(c), res, err);
	if (!rc && (*res)->nunits <= kp_cli_detail_limit(c))
		rc = kp_cli_derive(c, st, *res, 1, err); /* a run that keeps its items: as it is */
	kp_store_close(st);
	if (!rc)
		rc = kp_result_render_notes(*res, (enum kp_lang)c->lang, err);
	return rc;
}

int kp_cmd_report(kp_cli_config *c, kp_err *err)
{
	kp_result *res = NULL;
	int rc = kp_cli_check_output(c, err);

	if (!rc)
		rc = kp_cli_load_run(c, &res, err);
	if (!rc)
		rc = issuing_office(c, res, err);
	if (!rc)
		rc = kp_cli_write_report(c, res, err);
	kp_result_free(res);
	return rc;
}
