/* report_csv.c — the ranking as CSV for Excel and WPS: RFC 4180, a BOM
 * when written to a file, formula cells neutralised. */
#include "report_int.h"

static void csv_num(kp_rw *w, double x, int prec)
{
	char buf[KP_NUMBUF];

	kp_rw_puts(w, kp_rw_fixed(x, prec, buf));
}

static void csv_header(const kp_result *r, const kp_labels *l, kp_rw *w)
{
	size_t s;

	kp_rw_puts(w, l->category), kp_rw_putc(w, ',');
	kp_rw_puts(w, l->rank), kp_rw_putc(w, ',');
	kp_rw_puts(w, l->unit_id), kp_rw_putc(w, ',');
	kp_rw_puts(w, l->name);
	for (s = 0; s < r->nsections; s++) {
		kp_rw_putc(w, ',');
		kp_rw_csv_cell(w, r->sections[s]);
	}
	kp_rw_printf(w, ",%s,%s,%s,%s,%s,%s,%s,%s\r\n", l->deductions, l->bonus, l->total, l->grade,
		     l->commended, l->veto, l->veto_reason, l->rank_change);
}

static void csv_unit(const kp_result *r, const kp_labels *l, size_t i, kp_rw *w)
{
	const kp_unit_result *u = &r->units[i];
	int p = r->precision;
	size_t s;

	kp_rw_csv_cell(w, r->categories[u->category].name), kp_rw_putc(w, ',');
	kp_rw_int(w, u->rank), kp_rw_putc(w, ',');
	kp_rw_csv_cell(w, u->id), kp_rw_putc(w, ',');
	kp_rw_csv_cell(w, u->name);
	for (s = 0; s < r->nsections; s++) {
		kp_rw_putc(w, ',');
		csv_num(w, KP_SEC(r, i, s), p);
	}
	kp_rw_putc(w, ','), csv_num(w, u->deductions, p);
	kp_rw_putc(w, ','), csv_num(w, u->bonus, p);
	kp_rw_putc(w, ','), csv_num(w, u->total, p);
	kp_rw_putc(w, ','), kp_rw_csv_cell(w, kp_report_grade(r, u));
	kp_rw_putc(w, ','), kp_rw_puts(w, u->commended ? l->yes : l->no);
	kp_rw_putc(w, ','), kp_rw_puts(w, u->veto ? l->yes : l->no);
	kp_rw_putc(w, ','), kp_rw_csv_cell(w, u->veto ? u->veto_reason : NULL);
	kp_rw_putc(w, ',');
	if (u->has_last)
		kp_rw_int(w, (long long)u->last_rank - u->rank);
	kp_rw_put(w, "\r\n", 2);
}

int kp_report_csv(const kp_result *r, const kp_report_opts *o, kp_rw *w, kp_err *err)
{
	const kp_labels *l = kp_report_labels(o->lang);
	size_t i;

	(void)err;
	if (kp_report_want_bom(o))
		kp_rw_puts(w, "\xEF\xBB\xBF");
	csv_header(r, l, w);
	for (i = 0; i < r->nunits && !w->err; i++)
		csv_unit(r, l, i, w);
	return 0;
}

