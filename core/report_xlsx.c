/* report_xlsx.c — the workbook for Excel, WPS and LibreOffice through
 * libxlsxwriter: a sheet per category, the commendation list and the
 * per-item breakdown, each prepared for print: a title row naming the
 * assessment and the year, the header row wrapped, both repeated on every
 * page (print titles), landscape A4 one page wide, the title and "page P
 * of N" in the page header and footer, panes frozen at the unit name, the
 * autofilter over the data alone.  Deductions are negative in every sheet
 * (the points a unit gets, so a row adds up); rank change is a number
 * shown as ↑3 / ↓2 / – by its number format.  libxlsxwriter writes to a file name: the atomic
 * output file's temporary name, or a temporary file copied to the stream.
 * Owns the workbook for the length of one call. */
#include "report_int.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "kaoping/enc.h"
#include "kaoping/outfile.h"
#include "kaoping/xlsxw.h"

#define MAX_WIDTH 60.0
#define HEAD_WIDTH 14.0 /* a long head (a section) wraps within this width */
#define STR_MAX 32767 /* Excel's longest cell text, in characters (UTF-16 units) */
#define TOP 2         /* the title row and the header row */
#define CHANGE_FORMAT "\"↑\"0;\"↓\"0;\"–\""

struct xl {
	const kp_result *r;
	const kp_labels *l;
	int lang, change;
	lxw_workbook *wb;
	lxw_format *head, *num, *num_b, *text_b, *intf, *title, *chg, *chg_b;
	lxw_error e;        /* the first libxlsxwriter error */
	char (*names)[LXW_MAX_SHEETNAME_LENGTH];
	size_t nnames;
	double *width;      /* column widths of the current sheet */
	size_t ncols;
	int nofit;          /* the title row: no column grows for it */
	const char *const *heads; /* the header row of the current sheet */
	int stream;         /* constant_memory: a row is written out when the
			       next begins and can be changed no more */
	size_t cut;         /* cells whose text was cut to STR_MAX */
};

/* ---------- cells ---------- */

static void fit(struct xl *x, lxw_col_t col, const char *s)
{
	double w = (double)kp_enc_width(s) + 2;

	if (!x->nofit && col < x->ncols && w > x->width[col])
		x->width[col] = w > MAX_WIDTH ? MAX_WIDTH : w;
}

static void put_str(struct xl *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *s,
		    lxw_format *f)
{
	char *cut = NULL, *clean;
	lxw_error e;

	if (!s || !*s || x->e)
		return;
	if (!(s = kp_enc_xlsx_text(s, &clean))) { /* no U+FFFF to break the sheet's XML */
		x->e = LXW_ERROR_MEMORY_MALLOC_FAILED;
		return;
	}
	if (!(s = kp_enc_utf16_cut(s, STR_MAX, &cut))) { /* cut at a character, marked */
		x->e = LXW_ERROR_MEMORY_MALLOC_FAILED;
		free(clean);
		return;
	}
	if (cut)
		x->cut++; /* said by the caller: never a silent cut */
	e = worksheet_write_string(ws, row, col, s, f);
	if (e)
		x->e = e;
	fit(x, col, s);
	free(cut);
	free(clean);
}

static void put_num(struct xl *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, double v, lxw_format *f)
{
	char buf[KP_NUMBUF];
	lxw_error e;

	if (!isfinite(v) || x->e)
		return;
	e = worksheet_write_number(ws, row, col, v, f);
	if (e)
		x->e = e;
	fit(x, col, kp_rw_fixed(v, x->r->precision, buf));
}

static void put_int(struct xl *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, long v)
{
	char buf[32];

	if (x->e)
		return;
	x->e = worksheet_write_number(ws, row, col, (double)v, x->intf);
	snprintf(buf, sizeof buf, "%ld", v);
	fit(x, col, buf);
}

static int cols_begin(struct xl *x, size_t ncols)
{
	size_t i;

	free(x->width);
	x->width = malloc(ncols * sizeof *x->width);
	x->ncols = x->width ? ncols : 0;
	for (i = 0; i < x->ncols; i++)
		x->width[i] = 6;
	return x->width ? 0 : -1;
}

/* Lines a wrapped head takes in a column w characters wide. */
static double head_lines(const char *s, double w)
{
	double n = ceil(((double)kp_enc_width(s ? s : "") + 1) / (w > 3 ? w - 2 : 1));

	return n < 1 ? 1 : n > 10 ? 10 : n;
}

/* The header row's height: its longest head wrapped in its column. */
static void head_height(struct xl *x, lxw_worksheet *ws)
{
	double lines = 1, k;
	size_t i;

	for (i = 0; i < x->ncols && x->heads; i++)
		if ((k = head_lines(x->heads[i], x->width[i])) > lines)
			lines = k;
	if (!x->e)
		x->e = worksheet_set_row(ws, TOP - 1, 15 * lines, NULL);
}

/* Column widths, the header row's height, panes frozen below the header
 * and right of column freeze (the unit name), the autofilter over the
 * header and the n rows of data. */
static void cols_end(struct xl *x, lxw_worksheet *ws, lxw_row_t n, lxw_col_t freeze)
{
	size_t i;

	for (i = 0; i < x->ncols && !x->e; i++)
		x->e = worksheet_set_column(ws, (lxw_col_t)i, (lxw_col_t)i, x->width[i], NULL);
	if (!x->stream) /* streamed, the header row is out already (header()) */
		head_height(x, ws);
	worksheet_freeze_panes(ws, TOP, freeze);
	if (!x->e && x->ncols && n > 0)
		x->e = worksheet_autofilter(ws, TOP - 1, 0, TOP - 1 + n, (lxw_col_t)(x->ncols - 1));
	x->heads = NULL;
}

/* The header row, wrapped: a long head widens its column up to HEAD_WIDTH.
 * Streamed, its height is set now, from the heads' widths alone (the data
 * can only widen a column, so the row is tall enough). */
static void header(struct xl *x, lxw_worksheet *ws, const char *const *text, size_t n)
{
	double w;
	size_t i;

	x->heads = text;
	x->nofit = 1;
	for (i = 0; i < n; i++) {
		put_str(x, ws, TOP - 1, (lxw_col_t)i, text[i], x->head);
		w = (double)kp_enc_width(text[i] ? text[i] : "") + 2;
		if (i < x->ncols && w > x->width[i])
			x->width[i] = w > HEAD_WIDTH ? HEAD_WIDTH : w;
	}
	x->nofit = 0;
	if (x->stream)
		head_height(x, ws);
}

/* "&C" and the title for the page header, & doubled, cut whole characters
 * with "…" to Excel's 255 characters; NULL when out of memory. */
static char *page_header(const char *title)
{
	char *clean, *h;
	size_t n, i = 0, k = 2, len;

	if (!(title = kp_enc_xlsx_text(title, &clean)))
		return NULL;
	n = strlen(title);
	if (!(h = malloc(2 * n + 8))) {
		free(clean);
		return NULL;
	}
	memcpy(h, "&C", 2);
	while (i < n) {
		unsigned char c = (unsigned char)title[i];
		len = c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
		if (len > n - i)
			len = n - i;
		if (k + len + 1 > 200) {
			memcpy(h + k, "…", strlen("…"));
			k += strlen("…");
			break;
		}
		if (c == '&')
			h[k++] = '&';
		memcpy(h + k, title + i, len);
		k += len, i += len;
	}
	h[k] = '\0';
	free(clean);
	return h;
}

/* The title row (the assessment, the year, the sheet) and the print setup:
 * landscape A4, one page wide, title and header rows on every page, the
 * title in the page header, "page P of N" in the footer. */
static void sheet_print(struct xl *x, lxw_worksheet *ws, const char *sheet, size_t ncols)
{
	const char *title = x->r->title && *x->r->title ? x->r->title : kp_report_labels(x->lang)->title;
	char year[64] = "", *line = NULL, *h;

	if (x->e)
		return;
	if (x->r->year)
		snprintf(year, sizeof year, x->l->year_fmt, x->r->year);
	if (asprintf(&line, kp_report_labels(x->lang)->sheet_title_fmt, title, year, sheet ? sheet : "") < 0 ||
	    !(h = page_header(title))) {
		free(line);
		x->e = LXW_ERROR_MEMORY_MALLOC_FAILED;
		return;
	}
	if (ncols > 1)
		x->e = worksheet_merge_range(ws, 0, 0, 0, (lxw_col_t)(ncols - 1), "", x->title);
	x->nofit = 1;
	put_str(x, ws, 0, 0, line, x->title);
	x->nofit = 0;
	if (!x->e)
		x->e = worksheet_set_row(ws, 0, 24, NULL);
	worksheet_set_landscape(ws);
	worksheet_set_paper(ws, 9); /* A4 */
	worksheet_fit_to_pages(ws, 1, 0);
	if (!x->e)
		x->e = worksheet_repeat_rows(ws, 0, TOP - 1);
	if (!x->e)
		x->e = worksheet_set_header(ws, h);
	if (!x->e)
		x->e = worksheet_set_footer(ws, kp_report_labels(x->lang)->footer);
	free(h);
	free(line);
}

/* ---------- sheet names ---------- */

/* Excel's rules: no []:*?/\, at most 31 characters (UTF-16 units), no
 * leading or trailing apostrophe, unique regardless of case. */
static void clean_name(const char *in, char *out, size_t limit)
{
	const unsigned char *p = (const unsigned char *)(in ? in : "");
	size_t n = 0, units = 0;

	while (*p && units < limit) {
		size_t len = *p < 0x80 ? 1 : *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : 2, k;
		size_t u = len == 4 ? 2 : 1;
		if (units + u > limit)
			break;
		if (*p >= 0x80 && (k = kp_enc_xml_bad((const char *)p, strnlen((const char *)p, 4))) > 0) {
			p += k; /* U+FFFF, a stray byte: not in the workbook's XML */
			continue;
		}
		if (*p < 0x20 || strchr("[]:*?/\\", *p)) {
			out[n++] = *p < 0x20 ? ' ' : '_';
			p++, units++;
			continue;
		}
		for (k = 0; k < len && p[k]; k++)
			out[n++] = (char)p[k];
		p += k, units += u;
	}
	out[n] = '\0';
	if (out[0] == '\'')
		out[0] = '_';
	if (n && out[n - 1] == '\'')
		out[n - 1] = '_';
	if (!out[0] || !strcasecmp(out, "History"))
		snprintf(out + strlen(out), LXW_MAX_SHEETNAME_LENGTH - strlen(out), "_");
}

/* Is name a sheet's already?  Excel compares sheet names without case in
 * every script (Ä and ä, Ａ and ａ are one name, and it repairs such a
 * workbook), so the names are compared as kp_enc_fold_name keys; 1 taken,
 * 0 free, -1 out of memory. */
static int name_taken(const struct xl *x, const char *name)
{
	char *key = kp_enc_fold_name(name), *k;
	size_t i;
	int taken = 0;

	if (!key)
		return -1;
	for (i = 0; i < x->nnames && !taken; i++) {
		if (!(k = kp_enc_fold_name(x->names[i]))) {
			taken = -1;
			break;
		}
		taken = !strcmp(k, key);
		free(k);
	}
	free(key);
	return taken;
}

static lxw_worksheet *add_sheet(struct xl *x, const char *want)
{
	char *name = x->names[x->nnames];
	int n, taken;
	lxw_worksheet *ws;

	clean_name(want, name, LXW_SHEETNAME_MAX);
	for (n = 2; (taken = name_taken(x, name)) > 0; n++) {
		char suffix[16];
		snprintf(suffix, sizeof suffix, "(%d)", n);
		clean_name(want, name, LXW_SHEETNAME_MAX - strlen(suffix));
		strcat(name, suffix);
	}
	if (taken < 0) {
		if (!x->e)
			x->e = LXW_ERROR_MEMORY_MALLOC_FAILED;
		return NULL;
	}
	x->nnames++;
	ws = workbook_add_worksheet(x->wb, name);
	if (!ws && !x->e)
		x->e = LXW_ERROR_MEMORY_MALLOC_FAILED;
	return ws;
}

/* ---------- the sheets ---------- */

/* Rank change as a number (places up), shown ↑3 / ↓2 / – by its format;
 * "新" for a unit new this year, blank for one ranked in another category
 * last year. */
static void put_change(struct xl *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const kp_unit_result *u,
		       int bold)
{
	char buf[32];

	if (!KP_MORE(u)->has_last_rank) { /* new, or ranked in another category last year */
		put_str(x, ws, row, col, kp_report_change(x->r, u, x->l, buf, sizeof buf), bold ? x->text_b : NULL);
		return;
	}
	if (x->e)
		return;
	x->e = worksheet_write_number(ws, row, col, (double)KP_MORE(u)->last_rank - u->rank, bold ? x->chg_b : x->chg);
	fit(x, col, kp_report_change(x->r, u, x->l, buf, sizeof buf));
}

/* Unit i's cell in column c of the model (not the sections). */
static void ranking_cell(struct xl *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, size_t i,
			 const kp_column *c)
{
	const kp_unit_result *u = &x->r->units[i];
	lxw_format *nf = u->commended ? x->num_b : x->num, *tf = u->commended ? x->text_b : NULL;
	char buf[128];

	switch (c->kind) {
	case KP_COL_RANK: put_int(x, ws, row, col, u->rank); break;
	case KP_COL_ID: put_str(x, ws, row, col, u->id, tf); break;
	case KP_COL_NAME: put_str(x, ws, row, col, u->name, tf); break;
	case KP_COL_DED: /* negative, as in 得分明细 */
		put_num(x, ws, row, col, u->deductions != 0 ? -u->deductions : 0.0, nf);
		break;
	case KP_COL_BONUS: put_num(x, ws, row, col, u->bonus, nf); break;
	case KP_COL_TOTAL: put_num(x, ws, row, col, u->total, nf); break;
	case KP_COL_GRADE: put_str(x, ws, row, col, kp_report_grade(x->r, u), tf); break;
	case KP_COL_COMM:
		if (u->commended && u->boundary_tie)
			snprintf(buf, sizeof buf, kp_report_labels(x->lang)->paren_fmt, x->l->yes, x->l->tie_flag);
		put_str(x, ws, row, col, u->commended ? (u->boundary_tie ? buf : x->l->yes) : NULL, tf);
		break;
	case KP_COL_VETO:
		put_str(x, ws, row, col, u->veto ? kp_result_veto_words(u, x->l->yes) : NULL,
			tf);
		break;
	case KP_COL_CHANGE: put_change(x, ws, row, col, u, u->commended); break;
	default: break;
	}
}

static void ranking_row(struct xl *x, lxw_worksheet *ws, lxw_row_t row, size_t i)
{
	const kp_result *r = x->r;
	lxw_format *nf = r->units[i].commended ? x->num_b : x->num;
	lxw_col_t col = 0;
	size_t j, s;

	for (j = 0; j < kp_report_ncols; j++) {
		const kp_column *c = &kp_report_cols[j];
		if (!kp_report_col_shown(c, KP_COLS_TABLE, x->change))
			continue;
		if (c->kind != KP_COL_SECTIONS)
			ranking_cell(x, ws, row, col++, i, c);
		for (s = 0; c->kind == KP_COL_SECTIONS && s < r->nsections; s++)
			put_num(x, ws, row, col++, KP_SEC(r, i, s), nf);
	}
}

/* The header row of the model: the sections' heads are secs. */
static size_t ranking_heads(const struct xl *x, char *const *secs, const char **head)
{
	size_t j, s, n = 0;

	for (j = 0; j < kp_report_ncols; j++) {
		const kp_column *c = &kp_report_cols[j];
		if (!kp_report_col_shown(c, KP_COLS_TABLE, x->change))
			continue;
		if (c->kind != KP_COL_SECTIONS)
			head[n++] = kp_report_col_label(c, x->lang);
		for (s = 0; c->kind == KP_COL_SECTIONS && s < x->r->nsections; s++)
			head[n++] = secs[s];
	}
	return n;
}

static int category_sheet(struct xl *x, const kp_category_result *cat, kp_err *err)
{
	const kp_result *r = x->r;
	const kp_labels *l = x->l;
	size_t ncols = kp_report_col_count(r, KP_COLS_TABLE, x->change), s, i;
	const char **head = calloc(ncols, sizeof *head);
	char **secs = calloc(r->nsections + 1, sizeof *secs), nb[KP_NUMBUF];
	lxw_worksheet *ws;

	for (s = 0; secs && s < r->nsections; s++) /* "一、履行第一责任人职责（15分）" */
		if ((kp_report_sec_points(r, s, nb) ?
			     asprintf(&secs[s], kp_report_labels(x->lang)->sec_points_fmt, r->sections[s], nb) :
			     asprintf(&secs[s], "%s", r->sections[s])) < 0)
			secs[s] = NULL;
	for (s = 0; secs && s < r->nsections && secs[s]; s++)
		;
	if (!head || !secs || s < r->nsections || cols_begin(x, ncols)) {
		for (s = 0; secs && s < r->nsections; s++)
			free(secs[s]);
		free(head), free(secs);
		return kp_err_oom(err);
	}
	if (cat->count >= LXW_ROW_MAX - TOP) {
		for (s = 0; s < r->nsections; s++)
			free(secs[s]);
		free(head), free(secs);
		return kp_err_msg(err, KP_EUSAGE, KP_M_REP_XLSX_TOO_MANY, cat->name ? cat->name : "", cat->count,
				  (unsigned)LXW_ROW_MAX - TOP);
	}
	ws = add_sheet(x, cat->name && *cat->name ? cat->name : l->category);
	ranking_heads(x, secs, head);
	if (ws) {
		sheet_print(x, ws, cat->name, ncols);
		header(x, ws, head, ncols);
		for (i = 0; i < cat->count && !x->e; i++)
			ranking_row(x, ws, (lxw_row_t)(i + TOP), cat->first + i);
		cols_end(x, ws, (lxw_row_t)cat->count, 3);
	}
	for (s = 0; s < r->nsections; s++)
		free(secs[s]);
	free(head), free(secs);
	return 0;
}

/* "NAME: TEXT" in a cell of its own, whole (a failed allocation marks the
 * workbook failed, as a failed write does). */
static lxw_row_t named_line(struct xl *x, lxw_worksheet *ws, lxw_row_t row, const char *name, const char *text)
{
	char *buf;

	if (asprintf(&buf, "%s%s%s", name ? name : "", kp_report_labels(x->lang)->colon, text) < 0) {
		x->e = LXW_ERROR_MEMORY_MALLOC_FAILED;
		return row;
	}
	put_str(x, ws, row, 0, buf, NULL);
	free(buf);
	return row + 1;
}

static lxw_row_t commend_notes(struct xl *x, lxw_worksheet *ws, lxw_row_t row, const kp_category_result *cat)
{
	char words[128];

	if (cat->shortfall > 0) {
		snprintf(words, sizeof words, x->l->shortfall_fmt, cat->shortfall); /* a label and a number */
		row = named_line(x, ws, row, cat->name, words);
	}
	if (cat->note && *cat->note)
		row = named_line(x, ws, row, cat->name, cat->note);
	return row;
}

/* The sheet of items is left out above KP_REPORT_XLSX_DETAILS units (a
 * note on the commendation list says so). */
static int details_shown(const kp_result *r)
{
	return r->nunits <= KP_REPORT_XLSX_DETAILS;
}

/* The rows the workbook will have: above some 200,000 libxlsxwriter keeps
 * them on disk, not in memory (100k units and their 1.8M items held
 * 1.5 GB). */
static size_t book_rows(const kp_result *r)
{
	size_t n = r->nunits, i;

	for (i = 0; details_shown(r) && i < r->nunits; i++)
		n += KP_MORE(&r->units[i])->items ? KP_MORE(&r->units[i])->nitems : 0;
	return n;
}

static int commend_sheet(struct xl *x, kp_err *err)
{
	const kp_result *r = x->r;
	const kp_labels *l = x->l;
	const char *head[7] = { l->category, l->rank, l->unit_id, l->name, l->total, l->grade, l->note };
	lxw_worksheet *ws;
	lxw_row_t row = TOP;
	size_t c, i;
	char *note;

	if (cols_begin(x, 7))
		return kp_err_oom(err);
	ws = add_sheet(x, l->commend_list);
	if (!ws)
		return 0;
	sheet_print(x, ws, l->commend_list, 7);
	header(x, ws, head, 7);
	for (c = 0; c < r->ncategories && !x->e; c++) {
		const kp_category_result *cat = &r->categories[c];
		for (i = cat->first; i < cat->first + cat->count && !x->e; i++) {
			const kp_unit_result *u = &r->units[i];
			if (!u->commended)
				continue;
			put_str(x, ws, row, 0, cat->name, NULL);
			put_int(x, ws, row, 1, u->rank);
			put_str(x, ws, row, 2, u->id, NULL);
			put_str(x, ws, row, 3, u->name, NULL);
			put_num(x, ws, row, 4, u->total, x->num);
			put_str(x, ws, row, 5, kp_report_grade(r, u), NULL);
			note = NULL;
			if (u->boundary_tie && asprintf(&note, "%s%s%s", l->tie_flag, KP_MORE(u)->tie_note ? ": " : "",
							KP_MORE(u)->tie_note ? KP_MORE(u)->tie_note : "") < 0) {
				note = NULL;
				x->e = LXW_ERROR_MEMORY_MALLOC_FAILED;
			}
			put_str(x, ws, row, 6, u->boundary_tie ? note : KP_MORE(u)->tie_note, NULL);
			free(note);
			row++;
		}
	}
	cols_end(x, ws, row - TOP, 4);
	row++;
	for (c = 0; c < r->ncategories && !x->e; c++)
		row = commend_notes(x, ws, row, &r->categories[c]);
	if (!details_shown(r)) {
		char words[256];
		snprintf(words, sizeof words, l->too_many_items_fmt, KP_REPORT_XLSX_DETAILS); /* a label and a number */
		named_line(x, ws, row, l->details, words);
	}
	return 0;
}

static void detail_row(struct xl *x, lxw_worksheet *ws, lxw_row_t row, const kp_unit_result *u,
		       const kp_item *it)
{
	const kp_result *r = x->r;
	int k = it->kind >= 0 && it->kind <= KP_ITEM_NOTE ? it->kind : KP_ITEM_NOTE;
	int plain = kp_report_item_plain(it);
	int ded = k == KP_ITEM_DEDUCTION || k == KP_ITEM_SECTION_DED;

	put_str(x, ws, row, 0, r->categories[u->category].name, NULL);
	put_str(x, ws, row, 1, u->id, NULL);
	put_str(x, ws, row, 2, u->name, NULL);
	put_str(x, ws, row, 3, x->l->kinds[k], NULL);
	put_str(x, ws, row, 4, it->section >= 0 && (size_t)it->section < r->nsections ? r->sections[it->section] : NULL,
		NULL);
	put_str(x, ws, row, 5, kp_report_item_name(it, x->l), NULL);
	if (!plain)
		put_num(x, ws, row, 6, ded ? -it->points : it->points, x->num);
	if (!plain && it->max > 0)
		put_num(x, ws, row, 7, it->max, x->num);
	put_str(x, ws, row, 8, it->note, NULL);
}

static int detail_sheet(struct xl *x, kp_err *err)
{
	const kp_labels *l = x->l;
	const char *head[9] = { l->category, l->unit_id, l->name, l->kind, l->section, l->item,
				l->points, l->max, l->item_note };
	lxw_worksheet *ws;
	lxw_row_t row = TOP;
	size_t i, k;

	if (cols_begin(x, 9))
		return kp_err_oom(err);
	ws = add_sheet(x, l->details);
	if (!ws)
		return 0;
	sheet_print(x, ws, l->details, 9);
	header(x, ws, head, 9);
	for (i = 0; i < x->r->nunits && !x->e; i++) {
		const kp_unit_result *u = &x->r->units[i];
		for (k = 0; k < KP_MORE(u)->nitems && !x->e; k++) {
			if (row >= LXW_ROW_MAX - 1) {
				put_str(x, ws, row, 0, "…", NULL);
				goto done;
			}
			detail_row(x, ws, row++, u, &KP_MORE(u)->items[k]);
		}
	}
done:
	cols_end(x, ws, row - TOP, 3);
	return 0;
}

static void formats(struct xl *x)
{
	char nf[24] = "0";
	int p = x->r->precision < 15 ? x->r->precision : 15;

	if (p > 0) {
		nf[1] = '.';
		memset(nf + 2, '0', (size_t)p);
		nf[2 + p] = '\0';
	}
	x->head = workbook_add_format(x->wb);
	x->num = workbook_add_format(x->wb);
	x->num_b = workbook_add_format(x->wb);
	x->text_b = workbook_add_format(x->wb);
	x->intf = workbook_add_format(x->wb);
	x->title = workbook_add_format(x->wb);
	x->chg = workbook_add_format(x->wb);
	x->chg_b = workbook_add_format(x->wb);
	if (!x->head || !x->num || !x->num_b || !x->text_b || !x->intf || !x->title || !x->chg || !x->chg_b) {
		x->e = LXW_ERROR_MEMORY_MALLOC_FAILED;
		return;
	}
	format_set_bold(x->head);
	format_set_bg_color(x->head, 0xE8E8E8);
	format_set_align(x->head, LXW_ALIGN_CENTER);
	format_set_border(x->head, LXW_BORDER_THIN);
	format_set_text_wrap(x->head);
	format_set_align(x->head, LXW_ALIGN_VERTICAL_CENTER);
	format_set_bold(x->title);
	format_set_font_size(x->title, 14);
	format_set_align(x->title, LXW_ALIGN_CENTER);
	format_set_align(x->title, LXW_ALIGN_VERTICAL_CENTER);
	format_set_num_format(x->chg, CHANGE_FORMAT);
	format_set_num_format(x->chg_b, CHANGE_FORMAT);
	format_set_bold(x->chg_b);
	format_set_align(x->chg, LXW_ALIGN_RIGHT);
	format_set_align(x->chg_b, LXW_ALIGN_RIGHT);
	format_set_num_format(x->num, nf);
	format_set_num_format(x->num_b, nf);
	format_set_bold(x->num_b);
	format_set_bold(x->text_b);
	format_set_num_format(x->intf, "0");
}

/* Errors where errno tells the reason better (a full disk). */
static int file_error(lxw_error e)
{
	return e == LXW_ERROR_CREATING_XLSX_FILE || e == LXW_ERROR_CREATING_TMPFILE ||
	       e == LXW_ERROR_ZIP_FILE_OPERATION || e == LXW_ERROR_ZIP_FILE_ADD || e == LXW_ERROR_ZIP_CLOSE;
}

/* Build the workbook into the file name. */
static int build(const kp_result *r, const kp_report_opts *o, const char *file, const char *shown, kp_err *err)
{
	uint8_t big = book_rows(r) > 200000;
	/* named: the fields go constant_memory, tmpdir, use_zip64, and a
	 * positional { 0, NULL, big } had set only use_zip64, so a workbook of
	 * 1M units held every cell in memory (1.35 GB) */
	lxw_workbook_options opt = { .constant_memory = big, .tmpdir = NULL, .use_zip64 = big };
	lxw_doc_properties props = { 0 };
	struct xl x = { 0 };
	char *tmpdir = kp_outfile_dir(shown); /* the target's folder: file may be /proc/self/fd/N */
	char *title = NULL;
	size_t c;
	int rc = 0;

	/* libxlsxwriter's temporary files go beside the report, not to /tmp:
	 * a full /tmp then cannot silently truncate a workbook */
	opt.tmpdir = tmpdir;

	x.stream = big;
	x.r = r, x.l = kp_report_labels(o->lang), x.lang = o->lang, x.change = kp_report_has_change(r);
	x.names = calloc(r->ncategories + 3, sizeof *x.names);
	x.wb = x.names ? workbook_new_opt(file, &opt) : NULL;
	if (!x.wb) {
		rc = kp_err_oom(err);
		goto out;
	}
	if (!kp_enc_xml_clean(r->title ? r->title : "", &title)) {
		rc = kp_err_oom(err);
		goto out;
	}
	props.title = (char *)(title ? title : r->title ? r->title : "");
	props.comments = (char *)"kaoping";
	workbook_set_properties(x.wb, &props);
	formats(&x);
	for (c = 0; c < r->ncategories && !rc && !x.e; c++)
		rc = category_sheet(&x, &r->categories[c], err);
	if (!rc && !x.e)
		rc = commend_sheet(&x, err);
	if (!rc && !x.e && details_shown(r) && kp_report_has_items(r))
		rc = detail_sheet(&x, err);
out:
	errno = 0;
	if (x.wb) {
		lxw_error e = kp_xlsxw_close(x.wb);
		if (!x.e)
			x.e = e;
	}
	if (!rc && x.e)
		rc = kp_err_msg(err, KP_EIO, KP_M_REP_CANNOT_WRITE, shown,
				file_error(x.e) && errno ? strerror(errno) : lxw_strerror(x.e));
	else if (!rc)
		rc = kp_xlsxw_check(file, shown, err);
	if (o->cut)
		*o->cut = x.cut;
	free(x.width);
	free(x.names);
	free(tmpdir);
	free(title);
	return rc;
}

/* Copy a finished temporary file to the stream. */
static int copy_out(const char *file, FILE *out, kp_err *err)
{
	FILE *in = fopen(file, "rb");
	char buf[1 << 16];
	size_t n;
	int e = 0;

	if (!in)
		return kp_err_msg(err, KP_EIO, KP_M_REP_CANNOT_READ_BACK, file, strerror(errno));
	while (!e && (n = fread(buf, 1, sizeof buf, in)) > 0) {
		errno = 0;
		if (fwrite(buf, 1, n, out) != n)
			e = errno ? errno : EIO;
	}
	if (!e && ferror(in))
		e = EIO;
	fclose(in);
	errno = 0;
	if (!e && (fflush(out) != 0 || ferror(out)))
		e = errno ? errno : EIO;
	if (e)
		return kp_err_msg(err, KP_EIO, KP_M_REP_CANNOT_WRITE, kp_msg_fmt(KP_MSG_REP_STDOUT), strerror(e));
	return 0;
}

typedef int (*book_fn)(const void *ctx, const kp_report_opts *o, const char *file, const char *shown, kp_err *err);

/* Build a workbook with fn into o->output (atomically) or, through a
 * temporary file, to out. */
static int xlsx_output(book_fn fn, const void *ctx, const kp_report_opts *o, FILE *out, kp_err *err)
{
	const char *dir = getenv("TMPDIR");
	char tmp[4096];
	kp_outfile *of;
	int fd, rc;

	if (o->output) {
		if ((rc = kp_outfile_open(o->output, &of, err)))
			return rc;
		rc = fn(ctx, o, kp_outfile_tmpname(of), o->output, err);
		if (rc)
			kp_outfile_abort(of);
		else
			rc = kp_outfile_commit(of, err);
		return rc;
	}
	if (!out)
		return kp_err_msg(err, KP_EINTERNAL, KP_M_REP_NO_STREAM);
	snprintf(tmp, sizeof tmp, "%s/kaoping-XXXXXX.xlsx" /* not words */, dir && *dir ? dir : "/tmp");
	fd = mkstemps(tmp, 5);
	if (fd < 0)
		return kp_err_msg(err, KP_ECREATE, KP_M_REP_CANNOT_CREATE, tmp, strerror(errno));
	close(fd);
	rc = fn(ctx, o, tmp, tmp, err);
	if (!rc)
		rc = copy_out(tmp, out, err);
	unlink(tmp);
	return rc;
}

static int build_ranking(const void *ctx, const kp_report_opts *o, const char *file, const char *shown, kp_err *err)
{
	return build(ctx, o, file, shown, err);
}

int kp_report_xlsx(const kp_result *r, const kp_report_opts *o, FILE *out, kp_err *err)
{
	size_t ncols = kp_report_col_count(r, KP_COLS_TABLE, kp_report_has_change(r));

	/* a column a section: past Excel's 16,384 columns libxlsxwriter
	 * refused the cell, told as a write error (74), after the workbook
	 * was begun; a limit of the format, as the rows of category_sheet */
	if (ncols > LXW_COL_MAX)
		return kp_err_msg(err, KP_EUSAGE, KP_M_REP_XLSX_TOO_WIDE, r->nsections, ncols, (unsigned)LXW_COL_MAX);
	return xlsx_output(build_ranking, r, o, out, err);
}

/* ---------- a workbook another report fills ---------- */

struct book {
	kp_report_fill fill;
	void *ctx;
};

static int build_book(const void *ctx, const kp_report_opts *o, const char *file, const char *shown, kp_err *err)
{
	const struct book *bk = ctx;
	lxw_workbook_options opt = { 0, NULL, 0 };
	char *tmpdir = kp_outfile_dir(shown); /* the target's folder: file may be /proc/self/fd/N */
	lxw_workbook *wb;
	int rc = 0, xe = 0;

	(void)o;
	opt.tmpdir = tmpdir; /* beside the report, as build does */
	if (!tmpdir || !(wb = workbook_new_opt(file, &opt))) {
		free(tmpdir);
		return kp_err_oom(err);
	}
	rc = bk->fill(bk->ctx, wb, &xe, err);
	{
		lxw_error e = kp_xlsxw_close(wb);
		if (!xe)
			xe = (int)e;
	}
	if (!rc && xe)
		rc = kp_err_msg(err, KP_EIO, KP_M_REP_CANNOT_WRITE, shown,
				file_error((lxw_error)xe) && errno ? strerror(errno) : lxw_strerror((lxw_error)xe));
	else if (!rc)
		rc = kp_xlsxw_check(file, shown, err);
	free(tmpdir);
	return rc;
}

int kp_report_xlsx_book(kp_report_fill fill, void *ctx, const kp_report_opts *o, FILE *out, kp_err *err)
{
	struct book bk = { fill, ctx };

	return xlsx_output(build_book, &bk, o, out, err);
}
