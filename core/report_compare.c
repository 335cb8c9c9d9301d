/* report_compare.c — `kaoping compare` as every report format: per
 * category a table of each unit's rank, total, grade and commendation
 * before (A) and after (B) with the changes, then who moved, whose grade
 * changed, whose commendation was gained or lost and who is on one side
 * only.  Renders a kp_compare (compare.h) through the writer and the
 * atomic output file; owns only temporary cell arrays. */
#include "report_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <xlsxwriter.h>

#include "kaoping/enc.h"

typedef struct cmp_labels {
	const char *title, *run, *rank, *total, *grade, *commend, *change;
	const char *rank_change, *total_change, *moved_fmt, *gained, *lost, *only_a, *only_b;
	const char *grade_changed, *cat_changed, *kept, *absent;
} cmp_labels;

#define CMP_LABELS(X) \
	X(title, REP_CMP_TITLE) \
	X(run, REP_CMP_RUN) \
	X(rank, REP_CMP_RANK) \
	X(total, REP_CMP_TOTAL) \
	X(grade, REP_CMP_GRADE) \
	X(commend, REP_CMP_COMMEND) \
	X(change, REP_CMP_CHANGE) \
	X(rank_change, REP_CMP_RANK_CHANGE) \
	X(total_change, REP_CMP_TOTAL_CHANGE) \
	X(moved_fmt, REP_CMP_MOVED_FMT) \
	X(gained, REP_CMP_GAINED) \
	X(lost, REP_CMP_LOST) \
	X(only_a, REP_CMP_ONLY_A) \
	X(only_b, REP_CMP_ONLY_B) \
	X(grade_changed, REP_CMP_GRADE_CHANGED) \
	X(cat_changed, REP_CMP_CAT_CHANGED) \
	X(kept, REP_CMP_KEPT) \
	X(absent, REP_CMP_ABSENT)

KP_LABEL_TABLE(labels, cmp_labels, CMP_LABELS)

/* ---- what a row says ---- */

enum { C_ID, C_NAME, C_RANK_A, C_RANK_B, C_RANK_CH, C_TOTAL_A, C_TOTAL_B, C_TOTAL_CH, C_GRADE_A, C_GRADE_B,
       C_COMMEND, NCOLS };

/* A unit's category name, or NULL (a category out of range is shown as none). */
static const char *row_cat(const kp_result *r, const kp_unit_result *u)
{
	if (!u || u->category < 0 || (size_t)u->category >= r->ncategories)
		return NULL;
	return r->categories[u->category].name;
}

static const char *row_grade(const kp_result *r, const kp_unit_result *u)
{
	const char *g = u ? kp_report_grade(r, u) : NULL;
	return g ? g : "";
}

/* The one-word change of a row: gained, lost, only in A or B, or "". */
static const char *row_change(const kp_compare_row *w, const cmp_labels *l)
{
	if (!w->a)
		return l->only_b;
	if (!w->b)
		return l->only_a;
	if (w->gained)
		return l->gained;
	if (w->lost)
		return l->lost;
	return "";
}

static const char *commend_cell(const kp_compare_row *w, const cmp_labels *l)
{
	const char *c = row_change(w, l);

	if (*c)
		return c;
	return w->a && w->a->commended ? l->kept : "";
}

static const char *rank_text(const kp_unit_result *u, const cmp_labels *l, char *buf)
{
	if (!u)
		return l->absent;
	snprintf(buf, KP_NUMBUF, "%d", u->rank);
	return buf;
}

static const char *rank_change_text(const kp_compare_row *w, const cmp_labels *l, char *buf)
{
	if (!w->a || !w->b)
		return "";
	if (w->category_changed)
		return l->cat_changed;
	if (w->rank_change > 0)
		snprintf(buf, KP_NUMBUF, "↑%d", w->rank_change);
	else if (w->rank_change < 0)
		snprintf(buf, KP_NUMBUF, "↓%d", -w->rank_change);
	else
		return "–";
	return buf;
}

static const char *change_text(double d, int prec, char *buf)
{
	kp_rw_fixed(d, prec, buf + 1);
	if (buf[1] == '-' || d == 0)
		return buf + 1;
	buf[0] = '+';
	return buf;
}

/* The text cells of one row; nums holds NCOLS × KP_NUMBUF bytes. */
static void row_cells(const kp_compare *c, const kp_compare_row *w, const cmp_labels *l, const char **cell,
		      char *nums)
{
	char (*n)[KP_NUMBUF] = (char (*)[KP_NUMBUF])nums;

	cell[C_ID] = w->id;
	cell[C_NAME] = w->name ? w->name : "";
	cell[C_RANK_A] = rank_text(w->a, l, n[C_RANK_A]);
	cell[C_RANK_B] = rank_text(w->b, l, n[C_RANK_B]);
	cell[C_RANK_CH] = rank_change_text(w, l, n[C_RANK_CH]);
	cell[C_TOTAL_A] = w->a ? kp_rw_fixed(w->a->total, c->a->precision, n[C_TOTAL_A]) : l->absent;
	cell[C_TOTAL_B] = w->b ? kp_rw_fixed(w->b->total, c->b->precision, n[C_TOTAL_B]) : l->absent;
	cell[C_TOTAL_CH] = w->a && w->b ? change_text(w->total_change, c->precision, n[C_TOTAL_CH]) : "";
	cell[C_GRADE_A] = row_grade(c->a, w->a);
	cell[C_GRADE_B] = row_grade(c->b, w->b);
	cell[C_COMMEND] = commend_cell(w, l);
}

static void header_cells(const cmp_labels *l, int lang, const char **h, char (*buf)[64])
{
	const kp_labels *kl = kp_report_labels(lang);
	const char *side = kp_msg_text(KP_MSG_REP_CMP_SIDE_FMT, lang == KP_LANG_EN ? KP_LANG_EN : KP_LANG_ZH);

	h[C_ID] = kl->unit_id, h[C_NAME] = kl->name;
	snprintf(buf[0], 64, side, l->rank, "A"), h[C_RANK_A] = buf[0];
	snprintf(buf[1], 64, side, l->rank, "B"), h[C_RANK_B] = buf[1];
	h[C_RANK_CH] = l->rank_change;
	snprintf(buf[2], 64, side, l->total, "A"), h[C_TOTAL_A] = buf[2];
	snprintf(buf[3], 64, side, l->total, "B"), h[C_TOTAL_B] = buf[3];
	h[C_TOTAL_CH] = l->total_change;
	snprintf(buf[4], 64, side, l->grade, "A"), h[C_GRADE_A] = buf[4];
	snprintf(buf[5], 64, side, l->grade, "B"), h[C_GRADE_B] = buf[5];
	h[C_COMMEND] = l->commend;
}

/* "rules/2021.lua, 2021年度, 运行 3": what one side is, the path through
 * put (a terminal's escapes and line ends in a file name shown, not obeyed). */
static void side_line(kp_rw *w, const char *tag, const kp_result *r, const cmp_labels *l, int lang,
		      void (*put)(kp_rw *, const char *))
{
	kp_rw_puts(w, tag);
	kp_rw_puts(w, ": ");
	put(w, r->rules_file ? r->rules_file : "");
	if (r->year) {
		kp_rw_puts(w, ", ");
		kp_rw_printf(w, kp_report_labels(lang)->year_fmt, r->year);
	}
	if (r->run_id)
		kp_rw_printf(w, ", %s %ld", l->run, r->run_id);
	kp_rw_putc(w, '\n');
}

/* A category's rows whose change is which (1 gained, 2 lost, 3 only A,
 * 4 only B, 5 grade changed), as "名称(代码)、…". */
static int row_is(const kp_compare_row *w, int which)
{
	switch (which) {
	case 1: return w->gained;
	case 2: return w->lost;
	case 3: return !w->b;
	case 4: return !w->a;
	default: return w->grade_changed;
	}
}

static void list_line(kp_rw *w, const kp_compare *c, const kp_compare_cat *k, int which, const char *label,
		      int lang, void (*put)(kp_rw *, const char *))
{
	size_t i, n = 0;

	for (i = k->first; i < k->first + k->count; i++) {
		const kp_compare_row *r = &c->rows[i];
		if (!row_is(r, which))
			continue;
		if (!n++) {
			put(w, label);
			kp_rw_puts(w, kp_report_labels(lang)->colon);
		} else {
			kp_rw_puts(w, kp_report_labels(lang)->list_sep);
		}
		put(w, r->name ? r->name : "");
		kp_rw_putc(w, '(');
		put(w, r->id);
		kp_rw_putc(w, ')');
	}
	if (n)
		kp_rw_putc(w, '\n');
}

/* One category's table, as the grid of report_text.c. */
static int category_grid(kp_rw *w, const kp_compare *c, const kp_compare_cat *k, const kp_report_opts *o,
			 kp_err *err)
{
	const cmp_labels *l = labels(o->lang);
	const char *head[NCOLS], **cells = calloc(k->count * NCOLS + 1, sizeof *cells);
	char hbuf[6][64], *nums = malloc((k->count * NCOLS + 1) * KP_NUMBUF);
	size_t i;
	int rc;

	if (!cells || !nums) {
		free(cells), free(nums);
		return kp_err_oom(err);
	}
	header_cells(l, o->lang, head, hbuf);
	for (i = 0; i < k->count; i++)
		row_cells(c, &c->rows[k->first + i], l, cells + i * NCOLS, nums + i * NCOLS * KP_NUMBUF);
	rc = kp_report_grid_text(head, NCOLS, cells, k->count, o, w, err);
	free(cells), free(nums);
	return rc;
}

static int write_text(void *ctx, const kp_report_opts *o, kp_rw *w, kp_err *err)
{
	const kp_compare *c = ctx;
	const cmp_labels *l = labels(o->lang);
	void (*put_text)(kp_rw *, const char *) = o->format == KP_FMT_MD ? kp_rw_md : kp_report_plain;
	size_t i;
	int rc = 0;

	kp_rw_puts(w, o->format == KP_FMT_MD ? "# " : "");
	kp_rw_puts(w, l->title);
	kp_rw_puts(w, "\n\n");
	side_line(w, "A", c->a, l, o->lang, put_text);
	side_line(w, "B", c->b, l, o->lang, put_text);
	for (i = 0; i < c->ncats && !rc; i++) {
		const kp_compare_cat *k = &c->cats[i];
		kp_rw_puts(w, o->format == KP_FMT_MD ? "\n## " : "\n");
		put_text(w, k->name);
		kp_rw_puts(w, kp_report_labels(o->lang)->lparen);
		kp_rw_printf(w, kp_report_labels(o->lang)->units_fmt, k->count);
		kp_rw_puts(w, kp_report_labels(o->lang)->rparen_colon);
		kp_rw_printf(w, l->moved_fmt, k->up, k->down, k->grade_changed, k->gained, k->lost);
		kp_rw_puts(w, "\n\n");
		if ((rc = category_grid(w, c, k, o, err)))
			break;
		if (k->gained + k->lost + k->grade_changed + k->only_a + k->only_b)
			kp_rw_putc(w, '\n');
		list_line(w, c, k, 1, l->gained, o->lang, put_text);
		list_line(w, c, k, 2, l->lost, o->lang, put_text);
		list_line(w, c, k, 5, l->grade_changed, o->lang, put_text);
		list_line(w, c, k, 3, l->only_a, o->lang, put_text);
		list_line(w, c, k, 4, l->only_b, o->lang, put_text);
	}
	return rc;
}

/* ---- CSV: one table, the category in the first column ---- */

/* Is column j of the row a number kaoping wrote (or blank)? */
static int csv_number(const kp_compare_row *r, size_t j)
{
	if (j == C_RANK_CH)
		return !r->category_changed;
	return j == C_RANK_A || j == C_RANK_B || j == C_TOTAL_A || j == C_TOTAL_B || j == C_TOTAL_CH;
}

static int write_csv(void *ctx, const kp_report_opts *o, kp_rw *w, kp_err *err)
{
	const kp_compare *c = ctx;
	const cmp_labels *l = labels(o->lang);
	const char *head[NCOLS], *cell[NCOLS];
	char hbuf[6][64], nums[NCOLS][KP_NUMBUF];
	size_t i, j, k;

	(void)err;
	if (kp_report_want_bom(o))
		kp_rw_puts(w, "\xEF\xBB\xBF");
	header_cells(l, o->lang, head, hbuf);
	kp_rw_csv_cell(w, kp_report_labels(o->lang)->category);
	for (j = 0; j < NCOLS; j++)
		kp_rw_putc(w, ','), kp_rw_csv_cell(w, head[j]);
	kp_rw_putc(w, ','), kp_rw_csv_cell(w, l->change);
	kp_rw_put(w, "\r\n", 2);
	for (k = 0; k < c->ncats; k++)
		for (i = c->cats[k].first; i < c->cats[k].first + c->cats[k].count; i++) {
			const kp_compare_row *r = &c->rows[i];
			row_cells(c, r, l, cell, &nums[0][0]);
			if (!r->a || !r->b) /* a blank, not a dash, where a side is absent */
				cell[r->a ? C_RANK_B : C_RANK_A] = "", cell[r->a ? C_TOTAL_B : C_TOTAL_A] = "";
			if (r->a && r->b && !r->category_changed) /* a number: + up, − down */
				snprintf(nums[C_RANK_CH], KP_NUMBUF, "%d", r->rank_change), cell[C_RANK_CH] = nums[C_RANK_CH];
			cell[C_COMMEND] = r->a && r->b && r->a->commended && r->b->commended ? l->kept : "";
			kp_rw_csv_cell(w, c->cats[k].name);
			for (j = 0; j < NCOLS; j++) {
				kp_rw_putc(w, ',');
				if (csv_number(r, j)) /* ours, not data: a minus is not a formula */
					kp_rw_puts(w, cell[j]);
				else
					kp_rw_csv_cell(w, cell[j]);
			}
			kp_rw_putc(w, ','), kp_rw_csv_cell(w, r->grade_changed && !*row_change(r, l) ? l->grade_changed
												      : row_change(r, l));
			kp_rw_put(w, "\r\n", 2);
		}
	return 0;
}

/* ---- JSON (fields in README: kaoping compare) ---- */

static void json_key(kp_rw *w, const char *key)
{
	kp_rw_putc(w, ',');
	kp_rw_json_str(w, key);
	kp_rw_putc(w, ':');
}

static void json_fixed(kp_rw *w, const char *key, int has, double x, int prec)
{
	char buf[KP_NUMBUF];

	json_key(w, key);
	kp_rw_puts(w, has && isfinite(x) ? kp_rw_fixed(x, prec, buf) : "null");
}

static void json_int(kp_rw *w, const char *key, int has, long v)
{
	json_key(w, key);
	if (has)
		kp_rw_int(w, v);
	else
		kp_rw_puts(w, "null");
}

static void json_bool(kp_rw *w, const char *key, int v)
{
	json_key(w, key);
	kp_rw_puts(w, v ? "true" : "false");
}

static void json_side(kp_rw *w, const char *key, const kp_result *r)
{
	kp_rw_json_str(w, key);
	kp_rw_puts(w, ":{\"rules_file\":");
	kp_rw_json_str(w, r->rules_file);
	json_key(w, "rules_sha256");
	kp_rw_json_str(w, r->rules_sha256);
	json_key(w, "title");
	kp_rw_json_str(w, r->title);
	json_int(w, "year", r->year != 0, r->year);
	json_int(w, "run_id", r->run_id != 0, r->run_id);
	kp_rw_putc(w, '}');
}

static const char *json_change(const kp_compare_row *r)
{
	return !r->a ? "only_b" : !r->b ? "only_a" : r->gained ? "gained" : r->lost ? "lost" : NULL;
}

static void json_row(kp_rw *w, const kp_compare *c, const kp_compare_row *r)
{
	const kp_result *A = c->a, *B = c->b;

	kp_rw_puts(w, "{\"unit_id\":");
	kp_rw_json_str(w, r->id);
	json_key(w, "name");
	kp_rw_json_str(w, r->name);
	json_key(w, "category_a");
	kp_rw_json_str(w, row_cat(A, r->a));
	json_key(w, "category_b");
	kp_rw_json_str(w, row_cat(B, r->b));
	json_int(w, "rank_a", r->a != NULL, r->a ? r->a->rank : 0);
	json_int(w, "rank_b", r->b != NULL, r->b ? r->b->rank : 0);
	json_int(w, "rank_change", r->a && r->b && !r->category_changed, r->rank_change);
	json_fixed(w, "total_a", r->a != NULL, r->a ? r->a->total : 0, A->precision);
	json_fixed(w, "total_b", r->b != NULL, r->b ? r->b->total : 0, B->precision);
	json_fixed(w, "total_change", r->a && r->b, r->total_change, c->precision);
	json_key(w, "grade_a");
	kp_rw_json_str(w, r->a ? kp_report_grade(A, r->a) : NULL);
	json_key(w, "grade_b");
	kp_rw_json_str(w, r->b ? kp_report_grade(B, r->b) : NULL);
	json_bool(w, "grade_changed", r->grade_changed);
	json_bool(w, "commended_a", r->a && r->a->commended);
	json_bool(w, "commended_b", r->b && r->b->commended);
	json_key(w, "change");
	kp_rw_json_str(w, json_change(r));
	kp_rw_putc(w, '}');
}

static void json_ids(kp_rw *w, const kp_compare *c, const kp_compare_cat *k, const char *key, int which)
{
	size_t i, n = 0;

	json_key(w, key);
	kp_rw_putc(w, '[');
	for (i = k->first; i < k->first + k->count; i++)
		if (row_is(&c->rows[i], which)) {
			if (n++)
				kp_rw_putc(w, ',');
			kp_rw_json_str(w, c->rows[i].id);
		}
	kp_rw_putc(w, ']');
}

static void json_cat(kp_rw *w, const kp_compare *c, const kp_compare_cat *k)
{
	size_t i;

	kp_rw_puts(w, "{\"name\":");
	kp_rw_json_str(w, k->name);
	json_int(w, "units", 1, (long)k->count);
	json_int(w, "up", 1, (long)k->up);
	json_int(w, "down", 1, (long)k->down);
	json_ids(w, c, k, "grade_changed", 5);
	json_ids(w, c, k, "gained", 1);
	json_ids(w, c, k, "lost", 2);
	json_ids(w, c, k, "only_a", 3);
	json_ids(w, c, k, "only_b", 4);
	kp_rw_puts(w, ",\"rows\":[");
	for (i = k->first; i < k->first + k->count; i++) {
		kp_rw_puts(w, i > k->first ? ",\n" : "\n");
		json_row(w, c, &c->rows[i]);
	}
	kp_rw_puts(w, k->count ? "\n]}" : "]}");
}

static int write_json(void *ctx, const kp_report_opts *o, kp_rw *w, kp_err *err)
{
	const kp_compare *c = ctx;
	size_t k;

	(void)o, (void)err;
	kp_rw_putc(w, '{');
	json_side(w, "a", c->a);
	kp_rw_puts(w, ",\n");
	json_side(w, "b", c->b);
	kp_rw_puts(w, ",\n\"categories\":[");
	for (k = 0; k < c->ncats; k++) {
		kp_rw_puts(w, k ? ",\n" : "\n");
		json_cat(w, c, &c->cats[k]);
	}
	kp_rw_puts(w, "\n]}\n");
	return 0;
}

/* ---- HTML: a page with a table per category ---- */

static void html_list(kp_rw *w, const kp_compare *c, const kp_compare_cat *k, int which, const char *label,
		      int lang)
{
	size_t i, n = 0;

	for (i = k->first; i < k->first + k->count; i++)
		n += row_is(&c->rows[i], which) != 0;
	if (!n)
		return;
	kp_rw_puts(w, "<p>");
	list_line(w, c, k, which, label, lang, kp_rw_html);
	kp_rw_puts(w, "</p>\n");
}

static void html_table(kp_rw *w, const kp_compare *c, const kp_compare_cat *k, const kp_report_opts *o)
{
	const cmp_labels *l = labels(o->lang);
	const char *head[NCOLS], *cell[NCOLS];
	char hbuf[6][64], nums[NCOLS][KP_NUMBUF];
	size_t i, j;

	header_cells(l, o->lang, head, hbuf);
	kp_rw_puts(w, "<table>\n<thead><tr>");
	for (j = 0; j < NCOLS; j++) {
		kp_rw_puts(w, "<th>");
		kp_rw_html(w, head[j]);
		kp_rw_puts(w, "</th>");
	}
	kp_rw_puts(w, "</tr></thead>\n<tbody>\n");
	for (i = k->first; i < k->first + k->count; i++) {
		const kp_compare_row *r = &c->rows[i];
		row_cells(c, r, l, cell, &nums[0][0]);
		kp_rw_puts(w, r->gained ? "<tr class=\"gained\">" : r->lost ? "<tr class=\"lost\">" : "<tr>");
		for (j = 0; j < NCOLS; j++) {
			kp_rw_puts(w, j >= C_RANK_A && j <= C_TOTAL_CH ? "<td class=\"n\">" : "<td>");
			kp_rw_html(w, cell[j]);
			kp_rw_puts(w, "</td>");
		}
		kp_rw_puts(w, "</tr>\n");
	}
	kp_rw_puts(w, "</tbody>\n</table>\n");
}

static void html_side(kp_rw *w, const char *tag, const kp_result *r, const cmp_labels *l, int lang)
{
	kp_rw_puts(w, "<p>");
	kp_rw_html(w, tag);
	kp_rw_puts(w, ": ");
	kp_rw_html(w, r->rules_file ? r->rules_file : "");
	if (r->year) {
		kp_rw_puts(w, ", ");
		kp_rw_printf(w, kp_report_labels(lang)->year_fmt, r->year);
	}
	if (r->run_id)
		kp_rw_printf(w, ", %s %ld", l->run, r->run_id);
	kp_rw_puts(w, "</p>\n");
}

static int write_html(void *ctx, const kp_report_opts *o, kp_rw *w, kp_err *err)
{
	const kp_compare *c = ctx;
	const cmp_labels *l = labels(o->lang);
	size_t i;

	(void)err;
	kp_rw_printf(w, "<!DOCTYPE html>\n<html lang=\"%s\">\n", kp_report_labels(o->lang)->html_lang);
	kp_rw_puts(w, "<head>\n<meta charset=\"utf-8\">\n<title>");
	kp_rw_html(w, l->title);
	kp_rw_puts(w, "</title>\n<style>\nbody{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
		      "th,td{border:1px solid #999;padding:2px 8px}td.n{text-align:right}"
		      "tr.gained{background:#e6f4e6}tr.lost{background:#fbe9e9}\n</style>\n</head>\n<body>\n<h1>");
	kp_rw_html(w, l->title);
	kp_rw_puts(w, "</h1>\n");
	html_side(w, "A", c->a, l, o->lang);
	html_side(w, "B", c->b, l, o->lang);
	for (i = 0; i < c->ncats; i++) {
		const kp_compare_cat *k = &c->cats[i];
		kp_rw_puts(w, "<h2>");
		kp_rw_html(w, k->name);
		kp_rw_puts(w, "</h2>\n<p>");
		kp_rw_printf(w, kp_report_labels(o->lang)->units_fmt, k->count);
		kp_rw_puts(w, kp_report_labels(o->lang)->colon);
		kp_rw_printf(w, l->moved_fmt, k->up, k->down, k->grade_changed, k->gained, k->lost);
		kp_rw_puts(w, "</p>\n");
		html_table(w, c, k, o);
		html_list(w, c, k, 1, l->gained, o->lang);
		html_list(w, c, k, 2, l->lost, o->lang);
		html_list(w, c, k, 5, l->grade_changed, o->lang);
		html_list(w, c, k, 3, l->only_a, o->lang);
		html_list(w, c, k, 4, l->only_b, o->lang);
	}
	kp_rw_puts(w, "</body>\n</html>\n");
	return 0;
}

/* ---- XLSX: the CSV's table as one sheet, numbers as numbers ---- */

struct xlsx_ctx {
	const kp_compare *c;
	const kp_report_opts *o;
};

#define XL_CELL_MAX 32767 /* Excel's longest cell text, in characters (UTF-16 units) */

/* A text cell, cut at a character to what a cell holds (as the report's
 * workbook does): a unit name past it failed the whole comparison. */
static void xl_str(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *s, lxw_format *f, int *e,
		   size_t *cut_cells)
{
	char *clean, *cut = NULL;

	if (*e || !s || !*s)
		return;
	if (!(s = kp_enc_xlsx_text(s, &clean))) { /* no U+FFFF to break the sheet's XML */
		*e = (int)LXW_ERROR_MEMORY_MALLOC_FAILED;
		return;
	}
	if (!(s = kp_enc_utf16_cut(s, XL_CELL_MAX, &cut))) /* cut at a character, marked */
		*e = (int)LXW_ERROR_MEMORY_MALLOC_FAILED;
	else if (cut)
		++*cut_cells; /* said by the caller: never a silent cut */
	if (s && *s)
		*e = (int)worksheet_write_string(ws, row, col, s, f);
	free(cut);
	free(clean);
}

static void xl_num(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, int has, double v, int *e)
{
	if (!*e && has && isfinite(v))
		*e = (int)worksheet_write_number(ws, row, col, v, NULL);
}

static void xl_row(lxw_worksheet *ws, lxw_row_t row, const kp_compare *c, const kp_compare_cat *k,
		   const kp_compare_row *r, const cmp_labels *l, int *e, size_t *cut)
{
	int both = r->a && r->b;

	xl_str(ws, row, 0, k->name, NULL, e, cut);
	xl_str(ws, row, 1 + C_ID, r->id, NULL, e, cut);
	xl_str(ws, row, 1 + C_NAME, r->name, NULL, e, cut);
	xl_num(ws, row, 1 + C_RANK_A, r->a != NULL, r->a ? r->a->rank : 0, e);
	xl_num(ws, row, 1 + C_RANK_B, r->b != NULL, r->b ? r->b->rank : 0, e);
	if (both && r->category_changed)
		xl_str(ws, row, 1 + C_RANK_CH, l->cat_changed, NULL, e, cut);
	else
		xl_num(ws, row, 1 + C_RANK_CH, both, r->rank_change, e);
	xl_num(ws, row, 1 + C_TOTAL_A, r->a != NULL, r->a ? r->a->total : 0, e);
	xl_num(ws, row, 1 + C_TOTAL_B, r->b != NULL, r->b ? r->b->total : 0, e);
	xl_num(ws, row, 1 + C_TOTAL_CH, both, r->total_change, e);
	xl_str(ws, row, 1 + C_GRADE_A, row_grade(c->a, r->a), NULL, e, cut);
	xl_str(ws, row, 1 + C_GRADE_B, row_grade(c->b, r->b), NULL, e, cut);
	xl_str(ws, row, 1 + C_COMMEND, both && r->a->commended && r->b->commended ? l->kept : "", NULL, e, cut);
	xl_str(ws, row, 1 + NCOLS, r->grade_changed && !*row_change(r, l) ? l->grade_changed : row_change(r, l),
	       NULL, e, cut);
}

static int xlsx_fill(void *ctx, struct lxw_workbook *wb, int *e, kp_err *err)
{
	const struct xlsx_ctx *x = ctx;
	size_t none = 0, *cut = x->o->cut ? x->o->cut : &none;
	const cmp_labels *l = labels(x->o->lang);
	const char *head[NCOLS];
	char hbuf[6][64];
	lxw_worksheet *ws = workbook_add_worksheet(wb, l->title);
	lxw_format *bold = workbook_add_format(wb);
	lxw_row_t row = 0;
	size_t i, k;

	(void)err;
	if (!ws || !bold) {
		*e = LXW_ERROR_MEMORY_MALLOC_FAILED;
		return 0;
	}
	format_set_bold(bold);
	header_cells(l, x->o->lang, head, hbuf);
	xl_str(ws, 0, 0, kp_report_labels(x->o->lang)->category, bold, e, cut);
	for (i = 0; i < NCOLS; i++)
		xl_str(ws, 0, (lxw_col_t)(1 + i), head[i], bold, e, cut);
	xl_str(ws, 0, 1 + NCOLS, l->change, bold, e, cut);
	for (k = 0; k < x->c->ncats; k++)
		for (i = x->c->cats[k].first; i < x->c->cats[k].first + x->c->cats[k].count && !*e; i++)
			xl_row(ws, ++row, x->c, &x->c->cats[k], &x->c->rows[i], l, e, cut);
	if (!*e)
		worksheet_freeze_panes(ws, 1, 0);
	return 0;
}

/* ---- the entry point ---- */

int kp_report_compare(const kp_compare *c, const kp_report_opts *o, FILE *out, kp_err *err)
{
	static const kp_report_body bodies[] = {
		[KP_FMT_TABLE] = write_text, [KP_FMT_CSV] = write_csv, [KP_FMT_XLSX] = NULL,
		[KP_FMT_MD] = write_text, [KP_FMT_JSON] = write_json, [KP_FMT_HTML] = write_html,
	};
	kp_err local = { 0 };

	if (!err)
		err = &local;
	if (o->format < 0 || o->format > KP_FMT_HTML)
		return kp_err_msg(err, KP_EUSAGE, KP_M_REP_UNKNOWN_FORMAT, o->format);
	if (o->format == KP_FMT_XLSX) {
		struct xlsx_ctx x = { c, o };
		/* one sheet, a row a unit under the header: past its last row
		 * the workbook failed with 74 as if the disk were full */
		if (c->nrows >= LXW_ROW_MAX)
			return kp_err_msg(err, KP_EUSAGE, KP_M_REP_XLSX_COMPARE_TOO_MANY, c->nrows, (unsigned)LXW_ROW_MAX - 1);
		return kp_report_xlsx_book(xlsx_fill, &x, o, out, err);
	}
	return kp_report_emit(o, out, bodies[o->format], (void *)c, err);
}
