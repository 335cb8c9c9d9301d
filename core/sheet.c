/* sheet.c — a score sheet for each unit (一单位一表, see sheet.h): the
 * cells every format shares, the md, html and json sheets written through
 * the report writer (kaoping/rw.h) into an atomic output file, the copied
 * data rows, and the sheets' file names.  The workbook is sheet_xlsx.c.
 * Borrows the result, the rules and the rows; owns one sheet's writer for
 * the length of a call, and the names of kp_sheet_names. */
#include "sheet_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kaoping/enc.h"
#include "kaoping/outfile.h"
#include "kaoping/sb.h"

#define SHEET_LABELS(X) \
	X(sheet, REP_SHEET_SHEET) \
	X(sums, REP_SHEET_SUMS) \
	X(sources, REP_SHEET_SOURCES) \
	X(file, REP_SHEET_FILE) \
	X(line, REP_SHEET_LINE) \
	X(dataset, REP_SHEET_DATASET) \
	X(values, REP_SHEET_VALUES) \
	X(no_sources, REP_SHEET_NO_SOURCES) \
	X(sources_cut, REP_SHEET_SOURCES_CUT) \
	X(run, REP_SHEET_RUN) \
	X(assessment_office, REP_SHEET_OFFICE) \
	X(no_rules, REP_SHEET_NO_RULES) \
	X(rows_replaced, REP_SHEET_ROWS_REPLACED) \
	X(rows_dropped, REP_SHEET_ROWS_DROPPED)

KP_LABEL_TABLE(labels_of, sheet_labels, SHEET_LABELS)

const sheet_labels *sheet_labels_of(int lang)
{
	return labels_of(lang);
}

const char *sheet_year(const kp_sheet *s, char *buf, size_t size)
{
	snprintf(buf, size, kp_report_labels(s->lang)->year_fmt, s->r->year);
	return buf;
}

/* ---------- the cells ---------- */

static void field(sheet_field *f, size_t *n, const char *label, const char *value, int num)
{
	f[*n].label = label, f[*n].value = value ? value : "", f[*n].num = num;
	(*n)++;
}

size_t sheet_head(const kp_sheet *s, sheet_field *f, char (*bufs)[SHEET_BUF])
{
	const kp_result *r = s->r;
	const kp_unit_result *u = &r->units[s->unit];
	const kp_labels *l = kp_report_labels(s->lang);
	const char *grade = kp_report_grade(r, u);
	size_t n = 0;

	field(f, &n, l->unit_id, u->id, 0);
	field(f, &n, l->name, u->name, 0);
	field(f, &n, l->category, r->categories[u->category].name, 0);
	field(f, &n, l->total, kp_rw_fixed(u->total, r->precision, bufs[0]), 1);
	snprintf(bufs[1], SHEET_BUF, "%d / %zu", u->rank, r->categories[u->category].count);
	field(f, &n, l->rank, bufs[1], 0);
	field(f, &n, l->grade, grade ? grade : l->ungraded, 0);
	field(f, &n, l->commended, u->commended ? (u->boundary_tie ? l->tie_flag : l->yes) : l->no, 0);
	field(f, &n, l->veto, u->veto ? kp_result_veto_words(u, l->yes) : l->no, 0);
	if (KP_MORE(u)->has_last || r->last_year) {
		if (KP_MORE(u)->has_last)
			field(f, &n, l->last_total, kp_rw_fixed(KP_MORE(u)->last_total, r->precision, bufs[2]), 1);
		if (!KP_MORE(u)->has_last || KP_MORE(u)->has_last_rank) /* not across categories */
			field(f, &n, l->rank_change, kp_report_change(r, u, l, bufs[3], SHEET_BUF), 0);
	}
	if (KP_MORE(u)->tie_note)
		field(f, &n, l->note, KP_MORE(u)->tie_note, 0);
	if (s->rules && s->rules->office)
		field(f, &n, sheet_labels_of(s->lang)->assessment_office, s->rules->office, 0);
	return n;
}

size_t sheet_sums(const kp_sheet *s, sheet_field *f, char (*bufs)[SHEET_BUF])
{
	const kp_result *r = s->r;
	const kp_unit_result *u = &r->units[s->unit];
	const kp_labels *l = kp_report_labels(s->lang);
	size_t n = 0, b = 0;
	unsigned i;

	field(f, &n, l->base, kp_rw_fixed(u->base, r->precision, bufs[b++]), 1);
	field(f, &n, l->deductions, kp_rw_fixed(u->deductions, r->precision, bufs[b++]), 1);
	for (i = 0; i < KP_MORE(u)->nitems && n < SHEET_HEAD_MAX - 3; i++) /* 扣完为止 */
		if (kp_report_item_floor(&KP_MORE(u)->items[i]))
			field(f, &n, kp_report_item_name(&KP_MORE(u)->items[i], l), kp_rw_fixed(KP_MORE(u)->items[i].points, r->precision, bufs[b++]), 1);
	field(f, &n, l->bonus, kp_rw_fixed(u->bonus, r->precision, bufs[b++]), 1);
	field(f, &n, l->total, kp_rw_fixed(u->total, r->precision, bufs[b]), 1);
	return n;
}

void sheet_section(const kp_sheet *s, size_t k, const char **cell, char (*bufs)[KP_NUMBUF])
{
	const kp_result *r = s->r;

	cell[0] = r->sections[k] ? r->sections[k] : "";
	cell[1] = kp_rw_fixed(KP_SEC(r, s->unit, k), r->precision, bufs[0]);
	cell[2] = kp_rw_fixed(r->section_points[k], r->precision, bufs[1]);
}

void sheet_item(const kp_sheet *s, const kp_item *it, const char **cell, char (*bufs)[KP_NUMBUF])
{
	const kp_labels *l = kp_report_labels(s->lang);
	int k = it->kind >= 0 && it->kind <= KP_ITEM_NOTE ? it->kind : KP_ITEM_NOTE;
	int p = s->r->precision;

	cell[0] = l->kinds[k];
	cell[1] = it->section >= 0 && (size_t)it->section < s->r->nsections ? s->r->sections[it->section] : "";
	cell[2] = kp_report_item_name(it, l);
	cell[3] = kp_report_item_plain(it) ? "" :
		  kp_rw_fixed(k == KP_ITEM_DEDUCTION || k == KP_ITEM_SECTION_DED ? -it->points : it->points, p, bufs[0]);
	cell[4] = k == KP_ITEM_VETO || k == KP_ITEM_NOTE || !(it->max > 0) ? "" : kp_rw_fixed(it->max, p, bufs[1]);
	cell[5] = it->note ? it->note : "";
	kp_report_item_texts(s->rules, it, &cell[6], &cell[7]);
	cell[6] = cell[6] ? cell[6] : "";
	cell[7] = cell[7] ? cell[7] : "";
}

size_t sheet_item_cols(const kp_sheet *s)
{
	return kp_report_has_texts(s->rules, &s->r->units[s->unit]) ? SHEET_ITEM_COLS : SHEET_ITEM_COLS - 2;
}

void sheet_item_head(const kp_sheet *s, const char **head)
{
	const kp_labels *l = kp_report_labels(s->lang);

	head[0] = l->kind, head[1] = l->section, head[2] = l->item, head[3] = l->points;
	head[4] = l->max, head[5] = l->item_note, head[6] = l->basis, head[7] = l->office;
}

/* ---------- markdown ---------- */

static void md_row(kp_rw *w, const char *const *cell, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		kp_rw_puts(w, "| ");
		kp_rw_md(w, cell[i]);
		kp_rw_putc(w, ' ');
	}
	kp_rw_puts(w, "|\n");
}

static void md_fields(kp_rw *w, const sheet_field *f, size_t n, int lang)
{
	size_t i;

	for (i = 0; i < n; i++) {
		kp_rw_puts(w, "- **"), kp_rw_md(w, f[i].label), kp_rw_puts(w, "**");
		kp_rw_puts(w, kp_report_labels(lang)->colon);
		kp_rw_md(w, f[i].value), kp_rw_putc(w, '\n');
	}
}

static void md_sections(kp_rw *w, const kp_sheet *s)
{
	const kp_labels *l = kp_report_labels(s->lang);
	const char *cell[3] = { l->section, l->points, l->max };
	char bufs[2][KP_NUMBUF];
	size_t k;

	if (!s->r->nsections)
		return;
	md_row(w, cell, 3);
	kp_rw_puts(w, "| --- | ---: | ---: |\n");
	for (k = 0; k < s->r->nsections; k++) {
		sheet_section(s, k, cell, bufs);
		md_row(w, cell, 3);
	}
	kp_rw_putc(w, '\n');
}

static void md_items(kp_rw *w, const kp_sheet *s)
{
	const kp_unit_result *u = &s->r->units[s->unit];
	const char *cell[SHEET_ITEM_COLS];
	char bufs[2][KP_NUMBUF];
	size_t n = sheet_item_cols(s), i;
	static const char *const rule[] = { "---", "---", "---", "---:", "---:", "---", "---", "---" };

	if (!KP_MORE(u)->items || !KP_MORE(u)->nitems) {
		kp_rw_md(w, kp_report_labels(s->lang)->no_items), kp_rw_puts(w, "\n\n");
		return;
	}
	sheet_item_head(s, cell);
	md_row(w, cell, n);
	for (i = 0; i < n; i++)
		kp_rw_puts(w, "| "), kp_rw_puts(w, rule[i]), kp_rw_putc(w, ' ');
	kp_rw_puts(w, "|\n");
	for (i = 0; i < KP_MORE(u)->nitems; i++) {
		sheet_item(s, &KP_MORE(u)->items[i], cell, bufs);
		md_row(w, cell, n);
	}
	kp_rw_putc(w, '\n');
}

/* "列=值；列=值" of a data row, through put (an escape). */
static void row_values(kp_rw *w, const kp_store_row *row, void (*put)(kp_rw *, const char *), int lang)
{
	size_t i;

	for (i = 0; i < row->ncols; i++) {
		if (i)
			kp_rw_puts(w, kp_report_labels(lang)->semi);
		put(w, row->cols[i]);
		kp_rw_putc(w, '=');
		put(w, row->vals[i] ? row->vals[i] : "");
	}
}

void sheet_gone(const kp_sheet *s, const kp_store_row *g, kp_sb *b)
{
	const sheet_labels *sl = sheet_labels_of(s->lang);

	kp_sb_printf(b, g->dropped ? sl->rows_dropped : sl->rows_replaced, g->dataset, g->file, g->gone);
}

/* The imports whose rows are gone, a paragraph each through put (an
 * escape), between before and after. */
static void gone_lines(kp_rw *w, const kp_sheet *s, void (*put)(kp_rw *, const char *), const char *before,
		       const char *after)
{
	kp_sb b = {0};
	size_t i;

	for (i = 0; s->rows && i < s->rows->ngone; i++) {
		kp_sb_reset(&b);
		sheet_gone(s, &s->rows->gone[i], &b);
		if (b.oom && !w->err)
			w->err = ENOMEM;
		kp_rw_puts(w, before), put(w, kp_sb_str(&b)), kp_rw_puts(w, after);
	}
	kp_sb_free(&b);
}

static void md_sources(kp_rw *w, const kp_sheet *s)
{
	const sheet_labels *sl = sheet_labels_of(s->lang);
	const char *head[4] = { sl->file, sl->line, sl->dataset, sl->values };
	size_t i;

	kp_rw_puts(w, "## "), kp_rw_md(w, sl->sources), kp_rw_puts(w, "\n\n");
	gone_lines(w, s, kp_rw_md, "", "\n\n");
	if (s->rows && !s->rows->n && s->rows->ngone)
		return;
	if (!s->rows || !s->rows->n) {
		kp_rw_md(w, s->rows ? sl->no_sources : sl->no_rules), kp_rw_puts(w, "\n");
		return;
	}
	md_row(w, head, 4);
	kp_rw_puts(w, "| --- | ---: | --- | --- |\n");
	for (i = 0; i < s->rows->n; i++) {
		const kp_store_row *row = &s->rows->row[i];
		kp_rw_puts(w, "| "), kp_rw_md(w, row->file);
		kp_rw_puts(w, " | "), kp_rw_int(w, row->line);
		kp_rw_puts(w, " | "), kp_rw_md(w, row->dataset), kp_rw_puts(w, " | ");
		row_values(w, row, kp_rw_md, s->lang);
		kp_rw_puts(w, " |\n");
	}
}

static int sheet_md(const kp_sheet *s, kp_rw *w)
{
	const kp_unit_result *u = &s->r->units[s->unit];
	sheet_field f[SHEET_HEAD_MAX];
	char bufs[SHEET_HEAD_MAX][SHEET_BUF], year[64];
	size_t n;

	kp_rw_puts(w, "# "), kp_rw_md(w, s->r->title ? s->r->title : "");
	kp_rw_puts(w, " "), kp_rw_md(w, sheet_year(s, year, sizeof year));
	kp_rw_puts(w, "\n\n## "), kp_rw_md(w, u->id), kp_rw_putc(w, ' '), kp_rw_md(w, u->name ? u->name : "");
	kp_rw_puts(w, " "), kp_rw_md(w, sheet_labels_of(s->lang)->sheet), kp_rw_puts(w, "\n\n");
	n = sheet_head(s, f, bufs);
	md_fields(w, f, n, s->lang);
	kp_rw_putc(w, '\n');
	md_sections(w, s);
	md_items(w, s);
	kp_rw_puts(w, "## "), kp_rw_md(w, sheet_labels_of(s->lang)->sums), kp_rw_puts(w, "\n\n");
	n = sheet_sums(s, f, bufs);
	md_fields(w, f, n, s->lang);
	kp_rw_putc(w, '\n');
	md_sources(w, s);
	return 0;
}

/* ---------- html: one A4 page where it fits ---------- */

static const char css[] =
	"@page { size: A4; margin: 10mm 10mm 12mm 10mm; }\n"
	"html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }\n"
	"body { font-family: \"Noto Sans CJK SC\", \"WenQuanYi Zen Hei\", \"Microsoft YaHei\", sans-serif;\n"
	"  font-size: 9pt; line-height: 1.3; color: #1a1a1a; background: #fff;\n"
	"  max-width: 190mm; margin: 0 auto; padding: 6mm 3mm; }\n"
	"@media print { body { max-width: none; margin: 0; padding: 0; } }\n"
	"header { text-align: center; border-bottom: 2pt solid #b0201c; padding-bottom: 1.5mm; margin-bottom: 2.5mm; }\n"
	"h1 { font-size: 13pt; margin: 0 0 0.5mm; } h2 { font-size: 11.5pt; margin: 0; }\n"
	"h3 { font-size: 10pt; margin: 2.5mm 0 1mm; break-after: avoid; page-break-after: avoid; }\n"
	"table { border-collapse: collapse; width: 100%; font-size: 8pt; margin: 0 0 1.5mm; }\n"
	"th, td { border: 0.6pt solid #8c8c8c; padding: 0.3mm 1mm; vertical-align: top; overflow-wrap: break-word; }\n"
	"th { background: #eeeeee; white-space: nowrap; }\n"
	"thead { display: table-header-group; }\n"
	"tr { break-inside: avoid; page-break-inside: avoid; }\n"
	"td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }\n"
	"td.k { white-space: nowrap; }\n"
	"table.head th { text-align: left; width: 12%; } table.head td { width: 21%; }\n"
	"table.sections th { white-space: normal; font-weight: normal; } table.sections td { text-align: center; }\n"
	"table.sources { font-size: 7.5pt; } table.sources td:first-child { word-break: break-all; width: 22%; }\n"
	"p.note { font-size: 8pt; color: #444; margin: 1mm 0; }\n";

static void html_fields(kp_rw *w, const sheet_field *f, size_t n)
{
	size_t i;

	kp_rw_puts(w, "<table class=\"head\">\n");
	for (i = 0; i < n; i++) {
		kp_rw_puts(w, i % 3 ? "" : "<tr>");
		kp_rw_puts(w, "<th>"), kp_rw_html(w, f[i].label), kp_rw_puts(w, "</th>");
		kp_rw_puts(w, f[i].num ? "<td class=\"num\">" : "<td>"), kp_rw_html(w, f[i].value), kp_rw_puts(w, "</td>");
		kp_rw_puts(w, i % 3 == 2 || i + 1 == n ? "</tr>\n" : "");
	}
	kp_rw_puts(w, "</table>\n");
}

/* The sections side by side: name, then "points / full points". */
static void html_sections(kp_rw *w, const kp_sheet *s)
{
	const char *cell[3];
	char bufs[2][KP_NUMBUF];
	size_t k;

	if (!s->r->nsections)
		return;
	kp_rw_puts(w, "<table class=\"sections\">\n<tr>");
	for (k = 0; k < s->r->nsections; k++) {
		sheet_section(s, k, cell, bufs);
		kp_rw_puts(w, "<th>"), kp_rw_html(w, cell[0]), kp_rw_puts(w, "</th>");
	}
	kp_rw_puts(w, "</tr>\n<tr>");
	for (k = 0; k < s->r->nsections; k++) {
		sheet_section(s, k, cell, bufs);
		kp_rw_puts(w, "<td class=\"num\">"), kp_rw_html(w, cell[1]), kp_rw_puts(w, " / ");
		kp_rw_html(w, cell[2]), kp_rw_puts(w, "</td>");
	}
	kp_rw_puts(w, "</tr>\n</table>\n");
}

static void html_items(kp_rw *w, const kp_sheet *s)
{
	const kp_unit_result *u = &s->r->units[s->unit];
	const char *cell[SHEET_ITEM_COLS];
	char bufs[2][KP_NUMBUF];
	size_t n = sheet_item_cols(s), i, c;

	if (!KP_MORE(u)->items || !KP_MORE(u)->nitems) {
		kp_rw_puts(w, "<p class=\"note\">"), kp_rw_html(w, kp_report_labels(s->lang)->no_items);
		kp_rw_puts(w, "</p>\n");
		return;
	}
	sheet_item_head(s, cell);
	kp_rw_puts(w, "<table class=\"items\">\n<thead><tr>");
	for (c = 0; c < n; c++)
		kp_rw_puts(w, "<th>"), kp_rw_html(w, cell[c]), kp_rw_puts(w, "</th>");
	kp_rw_puts(w, "</tr></thead>\n<tbody>\n");
	for (i = 0; i < KP_MORE(u)->nitems; i++) {
		sheet_item(s, &KP_MORE(u)->items[i], cell, bufs);
		kp_rw_puts(w, "<tr>");
		for (c = 0; c < n; c++) {
			kp_rw_puts(w, c == 3 || c == 4 ? "<td class=\"num\">" : c < 3 ? "<td class=\"k\">" : "<td>");
			kp_rw_html(w, cell[c]), kp_rw_puts(w, "</td>");
		}
		kp_rw_puts(w, "</tr>\n");
	}
	kp_rw_puts(w, "</tbody>\n</table>\n");
}

static void html_sources(kp_rw *w, const kp_sheet *s)
{
	const sheet_labels *sl = sheet_labels_of(s->lang);
	size_t i;

	kp_rw_puts(w, "<h3>"), kp_rw_html(w, sl->sources), kp_rw_puts(w, "</h3>\n");
	gone_lines(w, s, kp_rw_html, "<p class=\"note gone\">", "</p>\n");
	if (s->rows && !s->rows->n && s->rows->ngone)
		return;
	if (!s->rows || !s->rows->n) {
		kp_rw_puts(w, "<p class=\"note\">"), kp_rw_html(w, s->rows ? sl->no_sources : sl->no_rules);
		kp_rw_puts(w, "</p>\n");
		return;
	}
	/* compact: the dataset (the file's stem unless imported --as) is the
	 * file's title */
	kp_rw_puts(w, "<table class=\"sources\">\n<thead><tr><th>"), kp_rw_html(w, sl->file);
	kp_rw_puts(w, "</th><th>"), kp_rw_html(w, sl->line);
	kp_rw_puts(w, "</th><th>"), kp_rw_html(w, sl->values), kp_rw_puts(w, "</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < s->rows->n; i++) {
		const kp_store_row *row = &s->rows->row[i];
		kp_rw_puts(w, "<tr><td title=\""), kp_rw_html(w, row->dataset), kp_rw_puts(w, "\">");
		kp_rw_html(w, row->file);
		kp_rw_puts(w, "</td><td class=\"num\">"), kp_rw_int(w, row->line), kp_rw_puts(w, "</td><td>");
		row_values(w, row, kp_rw_html, s->lang);
		kp_rw_puts(w, "</td></tr>\n");
	}
	kp_rw_puts(w, "</tbody>\n</table>\n");
}

static int sheet_html(const kp_sheet *s, kp_rw *w)
{
	const kp_unit_result *u = &s->r->units[s->unit];
	const sheet_labels *sl = sheet_labels_of(s->lang);
	sheet_field f[SHEET_HEAD_MAX];
	char bufs[SHEET_HEAD_MAX][SHEET_BUF], year[64];

	kp_rw_printf(w, "<!DOCTYPE html>\n<html lang=\"%s\">\n", kp_report_labels(s->lang)->html_lang);
	kp_rw_puts(w, "<head>\n<meta charset=\"utf-8\">\n<title>"), kp_rw_html(w, u->id), kp_rw_putc(w, ' ');
	kp_rw_html(w, u->name ? u->name : ""), kp_rw_puts(w, " "), kp_rw_html(w, sl->sheet);
	kp_rw_puts(w, "</title>\n<style>\n"), kp_rw_puts(w, css), kp_rw_puts(w, "</style>\n</head>\n<body>\n");
	kp_rw_puts(w, "<header>\n<h1>"), kp_rw_html(w, s->r->title ? s->r->title : ""), kp_rw_puts(w, " ");
	kp_rw_html(w, sheet_year(s, year, sizeof year)), kp_rw_puts(w, "</h1>\n<h2>"), kp_rw_html(w, u->id);
	kp_rw_putc(w, ' '), kp_rw_html(w, u->name ? u->name : ""), kp_rw_puts(w, " "), kp_rw_html(w, sl->sheet);
	kp_rw_puts(w, "</h2>\n</header>\n");
	html_fields(w, f, sheet_head(s, f, bufs));
	html_sections(w, s);
	html_items(w, s);
	kp_rw_puts(w, "<h3>"), kp_rw_html(w, sl->sums), kp_rw_puts(w, "</h3>\n");
	html_fields(w, f, sheet_sums(s, f, bufs));
	html_sources(w, s);
	kp_rw_puts(w, "</body>\n</html>\n");
	return 0;
}

/* ---------- json: one object per unit ---------- */

static void json_key(kp_rw *w, const char *key, const char *value)
{
	kp_rw_puts(w, key), kp_rw_json_str(w, value);
}

static void json_number(kp_rw *w, const char *key, double v, int prec)
{
	char nb[KP_NUMBUF];

	kp_rw_puts(w, key), kp_rw_puts(w, kp_rw_fixed(v, prec, nb));
}

static void json_sections(kp_rw *w, const kp_sheet *s)
{
	size_t k;

	kp_rw_puts(w, ",\n\"sections\":[");
	for (k = 0; k < s->r->nsections; k++) {
		json_key(w, k ? ",{\"name\":" : "{\"name\":", s->r->sections[k]);
		json_number(w, ",\"points\":", KP_SEC(s->r, s->unit, k), s->r->precision);
		json_number(w, ",\"max\":", s->r->section_points[k], s->r->precision);
		kp_rw_putc(w, '}');
	}
	kp_rw_putc(w, ']');
}

static void json_items(kp_rw *w, const kp_sheet *s)
{
	static const char *const kinds[] = { "indicator", "section_deduction", "deduction", "bonus", "veto", "note" };
	const kp_unit_result *u = &s->r->units[s->unit];
	const char *b, *o;
	unsigned i;

	kp_rw_puts(w, ",\n\"items\":[");
	for (i = 0; i < KP_MORE(u)->nitems; i++) {
		const kp_item *it = &KP_MORE(u)->items[i];
		int k = it->kind >= 0 && it->kind <= KP_ITEM_NOTE ? it->kind : KP_ITEM_NOTE;
		kp_rw_puts(w, i ? ",\n  {\"kind\":\"" : "\n  {\"kind\":\""), kp_rw_puts(w, kinds[k]);
		json_key(w, "\",\"section\":", it->section >= 0 && (size_t)it->section < s->r->nsections ?
							 s->r->sections[it->section] : NULL);
		json_key(w, ",\"name\":", it->name);
		json_number(w, ",\"points\":", it->points, s->r->precision);
		json_number(w, ",\"max\":", it->max, s->r->precision);
		json_key(w, ",\"note\":", it->note);
		kp_report_item_texts(s->rules, it, &b, &o);
		json_key(w, ",\"basis\":", b), json_key(w, ",\"office\":", o);
		kp_rw_putc(w, '}');
	}
	kp_rw_puts(w, KP_MORE(u)->nitems ? "\n]" : "]");
}

static void json_sources(kp_rw *w, const kp_sheet *s)
{
	size_t i, c;

	kp_rw_puts(w, s->rows ? ",\n\"sources\":[" : ",\n\"sources\":null");
	if (!s->rows)
		return;
	for (i = 0; s->rows && i < s->rows->n; i++) {
		const kp_store_row *row = &s->rows->row[i];
		json_key(w, i ? ",\n  {\"dataset\":" : "\n  {\"dataset\":", row->dataset);
		json_key(w, ",\"file\":", row->file);
		kp_rw_puts(w, ",\"line\":"), kp_rw_int(w, row->line);
		kp_rw_puts(w, ",\"values\":{");
		for (c = 0; c < row->ncols; c++) {
			kp_rw_puts(w, c ? "," : ""), kp_rw_json_str(w, row->cols[c]);
			kp_rw_putc(w, ':'), kp_rw_json_str(w, row->vals[c] ? row->vals[c] : "");
		}
		kp_rw_puts(w, "}}");
	}
	kp_rw_puts(w, s->rows && s->rows->n ? "\n]" : "]");
	/* the imports of the run whose rows are no longer in the database */
	kp_rw_puts(w, s->rows ? ",\n\"sources_gone\":[" : ",\n\"sources_gone\":null");
	for (i = 0; s->rows && i < s->rows->ngone; i++) {
		const kp_store_row *g = &s->rows->gone[i];
		json_key(w, i ? ",\n  {\"dataset\":" : "\n  {\"dataset\":", g->dataset);
		json_key(w, ",\"file\":", g->file);
		kp_rw_puts(w, g->dropped ? ",\"how\":\"dropped\"" : ",\"how\":\"replaced\"");
		json_key(w, ",\"when\":", g->gone);
		kp_rw_putc(w, '}');
	}
	if (s->rows)
		kp_rw_puts(w, s->rows->ngone ? "\n]" : "]");
}

static int sheet_json(const kp_sheet *s, kp_rw *w)
{
	const kp_result *r = s->r;
	const kp_unit_result *u = &r->units[s->unit];
	int p = r->precision;

	json_key(w, "{\"title\":", r->title);
	kp_rw_puts(w, ",\"year\":"), kp_rw_int(w, r->year);
	kp_rw_puts(w, ",\"run\":"), kp_rw_int(w, r->run_id);
	json_key(w, ",\"office\":", s->rules ? s->rules->office : NULL);
	json_key(w, ",\n\"unit_id\":", u->id), json_key(w, ",\"name\":", u->name);
	json_key(w, ",\"category\":", r->categories[u->category].name);
	kp_rw_puts(w, ",\"rank\":"), kp_rw_int(w, u->rank);
	kp_rw_puts(w, ",\"units_in_category\":"), kp_rw_int(w, (long long)r->categories[u->category].count);
	json_number(w, ",\"total\":", u->total, p);
	json_key(w, ",\"grade\":", kp_report_grade(r, u));
	kp_rw_puts(w, u->commended ? ",\"commended\":true" : ",\"commended\":false");
	kp_rw_puts(w, u->boundary_tie ? ",\"boundary_tie\":true" : ",\"boundary_tie\":false");
	kp_rw_puts(w, u->veto ? ",\"veto\":true" : ",\"veto\":false");
	json_key(w, ",\"veto_reason\":", u->veto ? KP_MORE(u)->veto_reason : NULL);
	json_key(w, ",\"tie_note\":", KP_MORE(u)->tie_note);
	kp_rw_puts(w, ",\"rank_change\":");
	if (KP_MORE(u)->has_last_rank)
		kp_rw_int(w, (long long)KP_MORE(u)->last_rank - u->rank);
	else
		kp_rw_puts(w, "null");
	if (KP_MORE(u)->has_last)
		json_number(w, ",\"last_total\":", KP_MORE(u)->last_total, p);
	else
		kp_rw_puts(w, ",\"last_total\":null");
	json_number(w, ",\n\"base\":", u->base, p);
	json_number(w, ",\"deductions\":", u->deductions, p);
	json_number(w, ",\"bonus\":", u->bonus, p);
	kp_rw_puts(w, KP_MORE(u)->items ? ",\"details\":true" : ",\"details\":false");
	json_sections(w, s);
	json_items(w, s);
	json_sources(w, s);
	kp_rw_puts(w, "}\n");
	return 0;
}

/* ---------- writing one sheet ---------- */

int kp_sheet_format_ok(int format)
{
	return format == KP_FMT_MD || format == KP_FMT_HTML || format == KP_FMT_JSON || format == KP_FMT_XLSX;
}

const char *kp_sheet_ext(int format)
{
	return kp_sheet_format_ok(format) ? kp_report_format_name(format) : "txt";
}

static int sheet_body(const kp_sheet *s, int format, kp_rw *w)
{
	if (format == KP_FMT_HTML)
		return sheet_html(s, w);
	if (format == KP_FMT_JSON)
		return sheet_json(s, w);
	return sheet_md(s, w);
}

/* Write the sheet into a new atomic output file, not yet in place. */
static int sheet_file(const kp_sheet *s, int format, const char *path, kp_outfile **out, kp_err *err)
{
	kp_outfile *of;
	kp_rw w;
	int rc, e;

	*out = NULL;
	if (!kp_sheet_format_ok(format))
		return kp_err_msg(err, KP_EUSAGE, KP_M_REP_SHEETS_FORMAT,
				  kp_report_format_name(format));
	if (s->unit >= s->r->nunits || s->r->units[s->unit].category < 0 ||
	    (size_t)s->r->units[s->unit].category >= s->r->ncategories)
		return kp_err_msg(err, KP_EINTERNAL, KP_M_REP_SHEETS_UNIT, s->unit);
	if ((rc = kp_outfile_open(path, &of, err)))
		return rc;
	if (format == KP_FMT_XLSX) {
		rc = sheet_xlsx(s, of, path, err);
	} else if (!(rc = kp_rw_open(&w, kp_outfile_fp(of), err))) {
		rc = sheet_body(s, format, &w);
		e = kp_rw_close(&w);
		errno = 0;
		if (!rc && !e && fflush(kp_outfile_fp(of)) != 0)
			e = errno ? errno : EIO; /* the text goes to the file, not held */
		if (!rc && e)
			rc = kp_err_msg(err, KP_EIO, KP_M_REP_CANNOT_WRITE, path, strerror(e));
	}
	if (rc) {
		kp_outfile_abort(of);
		return rc;
	}
	*out = of;
	return 0;
}

int kp_sheet_write(const kp_sheet *s, int format, const char *path, kp_err *err)
{
	kp_outfile *of;
	int rc = sheet_file(s, format, path, &of, err);

	return rc ? rc : kp_outfile_commit(of, err);
}

/* ---------- many sheets ---------- */

struct kp_sheet_batch {
	kp_outfile *f[KP_SHEET_BATCH];
	size_t n;
};

kp_sheet_batch *kp_sheet_batch_new(kp_err *err)
{
	kp_sheet_batch *b = calloc(1, sizeof *b);

	if (!b)
		kp_err_oom(err);
	return b;
}

int kp_sheet_batch_add(kp_sheet_batch *b, const kp_sheet *s, int format, const char *path, kp_err *err)
{
	int rc = sheet_file(s, format, path, &b->f[b->n], err);

	if (rc)
		return rc;
	if (++b->n == KP_SHEET_BATCH)
		return kp_sheet_batch_commit(b, err);
	return 0;
}

int kp_sheet_batch_commit(kp_sheet_batch *b, kp_err *err)
{
	size_t n = b->n;

	b->n = 0;
	return n ? kp_outfile_commit_all(b->f, n, err) : 0;
}

void kp_sheet_batch_free(kp_sheet_batch *b)
{
	if (!b)
		return;
	while (b->n)
		kp_outfile_abort(b->f[--b->n]);
	free(b);
}

/* ---------- the data rows, copied ---------- */

/* Append s (or "" for NULL) to the block at *p; returns the copy. */
static const char *block_str(char **p, const char *s)
{
	size_t n = strlen(s ? s : "") + 1;
	char *d = *p;

	memcpy(d, s ? s : "", n);
	*p += n;
	return d;
}

/* An import whose rows are gone: its names and when, in one block. */
static int gone_add(kp_sheet_rows *l, const kp_store_row *row, kp_err *err)
{
	size_t bytes = strlen(row->dataset) + strlen(row->file) + strlen(row->gone) + 3;
	kp_store_row *d;
	char *block, *p;

	if (l->ngone == l->gcap) {
		kp_store_row *g = kp_grow(l->gone, &l->gcap, l->ngone + 1, sizeof *g);
		if (!g)
			return kp_err_oom(err);
		l->gone = g;
	}
	if (!(block = p = malloc(bytes)))
		return kp_err_oom(err);
	d = &l->gone[l->ngone++];
	memset(d, 0, sizeof *d);
	d->dataset = block_str(&p, row->dataset), d->file = block_str(&p, row->file);
	d->gone = block_str(&p, row->gone), d->dropped = row->dropped;
	return 0;
}

int kp_sheet_rows_add(kp_sheet_rows *l, const kp_store_row *row, kp_sheet_keep_fn keep, void *ud, kp_err *err)
{
	size_t i, n = 0, bytes = strlen(row->dataset) + strlen(row->file) + 2;
	kp_store_row *d;
	const char **ptr;
	char *p;

	if (row->gone)
		return gone_add(l, row, err);

	for (i = 0; i < row->ncols; i++)
		if (keep(ud, row->cols[i]))
			n++, bytes += strlen(row->cols[i]) + strlen(row->vals[i] ? row->vals[i] : "") + 2;
	if (!n)
		return 0;
	if (l->n == l->cap) {
		kp_store_row *g = kp_grow(l->row, &l->cap, l->n + 1, sizeof *g);
		if (!g)
			return kp_err_oom(err);
		l->row = g;
	}
	/* one block: the column and value pointers, then the strings */
	if (!(ptr = malloc(2 * n * sizeof *ptr + bytes)))
		return kp_err_oom(err);
	p = (char *)(ptr + 2 * n);
	d = &l->row[l->n++];
	d->dataset = block_str(&p, row->dataset), d->file = block_str(&p, row->file);
	d->line = row->line, d->ncols = n, d->cols = ptr, d->vals = ptr + n;
	for (i = 0, n = 0; i < row->ncols; i++)
		if (keep(ud, row->cols[i])) {
			ptr[n] = block_str(&p, row->cols[i]);
			ptr[d->ncols + n++] = block_str(&p, row->vals[i]);
		}
	return 0;
}

void kp_sheet_rows_clear(kp_sheet_rows *l)
{
	while (l->n)
		free((void *)l->row[--l->n].cols);
	while (l->ngone)
		free((void *)l->gone[--l->ngone].dataset); /* the block */
}

void kp_sheet_rows_free(kp_sheet_rows *l)
{
	kp_sheet_rows_clear(l);
	free(l->row), free(l->gone);
	l->row = NULL, l->cap = 0;
	l->gone = NULL, l->gcap = 0;
}

/* ---------- file names ---------- */

/* The length of the UTF-8 character at s (left bytes), 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t left)
{
	size_t n = s[0] < 0x80 ? 1 : s[0] >= 0xC2 && s[0] <= 0xDF ? 2 : s[0] >= 0xE0 && s[0] <= 0xEF ? 3 :
		   s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : 0;
	size_t i;

	if (!n || n > left)
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] > 0x9F) || (s[0] == 0xF0 && s[1] < 0x90) ||
	    (s[0] == 0xF4 && s[1] > 0x8F))
		return 0; /* overlong, surrogate, beyond U+10FFFF */
	return n;
}

/* Characters a file name must not carry: what some filesystem refuses,
 * controls, and invisible format characters that disguise a name. */
static int name_drop(const unsigned char *c, size_t n)
{
	if (n == 1)
		return c[0] < 0x20 || c[0] == 0x7F || strchr("/\\:*?\"<>|", c[0]) != NULL;
	if (n == 2)
		return c[0] == 0xC2 && c[1] < 0xA0; /* C1 controls */
	if (n == 3 && c[0] == 0xE2 && c[1] == 0x80)
		return (c[2] >= 0x8B && c[2] <= 0x8F) || (c[2] >= 0xA8 && c[2] <= 0xAE); /* ZW*, LRM, RLM, LS, PS, bidi */
	if (n == 3 && c[0] == 0xE2 && c[1] == 0x81)
		return c[2] >= 0xA6 && c[2] <= 0xA9; /* bidi isolates */
	return n == 3 && c[0] == 0xEF && c[1] == 0xBB && c[2] == 0xBF; /* BOM */
}

/* The safe form of s into out (room for strlen(s) + 1), at most max bytes,
 * cut at a character. */
static void name_clean(const char *s, char *out, size_t max)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t left = strlen((const char *)p), o = 0, n;

	for (; left; p += n, left -= n) {
		if (!(n = utf8_len(p, left))) {
			n = 1; /* not UTF-8: dropped */
			continue;
		}
		if (name_drop(p, n) || (o == 0 && (*p == '.' || *p == ' ')))
			continue;
		if (o + n > max)
			break;
		memcpy(out + o, p, n), o += n;
	}
	while (o && (out[o - 1] == '.' || out[o - 1] == ' '))
		o--;
	out[o] = '\0';
}

/* The names given, as kp_enc_fold_name keys (what a case-insensitive
 * filesystem takes for the same name), in an open hash table. */
struct kp_sheet_names {
	char **slot;
	size_t cap, n;
};

kp_sheet_names *kp_sheet_names_new(kp_err *err)
{
	kp_sheet_names *t = calloc(1, sizeof *t);

	if (t && !(t->slot = calloc(t->cap = 64, sizeof *t->slot))) {
		free(t);
		t = NULL;
	}
	if (!t)
		kp_err_oom(err);
	return t;
}

void kp_sheet_names_free(kp_sheet_names *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->cap; i++)
		free(t->slot[i]);
	free(t->slot);
	free(t);
}

static size_t key_hash(const char *s)
{
	size_t h = 5381;

	for (; *s; s++)
		h = h * 33 + (unsigned char)*s;
	return h;
}

/* The slot of name in t: where it is, or the empty slot where it goes. */
static char **names_slot(char **slot, size_t cap, const char *name)
{
	size_t i = key_hash(name) & (cap - 1);

	while (slot[i] && strcmp(slot[i], name))
		i = (i + 1) & (cap - 1);
	return &slot[i];
}

static int names_grow(kp_sheet_names *t, kp_err *err)
{
	size_t cap = 2 * t->cap, i;
	char **slot = calloc(cap, sizeof *slot);

	if (!slot)
		return kp_err_oom(err);
	for (i = 0; i < t->cap; i++)
		if (t->slot[i])
			*names_slot(slot, cap, t->slot[i]) = t->slot[i];
	free(t->slot);
	t->slot = slot, t->cap = cap;
	return 0;
}

/* Record the key of name unless it is given: 1 recorded, 0 given, -1
 * out of memory. */
static int names_claim(kp_sheet_names *t, const char *name, kp_err *err)
{
	char **at, *key;

	if (2 * (t->n + 1) > t->cap && names_grow(t, err))
		return -1;
	if (!(key = kp_enc_fold_name(name))) {
		kp_err_oom(err);
		return -1;
	}
	at = names_slot(t->slot, t->cap, key);
	if (*at) {
		free(key);
		return 0;
	}
	*at = key, t->n++;
	return 1;
}

/* The stem "ID-NAME" of a unit's file name, cleaned (malloc'd). */
static char *sheet_stem(const char *id, const char *name, kp_err *err)
{
	size_t ni = strlen(id ? id : ""), nn = strlen(name ? name : "");
	char *out = malloc(ni + nn + 8), *p;

	if (!out) {
		kp_err_oom(err);
		return NULL;
	}
	p = out + 1; /* room for the "_" before a device name */
	name_clean(id, p, KP_SHEET_ID_MAX);
	ni = strlen(p);
	if (ni) /* an id that cleans to nothing leaves no "-" before the name */
		p[ni++] = '-';
	name_clean(name, p + ni, KP_SHEET_STEM_MAX - ni);
	if (ni && !p[ni])
		p[ni - 1] = '\0';
	if (!*p)
		strcpy(p, "unit");
	if (kp_outfile_reserved_name(p) || *p == '-') /* "-rf.md" reads as options to rm, tar, zip */
		*--p = '_';
	memmove(out, p, strlen(p) + 1);
	return out;
}

char *kp_sheet_filename(kp_sheet_names *seen, const char *id, const char *name, const char *ext, kp_err *err)
{
	char *stem = sheet_stem(id, name, err), *file = NULL;
	size_t size;
	unsigned k;
	int rc;

	if (!stem)
		return NULL;
	size = strlen(stem) + strlen(ext) + 16;
	for (k = 1;; k++) {
		if (!(file = malloc(size))) {
			kp_err_oom(err);
			break;
		}
		if (k == 1)
			snprintf(file, size, "%s.%s", stem, ext);
		else
			snprintf(file, size, "%s~%u.%s", stem, k, ext);
		if (!seen)
			break;
		if ((rc = names_claim(seen, file, err)) == 0) { /* given before: the next */
			free(file);
			continue;
		}
		if (rc < 0)
			free(file), file = NULL;
		break;
	}
	free(stem);
	return file;
}
