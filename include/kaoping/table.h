/* table.h — one dataset in memory: the rows of one CSV file (or of one
 * import read back from the store).  Columns the rules use as numbers are
 * parsed once, on the way in, into columns as narrow as their values
 * allow (kp_table_numcol); the other columns keep their text, packed per
 * row.  The table owns all of it; kp_table_free releases it. */
#ifndef KAOPING_TABLE_H
#define KAOPING_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "kaoping/err.h"
#include "kaoping/num.h"
#include "kaoping/sb.h"

/* The text cells of one table, in bytes (a row's offset is 32 bits: 4 MB
 * less at a million rows); a file with more text is refused. */
#define KP_TABLE_TEXT_MAX UINT32_MAX

/* Bad cells a table keeps (more are only counted). */
#define KP_TABLE_BAD_KEEP 50

/* One numeric cell that is not a number: where, whose, what. */
typedef struct kp_table_bad {
	size_t line, col;        /* source line; column index (0-based) */
	int status;              /* KP_NUM_* of kp_num_parse */
	char *id;                /* the row's unit id, or NULL (idc < 0) */
	char *text;              /* the cell (at most KP_ERR_QUOTE bytes) */
} kp_table_bad;

/* A numeric column.  While every value is a decimal of at most 9 places
 * whose digits fit in 32 bits (what offices type: 0.8951, 375, 95.5), it
 * holds integers of 1, 2 or 4 bytes, each standing for v / 10^scale, which
 * is the double kp_num_parse gave, bit for bit (both are the one correctly
 * rounded quotient); the two smallest integers of the width mark a blank
 * and a word for no value.  Otherwise it holds doubles (NaN a blank, -NaN
 * a word for no value).  At a million rows of twenty columns that is
 * 40 MB instead of 160.  Read it only through kp_table_num and
 * kp_table_cell. */
typedef struct kp_table_numcol {
	void *v;                 /* the values, one per row (rcap allocated) */
	unsigned char width;     /* 1, 2, 4: scaled integers; 8: doubles */
	unsigned char scale;     /* decimals of the integers, 0..9 */
	int64_t lo, hi;          /* range of the integers held (lo > hi: none) */
} kp_table_numcol;

typedef struct kp_table {
	char *name;              /* dataset name: the file stem, or --as */
	char *file;              /* the file it came from, for messages */
	int year;                /* the year it was imported for (0: none) */
	int a1;                  /* from a workbook: messages name cells as C7 too */
	size_t ncols;
	char **cols;             /* header names */
	kp_strset colix;         /* cols hashed (kp_table_col), as kp_table_set_columns makes them */
	unsigned char *numeric;  /* per column: 1 when kept as numbers */
	kp_table_numcol *num;    /* per column (used when numeric) */
	size_t *tpos;            /* per text column: its place among text columns */
	size_t nrows, rcap;
	uint32_t *line;          /* source line of each row */
	uint32_t *rowoff;        /* offset of each row's first text cell (the
				    text is at most KP_TABLE_TEXT_MAX bytes) */
	char *text;              /* text cells, NUL-terminated, row after row */
	size_t tused, tcap;
	/* Reading every mistake in one pass (set by the reader before rows):
	 * with collect set, a numeric cell that is not a number is counted in
	 * nbad, the first KP_TABLE_BAD_KEEP kept in bad[0..nkept) (the table
	 * owns their strings), and the row goes in with the cell blank; the
	 * table must then not be scored (kp_data_bind refuses it).  idc is the
	 * unit id column named in them (-1: none). */
	int collect;
	long idc;
	size_t nbad, nkept;
	kp_table_bad *bad;
	/* what the CSV reader left out: rows entirely empty, trailing
	 * columns empty in the header and every row */
	size_t skipped_rows, dropped_cols;
	int tabs;                /* the file was tab-separated */
} kp_table;

/* A new empty table; name and file are copied.  NULL with err on failure. */
kp_table *kp_table_new(const char *name, const char *file, kp_err *err);
void kp_table_free(kp_table *t);

/* Set the columns; numeric[i] != 0 keeps column i as numbers (numeric
 * may be NULL: all text).  Called once, before any row. */
int kp_table_set_columns(kp_table *t, size_t n, char *const *names,
			 const unsigned char *numeric, kp_err *err);
/* Append a row of exactly ncols fields.  A numeric column's cell that is
 * not a number is a KP_EDATA error naming file, line, column and text
 * (with collect set: counted and kept in bad, see above).  A word for "no
 * value" (KP_NUM_NA) is kept as a missing value, told apart from a blank
 * by kp_table_num. */
int kp_table_add(kp_table *t, size_t line, char *const *f, const size_t *len, kp_err *err);
/* kp_table_add of a row whose numeric cells the reader may have parsed
 * already (cells, one per column, or NULL): a numeric column's cell with
 * cells[i].ok is taken as parsed (f[i] is not read); the others as
 * kp_table_add takes them. */
int kp_table_add_cells(kp_table *t, size_t line, char *const *f, const size_t *len, const kp_num_cell *cells,
		       kp_err *err);

/* Move the rows of src (same columns) to the end of t, and its bad cells
 * after t's; src is freed,
 * column by column as it is copied, also on failure. */
int kp_table_append(kp_table *t, kp_table *src, kp_err *err);

/* How a message names a cell of a table from a workbook: " (C7)" for
 * source line 7, column index 2; "" for other tables.  buf holds
 * KP_TABLE_A1 bytes; returns it. */
#define KP_TABLE_A1 (KP_ERR_A1 + 4)
const char *kp_table_a1(const kp_table *t, size_t line, size_t col, char *buf);

/* Free the numeric columns' values (a run's scoring is over and its
 * reports read only text); kp_table_num and kp_table_cell must not read
 * a numeric column after. */
void kp_table_release_numbers(kp_table *t);

/* Index of the column called name, or -1. */
long kp_table_col(const kp_table *t, const char *name);
/* Text of a cell of a text column (never NULL); "" for numeric columns. */
const char *kp_table_text(const kp_table *t, size_t row, size_t col);
/* A cell as a number: KP_NUM_OK, KP_NUM_EMPTY, KP_NUM_NA, or why it is
 * not one. */
int kp_table_num(const kp_table *t, size_t row, size_t col, double *out);
/* The cell as text in buf (numbers in their shortest form). */
const char *kp_table_cell(const kp_table *t, size_t row, size_t col, char *buf, size_t size);

#endif
