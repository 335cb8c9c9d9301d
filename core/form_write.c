/* form_write.c — writing the planned forms (include/kaoping/form.h): the
 * folders, CSV forms with their 说明.txt, XLSX forms with header comments
 * and a 说明 sheet (libxlsxwriter).  Every file goes through kp_outfile:
 * a temporary file renamed into place. */
#include "kaoping/form.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "kaoping/enc.h"
#include "kaoping/outfile.h"
#include "kaoping/rw.h"
#include "kaoping/sb.h"
#include "kaoping/xlsxw.h"

static const char *kind_words(int kind)
{
	return kind == KP_FORM_EVENTS ? "事件清单（一件一行）" : kind == KP_FORM_UNITS ? "单位表（每个单位一行）" :
										  "指标数据（每个单位一行）";
}

char *kp_forms_path(const kp_forms *f, size_t i, const char *dir, int format, int notes)
{
	const kp_form *m = &f->form[i];
	kp_sb b = {0};

	kp_sb_printf(&b, "%s/", dir);
	if (m->office)
		kp_sb_printf(&b, "%s/", m->office);
	kp_sb_printf(&b, "%s%s", m->name, notes ? ".说明.txt" : format == KP_FORM_XLSX ? ".xlsx" : ".csv");
	if (b.oom) {
		kp_sb_free(&b);
		return NULL;
	}
	return b.s;
}

int kp_forms_each_path(const kp_forms *f, const char *dir, int format, kp_forms_path_fn fn, void *ud, kp_err *err)
{
	size_t i;
	int notes, rc = 0;

	for (i = 0; i < f->n && !rc; i++)
		for (notes = 0; notes <= (format == KP_FORM_CSV) && !rc; notes++) {
			char *p = kp_forms_path(f, i, dir, format, notes);
			rc = p ? fn(ud, p, err) : kp_err_oom(err);
			free(p);
		}
	return rc;
}

/* A column's guidance in one line: who reads it, what to write, blank. */
static void col_guidance(const kp_form *m, const kp_form_col *c, size_t i, kp_sb *b)
{
	if (i == 0)
		kp_sb_puts(b, m->kind == KP_FORM_UNITS ? "必填：单位代码，每个单位一个，不重复" : "必填：单位代码，与单位表一致");
	else if (c->readers)
		kp_sb_printf(b, "用于：%s", c->readers);
	else if (c->fn)
		kp_sb_puts(b, "用于：细则中的计分函数");
	else
		kp_sb_puts(b, "单位表");
	kp_sb_printf(b, "；填写：%s；%s", c->what ? c->what : c->fn ? "按细则要求填写（计分函数读取此列）" : "按细则要求填写",
		     c->blank_ok && i ? "可留空（细则规定了留空时的处理）" : "不可留空");
}

/* mkdir of path unless it is a folder already: a folder made is known to
 * kp_outfile, which removes it on a signal or kp_outfile_dirs_undo. */
static int make_dir(const char *path, kp_err *err)
{
	int rc, made;

	if ((rc = kp_outfile_mkdir(path, &made, err)) >= 0) /* made or there, or out of memory */
		return rc;
	return kp_err_msg(err, KP_ECREATE, KP_M_IN_FORM_MKDIR, path,
			  errno == EEXIST ? kp_msg_fmt(KP_MSG_IN_FORM_IN_THE_WAY) : strerror(errno));
}

/* mkdir -p of dir and, for forms with an office, dir/office. */
static int make_dirs(const kp_forms *f, const char *dir, kp_err *err)
{
	size_t i;
	int rc;

	if ((rc = make_dir(dir, err)))
		return rc;
	for (i = 0; i < f->n && !rc; i++) {
		kp_sb b = {0};
		if (!f->form[i].office)
			continue;
		kp_sb_printf(&b, "%s/%s", dir, f->form[i].office);
		rc = b.oom ? kp_err_oom(err) : make_dir(b.s, err);
		kp_sb_free(&b);
	}
	return rc;
}

/* Refuse, before writing anything, to replace a form that exists. */
static int path_free(void *ud, const char *path, kp_err *err)
{
	struct stat st;

	(void)ud;
	return lstat(path, &st) == 0 ? kp_err_msg(err, KP_ECREATE, KP_M_IN_FORM_EXISTS, path) : 0;
}

static int check_free(const kp_forms *f, const char *dir, int format, kp_err *err)
{
	return kp_forms_each_path(f, dir, format, path_free, NULL, err);
}

/* ---- CSV ---- */

/* A cell as CSV: quoted when it holds , " or a line end.  Headers were
 * checked (no formula start); data cells are neutralised by kp_rw_csv_cell. */
static void csv_header(kp_rw *w, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		kp_rw_puts(w, s);
		return;
	}
	kp_rw_putc(w, '"');
	for (; *s; s++) {
		if (*s == '"')
			kp_rw_putc(w, '"');
		kp_rw_putc(w, *s);
	}
	kp_rw_putc(w, '"');
}

/* The prefilled unit rows: id, name, category on the unit form; the id on
 * the others (an event list has no row per unit). */
static void csv_rows(kp_rw *w, const kp_forms *f, const kp_form *m)
{
	size_t u, j;

	for (u = 0; m->kind != KP_FORM_EVENTS && u < f->units.n; u++) {
		kp_rw_csv_cell(w, f->units.id[u]);
		for (j = 1; j < m->ncol; j++) {
			kp_rw_putc(w, ',');
			if (m->kind == KP_FORM_UNITS && j <= 2)
				kp_rw_csv_cell(w, j == 1 ? f->units.name[u] : f->units.cat[u]);
		}
		kp_rw_puts(w, "\r\n");
	}
}

static void csv_form(kp_rw *w, const kp_forms *f, const kp_form *m)
{
	size_t j;

	kp_rw_puts(w, "\xEF\xBB\xBF"); /* a BOM: Excel and WPS then read the Chinese */
	for (j = 0; j < m->ncol; j++) {
		if (j)
			kp_rw_putc(w, ',');
		csv_header(w, m->col[j].name);
	}
	kp_rw_puts(w, "\r\n");
	csv_rows(w, f, m);
}

/* The example row, as CSV cells. */
static void example_row(kp_rw *w, const kp_form *m)
{
	size_t j;

	for (j = 0; j < m->ncol; j++) {
		if (j)
			kp_rw_putc(w, ',');
		kp_rw_csv_cell(w, m->col[j].example ? m->col[j].example : "");
	}
	kp_rw_puts(w, "\n");
}

static void notes_text(kp_rw *w, const kp_forms *f, const kp_form *m)
{
	kp_sb b = {0};
	size_t j;

	kp_rw_printf(w, "%s\n填报表：%s.csv（%s）\n", f->title, m->name, kind_words(m->kind));
	if (m->office)
		kp_rw_printf(w, "填报单位：%s\n", m->office);
	if (m->event)
		kp_rw_printf(w, "事件：%s\n", m->event);
	kp_rw_printf(w, "填好后另存为CSV（UTF-8），文件名不变，不增删列、不改列名；导入：kaoping import --year %d %s.csv\n\n各列：\n",
		     f->year, m->name);
	for (j = 0; j < m->ncol; j++) {
		kp_sb_reset(&b);
		col_guidance(m, &m->col[j], j, &b);
		kp_rw_printf(w, "%zu. %s：%s\n", j + 1, m->col[j].name, kp_sb_str(&b));
	}
	kp_sb_free(&b);
	kp_rw_puts(w, "\n示例行（仅供参考，不要填入表中）：\n");
	example_row(w, m);
}

typedef void (*text_fn)(kp_rw *w, const kp_forms *f, const kp_form *m);

/* Write one text file through fn into a temporary file beside path, put
 * in place by the caller (*out). */
static int write_text(const char *path, text_fn fn, const kp_forms *f, const kp_form *m, kp_outfile **out,
		      kp_err *err)
{
	kp_outfile *of = NULL;
	kp_rw w;
	int e;

	if ((e = kp_outfile_open(path, &of, err)))
		return e;
	if (kp_rw_open(&w, kp_outfile_fp(of), err)) {
		kp_outfile_abort(of);
		return err->kind;
	}
	fn(&w, f, m);
	if ((e = kp_rw_close(&w))) {
		kp_outfile_abort(of);
		return kp_err_msg(err, KP_EIO, KP_M_IN_FORM_WRITE, path, strerror(e));
	}
	if ((e = kp_outfile_done(of, err))) {
		kp_outfile_abort(of);
		return e;
	}
	*out = of;
	return 0;
}

/* ---- XLSX ---- */

#define XL_CELL_MAX 32767 /* Excel's longest cell text */

typedef struct xl {
	lxw_workbook *wb;
	lxw_format *bold, *wrap;
	lxw_error e;
	const char *sheet;   /* the sheet being written, for messages */
	const char *long_sheet; /* a text too long for a cell: its sheet, */
	unsigned long long_row; /* row and column (from 1) */
	unsigned long_col;
} xl;

static void xl_keep(xl *x, lxw_error e)
{
	if (!x->e && e)
		x->e = e;
}

/* A text cell, or with box a note on the cell, without the characters
 * XML 1.0 forbids (U+FFFF, C0 controls): they would break the sheet's XML
 * and Excel would refuse the form. */
static void xl_str(xl *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *s, lxw_format *fmt,
		   lxw_comment_options *box)
{
	char *clean;

	if (x->e)
		return;
	if (!(s = kp_enc_xlsx_text(s, &clean)))
		x->e = LXW_ERROR_MEMORY_MALLOC_FAILED;
	else {
		lxw_error e = box ? worksheet_write_comment_opt(ws, row, col, s, box) :
				    worksheet_write_string(ws, row, col, s, fmt);
		if (e == LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED && !x->e)
			x->long_sheet = x->sheet, x->long_row = (unsigned long)row + 1, x->long_col = (unsigned)col + 1;
		xl_keep(x, e);
	}
	free(clean);
}

static void xl_data_sheet(xl *x, const kp_forms *f, const kp_form *m)
{
	lxw_worksheet *ws = workbook_add_worksheet(x->wb, x->sheet = "填报");
	lxw_comment_options box;
	kp_sb b = {0};
	size_t j, u;

	memset(&box, 0, sizeof box);
	box.width = 320, box.height = 110; /* the guidance is a sentence or three */

	if (!ws) {
		x->e = LXW_ERROR_MEMORY_MALLOC_FAILED;
		return;
	}
	for (j = 0; j < m->ncol; j++) {
		kp_sb_reset(&b);
		col_guidance(m, &m->col[j], j, &b);
		xl_str(x, ws, 0, (lxw_col_t)j, m->col[j].name, x->bold, NULL);
		if (!b.oom)
			xl_str(x, ws, 0, (lxw_col_t)j, kp_sb_str(&b), NULL, &box);
	}
	/* one range for every column: libxlsxwriter places each note by summing
	 * the widths of the columns before it, searching its list of column
	 * ranges for each, so a range per column made a form of n columns
	 * cost n³ (12 s at 4,096 columns) */
	if (m->ncol)
		worksheet_set_column(ws, 0, (lxw_col_t)(m->ncol - 1), 14, NULL);
	if (b.oom)
		x->e = LXW_ERROR_MEMORY_MALLOC_FAILED;
	kp_sb_free(&b);
	for (u = 0; m->kind != KP_FORM_EVENTS && u < f->units.n; u++) {
		xl_str(x, ws, (lxw_row_t)(u + 1), 0, f->units.id[u], NULL, NULL);
		if (m->kind == KP_FORM_UNITS && m->ncol > 2) {
			xl_str(x, ws, (lxw_row_t)(u + 1), 1, f->units.name[u], NULL, NULL);
			xl_str(x, ws, (lxw_row_t)(u + 1), 2, f->units.cat[u], NULL, NULL);
		}
	}
	worksheet_freeze_panes(ws, 1, 0);
}

static void xl_row(xl *x, lxw_worksheet *ws, lxw_row_t row, const char *const *cells, size_t n, lxw_format *fmt)
{
	size_t j;

	for (j = 0; j < n; j++)
		if (cells[j])
			xl_str(x, ws, row, (lxw_col_t)j, cells[j], fmt, NULL);
}

/* The example value: a number as a number, anything else as text. */
static void xl_example(xl *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *s)
{
	char *end;
	double v = strtod(s, &end);

	/* digits and a point only: "nan", "inf" and hex are texts */
	if (*s && !*end && s[0] != '0' && strspn(s, "0123456789.") == strlen(s))
		xl_keep(x, worksheet_write_number(ws, row, col, v, NULL));
	else
		xl_str(x, ws, row, col, s, NULL, NULL);
}

static void xl_notes_sheet(xl *x, const kp_forms *f, const kp_form *m)
{
	static const char *const head[] = {"列", "列名", "用于", "填写", "可否留空"};
	lxw_worksheet *ws = workbook_add_worksheet(x->wb, x->sheet = "说明");
	kp_sb b = {0};
	lxw_row_t row = 0;
	size_t j;

	if (!ws) {
		x->e = LXW_ERROR_MEMORY_MALLOC_FAILED;
		return;
	}
	kp_sb_printf(&b, "%s — %s.xlsx（%s）%s%s", f->title, m->name, kind_words(m->kind), m->office ? "，填报单位：" : "",
		     m->office ? m->office : "");
	xl_str(x, ws, row++, 0, kp_sb_str(&b), x->bold, NULL);
	xl_str(x, ws, row++, 0, "数据填在第一张表“填报”，第1行是列名：不增删列、不改列名，留空的格子不填", NULL, NULL);
	row++;
	xl_row(x, ws, row++, head, 5, x->bold);
	for (j = 0; j < m->ncol; j++, row++) {
		const kp_form_col *c = &m->col[j];
		const char *cells[5];
		kp_sb_reset(&b);
		kp_sb_printf(&b, "%zu", j + 1);
		cells[0] = NULL, cells[1] = c->name, cells[2] = j == 0 ? "单位代码" : c->readers ? c->readers : c->fn ? "细则中的计分函数" : "单位表";
		cells[3] = c->what ? c->what : c->fn ? "按细则要求填写（计分函数读取此列）" : "按细则要求填写";
		cells[4] = c->blank_ok && j ? "可留空" : "不可留空";
		xl_keep(x, worksheet_write_number(ws, row, 0, (double)(j + 1), NULL));
		xl_row(x, ws, row, cells, 5, x->wrap);
	}
	row++;
	xl_str(x, ws, row++, 0, "示例行（仅供参考，不要填入“填报”表）：", x->bold, NULL);
	for (j = 0; j < m->ncol; j++) {
		xl_str(x, ws, row, (lxw_col_t)j, m->col[j].name, NULL, NULL);
		xl_example(x, ws, row + 1, (lxw_col_t)j, m->col[j].example ? m->col[j].example : "");
	}
	if (b.oom)
		x->e = LXW_ERROR_MEMORY_MALLOC_FAILED;
	kp_sb_free(&b);
	worksheet_set_column(ws, 1, 4, 24, NULL);
}


static int xl_build(const kp_forms *f, const kp_form *m, const char *file, const char *shown, kp_err *err)
{
	lxw_workbook_options opt = {0, NULL, 0};
	char *tmpdir = kp_outfile_dir(shown); /* the target's folder: file may be /proc/self/fd/N */
	xl x = {0};

	if (m->ncol > LXW_COL_MAX || f->units.n + 1 > LXW_ROW_MAX) {
		free(tmpdir);
		return kp_err_msg(err, KP_EDATA, KP_M_IN_FORM_TOO_BIG, shown, m->ncol, f->units.n, LXW_COL_MAX,
				  LXW_ROW_MAX - 1);
	}
	opt.tmpdir = tmpdir; /* beside the form, not /tmp */
	if (!tmpdir || !(x.wb = workbook_new_opt(file, &opt))) {
		free(tmpdir);
		return kp_err_oom(err);
	}
	x.bold = workbook_add_format(x.wb);
	x.wrap = workbook_add_format(x.wb);
	format_set_bold(x.bold);
	format_set_text_wrap(x.wrap);
	xl_data_sheet(&x, f, m);
	xl_notes_sheet(&x, f, m);
	xl_keep(&x, kp_xlsxw_close(x.wb));
	free(tmpdir);
	if (x.e == LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED) /* a unit's name, a rule's words: not the disk */
		return kp_err_msg(err, KP_EDATA, KP_M_IN_FORM_CELL_TOO_LONG, shown, x.long_sheet ? x.long_sheet : "",
				  x.long_row, x.long_col, XL_CELL_MAX);
	if (x.e)
		return kp_err_msg(err, KP_EIO, KP_M_IN_FORM_WRITE, shown, errno ? strerror(errno) : lxw_strerror(x.e));
	return kp_xlsxw_check(file, shown, err);
}

static int write_xlsx(const char *path, const kp_forms *f, const kp_form *m, kp_outfile **out, kp_err *err)
{
	kp_outfile *of = NULL;
	int rc;

	if ((rc = kp_outfile_open(path, &of, err)))
		return rc;
	if ((rc = xl_build(f, m, kp_outfile_tmpname(of), path, err)) || (rc = kp_outfile_done(of, err)))
		kp_outfile_abort(of);
	else
		*out = of;
	return rc;
}

/* ---- all forms ---- */

/* Form i into temporary files, added to of[*n]. */
static int write_one(const kp_forms *f, size_t i, const char *dir, int format, kp_outfile **of, size_t *n,
		     kp_err *err)
{
	char *p = kp_forms_path(f, i, dir, format, 0);
	char *t = format == KP_FORM_CSV ? kp_forms_path(f, i, dir, format, 1) : NULL;
	int rc;

	if (!p || (format == KP_FORM_CSV && !t))
		rc = kp_err_oom(err);
	else if (format == KP_FORM_XLSX)
		rc = write_xlsx(p, f, &f->form[i], &of[*n], err);
	else if (!(rc = write_text(p, csv_form, f, &f->form[i], &of[*n], err)))
		++*n, rc = write_text(t, notes_text, f, &f->form[i], &of[*n], err);
	*n += !rc;
	free(p);
	free(t);
	return rc;
}

/* A prefilled CSV cell that would start a formula is written with a
 * leading apostrophe (kp_rw_csv_cell), which a filled form then imports
 * as part of the text: the unit "-2+3" came back as "'-2+3".  Refused
 * before anything is written (an xlsx form holds such a text as it is). */
static int csv_cells_ok(const kp_forms *f, const char *dir, kp_err *err)
{
	size_t u, k;
	int rc = 0;

	for (u = 0; u < f->units.n && !rc; u++) {
		const char *cell[3] = { f->units.id[u], f->units.name[u], f->units.cat[u] };
		for (k = 0; k < 3 && !rc; k++)
			if (cell[k] && *cell[k] && strchr("=+-@\t\r", *cell[k])) {
				char *p = kp_forms_path(f, 0, dir, KP_FORM_CSV, 0);
				rc = p ? kp_err_msg(err, KP_EDATA, KP_M_IN_FORM_CELL_FORMULA, p, f->units.id[u], cell[k], cell[k])
				       : kp_err_oom(err);
				free(p);
			}
	}
	return rc;
}

/* Every form is written to a temporary file first and all are put in
 * place together: a form that cannot be written (a text too long for a
 * cell, a full disk) leaves none of the others new, nor half of them
 * replaced under --replace, and the folders made for them are removed. */
int kp_forms_write(const kp_forms *f, const char *dir, int format, int replace, kp_err *err)
{
	kp_outfile **of = NULL;
	size_t i, n = 0;
	int rc;

	if ((!replace && (rc = check_free(f, dir, format, err))) ||
	    (format == KP_FORM_CSV && (rc = csv_cells_ok(f, dir, err))))
		return rc;
	if (!(of = calloc(2 * f->n + 1, sizeof *of)))
		return kp_err_oom(err);
	rc = make_dirs(f, dir, err);
	for (i = 0; i < f->n && !rc; i++)
		rc = write_one(f, i, dir, format, of, &n, err);
	if (!rc)
		rc = kp_outfile_commit_all(of, n, err);
	else
		while (n)
			kp_outfile_abort(of[--n]);
	if (rc)
		kp_outfile_dirs_undo(); /* empty again: only what this call made */
	else
		kp_outfile_dirs_done(); /* the forms are in place */
	free(of);
	return rc;
}
