/* xlsx_xls.c — the legacy .xls reader of the workbook module (BIFF in an
 * OLE2 container, through libfreexl): one sheet's cells, row by row, into
 * the row builder of xlsx_rows.c, with the texts the .xlsx reader gives
 * (numbers at 15 significant digits, dates as YYYY-MM-DD).  libfreexl
 * shows neither merged ranges, error cells, booleans (an error cell reads
 * as 1, #NULL! as 0, TRUE and FALSE as 1 and 0: its cell is an integer)
 * nor formulas (a formula's cell reads as empty, as a blank one does),
 * and kaoping cannot tell those cells from the others through it; README.md
 * lists these limits.  Owns the freexl handle while it reads. */
#include "xlsx_int.h"

#include <freexl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kaoping/enc.h"

/* The sheet wanted: by name, or the first. */
static int pick_sheet(const void *h, const char *path, const char *want, kp_err *err)
{
	unsigned int n = 0, i;
	const char *name;

	if (freexl_get_info(h, FREEXL_BIFF_SHEET_COUNT, &n) != FREEXL_OK || n == 0)
		return kp_err_msg(err, KP_EDATA, KP_M_IN_XLSX_NO_SHEET, path);
	for (i = 0; want && i < n && i < 65535; i++)
		if (freexl_get_worksheet_name(h, (unsigned short)i, &name) == FREEXL_OK && name && !strcmp(name, want))
			break;
	if (want && i == n)
		return kp_err_msg(err, KP_EUSAGE, KP_M_IN_XLS_NO_SHEET_NAMED, path, want);
	if (freexl_select_active_worksheet(h, (unsigned short)(want ? i : 0)) != FREEXL_OK)
		return kp_err_msg(err, KP_EDATA, KP_M_IN_XLS_SHEET_UNREADABLE, path);
	return 0;
}

/* One cell's text: *s and *n, possibly in buf. */
static void cell_text(const FreeXL_CellValue *v, const char **s, size_t *n, char *buf)
{
	*s = "";
	switch (v->type) {
	case FREEXL_CELL_INT:
		snprintf(buf, XL_NUM_MAX, "%d", v->value.int_value);
		*s = buf;
		break;
	case FREEXL_CELL_DOUBLE:
		*s = kp_xlsx_number(v->value.double_value, buf);
		break;
	case FREEXL_CELL_TEXT: case FREEXL_CELL_SST_TEXT: case FREEXL_CELL_DATE: case FREEXL_CELL_TIME:
		*s = v->value.text_value ? v->value.text_value : "";
		break;
	case FREEXL_CELL_DATETIME: /* "YYYY-MM-DD HH:MM:SS": the day, as the .xlsx reader gives it */
		*s = v->value.text_value ? v->value.text_value : "";
		*n = strlen(*s) > 10 && (*s)[10] == ' ' ? 10 : strlen(*s);
		return;
	default:
		break;
	}
	*n = strlen(*s);
}

/* libfreexl counts a date's days from its first day on, never back: a
 * date cell holding 0 or a negative number (Excel shows 1900-01-00 or
 * #####) reads as that first day, as serial 1 does.  Is v such a cell? */
static int date_at_start(const FreeXL_CellValue *v, int date1904)
{
	const char *start = date1904 ? "1904-01-02" : "1900-01-01";

	return (v->type == FREEXL_CELL_DATE || v->type == FREEXL_CELL_DATETIME) && v->value.text_value &&
	       !strncmp(v->value.text_value, start, 10);
}

static int read_cells(const void *h, xl_rows *w)
{
	unsigned int rows = 0, r, mode = 0;
	unsigned short cols = 0, c;
	char buf[XL_NUM_MAX], where[1024];
	int rc = 0;

	if (freexl_worksheet_dimensions(h, &rows, &cols) != FREEXL_OK)
		return kp_err_msg(w->err, KP_EDATA, KP_M_IN_XLS_SIZE, w->name);
	if (freexl_get_info(h, FREEXL_BIFF_DATEMODE, &mode) != FREEXL_OK)
		mode = FREEXL_BIFF_DATEMODE_1900;
	for (r = 0; r < rows && !rc; r++) {
		kp_xlsx_rows_begin(w, (size_t)r + 1);
		for (c = 0; c < cols && !rc; c++) {
			FreeXL_CellValue v;
			const char *s;
			size_t n;
			if (freexl_get_cell_value(h, r, c, &v) != FREEXL_OK)
				return kp_err_msg(w->err, KP_EDATA, KP_M_IN_XLS_CELL, w->name, r + 1,
						  kp_xlsx_ref(c, (size_t)r + 1, (char[KP_XLSX_REF]){0}));
			if (date_at_start(&v, mode == FREEXL_BIFF_DATEMODE_1904))
				return kp_err_msg(w->err, KP_EDATA, KP_M_IN_XLS_CELL_DATE_START, w->name, r + 1,
						  kp_xlsx_rows_where(w, c, (size_t)r + 1, where, sizeof where),
						  mode == FREEXL_BIFF_DATEMODE_1904 ? "1904-01-02" : "1900-01-01");
			cell_text(&v, &s, &n, buf);
			if (kp_enc_utf8_valid((const unsigned char *)s, n) != n)
				return kp_err_msg(w->err, KP_EDATA, KP_M_IN_XLS_CELL_TEXT, w->name, r + 1,
						  kp_xlsx_ref(c, (size_t)r + 1, (char[KP_XLSX_REF]){0}));
			rc = kp_xlsx_rows_cell(w, c, s, n);
		}
		if (!rc)
			rc = kp_xlsx_rows_end(w);
	}
	return rc ? rc : kp_xlsx_rows_finish(w);
}

int kp_xlsx_read_xls(const char *path, const kp_csv_opts *opts, kp_csv_fn on_header,
		     kp_csv_fn on_row, void *ud, kp_csv_info *info, kp_err *err)
{
	unsigned char *buf, sha[32];
	const void *h = NULL;
	unsigned int pw = 0;
	size_t len;
	xl_rows w;
	int rc, frc;

	if ((rc = kp_xlsx_load(path, &buf, &len, sha, err))) /* the checks, the size cap and the SHA-256 */
		return rc;
	free(buf);
	if ((frc = freexl_open(path, &h)) != FREEXL_OK) {
		freexl_close(h);
		return kp_err_msg(err, KP_EDATA, KP_M_IN_XLS_OPEN, path, frc);
	}
	if (freexl_get_info(h, FREEXL_BIFF_PASSWORD, &pw) == FREEXL_OK && pw == FREEXL_BIFF_OBFUSCATED) {
		freexl_close(h);
		return kp_err_msg(err, KP_EDATA, KP_M_IN_XLS_PASSWORD, path);
	}
	kp_xlsx_rows_init(&w, path, opts, on_header, on_row, ud, err);
	if (!(rc = pick_sheet(h, path, opts ? opts->sheet : NULL, err)))
		rc = read_cells(h, &w);
	if (info) {
		info->encoding = KP_ENC_UTF8, info->bytes = len, info->rows = w.nrows, info->workbook = KP_XLSX_XLS;
		if (opts && opts->sha256)
			memcpy(info->sha256, sha, sizeof sha);
	}
	kp_xlsx_rows_free(&w);
	freexl_close(h);
	return rc;
}
