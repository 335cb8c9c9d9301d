/* csv.h — reading the CSV files offices send, through libcsv (RFC 4180,
 * strict), with encoding detection and conversion, UTF-8 validation and a
 * position for every error.  The reader owns its buffers; the row handed to
 * a callback is borrowed and valid only during the call. */
#ifndef KAOPING_CSV_H
#define KAOPING_CSV_H

#include <stddef.h>

#include "kaoping/err.h"
#include "kaoping/num.h"

#define KP_CSV_MAX_FIELD (1u << 20) /* bytes in one field, by default */
#define KP_CSV_MAX_COLS 4096u       /* columns in one file, by default */

typedef struct kp_csv_row {
	size_t line;        /* line of the file where the row starts (1-based) */
	size_t n;           /* number of fields */
	char **f;           /* NUL-terminated fields */
	const size_t *len;  /* their lengths */
	int part;           /* kp_csv_read_file_parts: the piece it belongs to */
	/* With kp_csv_opts.numeric: per field, cells[i].ok when the reader
	 * parsed field i as a number (kp_num_parse_common) and kept no text
	 * (f[i] is then "", len[i] its length in the file); NULL otherwise. */
	const kp_num_cell *cells;
} kp_csv_row;

/* A callback returns 0 to go on, or an error kind (with err filled) to stop. */
typedef int (*kp_csv_fn)(void *ud, const kp_csv_row *row, kp_err *err);
typedef void (*kp_csv_progress_fn)(void *ud, size_t done, size_t total);

typedef struct kp_csv_opts {
	int encoding;           /* KP_ENC_AUTO, KP_ENC_UTF8 or KP_ENC_GB18030 */
	size_t max_field;       /* 0: KP_CSV_MAX_FIELD */
	size_t max_cols;        /* 0: KP_CSV_MAX_COLS */
	int sha256;             /* compute the file's SHA-256 into info */
	kp_csv_progress_fn progress; /* optional, called about every 4 MiB */
	void *progress_ud;
	const char *sheet;      /* a workbook's sheet by name (NULL: the first visible; see xlsx.h) */
	int header_only;        /* a header and no rows is a table of no rows
				   (info->rows 0), not an error: for a caller
				   that decides where that means nothing (an
				   event list: no events); 0 refuses it */
	/* Where on_header leaves the columns it takes as numbers: a mask of
	 * one byte per column of the header row it was given, which must
	 * live until the reading ends (NULL, or *numeric NULL: none).  The
	 * reader then parses those cells as it reads them and passes the
	 * common ones in kp_csv_row.cells, not as text (CSV files; a
	 * workbook's rows come as text). */
	const unsigned char *const *numeric;
} kp_csv_opts;

typedef struct kp_csv_info {
	int encoding;           /* what was used */
	size_t bytes;           /* bytes read */
	size_t rows;            /* data rows (header excluded, empty rows not counted) */
	size_t skipped_rows;    /* rows whose every field is empty, left out */
	size_t dropped_cols;    /* trailing columns empty in the header and every row, left out */
	int tabs;               /* the file is tab-separated (read as such) */
	unsigned char sha256[32]; /* when opts->sha256 */
	int workbook;           /* 0 for CSV, else the kp_xlsx_kind it was read as */
} kp_csv_info;

/* Read the file at path: header first (its names trimmed and checked:
 * none empty, none repeated), then every row with as many fields as the
 * header.  Errors name "path:line[:col]".  info may be NULL.
 * What Excel writes around a table is left out, and counted in info: rows
 * whose every field is empty, and trailing columns whose header name is
 * empty when every row leaves them empty too (a cell in one is an error).
 * A file whose first line has tabs and no comma is read as tab-separated
 * (info->tabs).  A header and no rows is an error unless
 * opts->header_only. */
int kp_csv_read_file(const char *path, const kp_csv_opts *opts, kp_csv_fn on_header,
		     kp_csv_fn on_row, void *ud, kp_csv_info *info, kp_err *err);
/* The same, for a large UTF-8 file, in nparts pieces on as many threads:
 * on_row may run on several threads at once, each piece's rows in order
 * and marked with row->part (pieces are in file order).  Small files,
 * other encodings and lone-CR line ends take the one-thread reader (all
 * rows part 0).  The file is read in blocks, never held whole; one that
 * changes while it is read is an error (KP_EIO). */
int kp_csv_read_file_parts(const char *path, const kp_csv_opts *opts, int nparts, kp_csv_fn on_header,
			   kp_csv_fn on_row, void *ud, kp_csv_info *info, kp_err *err);
/* The same over a buffer; name is used in messages. */
int kp_csv_read_buffer(const char *name, const char *buf, size_t len, const kp_csv_opts *opts,
		       kp_csv_fn on_header, kp_csv_fn on_row, void *ud, kp_csv_info *info, kp_err *err);

/* Check a header row as the reader does (the workbook reader shares it):
 * each name trimmed of spaces and tabs in place (f[i] moves, len[i] is
 * updated), none empty, none repeated; errors name "name:line:col". */
int kp_csv_check_header(const char *name, size_t line, size_t n, char **f, size_t *len, kp_err *err);

#endif
