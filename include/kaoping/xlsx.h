/* xlsx.h — reading the workbooks offices send back instead of CSV: Excel
 * and WPS .xlsx (SpreadsheetML in a zip, through libzip and streaming
 * expat) and legacy .xls (through libfreexl).  One sheet becomes the rows
 * of text cells the CSV reader hands out (kp_csv_row, kp_csv_fn), so an
 * import or a run validates, stores and reports a workbook exactly as it
 * does a CSV file: line numbers are the sheet's row numbers, column
 * numbers its column numbers, and messages about a cell add its A1-style
 * reference (C7).
 *
 * A file is a workbook by its bytes, not its name: a zip ("PK\3\4") is
 * read as .xlsx (and refused when it holds no xl/workbook.xml), the OLE2
 * signature D0 CF 11 E0 as .xls.  Cells become text as follows:
 *   shared, inline and formula (t="str") strings  their text
 *   numbers       the shortest text that gives the number at Excel's 15
 *                 significant digits ("%.15g": 0.30000000000000004 is
 *                 "0.3", as the cell shows it and a CSV export writes it)
 *   dates         a number with a date format (built-in or one with y or
 *                 d in it) becomes YYYY-MM-DD, its time of day dropped
 *   booleans      TRUE or FALSE
 *   errors        (#N/A, #DIV/0!, ...) a KP_EDATA error naming the cell
 * The first non-empty row is the header (names trimmed and checked as the
 * CSV reader checks them); empty rows are skipped; empty columns after the
 * header's last name are ignored, a value under no name is an error.
 * Merged cells are refused (a merged range keeps its value in its first
 * cell only).  Every size has a cap (see core/xlsx.c); no part of a
 * hostile file is held whole in memory but the shared strings. */
#ifndef KAOPING_XLSX_H
#define KAOPING_XLSX_H

#include <stddef.h>

#include "kaoping/csv.h"
#include "kaoping/err.h"

enum kp_xlsx_kind {
	KP_XLSX_NONE = 0,   /* not a workbook: a CSV file (or unreadable) */
	KP_XLSX_XLSX,       /* a zip: Office Open XML */
	KP_XLSX_XLS         /* OLE2: BIFF8 .xls */
};

/* The kind of a file from its first bytes. */
int kp_xlsx_sniff(const void *head, size_t len);
/* The kind of the file at path; KP_XLSX_NONE when it is not a workbook or
 * cannot be opened (the CSV reader then says why). */
int kp_xlsx_kind_of(const char *path);
/* "xlsx", "xls" or "csv". */
const char *kp_xlsx_kind_name(int kind);

/* Read the sheet opts->sheet (NULL: the first visible one; of an .xls,
 * whose sheets libfreexl does not say are hidden, the first) of the
 * workbook at path: on_header once, then on_row for every non-empty row,
 * each with as many fields as the header.  The row handed over is borrowed for the call.
 * info (may be NULL) gets rows, bytes, the file's SHA-256 when
 * opts->sha256, encoding UTF-8 and workbook set to the kind.  A sheet of
 * a header and no rows is an error unless opts->header_only (as in
 * kp_csv_read_file). */
int kp_xlsx_read_file(const char *path, const kp_csv_opts *opts, kp_csv_fn on_header,
		      kp_csv_fn on_row, void *ud, kp_csv_info *info, kp_err *err);
/* The same for an .xlsx held in memory (tests, the fuzzer); name is used
 * in messages.  buf is borrowed. */
int kp_xlsx_read_buffer(const char *name, const void *buf, size_t len, const kp_csv_opts *opts,
			kp_csv_fn on_header, kp_csv_fn on_row, void *ud, kp_csv_info *info, kp_err *err);
/* A workbook by kp_xlsx_read_file, anything else by kp_csv_read_file. */
int kp_xlsx_read_any(const char *path, const kp_csv_opts *opts, kp_csv_fn on_header,
		     kp_csv_fn on_row, void *ud, kp_csv_info *info, kp_err *err);

/* Column index (0-based) as letters ("A", "Z", "AA", ... "XFD") and a cell
 * reference ("C7") into buf of KP_XLSX_REF bytes; returns buf. */
#define KP_XLSX_REF 24
const char *kp_xlsx_ref(size_t col, size_t row, char *buf);

#endif
