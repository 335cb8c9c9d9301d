/* report.c — the report entry points: format names, and the dispatch of
 * a ranking, an explanation or a plain grid to the writer of its format,
 * through the atomic output file or to a stream, with every write
 * checked.  See include/kaoping/report.h; each format lives in its own
 * file below this one. */
#include "report_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kaoping/outfile.h"

static const char *const format_names[] = { "table", "csv", "xlsx", "md", "json", "html" };
#define NFORMATS (sizeof format_names / sizeof format_names[0])

int kp_report_format(const char *name)
{
	size_t i;

	if (!name)
		return -1;
	for (i = 0; i < NFORMATS; i++)
		if (!strcmp(name, format_names[i]))
			return (int)i;
	if (!strcmp(name, "markdown"))
		return KP_FMT_MD;
	return -1;
}

const char *kp_report_format_name(int format)
{
	if (format < 0 || (size_t)format >= NFORMATS)
		return "unknown";
	return format_names[format];
}

/* ---------- output plumbing ---------- */

typedef int (*body_fn)(void *ctx, const kp_report_opts *o, kp_rw *w, kp_err *err);

/* Run body into o->output (atomically) or out, and check every write. */
static int emit(const kp_report_opts *o, FILE *out, body_fn body, void *ctx, kp_err *err)
{
	kp_outfile *of = NULL;
	FILE *fp = out;
	kp_rw w;
	int rc, e;

	if (o->output) {
		if ((rc = kp_outfile_open(o->output, &of, err)))
			return rc;
		fp = kp_outfile_fp(of);
	} else if (!out) {
		return kp_err_msg(err, KP_EINTERNAL, KP_M_REP_NO_STREAM);
	}
	rc = kp_rw_open(&w, fp, err);
	if (rc)
		goto out;
	rc = body(ctx, o, &w, err);
	e = kp_rw_close(&w);
	if (!rc && e)
		rc = kp_err_msg(err, KP_EIO, KP_M_REP_CANNOT_WRITE,
				o->output ? o->output : kp_msg_fmt(KP_MSG_REP_STDOUT), strerror(e));
out:
	if (of) {
		if (rc)
			kp_outfile_abort(of);
		else
			rc = kp_outfile_commit(of, err);
	} else if (!rc) {
		errno = 0;
		if (fflush(out) != 0 || ferror(out))
			rc = kp_err_msg(err, KP_EIO, KP_M_REP_CANNOT_WRITE, kp_msg_fmt(KP_MSG_REP_STDOUT),
					strerror(errno ? errno : EIO));
	}
	return rc;
}

int kp_report_emit(const kp_report_opts *o, FILE *out, kp_report_body body, void *ctx, kp_err *err)
{
	return emit(o, out, body, ctx, err);
}

/* ---------- entry points ---------- */

static int write_csv(void *ctx, const kp_report_opts *o, kp_rw *w, kp_err *err)
{
	return kp_report_csv(ctx, o, w, err);
}

static int write_json(void *ctx, const kp_report_opts *o, kp_rw *w, kp_err *err)
{
	return kp_report_json(ctx, o, w, err);
}

static int write_table(void *ctx, const kp_report_opts *o, kp_rw *w, kp_err *err)
{
	return kp_report_table(ctx, o, w, err);
}

static int write_md(void *ctx, const kp_report_opts *o, kp_rw *w, kp_err *err)
{
	return kp_report_md(ctx, o, w, err);
}

static int write_html(void *ctx, const kp_report_opts *o, kp_rw *w, kp_err *err)
{
	return kp_report_html(ctx, o, w, err);
}

static int check_result(const kp_result *r, kp_err *err)
{
	size_t i;

	if (r->precision < 0 || r->precision > 15)
		return kp_err_msg(err, KP_EINTERNAL, KP_M_REP_PRECISION, r->precision);
	for (i = 0; i < r->nunits; i++)
		if (r->units[i].category < 0 || (size_t)r->units[i].category >= r->ncategories)
			return kp_err_msg(err, KP_EINTERNAL, KP_M_REP_UNIT_NO_CATEGORY,
					  r->units[i].id ? r->units[i].id : "?");
	for (i = 0; i < r->ncategories; i++)
		if (r->categories[i].first > r->nunits ||
		    r->categories[i].count > r->nunits - r->categories[i].first)
			return kp_err_msg(err, KP_EINTERNAL, KP_M_REP_CATEGORY_RANGE,
					  r->categories[i].name ? r->categories[i].name : "?");
	return 0;
}

int kp_report_write(const kp_result *r, const kp_report_opts *o, FILE *out, kp_err *err)
{
	static const body_fn bodies[] = {
		[KP_FMT_TABLE] = write_table, [KP_FMT_CSV] = write_csv, [KP_FMT_XLSX] = NULL,
		[KP_FMT_MD] = write_md, [KP_FMT_JSON] = write_json, [KP_FMT_HTML] = write_html,
	};
	kp_err local = { 0 };
	int rc;

	if (!err)
		err = &local;
	if (o->format < 0 || (size_t)o->format >= NFORMATS)
		return kp_err_msg(err, KP_EUSAGE, KP_M_REP_UNKNOWN_FORMAT, o->format);
	rc = check_result(r, err);
	if (rc)
		return rc;
	if (o->format == KP_FMT_XLSX)
		return kp_report_xlsx(r, o, out, err);
	return emit(o, out, bodies[o->format], (void *)r, err);
}

/* ---------- explain ---------- */

struct explain_ctx {
	const kp_result *r;
	size_t unit;
	const kp_rules *rules;
};

static int write_explain(void *ctx, const kp_report_opts *o, kp_rw *w, kp_err *err)
{
	struct explain_ctx *c = ctx;

	if (o->format == KP_FMT_JSON)
		return kp_report_explain_json(c->r, c->unit, c->rules, w, err);
	return kp_report_explain_text(c->r, c->unit, c->rules, o, w, err);
}

int kp_report_explain(const kp_result *r, size_t unit, const kp_report_opts *o, FILE *out, kp_err *err)
{
	return kp_report_explain_rules(r, unit, NULL, o, out, err);
}

int kp_report_explain_rules(const kp_result *r, size_t unit, const kp_rules *rules, const kp_report_opts *o,
			    FILE *out, kp_err *err)
{
	struct explain_ctx c = { r, unit, rules };
	kp_err local = { 0 };
	int rc;

	if (!err)
		err = &local;
	if (unit >= r->nunits)
		return kp_err_msg(err, KP_EINTERNAL, KP_M_REP_EXPLAIN_UNIT, unit);
	if (o->format != KP_FMT_TABLE && o->format != KP_FMT_MD && o->format != KP_FMT_JSON)
		return kp_err_msg(err, KP_EUSAGE, KP_M_REP_EXPLAIN_FORMAT,
				  kp_report_format_name(o->format));
	rc = check_result(r, err);
	if (rc)
		return rc;
	return emit(o, out, write_explain, &c, err);
}

/* ---------- grid ---------- */

struct grid_ctx {
	const char *const *header, *const *cells;
	size_t ncols, nrows;
	const char *title, *subtitle; /* html */
};

static void grid_csv(const struct grid_ctx *g, const kp_report_opts *o, kp_rw *w)
{
	size_t i, j;

	if (kp_report_want_bom(o))
		kp_rw_puts(w, "\xEF\xBB\xBF");
	for (i = 0; i <= g->nrows; i++) {
		const char *const *row = i ? g->cells + (i - 1) * g->ncols : g->header;
		for (j = 0; j < g->ncols; j++) {
			if (j)
				kp_rw_putc(w, ',');
			kp_rw_csv_cell(w, row[j]);
		}
		kp_rw_put(w, "\r\n", 2);
	}
}

static void grid_json(const struct grid_ctx *g, kp_rw *w)
{
	size_t i, j;

	kp_rw_putc(w, '[');
	for (i = 0; i < g->nrows; i++) {
		kp_rw_puts(w, i ? ",\n{" : "\n{");
		for (j = 0; j < g->ncols; j++) {
			if (j)
				kp_rw_putc(w, ',');
			kp_rw_json_str(w, g->header[j] ? g->header[j] : "");
			kp_rw_putc(w, ':');
			kp_rw_json_str(w, g->cells[i * g->ncols + j]);
		}
		kp_rw_putc(w, '}');
	}
	kp_rw_puts(w, g->nrows ? "\n]\n" : "]\n");
}

static int write_grid(void *ctx, const kp_report_opts *o, kp_rw *w, kp_err *err)
{
	const struct grid_ctx *g = ctx;

	if (o->format == KP_FMT_CSV) {
		grid_csv(g, o, w);
		return 0;
	}
	if (o->format == KP_FMT_JSON) {
		grid_json(g, w);
		return 0;
	}
	if (o->format == KP_FMT_HTML) {
		kp_report_grid_html(g->title, g->subtitle, g->header, g->ncols, g->cells, g->nrows, o, w);
		return 0;
	}
	return kp_report_grid_text(g->header, g->ncols, g->cells, g->nrows, o, w, err);
}

int kp_report_grid(const char *const *header, size_t ncols, const char *const *cells,
		   size_t nrows, const kp_report_opts *o, FILE *out, kp_err *err)
{
	return kp_report_grid_titled(NULL, NULL, header, ncols, cells, nrows, o, out, err);
}

int kp_report_grid_titled(const char *title, const char *subtitle, const char *const *header, size_t ncols,
			  const char *const *cells, size_t nrows, const kp_report_opts *o, FILE *out, kp_err *err)
{
	struct grid_ctx g = { header, cells, ncols, nrows, title, subtitle };
	kp_err local = { 0 };

	if (!err)
		err = &local;
	if (o->format != KP_FMT_TABLE && o->format != KP_FMT_CSV && o->format != KP_FMT_MD &&
	    o->format != KP_FMT_JSON && o->format != KP_FMT_HTML)
		return kp_err_msg(err, KP_EUSAGE, KP_M_REP_GRID_FORMAT,
				  kp_report_format_name(o->format));
	return emit(o, out, write_grid, &g, err);
}
