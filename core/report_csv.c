/* report_csv.c — the ranking as CSV for Excel and WPS: RFC 4180, a BOM
 * when written to a file, formula cells neutralised. */
#include "report_int.h"

static void csv_num(kp_rw *w, double x, int prec)
{
	char buf[KP_NUMBUF];

	kp_rw_puts(w, kp_rw_fixed(x, prec, buf));
}

/* A comma before every cell but the first. */
static void sep(kp_rw *w, size_t *n)
{
	if ((*n)++)
		kp_rw_putc(w, ',');
}

/* The header: the heads of the column model (report_common.c). */
static void csv_header(const kp_result *r, int lang, int change, kp_rw *w)
{
	size_t i, s, n = 0;

	for (i = 0; i < kp_report_ncols; i++) {
		const kp_column *c = &kp_report_cols[i];
		if (!kp_report_col_shown(c, KP_COLS_CSV, change))
			continue;
		if (c->kind != KP_COL_SECTIONS) {
			sep(w, &n), kp_rw_puts(w, kp_report_col_label(c, lang));
			continue;
		}
		for (s = 0; s < r->nsections; s++)
			sep(w, &n), kp_rw_csv_cell(w, r->sections[s]);
	}
	kp_rw_put(w, "\r\n", 2);
}

/* One cell of unit i in column c (not the sections). */
static void csv_cell(const kp_result *r, const kp_labels *l, size_t i, const kp_column *c, kp_rw *w)
{
	const kp_unit_result *u = &r->units[i];

	switch (c->kind) {
	case KP_COL_CATEGORY: kp_rw_csv_cell(w, r->categories[u->category].name); break;
	case KP_COL_RANK: kp_rw_int(w, u->rank); break;
	case KP_COL_ID: kp_rw_csv_cell(w, u->id); break;
	case KP_COL_NAME: kp_rw_csv_cell(w, u->name); break;
	case KP_COL_DED: csv_num(w, u->deductions, r->precision); break;
	case KP_COL_BONUS: csv_num(w, u->bonus, r->precision); break;
	case KP_COL_TOTAL: csv_num(w, u->total, r->precision); break;
	case KP_COL_GRADE: kp_rw_csv_cell(w, kp_report_grade(r, u)); break;
	case KP_COL_COMM: kp_rw_puts(w, u->commended ? l->yes : l->no); break;
	case KP_COL_VETO: kp_rw_puts(w, u->veto ? l->yes : l->no); break;
	case KP_COL_VETO_REASON: kp_rw_csv_cell(w, u->veto ? KP_MORE(u)->veto_reason : NULL); break;
	case KP_COL_CHANGE:
		if (KP_MORE(u)->has_last_rank)
			kp_rw_int(w, (long long)KP_MORE(u)->last_rank - u->rank);
		break;
	default: break;
	}
}

static void csv_unit(const kp_result *r, const kp_labels *l, size_t i, int change, kp_rw *w)
{
	size_t j, s, n = 0;

	for (j = 0; j < kp_report_ncols; j++) {
		const kp_column *c = &kp_report_cols[j];
		if (!kp_report_col_shown(c, KP_COLS_CSV, change))
			continue;
		if (c->kind != KP_COL_SECTIONS) {
			sep(w, &n), csv_cell(r, l, i, c, w);
			continue;
		}
		for (s = 0; s < r->nsections; s++)
			sep(w, &n), csv_num(w, KP_SEC(r, i, s), r->precision);
	}
	kp_rw_put(w, "\r\n", 2);
}

int kp_report_csv(const kp_result *r, const kp_report_opts *o, kp_rw *w, kp_err *err)
{
	const kp_labels *l = kp_report_labels(o->lang);
	int change = kp_report_has_change(r);
	size_t i;

	(void)err;
	if (kp_report_want_bom(o))
		kp_rw_puts(w, "\xEF\xBB\xBF");
	csv_header(r, o->lang, change, w);
	for (i = 0; i < r->nunits && !w->err; i++) {
		if (i + KP_UNIT_AHEAD < r->nunits)
			kp_unit_prefetch(&r->units[i + KP_UNIT_AHEAD]);
		csv_unit(r, l, i, change, w);
	}
	return 0;
}

