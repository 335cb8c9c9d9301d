/* report_html.c — one self-contained, print-ready HTML page (A4): title,
 * the issuing office and the date of the run, the commendation list
 * (numbered, with the rank in its own column), the grade distribution, the
 * ranking of each category (section heads with their full points, a note
 * when a section was rescaled past them) with an inline SVG bar chart, and
 * every unit's breakdown, compact enough that short units share a page and
 * none is split; --summary stops after the rankings.  The rule file's
 * hash goes in a small footer.  No external resources; every text
 * escaped.  Borrows the result. */
#include "report_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kaoping/enc.h"

#define CHART_ROWS 40     /* bars per chart (one chart fits a page) */

static const char css[] =
	"@page { size: A4; margin: 16mm 14mm 18mm 14mm; }\n"
	"html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }\n"
	"body { font-family: \"Noto Sans CJK SC\", \"WenQuanYi Zen Hei\", \"Microsoft YaHei\", sans-serif;\n"
	"  font-size: 10.5pt; line-height: 1.5; color: #1a1a1a; background: #fff;\n"
	"  max-width: 182mm; margin: 0 auto; padding: 8mm 4mm; }\n"
	"@media print { body { max-width: none; margin: 0; padding: 0; } }\n"
	"header.doc { text-align: center; border-bottom: 2.5pt solid #b0201c; padding-bottom: 3mm; margin-bottom: 6mm; }\n"
	"h1 { font-size: 18pt; font-weight: bold; margin: 0 0 1.5mm; letter-spacing: 0.04em; }\n"
	"p.meta { color: #555; font-size: 9pt; margin: 0; }\n"
	"p.issuer { font-size: 10.5pt; margin: 1mm 0 0; }\n"
	"p.issuer span + span { margin-left: 4mm; }\n"
	"h2 { font-size: 13pt; margin: 7mm 0 3mm; padding-left: 2.5mm; border-left: 4pt solid #b0201c;\n"
	"  break-after: avoid; page-break-after: avoid; }\n"
	"h3 { font-size: 11pt; margin: 4mm 0 2mm; break-after: avoid; page-break-after: avoid; }\n"
	"h2 small, h3 small { font-weight: normal; color: #555; font-size: 9.5pt; margin-left: 1.5mm; }\n"
	"table { border-collapse: collapse; width: 100%; font-size: 9pt; margin: 0 0 3mm; }\n"
	"th, td { border: 0.6pt solid #8c8c8c; padding: 0.8mm 1.5mm; vertical-align: top; }\n"
	"th { background: #eeeeee; font-weight: bold; text-align: center; white-space: nowrap; }\n"
	"th.wrap, html[lang=\"en\"] th { white-space: normal; }\n"
	"table.commend { table-layout: fixed; }\n"
	"table.commend th:nth-child(1) { width: 7%; } table.commend th:nth-child(2) { width: 7%; }\n"
	"table.commend th:nth-child(3) { width: 12%; } table.commend th:nth-child(4) { width: 26%; }\n"
	"table.commend th:nth-child(5) { width: 10%; } table.commend th:nth-child(6) { width: 9%; }\n"
	"table.commend td { overflow-wrap: anywhere; }\n"
	"thead { display: table-header-group; }\n"
	"tr { break-inside: avoid; page-break-inside: avoid; }\n"
	"td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }\n"
	"td.c { text-align: center; white-space: nowrap; }\n"
	"td.id { white-space: nowrap; color: #444; }\n"
	"table.ranking td.name { min-width: 7em; }\n"
	"table.ranking { font-size: 8.5pt; }\n"
	"table.ranking th, table.ranking td { padding: 0.6mm 1mm; }\n"
	"tr.commended td { background: #fbeceb; font-weight: bold; }\n"
	"tr.veto td { color: #777; }\n"
	"td.veto { color: #b0201c; font-weight: normal; }\n"
	"td.star { color: #b0201c; }\n"
	"td.over::after, th.over::after { content: \"※\"; color: #b0201c; font-size: 7pt; vertical-align: super; }\n"
	".up { color: #b0201c; } .down { color: #2e6b30; }\n"
	".flag { display: inline-block; font-size: 8pt; font-weight: normal; color: #b0201c;\n"
	"  border: 0.6pt solid #b0201c; border-radius: 2pt; padding: 0 1mm; margin-left: 1mm; white-space: nowrap; }\n"
	"p.note { font-size: 9pt; color: #444; margin: 1mm 0 3mm; }\n"
	"p.notice { border: 0.8pt solid #c89b00; background: #fff7dc; padding: 2mm 3mm; font-size: 9.5pt; }\n"
	"section.category, section.details { break-before: page; page-break-before: always; }\n"
	"figure { margin: 2mm 0 4mm; break-inside: avoid; page-break-inside: avoid; }\n"
	"figcaption { font-size: 9pt; color: #555; text-align: center; }\n"
	"svg.chart { display: block; width: 100%; height: auto; }\n"
	"svg.chart text { font-family: inherit; font-size: 11px; fill: #333; }\n"
	"svg.chart text.v { font-size: 10px; }\n"
	"svg.chart line.grid { stroke: #d8d8d8; stroke-width: 0.8; }\n"
	"svg.chart line.axis { stroke: #666; stroke-width: 1; }\n"
	"svg.chart rect.bar { fill: #9fb4ca; }\n"
	"svg.chart rect.bar.commended { fill: #b0201c; }\n"
	"svg.chart rect.bar.veto { fill: #d0d0d0; }\n"
	"svg.chart rect.key { stroke: none; }\n"
	;

/* The breakdown of each unit, compact: short units share a page, none is
 * split (a second string: C11 promises literals of 4095 bytes). */
static const char css_units[] =
	"article.unit { break-inside: avoid; page-break-inside: avoid; margin: 0 0 3mm; }\n"
	"article.unit h3 { font-size: 10pt; margin: 2mm 0 1mm; }\n"
	"table.items { table-layout: fixed; font-size: 7.5pt; line-height: 1.3; margin: 0; }\n"
	"table.items th, table.items td { padding: 0.3mm 1mm; }\n"
	"table.items th:nth-child(1) { width: 11%; } table.items th:nth-child(2) { width: 21%; }\n"
	"table.items th:nth-child(3) { width: 18%; } table.items th:nth-child(4) { width: 9%; }\n"
	"table.items th:nth-child(5) { width: 9%; }\n"
	"table.items td { overflow-wrap: anywhere; }\n"
	"table.items tfoot td { background: #f6f6f6; font-weight: bold; }\n"
	"footer { margin-top: 8mm; font-size: 7.5pt; color: #888; text-align: center; overflow-wrap: anywhere; }\n";

/* Words of this page only. */
struct html_words {
	const char *seq, *office, *run_date, *rules, *over_fmt, *generated;
};
#define HTML_WORDS(X) \
	X(seq, REP_HTML_SEQ) \
	X(office, REP_HTML_OFFICE) \
	X(run_date, REP_HTML_RUN_DATE) \
	X(rules, REP_HTML_RULES) \
	X(over_fmt, REP_HTML_OVER) \
	X(generated, REP_HTML_GENERATED)

KP_LABEL_TABLE(html_words, struct html_words, HTML_WORDS)

/* ---------- small pieces ---------- */

static void put_num(kp_rw *w, double x, int prec)
{
	char buf[KP_NUMBUF];

	kp_rw_puts(w, kp_rw_fixed(x, prec, buf));
}

static void td(kp_rw *w, const char *cls, const char *text)
{
	if (cls) {
		kp_rw_puts(w, "<td class=\"");
		kp_rw_puts(w, cls);
		kp_rw_puts(w, "\">");
	} else {
		kp_rw_puts(w, "<td>");
	}
	kp_rw_html(w, text);
	kp_rw_puts(w, "</td>");
}

static void td_num(kp_rw *w, double x, int prec)
{
	kp_rw_puts(w, "<td class=\"num\">");
	put_num(w, x, prec);
	kp_rw_puts(w, "</td>");
}

/* A header cell; short headers never wrap, section names may. */
static void th(kp_rw *w, const char *text)
{
	kp_rw_puts(w, "<th>");
	kp_rw_html(w, text);
	kp_rw_puts(w, "</th>");
}

/* A label of ours: "rank_change" reads "rank change" on paper. */
static void th_label(kp_rw *w, const char *label)
{
	char buf[64];
	size_t i;

	for (i = 0; label[i] && i + 1 < sizeof buf; i++)
		buf[i] = label[i] == '_' ? ' ' : label[i];
	buf[i] = '\0';
	th(w, buf);
}

static const char *close_paren(int lang)
{
	return kp_report_labels(lang)->rparen;
}

static void quota_text(kp_rw *w, const kp_labels *l, const kp_category_result *c)
{
	if (c->quota > 0)
		kp_rw_printf(w, l->quota_fmt, c->quota);
	else
		kp_rw_puts(w, l->no_quota);
}

static void rank_change(kp_rw *w, const kp_result *r, const kp_unit_result *u, const kp_labels *l)
{
	char buf[32];
	const char *s = kp_report_change(r, u, l, buf, sizeof buf);
	int d = KP_MORE(u)->last_rank - u->rank;

	if (KP_MORE(u)->has_last_rank && d > 0)
		kp_rw_puts(w, "<td class=\"c up\">");
	else if (KP_MORE(u)->has_last_rank && d < 0)
		kp_rw_puts(w, "<td class=\"c down\">");
	else
		kp_rw_puts(w, "<td class=\"c\">");
	kp_rw_html(w, s);
	kp_rw_puts(w, "</td>");
}

/* Text cut to at most maxw display columns, with "…" when cut. */
static const char *clip(const char *s, size_t maxw, char *buf, size_t size)
{
	size_t w = 0, n = 0;
	const unsigned char *p = (const unsigned char *)s;

	if (kp_enc_width(s) <= maxw)
		return s;
	while (*p) {
		char one[5] = { 0 };
		size_t len = *p < 0x80 ? 1 : *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : 2, k, cw;
		for (k = 0; k < len && p[k]; k++)
			one[k] = (char)p[k];
		cw = kp_enc_width(one);
		if (w + cw > maxw - 1 || n + k + 4 > size)
			break;
		memcpy(buf + n, one, k);
		n += k, w += cw, p += k;
	}
	memcpy(buf + n, "…", sizeof "…");
	return buf;
}

/* "2021年12月31日" (zh) or "2021-12-31" (en), in local time, of an ISO
 * time in UTC as the store keeps it; 0 when it does not read as one. */
static int run_date(const char *iso, int lang, char *buf, size_t size)
{
	struct tm tm;
	time_t t;
	int y, mo, d, h, mi, s;

	if (!iso || sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s) != 6 || y < 1900 || y > 9999 ||
	    mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60 || h < 0 || mi < 0 || s < 0)
		return 0;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d, tm.tm_hour = h, tm.tm_min = mi, tm.tm_sec = s;
	t = timegm(&tm);
	if (t == (time_t)-1 || !localtime_r(&t, &tm))
		return 0;
	snprintf(buf, size, kp_report_labels(lang)->date_fmt, tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday);
	return 1;
}

/* A section's full points exceeded (a rescaled section), by more than
 * rounding. */
static int over_points(const kp_result *r, size_t i, size_t s)
{
	return r->section_points && isfinite(r->section_points[s]) &&
	       KP_SEC(r, i, s) > r->section_points[s] + 0.5 * pow(10, -r->precision);
}

/* ---------- head and commendation list ---------- */

/* "发文单位：陇县司法局  评分日期：2021年12月31日", what is known of it. */
static void issuer(kp_rw *w, const kp_result *r, int lang)
{
	const struct html_words *hw = html_words(lang);
	const char *sep = kp_report_labels(lang)->colon;
	char date[64];
	int has_date = run_date(r->scored_at, lang, date, sizeof date);

	if (!(r->office && *r->office) && !has_date)
		return;
	kp_rw_puts(w, "<p class=\"issuer\">");
	if (r->office && *r->office) {
		kp_rw_printf(w, "<span class=\"office\">%s%s", hw->office, sep);
		kp_rw_html(w, r->office);
		kp_rw_puts(w, "</span>");
	}
	if (has_date)
		kp_rw_printf(w, "<span class=\"date\">%s%s%s</span>", hw->run_date, sep, date);
	kp_rw_puts(w, "</p>\n");
}

static void page_head(kp_rw *w, const kp_result *r, const kp_labels *l, int lang)
{
	const char *title = r->title && *r->title ? r->title : kp_report_labels(lang)->title;

	kp_rw_puts(w, "<!DOCTYPE html>\n<html lang=\"");
	kp_rw_puts(w, kp_report_labels(lang)->html_lang);
	kp_rw_puts(w, "\">\n<head>\n<meta charset=\"utf-8\">\n"
		      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		      "<meta name=\"generator\" content=\"kaoping\">\n<title>");
	kp_rw_html(w, title);
	kp_rw_puts(w, "</title>\n<style>\n");
	kp_rw_puts(w, css);
	kp_rw_puts(w, css_units);
	kp_rw_puts(w, "</style>\n</head>\n<body>\n<header class=\"doc\">\n<h1>");
	kp_rw_html(w, title);
	kp_rw_puts(w, "</h1>\n<p class=\"meta\">");
	if (r->year) {
		kp_rw_printf(w, l->year_fmt, r->year);
		kp_rw_puts(w, " · ");
	}
	kp_rw_printf(w, l->units_fmt, r->nunits);
	kp_rw_puts(w, "</p>\n");
	issuer(w, r, lang);
	kp_rw_puts(w, "</header>\n");
}

/* The rule file, its SHA-256 and the run, small at the end. */
static void page_foot(kp_rw *w, const kp_result *r, int lang)
{
	const struct html_words *hw = html_words(lang);

	kp_rw_puts(w, "<footer>");
	if (r->rules_file) {
		kp_rw_printf(w, "%s ", hw->rules);
		kp_rw_html(w, r->rules_file);
		kp_rw_puts(w, " · ");
	}
	if (r->rules_sha256) {
		kp_rw_puts(w, "SHA-256 ");
		kp_rw_html(w, r->rules_sha256);
		kp_rw_puts(w, " · ");
	}
	if (r->run_id)
		kp_rw_printf(w, "#%ld · ", r->run_id);
	kp_rw_printf(w, "%s</footer>\n", hw->generated);
}

static void commend_row(kp_rw *w, const kp_result *r, const kp_unit_result *u, const kp_labels *l, size_t seq)
{
	const char *grade = kp_report_grade(r, u);

	kp_rw_puts(w, "<tr><td class=\"num seq\">");
	kp_rw_int(w, (long long)seq);
	kp_rw_puts(w, "</td><td class=\"num\">");
	kp_rw_int(w, u->rank);
	kp_rw_puts(w, "</td>");
	td(w, "id", u->id);
	td(w, NULL, u->name);
	td_num(w, u->total, r->precision);
	td(w, "c", grade ? grade : "");
	kp_rw_puts(w, "<td>");
	if (u->boundary_tie) {
		kp_rw_puts(w, "<span class=\"flag\">");
		kp_rw_html(w, l->tie_flag);
		kp_rw_puts(w, "</span> ");
	}
	kp_rw_html(w, KP_MORE(u)->tie_note);
	kp_rw_puts(w, "</td></tr>\n");
}

static void commend_category(kp_rw *w, const kp_result *r, const kp_category_result *c,
			     const kp_labels *l, int lang)
{
	size_t i, n = 0;

	kp_rw_puts(w, "<h3>");
	kp_rw_html(w, c->name);
	kp_rw_puts(w, "<small>");
	quota_text(w, l, c);
	kp_rw_puts(w, "</small></h3>\n");
	for (i = c->first; i < c->first + c->count; i++) {
		if (!r->units[i].commended)
			continue;
		if (n++ == 0) {
			kp_rw_puts(w, "<table class=\"commend\">\n<thead><tr>");
			th(w, html_words(lang)->seq), th_label(w, l->rank), th_label(w, l->unit_id), th_label(w, l->name), th_label(w, l->total);
			th_label(w, l->grade), th_label(w, l->note);
			kp_rw_puts(w, "</tr></thead>\n<tbody>\n");
		}
		commend_row(w, r, &r->units[i], l, n);
	}
	if (n)
		kp_rw_puts(w, "</tbody>\n</table>\n");
	else
		kp_rw_printf(w, "<p class=\"note\">%s</p>\n", l->none_commended);
	if (c->shortfall > 0) {
		kp_rw_puts(w, "<p class=\"note\">");
		kp_rw_printf(w, l->shortfall_fmt, c->shortfall);
		kp_rw_puts(w, "</p>\n");
	}
	if (c->note && *c->note) {
		kp_rw_printf(w, "<p class=\"note\">%s%s", l->note, kp_report_labels(lang)->colon);
		kp_rw_html(w, c->note);
		kp_rw_puts(w, "</p>\n");
	}
}

static void commend_section(kp_rw *w, const kp_result *r, const kp_labels *l, int lang)
{
	size_t c;

	kp_rw_puts(w, "<section class=\"commend\">\n<h2>");
	kp_rw_html(w, l->commend_list);
	kp_rw_puts(w, "</h2>\n");
	for (c = 0; c < r->ncategories; c++)
		commend_category(w, r, &r->categories[c], l, lang);
	kp_rw_puts(w, "</section>\n");
}

/* ---------- ranking tables ---------- */

/* The head of section s: "一、履行第一责任人职责（15分）", marked ※ when
 * a unit of the category has more (over[s]). */
static void section_head(kp_rw *w, const kp_result *r, size_t s, const unsigned char *over, int lang)
{
	char nb[KP_NUMBUF];

	kp_rw_puts(w, over && over[s] ? "<th class=\"wrap over\">" : "<th class=\"wrap\">");
	kp_rw_html(w, r->sections[s]);
	if (kp_report_sec_points(r, s, nb))
		kp_rw_printf(w, kp_report_labels(lang)->points_fmt, nb);
	kp_rw_puts(w, "</th>");
}

/* The heads of the column model (report_common.c). */
static void ranking_head(kp_rw *w, const kp_result *r, const unsigned char *over, int lang, int change)
{
	size_t i, s;

	kp_rw_puts(w, "<thead><tr>");
	for (i = 0; i < kp_report_ncols; i++) {
		const kp_column *c = &kp_report_cols[i];
		if (!kp_report_col_shown(c, KP_COLS_TABLE, change))
			continue;
		if (c->kind != KP_COL_SECTIONS)
			th_label(w, kp_report_col_label(c, lang));
		for (s = 0; c->kind == KP_COL_SECTIONS && s < r->nsections; s++)
			section_head(w, r, s, over, lang);
	}
	kp_rw_puts(w, "</tr></thead>\n");
}

static void section_cell(kp_rw *w, const kp_result *r, size_t i, size_t s)
{
	if (!over_points(r, i, s)) {
		td_num(w, KP_SEC(r, i, s), r->precision);
		return;
	}
	kp_rw_puts(w, "<td class=\"num over\">");
	put_num(w, KP_SEC(r, i, s), r->precision);
	kp_rw_puts(w, "</td>");
}

static void commended_cell(kp_rw *w, const kp_unit_result *u, const kp_labels *l)
{
	kp_rw_puts(w, "<td class=\"c star\">");
	if (u->commended)
		kp_rw_html(w, l->star);
	if (u->boundary_tie) {
		kp_rw_puts(w, "<span class=\"flag\">");
		kp_rw_html(w, l->tie_short);
		kp_rw_puts(w, "</span>");
	}
	kp_rw_puts(w, "</td>");
}

/* Unit i's cell in column c (not the sections). */
static void ranking_cell(kp_rw *w, const kp_result *r, size_t i, const kp_labels *l, const kp_column *c)
{
	const kp_unit_result *u = &r->units[i];
	const char *grade;

	switch (c->kind) {
	case KP_COL_RANK:
		kp_rw_puts(w, "<td class=\"num\">"), kp_rw_int(w, u->rank), kp_rw_puts(w, "</td>");
		break;
	case KP_COL_ID: td(w, "id", u->id); break;
	case KP_COL_NAME: td(w, "name", u->name); break;
	case KP_COL_DED: td_num(w, u->deductions, r->precision); break;
	case KP_COL_BONUS: td_num(w, u->bonus, r->precision); break;
	case KP_COL_TOTAL: td_num(w, u->total, r->precision); break;
	case KP_COL_GRADE: grade = kp_report_grade(r, u), td(w, "c", grade ? grade : ""); break;
	case KP_COL_COMM: commended_cell(w, u, l); break;
	case KP_COL_VETO:
		td(w, "veto", u->veto ? kp_result_veto_words(u, l->yes) : "");
		break;
	case KP_COL_CHANGE: rank_change(w, r, u, l); break;
	default: break;
	}
}

static void ranking_row(kp_rw *w, const kp_result *r, size_t i, const kp_labels *l, int change)
{
	const kp_unit_result *u = &r->units[i];
	size_t j, s;

	kp_rw_puts(w, u->commended ? "<tr class=\"commended\">" : u->veto ? "<tr class=\"veto\">" : "<tr>");
	for (j = 0; j < kp_report_ncols; j++) {
		const kp_column *c = &kp_report_cols[j];
		if (!kp_report_col_shown(c, KP_COLS_TABLE, change))
			continue;
		if (c->kind != KP_COL_SECTIONS)
			ranking_cell(w, r, i, l, c);
		for (s = 0; c->kind == KP_COL_SECTIONS && s < r->nsections; s++)
			section_cell(w, r, i, s);
	}
	kp_rw_puts(w, "</tr>\n");
}

/* ---------- charts ---------- */

/* A round axis end at or above max: 1, 2 or 5 × 10^k steps. */
static double axis_max(double max)
{
	double step;

	if (!(max > 0) || !isfinite(max))
		return 1;
	step = pow(10, floor(log10(max)));
	if (max / step <= 2)
		step /= 5;
	else if (max / step <= 5)
		step /= 2;
	step = ceil(max / step - 1e-9) * step;
	return isfinite(step) ? step : max; /* near DBL_MAX the round end is past a double */
}

struct chart {
	const kp_result *r;
	const kp_labels *l;
	const kp_category_result *c;
	double top;   /* the axis end */
};

#define CH_W 680
#define CH_LABEL 150
#define CH_BAR 470
#define CH_ROW 20
#define CH_TOP 22

static void chart_axis(kp_rw *w, const struct chart *ch, int height)
{
	int t;

	for (t = 0; t <= 4; t++) {
		double x = CH_LABEL + CH_BAR * t / 4.0;
		char buf[KP_NUMBUF];
		kp_rw_printf(w, "<line class=\"%s\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>",
			     t ? "grid" : "axis", x, CH_TOP - 4, x, height - 4);
		kp_rw_printf(w, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" class=\"v\">%s</text>\n", x,
			     CH_TOP - 8, kp_rw_short(ch->top * t / 4.0, 2, buf));
	}
}

static void chart_bar(kp_rw *w, const struct chart *ch, size_t i, int y)
{
	const kp_unit_result *u = &ch->r->units[i];
	double v = u->total > 0 ? (u->total > ch->top ? ch->top : u->total) : 0, len = CH_BAR * v / ch->top;
	char clipped[128], buf[KP_NUMBUF];

	if (!isfinite(len)) /* CH_BAR × a total near DBL_MAX: inf before the division (width="inf") */
		len = CH_BAR * (v / ch->top);
	if (!(len >= 0)) /* NaN too */
		len = 0;
	else if (len > CH_BAR)
		len = CH_BAR;
	kp_rw_printf(w, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", CH_LABEL - 6, y + 12);
	kp_rw_html(w, clip(u->name ? u->name : "", 22, clipped, sizeof clipped));
	kp_rw_printf(w, "</text><rect class=\"bar%s\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"14\"><title>",
		     u->commended ? " commended" : u->veto ? " veto" : "", CH_LABEL, y + 2, len);
	kp_rw_html(w, u->name);
	kp_rw_printf(w, " %s</title></rect>", kp_rw_fixed(u->total, ch->r->precision, buf));
	kp_rw_printf(w, "<text class=\"v\" x=\"%.1f\" y=\"%d\">%s</text>\n", CH_LABEL + len + 4, y + 12, buf);
}

static void chart_part(kp_rw *w, const struct chart *ch, size_t from, size_t n, int lang)
{
	int height = CH_TOP + (int)n * CH_ROW + 24;
	size_t k;

	kp_rw_puts(w, "<figure>\n<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" data-category=\"");
	kp_rw_html(w, ch->c->name);
	kp_rw_printf(w, "\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\"><title>", CH_W, height, CH_W, height);
	kp_rw_html(w, ch->c->name);
	kp_rw_printf(w, " %s</title>\n", ch->l->chart);
	chart_axis(w, ch, height - 20);
	for (k = 0; k < n; k++)
		chart_bar(w, ch, from + k, CH_TOP + (int)k * CH_ROW);
	kp_rw_printf(w, "<rect class=\"bar commended key\" x=\"%d\" y=\"%d\" width=\"10\" height=\"10\"/>"
			"<text x=\"%d\" y=\"%d\">%s</text>",
		     CH_LABEL, height - 13, CH_LABEL + 14, height - 4, ch->l->commended);
	kp_rw_printf(w, "<rect class=\"bar key\" x=\"%d\" y=\"%d\" width=\"10\" height=\"10\"/>"
			"<text x=\"%d\" y=\"%d\">%s</text>",
		     CH_LABEL + 90, height - 13, CH_LABEL + 104, height - 4, ch->l->others);
	kp_rw_printf(w, "<rect class=\"bar veto key\" x=\"%d\" y=\"%d\" width=\"10\" height=\"10\"/>"
			"<text x=\"%d\" y=\"%d\">%s</text>\n</svg>\n",
		     CH_LABEL + 180, height - 13, CH_LABEL + 194, height - 4, ch->l->veto);
	kp_rw_puts(w, "<figcaption>");
	kp_rw_html(w, ch->c->name);
	kp_rw_printf(w, " %s", ch->l->chart);
	if (from > ch->c->first || n < ch->c->count)
		kp_rw_printf(w, kp_report_labels(lang)->ranks_fmt, from - ch->c->first + 1,
			     from - ch->c->first + n);
	kp_rw_puts(w, "</figcaption>\n</figure>\n");
}

static void chart(kp_rw *w, const kp_result *r, const kp_category_result *c, const kp_labels *l, int lang)
{
	struct chart ch = { r, l, c, 0 };
	double max = 0;
	size_t i;

	for (i = c->first; i < c->first + c->count; i++)
		if (r->units[i].total > max)
			max = r->units[i].total;
	ch.top = axis_max(max);
	for (i = 0; i < c->count; i += CHART_ROWS)
		chart_part(w, &ch, c->first + i, c->count - i < CHART_ROWS ? c->count - i : CHART_ROWS, lang);
}

static void category_section(kp_rw *w, const kp_result *r, const kp_category_result *c,
			     const kp_labels *l, int lang, int charts, int change)
{
	int any = 0;
	unsigned char *over = calloc(r->nsections + 1, 1); /* NULL: no marks */
	size_t i, s;

	for (i = c->first; over && i < c->first + c->count; i++)
		for (s = 0; s < r->nsections; s++)
			if (over_points(r, i, s))
				over[s] = 1, any = 1;
	kp_rw_puts(w, "<section class=\"category\">\n<h2>");
	kp_rw_html(w, c->name);
	kp_rw_puts(w, "<small>");
	kp_rw_puts(w, kp_report_labels(lang)->lparen_tight);
	kp_rw_printf(w, l->units_fmt, c->count);
	kp_rw_puts(w, kp_report_labels(lang)->comma);
	quota_text(w, l, c);
	kp_rw_puts(w, close_paren(lang));
	kp_rw_puts(w, "</small></h2>\n<table class=\"ranking\" data-category=\"");
	kp_rw_html(w, c->name);
	kp_rw_puts(w, "\">\n");
	ranking_head(w, r, over, lang, change);
	kp_rw_puts(w, "<tbody>\n");
	for (i = c->first; i < c->first + c->count && !w->err; i++)
		ranking_row(w, r, i, l, change);
	kp_rw_puts(w, "</tbody>\n</table>\n");
	if (any) {
		kp_rw_puts(w, "<p class=\"note rescaled\">");
		kp_rw_html(w, html_words(lang)->over_fmt);
		kp_rw_puts(w, "</p>\n");
	}
	free(over);
	if (charts && c->count)
		chart(w, r, c, l, lang);
	kp_rw_puts(w, "</section>\n");
}

/* ---------- grade distribution ---------- */

static void grade_section(kp_rw *w, const kp_result *r, const kp_labels *l)
{
	size_t c, g, i;
	int ungraded = 0;

	for (i = 0; i < r->nunits; i++)
		if (!kp_report_grade(r, &r->units[i]))
			ungraded = 1;
	kp_rw_puts(w, "<section class=\"grades\">\n<h2>");
	kp_rw_html(w, l->grades);
	kp_rw_puts(w, "</h2>\n<table class=\"grades\">\n<thead><tr>");
	th_label(w, l->category);
	for (g = 0; g < r->ngrades; g++)
		th(w, r->grades[g]);
	if (ungraded)
		th_label(w, l->ungraded);
	th_label(w, l->count);
	kp_rw_puts(w, "</tr></thead>\n<tbody>\n");
	for (c = 0; c < r->ncategories; c++) {
		const kp_category_result *cat = &r->categories[c];
		kp_rw_puts(w, "<tr>");
		td(w, NULL, cat->name);
		for (g = 0; g <= r->ngrades; g++) {
			size_t n = 0;
			if (g == r->ngrades && !ungraded)
				break;
			for (i = cat->first; i < cat->first + cat->count; i++) {
				int ug = r->units[i].grade;
				n += g == r->ngrades ? !kp_report_grade(r, &r->units[i]) : ug == (int)g;
			}
			kp_rw_printf(w, "<td class=\"num\">%zu</td>", n);
		}
		kp_rw_printf(w, "<td class=\"num\">%zu</td></tr>\n", cat->count);
	}
	kp_rw_puts(w, "</tbody>\n</table>\n</section>\n");
}

/* ---------- per-unit breakdown ---------- */

static void item_row(kp_rw *w, const kp_result *r, const kp_item *it, const kp_labels *l)
{
	int k = it->kind >= 0 && it->kind <= KP_ITEM_NOTE ? it->kind : KP_ITEM_NOTE;
	int ded = k == KP_ITEM_DEDUCTION || k == KP_ITEM_SECTION_DED, plain = kp_report_item_plain(it);

	kp_rw_puts(w, "<tr>");
	td(w, NULL, l->kinds[k]);
	td(w, NULL, it->section >= 0 && (size_t)it->section < r->nsections ? r->sections[it->section] : "");
	td(w, NULL, kp_report_item_name(it, l));
	if (plain)
		kp_rw_puts(w, "<td></td>");
	else
		td_num(w, ded ? -it->points : it->points, r->precision);
	if (plain || !(it->max > 0))
		kp_rw_puts(w, "<td></td>");
	else
		td_num(w, it->max, r->precision);
	td(w, NULL, it->note);
	kp_rw_puts(w, "</tr>\n");
}

static void unit_sum(kp_rw *w, const kp_result *r, const kp_unit_result *u, const kp_labels *l, int lang)
{
	const char *sep = lang == KP_LANG_EN ? " " : "";
	size_t i;

	kp_rw_puts(w, "<tfoot><tr><td colspan=\"6\">");
	kp_rw_printf(w, "%s%s", l->base, sep), put_num(w, u->base, r->precision);
	kp_rw_printf(w, " · %s%s", l->deductions, sep), put_num(w, u->deductions, r->precision);
	for (i = 0; i < KP_MORE(u)->nitems; i++) /* adjustments: 扣完为止 */
		if (kp_report_item_floor(&KP_MORE(u)->items[i])) {
			kp_rw_puts(w, " · "), kp_rw_html(w, kp_report_item_name(&KP_MORE(u)->items[i], l)), kp_rw_puts(w, sep);
			put_num(w, KP_MORE(u)->items[i].points, r->precision);
		}
	kp_rw_printf(w, " · %s%s", l->bonus, sep), put_num(w, u->bonus, r->precision);
	kp_rw_printf(w, " · %s%s", l->total, sep), put_num(w, u->total, r->precision);
	kp_rw_puts(w, "</td></tr></tfoot>\n");
}

static void unit_detail(kp_rw *w, const kp_result *r, const kp_unit_result *u, const kp_labels *l, int lang)
{
	const char *grade = kp_report_grade(r, u);
	size_t k;

	kp_rw_puts(w, "<article class=\"unit\">\n<h3>");
	kp_rw_html(w, r->categories[u->category].name);
	kp_rw_printf(w, " · %s %d · ", l->rank, u->rank);
	kp_rw_html(w, u->id);
	kp_rw_putc(w, ' ');
	kp_rw_html(w, u->name);
	kp_rw_printf(w, "<small>%s ", l->total);
	put_num(w, u->total, r->precision);
	if (grade)
		kp_rw_puts(w, " · "), kp_rw_html(w, grade);
	if (u->commended)
		kp_rw_printf(w, " · %s", l->commended);
	if (u->veto)
		kp_rw_printf(w, " · %s", l->veto);
	kp_rw_puts(w, "</small></h3>\n");
	if (!KP_MORE(u)->items || !KP_MORE(u)->nitems) {
		kp_rw_printf(w, "<p class=\"note\">%s</p>\n</article>\n", l->no_items);
		return;
	}
	kp_rw_puts(w, "<table class=\"items\">\n<thead><tr>");
	th_label(w, l->kind), th_label(w, l->section), th_label(w, l->item), th_label(w, l->points), th_label(w, l->max), th_label(w, l->item_note);
	kp_rw_puts(w, "</tr></thead>\n");
	unit_sum(w, r, u, l, lang);
	kp_rw_puts(w, "<tbody>\n");
	for (k = 0; k < KP_MORE(u)->nitems; k++)
		item_row(w, r, &KP_MORE(u)->items[k], l);
	kp_rw_puts(w, "</tbody>\n</table>\n</article>\n");
}

static void details_section(kp_rw *w, const kp_result *r, const kp_labels *l, int lang)
{
	size_t i;

	kp_rw_puts(w, "<section class=\"details\">\n<h2>");
	kp_rw_html(w, l->details);
	kp_rw_puts(w, "</h2>\n");
	for (i = 0; i < r->nunits && !w->err; i++)
		unit_detail(w, r, &r->units[i], l, lang);
	kp_rw_puts(w, "</section>\n");
}

int kp_report_html(const kp_result *r, const kp_report_opts *o, kp_rw *w, kp_err *err)
{
	const kp_labels *l = kp_report_labels(o->lang);
	int small = r->nunits <= KP_REPORT_HTML_DETAILS, full = !o->summary, change = kp_report_has_change(r);
	size_t c;

	(void)err;
	page_head(w, r, l, o->lang);
	if (!small && full) {
		kp_rw_puts(w, "<p class=\"notice\">");
		kp_rw_printf(w, l->too_many_fmt, KP_REPORT_HTML_DETAILS);
		kp_rw_puts(w, "</p>\n");
	}
	commend_section(w, r, l, o->lang);
	grade_section(w, r, l);
	for (c = 0; c < r->ncategories && !w->err; c++)
		category_section(w, r, &r->categories[c], l, o->lang, small && full, change);
	if (small && full && kp_report_has_items(r))
		details_section(w, r, l, o->lang);
	page_foot(w, r, o->lang);
	kp_rw_puts(w, "</body>\n</html>\n");
	return 0;
}

/* ---------- a plain grid (the criteria, 考核细则) ---------- */

static const char grid_css[] =
	"@page { size: A4; margin: 15mm 12mm 15mm 12mm; }\n"
	"html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }\n"
	"body { font-family: \"SimSun\", \"宋体\", \"Noto Serif CJK SC\", \"Noto Sans CJK SC\", serif;\n"
	"  font-size: 10pt; line-height: 1.45; color: #000; background: #fff; max-width: 186mm; margin: 0 auto; }\n"
	"@media print { body { max-width: none; margin: 0; } }\n"
	"h1 { font-size: 16pt; text-align: center; margin: 0 0 1mm; }\n"
	"p.meta { text-align: center; color: #444; font-size: 9pt; margin: 0 0 4mm; }\n"
	"table { border-collapse: collapse; width: 100%; }\n"
	"th, td { border: 0.6pt solid #000; padding: 1mm 1.5mm; vertical-align: top; overflow-wrap: anywhere; }\n"
	"th { background: #eee; text-align: center; white-space: nowrap; }\n"
	"thead { display: table-header-group; }\n"
	"tr { break-inside: avoid; page-break-inside: avoid; }\n"
	"td.n { text-align: center; white-space: nowrap; }\n";

/* Short cells (points) centred; the rest as text. */
static int grid_short(const char *s)
{
	return strlen(s) <= 6;
}

void kp_report_grid_html(const char *title, const char *subtitle, const char *const *header, size_t ncols,
			 const char *const *cells, size_t nrows, const kp_report_opts *o, kp_rw *w)
{
	size_t i, j;

	kp_rw_printf(w, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n<title>",
		     kp_report_labels(o->lang)->html_lang);
	kp_rw_html(w, title ? title : "");
	kp_rw_printf(w, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>", grid_css);
	kp_rw_html(w, title ? title : "");
	kp_rw_puts(w, "</h1>\n<p class=\"meta\">");
	kp_rw_html(w, subtitle ? subtitle : "");
	kp_rw_puts(w, "</p>\n<table>\n<thead><tr>");
	for (j = 0; j < ncols; j++) {
		kp_rw_puts(w, "<th>");
		kp_rw_html(w, header[j] ? header[j] : "");
		kp_rw_puts(w, "</th>");
	}
	kp_rw_puts(w, "</tr></thead>\n<tbody>\n");
	for (i = 0; i < nrows; i++) {
		kp_rw_puts(w, "<tr>");
		for (j = 0; j < ncols; j++) {
			const char *c = cells[i * ncols + j] ? cells[i * ncols + j] : "";
			kp_rw_puts(w, (j == 1 || j == 3) && grid_short(c) ? "<td class=\"n\">" : "<td>");
			kp_rw_html(w, c);
			kp_rw_puts(w, "</td>");
		}
		kp_rw_puts(w, "</tr>\n");
	}
	kp_rw_puts(w, "</tbody>\n</table>\n</body>\n</html>\n");
}
