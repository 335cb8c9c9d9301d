/* xlsx_int.h — what the two workbook readers share (core/xlsx.c for
 * .xlsx, core/xlsx_xls.c for .xls): the row builder that turns cells
 * (column, text) into the CSV reader's rows (header first, empty rows
 * skipped, gaps filled with empty fields), the whole-file load with its
 * cap and SHA-256, and the number and date texts.  Private to the module. */
#ifndef KAOPING_XLSX_INT_H
#define KAOPING_XLSX_INT_H

#include <stddef.h>

#include "kaoping/csv.h"
#include "kaoping/err.h"
#include "kaoping/xlsx.h"

#define XL_MAX_FILE (256u << 20)   /* bytes of a workbook file */
#define XL_MAX_ROW 1048576u        /* Excel's last row */
#define XL_MAX_COL 16384u          /* and column (XFD) */

/* The rows of one sheet as they are built.  Owns its buffers and header
 * copies (xl_rows_free); the row handed to a callback is borrowed. */
typedef struct xl_rows {
	const char *name;          /* the file, for messages */
	kp_csv_opts o;
	kp_csv_fn on_header, on_row;
	void *ud;
	kp_err *err;
	size_t row;                /* the sheet row being built (1-based) */
	size_t ncols;              /* header width; 0 before the header */
	char **hdr;                /* header names */
	size_t nrows;              /* data rows handed over */
	char *buf;                 /* the current row's texts, packed */
	size_t used, cap;
	size_t *off, *len;         /* per field */
	char **ptrs;
	size_t nf, fcap;           /* fields so far (last non-empty + 1) */
} xl_rows;

void kp_xlsx_rows_init(xl_rows *w, const char *name, const kp_csv_opts *opts, kp_csv_fn on_header,
		       kp_csv_fn on_row, void *ud, kp_err *err);
void kp_xlsx_rows_free(xl_rows *w);
/* Start sheet row `row` (1-based, increasing). */
void kp_xlsx_rows_begin(xl_rows *w, size_t row);
/* A cell of the current row: col 0-based, increasing; empty texts are
 * dropped (a row of only those is an empty row).  A text a CSV export
 * writes unquoted (no comma, quote or line end) loses the spaces and tabs
 * around it, as the CSV reader drops them there: "是 " reads as "是" from
 * the workbook as from its CSV export. */
int kp_xlsx_rows_cell(xl_rows *w, size_t col, const char *s, size_t n);
/* End the row: the header, a data row, or nothing when it is empty. */
int kp_xlsx_rows_end(xl_rows *w);
/* After the last row: the errors of a sheet without header or rows. */
int kp_xlsx_rows_finish(xl_rows *w);
/* How a message names a cell: "column 'X' (C7)" after the header,
 * "header cell C1" before it; into buf, returned. */
const char *kp_xlsx_rows_where(const xl_rows *w, size_t col, size_t row, char *buf, size_t size);

/* The whole file at path into *buf (malloc'd, the caller frees), at most
 * XL_MAX_FILE bytes; its SHA-256 into sha when sha is not NULL. */
int kp_xlsx_load(const char *path, unsigned char **buf, size_t *len, unsigned char *sha, kp_err *err);

/* Decode ECMA-376's ST_Xstring escapes in s[0..n) in place: _xHHHH_ is
 * the UTF-16 code unit HHHH (hex, either case; a surrogate pair written
 * as two escapes is one character), as Excel writes a carriage return
 * (_x000D_) or a literal "_x" (_x005F_x).  A lone surrogate, _x0000_ and
 * what is not four hex digits stay as written.  Returns the new length
 * and NUL-terminates s (which has n + 1 bytes). */
size_t kp_xlsx_unescape(char *s, size_t n);

/* Bytes of the longest number or date text below, with the NUL. */
#define XL_NUM_MAX 40
/* A number as the cell shows it in General format: 15 significant
 * digits, shortest form ("0.3", "12", "1.5e-07"); -0 is "0". */
const char *kp_xlsx_number(double v, char *buf);
/* A date serial (1900 or 1904 system) as YYYY-MM-DD, the time of day
 * dropped; NULL when the serial is no day of the years 1900 to 9999. */
const char *kp_xlsx_date(double serial, int date1904, char *buf);

/* The .xls reader (core/xlsx_xls.c); arguments as kp_xlsx_read_file. */
int kp_xlsx_read_xls(const char *path, const kp_csv_opts *opts, kp_csv_fn on_header,
		     kp_csv_fn on_row, void *ud, kp_csv_info *info, kp_err *err);

#endif
