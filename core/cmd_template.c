/* cmd_template.c — `kaoping template RULES [-o DIR] [--format xlsx|csv]`:
 * the forms the assessment office sends each reporting office, one per
 * dataset the rules read, prefilled with the units of a database when
 * --db is given. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"
#include "kaoping/form.h"
#include "kaoping/infile.h"
#include "kaoping/report.h"

/* The unit rows of the year's imported unit table, borrowed from d. */
typedef struct unit_rows {
	kp_data *d;
	const char **id, **name, **cat;
} unit_rows;

static void unit_rows_free(unit_rows *u)
{
	free(u->id), free(u->name), free(u->cat);
	kp_data_free(u->d);
}

static int load_units(kp_cli_config *c, const kp_rules *r, unit_rows *u, kp_form_units *out, kp_err *err)
{
	kp_store *st = NULL;
	long *ids = NULL;
	size_t nids = 0, i;
	int rc;

	if (!(u->d = kp_data_new(err)))
		return err->kind;
	kp_cli_enter(KP_PH_LOAD);
	if ((rc = kp_store_open(c->db, KP_STORE_READ, &st, err)) ||
	    (rc = kp_store_load(st, kp_cli_year(c, r), r, u->d, &ids, &nids, err)) ||
	    (rc = kp_data_bind_units(u->d, r, err))) {
		kp_store_close(st);
		free(ids);
		return rc;
	}
	kp_store_close(st);
	free(ids);
	u->id = calloc(u->d->nunits + 1, sizeof *u->id);
	u->name = calloc(u->d->nunits + 1, sizeof *u->name);
	u->cat = calloc(u->d->nunits + 1, sizeof *u->cat);
	if (!u->id || !u->name || !u->cat)
		return kp_err_oom(err);
	for (i = 0; i < u->d->nunits; i++) {
		u->id[i] = u->d->id[i];
		u->name[i] = kp_table_text(u->d->units, i, (size_t)u->d->name_col);
		u->cat[i] = r->cat[u->d->cat[i]].name;
	}
	out->n = u->d->nunits, out->id = u->id, out->name = u->name, out->cat = u->cat;
	return 0;
}

/* "N forms for RULES written under DIR/ (xlsx)" (unless --quiet). */
static void say_written(const kp_cli_config *c, const kp_rules *r, const kp_forms *f, const char *dir, int format)
{
	const char *kind = format == KP_FORM_XLSX ? "xlsx" : kp_msg_fmt(KP_MSG_CMD_TEMPLATE_CSV);
	const char *units = c->db ? kp_msg_fmt(KP_MSG_CMD_TEMPLATE_PREFILLED) : "";

	if (f->n == 1)
		kp_cli_note(c, KP_M_CMD_TEMPLATE_WROTE_ONE, f->n, r->file, dir, kind, units);
	else
		kp_cli_note(c, KP_M_CMD_TEMPLATE_WROTE, f->n, r->file, dir, kind, units);
}

/* No form may be the database or the rule file the command reads
 * (--replace would put a form in its place): a usage error. */
static int form_not_input(void *ud, const char *path, kp_err *err)
{
	const kp_cli_config *c = ud;

	if (c->db && kp_infile_same(path, c->db))
		return kp_err_msg(err, KP_EUSAGE, KP_M_CMD_TEMPLATE_FORM_IS_INPUT, path, c->db);
	if (kp_infile_same(path, c->args[0]))
		return kp_err_msg(err, KP_EUSAGE, KP_M_CMD_TEMPLATE_FORM_IS_INPUT, path, c->args[0]);
	return 0;
}

static int forms_not_inputs(const kp_cli_config *c, const kp_forms *f, const char *dir, int format, kp_err *err)
{
	return kp_forms_each_path(f, dir, format, form_not_input, (void *)c, err);
}

int kp_cmd_template(kp_cli_config *c, kp_err *err)
{
	const char *dir = c->output ? c->output : "forms";
	int format = c->format < 0 || c->format == KP_FMT_XLSX ? KP_FORM_XLSX : KP_FORM_CSV;
	unit_rows u = {0};
	kp_form_units units = {0};
	kp_forms *f = NULL;
	kp_rules *r = NULL;
	int rc;

	if (c->format >= 0 && c->format != KP_FMT_XLSX && c->format != KP_FMT_CSV)
		return kp_err_msg(err, KP_EUSAGE, KP_M_CMD_TEMPLATE_FORMAT);
	if ((rc = kp_cli_output_dir_dash(c, "template", err)))
		return rc;
	if ((rc = kp_cli_load_rules(c, c->args[0], 0, &r, err)))
		return rc; /* the time limit stays armed: reading the units, writing the forms */
	if (c->db)
		rc = load_units(c, r, &u, &units, err);
	kp_cli_enter(KP_PH_REPORT);
	if (!rc && !(rc = kp_forms_plan(r, kp_cli_year(c, r), c->db ? &units : NULL, &f, err)) &&
	    !(rc = forms_not_inputs(c, f, dir, format, err)) && !(rc = kp_forms_write(f, dir, format, c->replace, err)))
		say_written(c, r, f, dir, format);
	if (!rc && r->uses_lua && !r->ndata)
		kp_cli_note(c, KP_M_CMD_TEMPLATE_LUA_NOTE);
	kp_forms_free(f);
	unit_rows_free(&u);
	kp_rules_free(r);
	return rc;
}
