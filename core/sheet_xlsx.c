/* sheet_xlsx.c — a unit's score sheet as a workbook of one worksheet,
 * through libxlsxwriter (the second of the two files that use it, with
 * report_xlsx.c): the same cells as the other formats, A4 portrait, fit
 * to one page.  libxlsxwriter writes to a file name: the atomic output
 * file's temporary name.  Owns the workbook for the length of one call. */
#include "sheet_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "kaoping/enc.h"
#include "kaoping/outfile.h"
#include "kaoping/xlsxw.h"

#define STR_MAX 32767 /* Excel's longest cell text, in characters (UTF-16 units) */
#define MAX_WIDTH 50.0
#define SHEET_ROWS_FIXED 64 /* the rows of a sheet but its sections and items: heads, fields, sums, the first of the data */

struct sx {
	const kp_sheet *s;
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *head, *title, *wrap, *num;
	lxw_error e;             /* the first libxlsxwriter error */
	double width[SHEET_ITEM_COLS];
	lxw_row_t row;
};

static void put(struct sx *x, lxw_col_t col, const char *s, lxw_format *f)
{
	char *cut = NULL, *clean;
	double w;

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
	if (cut && x->s->cut) /* said by the caller: never a silent cut */
		++*x->s->cut;
	if (*s)
		x->e = worksheet_write_string(x->ws, x->row, col, s, f);
	w = (double)kp_enc_width(s) + 2;
	if (col < SHEET_ITEM_COLS && f != x->title && w > x->width[col])
		x->width[col] = w > MAX_WIDTH ? MAX_WIDTH : w;
	free(cut);
	free(clean);
}

/* A number the sheet printed as text (at the run's precision), as a
 * number cell in that format. */
static void put_num(struct sx *x, lxw_col_t col, const char *text)
{
	char *end;
	double v = strtod(text, &end);

	if (!*text || *end || x->e) {
		put(x, col, text, NULL);
		return;
	}
	x->e = worksheet_write_number(x->ws, x->row, col, v, x->num);
}

static void fields(struct sx *x, const sheet_field *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++, x->row++) {
		put(x, 0, f[i].label, x->head);
		if (f[i].num)
			put_num(x, 1, f[i].value);
		else
			put(x, 1, f[i].value, NULL);
	}
	x->row++;
}

static void sections(struct sx *x)
{
	const kp_sheet *s = x->s;
	const kp_labels *l = kp_report_labels(s->lang);
	const char *cell[3];
	char bufs[2][KP_NUMBUF];
	size_t k;

	if (!s->r->nsections)
		return;
	put(x, 0, l->section, x->head), put(x, 1, l->points, x->head), put(x, 2, l->max, x->head);
	for (k = 0, x->row++; k < s->r->nsections; k++, x->row++) {
		sheet_section(s, k, cell, bufs);
		put(x, 0, cell[0], NULL), put_num(x, 1, cell[1]), put_num(x, 2, cell[2]);
	}
	x->row++;
}

static void items(struct sx *x)
{
	const kp_sheet *s = x->s;
	const kp_unit_result *u = &s->r->units[s->unit];
	const char *cell[SHEET_ITEM_COLS];
	char bufs[2][KP_NUMBUF];
	size_t n = sheet_item_cols(s), i, c;

	if (!KP_MORE(u)->items || !KP_MORE(u)->nitems) {
		put(x, 0, kp_report_labels(s->lang)->no_items, NULL);
		x->row += 2;
		return;
	}
	sheet_item_head(s, cell);
	for (c = 0; c < n; c++)
		put(x, (lxw_col_t)c, cell[c], x->head);
	for (i = 0, x->row++; i < KP_MORE(u)->nitems; i++, x->row++) {
		sheet_item(s, &KP_MORE(u)->items[i], cell, bufs);
		for (c = 0; c < n; c++)
			if (c == 3 || c == 4)
				put_num(x, (lxw_col_t)c, cell[c]);
			else
				put(x, (lxw_col_t)c, cell[c], c == 5 ? x->wrap : NULL);
	}
	x->row++;
}

static void sources(struct sx *x)
{
	const kp_sheet *s = x->s;
	const sheet_labels *sl = sheet_labels_of(s->lang);
	char line[32];
	size_t i, c;

	put(x, 0, sl->sources, x->title), x->row++;
	for (i = 0; s->rows && i < s->rows->ngone && (size_t)x->row + 2 < LXW_ROW_MAX; i++, x->row++) {
		kp_sb b = {0};
		sheet_gone(s, &s->rows->gone[i], &b);
		if (b.oom && !x->e)
			x->e = LXW_ERROR_MEMORY_MALLOC_FAILED;
		put(x, 0, kp_sb_str(&b), NULL);
		kp_sb_free(&b);
	}
	if (s->rows && !s->rows->n && s->rows->ngone)
		return;
	if (!s->rows || !s->rows->n) {
		put(x, 0, s->rows ? sl->no_sources : sl->no_rules, NULL);
		return;
	}
	put(x, 0, sl->file, x->head), put(x, 1, sl->line, x->head), put(x, 2, sl->dataset, x->head);
	put(x, 3, sl->values, x->head);
	for (i = 0, x->row++; i < s->rows->n; i++) {
		const kp_store_row *row = &s->rows->row[i];
		if ((size_t)x->row + (row->ncols ? row->ncols : 1) >= LXW_ROW_MAX) {
			/* the rest cannot fit (writing past the last row failed the
			 * whole of explain --all with 74, as for a full disk): said
			 * in the sheet's last row */
			char cut[512];
			snprintf(cut, sizeof cut, sl->sources_cut, s->rows->n - i);
			put(x, 0, cut, NULL);
			break;
		}
		put(x, 0, row->file, NULL);
		snprintf(line, sizeof line, "%ld", row->line);
		put(x, 1, line, NULL), put(x, 2, row->dataset, NULL);
		for (c = 0; c < row->ncols; c++, x->row++) { /* one value a row */
			put(x, 3, row->cols[c], NULL);
			put(x, 4, row->vals[c] ? row->vals[c] : "", NULL);
		}
		x->row += row->ncols ? 0 : 1;
	}
}

static void page(struct sx *x)
{
	size_t c;

	for (c = 0; c < SHEET_ITEM_COLS && !x->e; c++)
		x->e = worksheet_set_column(x->ws, (lxw_col_t)c, (lxw_col_t)c, x->width[c], NULL);
	worksheet_set_paper(x->ws, 9); /* A4 */
	worksheet_set_portrait(x->ws);
	worksheet_fit_to_pages(x->ws, 1, 1);
	worksheet_set_margins(x->ws, 0.4, 0.4, 0.5, 0.5);
}

static void body(struct sx *x)
{
	const kp_sheet *s = x->s;
	const kp_unit_result *u = &s->r->units[s->unit];
	sheet_field f[SHEET_HEAD_MAX];
	char bufs[SHEET_HEAD_MAX][SHEET_BUF], text[512], year[64];
	size_t c;

	for (c = 0; c < SHEET_ITEM_COLS; c++)
		x->width[c] = 8;
	snprintf(text, sizeof text, "%s %s", s->r->title ? s->r->title : "", sheet_year(s, year, sizeof year));
	put(x, 0, strlen(text) < sizeof text - 1 ? text : s->r->title, x->title), x->row++;
	put(x, 0, u->id, x->title), put(x, 1, u->name, x->title), put(x, 2, sheet_labels_of(s->lang)->sheet, x->title);
	x->row += 2;
	fields(x, f, sheet_head(s, f, bufs));
	sections(x);
	items(x);
	put(x, 0, sheet_labels_of(s->lang)->sums, x->title), x->row++;
	fields(x, f, sheet_sums(s, f, bufs));
	sources(x);
	page(x);
}

/* "0.00" for precision 2. */
static const char *num_format(int prec, char *nf)
{
	int p = prec < 0 ? 0 : prec > 15 ? 15 : prec;

	strcpy(nf, "0");
	if (p > 0) {
		nf[1] = '.';
		memset(nf + 2, '0', (size_t)p);
		nf[2 + p] = '\0';
	}
	return nf;
}

static int build(const kp_sheet *s, const char *file, const char *shown, kp_err *err)
{
	char *tmpdir = kp_outfile_dir(shown); /* the target's folder: file may be /proc/self/fd/N */
	lxw_workbook_options opt = { 0, tmpdir, 0 };
	struct sx x = { 0 };
	lxw_error e;
	char nf[24];
	const kp_unit_result *u = &s->r->units[s->unit];
	size_t nitems = KP_MORE(u)->items ? KP_MORE(u)->nitems : 0;

	/* a row a section and an item, past a sheet's 1,048,576 rows
	 * libxlsxwriter refused the cell, told as a write error (74); the
	 * head and the sums take SHEET_ROWS_FIXED rows at most (the data
	 * rows below cut themselves short, see sources) */
	if (s->r->nsections > LXW_ROW_MAX - SHEET_ROWS_FIXED || nitems > LXW_ROW_MAX - SHEET_ROWS_FIXED - s->r->nsections) {
		free(tmpdir);
		return kp_err_msg(err, KP_EUSAGE, KP_M_REP_XLSX_SHEET_TOO_LONG, u->id, s->r->nsections, nitems,
				  (unsigned)LXW_ROW_MAX);
	}
	x.s = s;
	if (!tmpdir || !(x.wb = workbook_new_opt(file, &opt))) {
		free(tmpdir);
		return kp_err_oom(err);
	}
	x.ws = workbook_add_worksheet(x.wb, NULL);
	x.head = workbook_add_format(x.wb), x.title = workbook_add_format(x.wb), x.wrap = workbook_add_format(x.wb);
	x.num = workbook_add_format(x.wb);
	if (!x.ws || !x.head || !x.title || !x.wrap || !x.num)
		x.e = LXW_ERROR_MEMORY_MALLOC_FAILED;
	else {
		format_set_bold(x.head), format_set_bg_color(x.head, 0xE8E8E8);
		format_set_bold(x.title), format_set_text_wrap(x.wrap);
		format_set_num_format(x.num, num_format(s->r->precision, nf));
		body(&x);
	}
	e = kp_xlsxw_close(x.wb);
	free(tmpdir);
	if (!x.e)
		x.e = e;
	if (x.e)
		return kp_err_msg(err, KP_EIO, KP_M_REP_CANNOT_WRITE, shown,
				  errno && x.e != LXW_ERROR_MEMORY_MALLOC_FAILED ? strerror(errno) : lxw_strerror(x.e));
	return kp_xlsxw_check(file, shown, err);
}

int sheet_xlsx(const kp_sheet *s, kp_outfile *of, const char *path, kp_err *err)
{
	return build(s, kp_outfile_tmpname(of), path, err);
}
