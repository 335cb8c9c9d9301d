/* cmd_explain.c — `kaoping explain UNIT`: every point of one unit of a
 * recorded run, with its notes (reads that unit only, kp_store_load_unit);
 * and `kaoping explain --all`: a score sheet for every unit (一单位一表)
 * into a folder, written unit by unit (kaoping/sheet.h).  Both read the
 * run's rule file, when it is still where it was scored and unchanged
 * (its SHA-256), for each item's basis and office, and --all for the
 * columns whose imported rows the sheets show. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_int.h"
#include "kaoping/infile.h"
#include "kaoping/outfile.h"
#include "kaoping/report.h"
#include "kaoping/sandbox.h"
#include "kaoping/sb.h"
#include "kaoping/sheet.h"

/* What is left out without the rule file. */
static const char *left_out(const kp_cli_config *c)
{
	return kp_msg_fmt(c->all ? KP_MSG_CMD_EXPLAIN_LEFT_OUT_ALL : KP_MSG_CMD_EXPLAIN_LEFT_OUT);
}

static int explain_one(kp_cli_config *c, kp_err *err)
{
	kp_cli_config chk = *c;
	kp_store *st = NULL;
	kp_result *res = NULL;
	kp_rules *rules;
	kp_report_opts o;
	int rc;

	/* -o as every report's: never the database (it was written over), a
	 * format by its extension (e.json got a table); the argument is a
	 * unit, not a file this command reads */
	chk.nargs = 0;
	if ((rc = kp_cli_check_output(&chk, err)) || (rc = kp_store_open(c->db, KP_STORE_READ, &st, err)))
		return rc;
	rc = kp_store_load_unit(st, c->run_id, c->args[0], &res, err);
	if (!rc)
		rc = kp_cli_derive(c, st, res, 0, err); /* a run that keeps its items: as it is */
	kp_store_close(st);
	if (!rc)
		rc = kp_result_render_notes(res, (enum kp_lang)c->lang, err);
	if (rc) {
		kp_result_free(res); /* NULL, or a run whose notes did not render */
		return rc;
	}
	if ((rc = kp_cli_run_rules(c, res, left_out(c), &rules, err))) {
		kp_result_free(res);
		return rc;
	}
	memset(&o, 0, sizeof o);
	o.format = kp_cli_report_format(c);
	o.lang = c->lang;
	o.output = c->output;
	rc = kp_report_explain_rules(res, 0, rules, &o, stdout, err);
	kp_rules_free(rules);
	kp_result_free(res);
	return rc;
}

/* ---------- explain --all ---------- */

struct sheets {
	kp_cli_config *c;
	const char *dir;
	int format;
	kp_result *res;
	kp_rules *rules;          /* NULL: no basis, office or data rows */
	const char **keep;        /* the columns shown of each data row */
	size_t nkeep;
	kp_strset keep_set;       /* keep, hashed: keep_col runs for every cell */
	kp_sheet_rows rows;       /* the current unit's */
	kp_sheet_batch *batch;    /* sheets written, put in place together */
	char **there;             /* the files of the sheets' format in the folder before */
	size_t nthere, capthere;
	kp_strset there_set;      /* there, hashed */
	size_t overwritten;       /* of them, this run's sheets' names */
	size_t cut;               /* xlsx cells whose text was cut to what a cell holds */
};

/* The files of the sheets' format the folder holds before the sheets are
 * written (none when it is not there): those that are not this run's
 * sheets are said after (an earlier run's, say), never removed. */
static int list_there(struct sheets *s, kp_err *err)
{
	const char *ext = kp_sheet_ext(s->format);
	size_t el = strlen(ext);
	DIR *d = opendir(s->dir);
	struct dirent *e;
	int rc = 0;

	if (!d)
		return 0; /* not there (made later), or said when it is written to */
	while (!rc && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (e->d_name[0] == '.' || n <= el + 1 || e->d_name[n - el - 1] != '.' ||
		    strcmp(e->d_name + n - el, ext))
			continue;
		if (s->nthere == s->capthere) {
			char **p = kp_grow(s->there, &s->capthere, s->nthere + 1, sizeof *p);
			if (!p) {
				rc = kp_err_oom(err);
				break;
			}
			s->there = p;
		}
		if (!(s->there[s->nthere] = strdup(e->d_name)))
			rc = kp_err_oom(err);
		else if (kp_strset_add(&s->there_set, s->there[s->nthere++]) < 0)
			rc = kp_err_oom(err);
	}
	closedir(d);
	return rc;
}

/* The unit column of a dataset: an event list's own, else the unit id. */
static const char *dataset_key(void *ud, const char *dataset)
{
	const kp_rules *r = ud;
	size_t i;

	for (i = 0; i < r->nevent; i++)
		if (r->event[i].data && !strcmp(r->event[i].data, dataset))
			return r->event[i].unit;
	return r->id_col;
}

static int is_unit_col(const kp_rules *r, const char *col)
{
	size_t i;

	if (!strcmp(col, r->id_col) || !strcmp(col, r->name_col) || !strcmp(col, r->cat_col))
		return 1;
	for (i = 0; i < r->nevent; i++)
		if (r->event[i].unit && !strcmp(col, r->event[i].unit))
			return 1;
	return 0;
}

/* The columns the rules name. */
static int keep_columns(struct sheets *s, kp_err *err)
{
	size_t i;

	s->nkeep = kp_rules_columns(s->rules, &s->keep, err);
	if (!s->keep)
		return kp_err_oom(err);
	for (i = 0; i < s->nkeep; i++)
		if (kp_strset_add(&s->keep_set, s->keep[i]) < 0)
			return kp_err_oom(err);
	return 0;
}

/* A column a sheet shows: one the rules name, or any when a rule written
 * in Lua may read columns the file does not name; never the unit's id,
 * name or category, which the sheet's head shows. */
static int keep_col(void *ud, const char *col)
{
	const struct sheets *s = ud;

	if (is_unit_col(s->rules, col))
		return 0;
	if (kp_strset_has(&s->keep_set, col))
		return 1;
	return s->rules->uses_lua;
}

static int take_row(void *ud, const kp_store_row *row, kp_err *err)
{
	struct sheets *s = ud;

	return kp_sheet_rows_add(&s->rows, row, keep_col, s, err);
}

/* DIR/NAME (malloc'd). */
static char *join(const char *dir, const char *name, kp_err *err)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (!p)
		kp_err_oom(err);
	else
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

/* Create the folder (one level), or take an existing one; a folder made
 * here is known to the signal handlers (kp_outfile_mkdir), which remove it
 * while it is still empty: Ctrl-C before the first batch of sheets is in
 * place leaves no empty folder. */
static int make_dir(const char *dir, kp_err *err)
{
	int rc, made;

	if ((rc = kp_outfile_mkdir(dir, &made, err)) >= 0) /* made or there, or out of memory */
		return rc;
	return kp_err_msg(err, KP_ECREATE, KP_M_CMD_EXPLAIN_MKDIR, dir,
			  errno == EEXIST ? kp_msg_fmt(KP_MSG_CMD_EXPLAIN_FILE_THERE) : strerror(errno));
}

/* A sheet's file must not be there already, unless --replace; never the
 * database or the rule file the command reads (a unit "x" of a database
 * named x.json: --replace put a sheet in its place). */
static int check_free(const struct sheets *s, const char *path, kp_err *err)
{
	struct stat st;

	if (kp_infile_same(path, s->c->db))
		return kp_err_msg(err, KP_EUSAGE, KP_M_CMD_EXPLAIN_SHEET_IS_INPUT, path, s->c->db);
	if (s->res->rules_file && kp_infile_same(path, s->res->rules_file))
		return kp_err_msg(err, KP_EUSAGE, KP_M_CMD_EXPLAIN_SHEET_IS_INPUT, path, s->res->rules_file);
	if (s->c->replace || lstat(path, &st) != 0)
		return 0;
	return kp_err_msg(err, KP_ECREATE, KP_M_CMD_EXPLAIN_SHEET_THERE, path);
}

static int write_one(struct sheets *s, kp_store_rows *rr, size_t unit, const char *path, kp_err *err)
{
	kp_sheet sh = { s->res, unit, s->rules, rr ? &s->rows : NULL, s->c->lang, &s->cut };
	int rc = 0;

	kp_sheet_rows_clear(&s->rows);
	if (rr)
		rc = kp_store_rows_unit(rr, s->res->units[unit].id, take_row, s, err);
	return rc ? rc : kp_sheet_batch_add(s->batch, &sh, s->format, path, err);
}

/* Every unit's file name, in report order: checked (write 0), then
 * written (write 1); both passes give the same names. */
static int sheet_pass(struct sheets *s, kp_store_rows *rr, int write, kp_err *err)
{
	kp_sheet_names *seen = kp_sheet_names_new(err);
	kp_cli_progress p = { kp_msg_fmt(KP_MSG_CMD_PROGRESS_SHEETS), kp_sandbox_now(), 0 };
	size_t i, n = s->res->nunits;
	int rc = seen ? 0 : err->kind;

	for (i = 0; i < n && !rc; i++) {
		const kp_unit_result *u = &s->res->units[i];
		char *name = kp_sheet_filename(seen, u->id, u->name, kp_sheet_ext(s->format), err);
		char *path = name ? join(s->dir, name, err) : NULL;
		if (!path)
			rc = err->kind;
		else
			rc = write ? write_one(s, rr, i, path, err) : check_free(s, path, err);
		if (!rc && !write && kp_strset_has(&s->there_set, name))
			s->overwritten++;
		free(name), free(path);
		if (write)
			kp_cli_progress_count(s->c, &p, i + 1, n);
	}
	kp_cli_progress_end(&p);
	kp_sheet_names_free(seen);
	return rc;
}

static int explain_all_run(struct sheets *s, kp_store *st, kp_err *err)
{
	kp_store_rows *rr = NULL;
	const kp_store_row *g;
	size_t i;
	int rc;

	if ((rc = kp_store_load_run(st, s->c->run_id, SIZE_MAX, &s->res, err)) ||
	    (rc = kp_cli_derive(s->c, st, s->res, 1, err)) ||
	    (rc = kp_result_render_notes(s->res, (enum kp_lang)s->c->lang, err)))
		return rc;
	if ((rc = kp_cli_run_rules(s->c, s->res, left_out(s->c), &s->rules, err)))
		return rc;
	if (s->rules && ((rc = keep_columns(s, err)) ||
			 (rc = kp_store_rows_open(st, s->res->run_id, dataset_key, s->rules, s->res->nunits > 4, &rr, err))))
		return rc;
	for (i = 0; (g = kp_store_rows_gone(rr, i)); i++) /* the sheets say it too */
		if (g->dropped)
			kp_cli_note(s->c, KP_M_CMD_EXPLAIN_ROWS_DROPPED, g->file, g->dataset, s->res->run_id, g->gone);
		else
			kp_cli_note(s->c, KP_M_CMD_EXPLAIN_ROWS_REPLACED, g->file, g->dataset, s->res->run_id, g->gone);
	if (!rc)
		rc = list_there(s, err);
	if (!rc)
		rc = make_dir(s->dir, err);
	if (!rc)
		rc = sheet_pass(s, rr, 0, err);
	if (!rc && !(s->batch = kp_sheet_batch_new(err)))
		rc = err->kind;
	if (!rc)
		rc = sheet_pass(s, rr, 1, err);
	if (!rc)
		rc = kp_sheet_batch_commit(s->batch, err);
	kp_sheet_batch_free(s->batch);
	s->batch = NULL;
	if (rc)
		kp_outfile_dirs_undo(); /* only while empty: whole batches already in place stay */
	else
		kp_outfile_dirs_done();
	kp_store_rows_close(rr);
	if (!rc && s->rules)
		kp_cli_note(s->c, KP_M_CMD_EXPLAIN_WROTE, s->res->nunits, kp_sheet_ext(s->format), s->res->run_id, s->dir);
	else if (!rc)
		kp_cli_note(s->c, KP_M_CMD_EXPLAIN_WROTE_BARE, s->res->nunits, kp_sheet_ext(s->format), s->res->run_id,
			    s->dir);
	if (!rc && s->cut) /* with --quiet too: a sheet is not all the database holds */
		kp_cli_say(KP_M_CLI_XLSX_CUT, s->dir, s->cut);
	if (!rc && s->nthere > s->overwritten) /* not this run's: with --quiet too, the folder is not all it says */
		kp_cli_say(KP_M_CMD_EXPLAIN_OTHERS, s->dir, s->nthere - s->overwritten, kp_sheet_ext(s->format),
			   s->res->run_id);
	return rc;
}

static int explain_all(kp_cli_config *c, kp_err *err)
{
	struct sheets s;
	kp_store *st = NULL;
	int rc;

	memset(&s, 0, sizeof s);
	s.c = c, s.dir = c->output ? c->output : "sheets";
	s.format = c->format >= 0 ? c->format : KP_FMT_HTML;
	if (!kp_sheet_format_ok(s.format))
		return kp_err_msg(err, KP_EUSAGE, KP_M_CMD_EXPLAIN_ALL_FORMAT, kp_report_format_name(s.format));
	if (!*s.dir)
		return kp_err_msg(err, KP_EUSAGE, KP_M_CMD_EXPLAIN_ALL_DIR);
	if ((rc = kp_cli_output_dir_dash(c, "explain --all", err)))
		return rc;
	if ((rc = kp_store_open(c->db, KP_STORE_READ, &st, err)))
		return rc;
	rc = explain_all_run(&s, st, err);
	kp_store_close(st);
	kp_sheet_rows_free(&s.rows);
	free(s.keep);
	kp_strset_free(&s.keep_set);
	while (s.nthere)
		free(s.there[--s.nthere]);
	free(s.there);
	kp_strset_free(&s.there_set);
	kp_rules_free(s.rules);
	kp_result_free(s.res);
	return rc;
}

int kp_cmd_explain(kp_cli_config *c, kp_err *err)
{
	if (c->all && c->nargs)
		return kp_err_msg(err, KP_EUSAGE, KP_M_CMD_EXPLAIN_BOTH);
	if (c->all)
		return explain_all(c, err);
	if (!c->nargs)
		return kp_err_msg(err, KP_EUSAGE, KP_M_CMD_EXPLAIN_USAGE);
	if (c->replace)
		return kp_err_msg(err, KP_EUSAGE, KP_M_CMD_EXPLAIN_REPLACE);
	return explain_one(c, err);
}
