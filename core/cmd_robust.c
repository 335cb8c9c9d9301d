/* cmd_robust.c — `kaoping robust`: score the year's imported data once
 * with every item kept, then rank it again under many drawn weights
 * (robust.h), and report each unit's rank range and commendation share. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"
#include "kaoping/report.h"
#include "kaoping/robust.h"
#include "kaoping/sandbox.h"

int kp_cli_robust_option(kp_cli_config *c, int which, const char *arg, kp_err *err)
{
	char *end;
	double v;
	unsigned long long s;

	switch (which) {
	case 0:
		errno = 0;
		v = strtod(arg, &end);
		if (errno || end == arg || *end || v < 1 || v > KP_ROBUST_MAX_DRAWS || v != floor(v))
			return kp_err_msg(err, KP_EUSAGE, KP_M_CMD_ROBUST_DRAWS, arg, KP_ROBUST_MAX_DRAWS);
		c->draws = (unsigned)v;
		return 0;
	case 1:
		errno = 0;
		v = strtod(arg, &end);
		if (errno || end == arg || *end || !(v >= 0 && v < 100))
			return kp_err_msg(err, KP_EUSAGE, KP_M_CMD_ROBUST_SPREAD, arg);
		c->spread = v;
		return 0;
	case 2:
		errno = 0;
		s = strtoull(arg, &end, 10);
		/* strtoull takes " -1" as 2^64 - 1; past 2^53 - 1 the seed the
		 * JSON report prints would be read back as another one */
		if (errno || end == arg || *end || strchr(arg, '-') || s > (1ULL << 53) - 1)
			return kp_err_msg(err, KP_EUSAGE, KP_M_CMD_ROBUST_SEED, arg);
		c->seed = s;
		return 0;
	default:
		if (strcmp(arg, "section") && strcmp(arg, "indicator"))
			return kp_err_msg(err, KP_EUSAGE, KP_M_CMD_ROBUST_BY, arg);
		c->by = !strcmp(arg, "indicator") ? KP_ROBUST_INDICATOR : KP_ROBUST_SECTION;
		return 0;
	}
}

/* The draws on the scored result res, timed under --verbose; *rb is the
 * caller's. */
static int robust_draws(const kp_cli_config *c, const kp_rules *r, const kp_result *res, kp_robust **rb, kp_err *err)
{
	kp_robust_opts ro;
	double t0 = kp_sandbox_now();
	int rc;

	memset(&ro, 0, sizeof ro);
	ro.draws = c->draws, ro.spread = c->spread / 100, ro.seed = c->seed, ro.by = c->by;
	ro.progress = kp_cli_tick;
	kp_cli_enter(KP_PH_DRAWS);
	if ((rc = kp_robust_run(r, res, &ro, rb, err)))
		return rc;
	kp_cli_phase("draws"); /* not words */
	if (c->verbose)
		kp_cli_say(KP_M_CMD_ROBUST_TIMING, ro.draws, res->nunits, kp_sandbox_now() - t0);
	return 0;
}

int kp_cmd_robust(kp_cli_config *c, kp_err *err)
{
	kp_store *st = NULL;
	kp_rules *r = NULL;
	kp_data *d = NULL;
	kp_result *res = NULL;
	kp_robust *rb = NULL;
	kp_report_opts o;
	int rc;

	memset(&o, 0, sizeof o);
	o.format = kp_cli_report_format(c);
	if (o.format != KP_FMT_TABLE && o.format != KP_FMT_MD && o.format != KP_FMT_CSV && o.format != KP_FMT_JSON)
		return kp_err_msg(err, KP_EUSAGE, KP_M_CMD_ROBUST_FORMAT, kp_report_format_name(o.format));
	if ((rc = kp_cli_check_output(c, err)))
		return rc;
	kp_cli_enter(KP_PH_OPEN);
	if ((rc = kp_store_open(c->db, KP_STORE_READ, &st, err)))
		return rc;
	rc = kp_cli_score_year(c, st, c->args[0], 0, 1, &r, &d, &res, err);
	kp_store_close(st);
	if (!rc)
		rc = robust_draws(c, r, res, &rb, err);
	if (!rc) {
		kp_cli_enter(KP_PH_REPORT);
		o.lang = c->lang, o.bom = c->bom, o.output = c->output, o.color = 0, o.items = 0;
		rc = kp_report_robust(rb, &o, stdout, err);
		if (!rc && c->output)
			kp_cli_note(c, KP_M_CMD_WROTE, c->output);
	}
	kp_robust_free(rb);
	kp_result_free(res);
	kp_data_free(d);
	kp_rules_free(r);
	return rc;
}
