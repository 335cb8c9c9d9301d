/* sheet_int.h — what the sheet's two files share (core/sheet.c writes
 * md, html and json and names the files; core/sheet_xlsx.c writes the
 * workbook through libxlsxwriter): the labels, and the cells of the head,
 * of an item and of a data row, computed once for every format.  Private
 * to the sheet module. */
#ifndef KAOPING_SHEET_INT_H
#define KAOPING_SHEET_INT_H

#include "kaoping/outfile.h"
#include "kaoping/sheet.h"
#include "report_int.h"

typedef struct sheet_labels {
	const char *sheet, *sums, *sources, *file, *line, *dataset, *values, *no_sources, *no_rules;
	const char *sources_cut; /* printf format: the rows a worksheet cannot hold (%zu) */
	const char *run, *assessment_office;
	const char *rows_replaced, *rows_dropped; /* printf formats: dataset, file, when */
} sheet_labels;
const sheet_labels *sheet_labels_of(int lang);

/* The head of the sheet: (label, value) pairs; the values live in bufs. */
#define SHEET_HEAD_MAX 16
#define SHEET_BUF (KP_NUMBUF + 64)
typedef struct sheet_field {
	const char *label, *value;
	int num;                  /* the value is a number */
} sheet_field;
size_t sheet_head(const kp_sheet *s, sheet_field *f, char (*bufs)[SHEET_BUF]);
/* The sums after the items: base, deductions, 扣完为止, bonus, total. */
size_t sheet_sums(const kp_sheet *s, sheet_field *f, char (*bufs)[SHEET_BUF]);

/* The 3 cells of section k: its name, the unit's points, its full points. */
void sheet_section(const kp_sheet *s, size_t k, const char **cell, char (*bufs)[KP_NUMBUF]);

/* The 8 cells of an item: kind, section, name, points, full points, note,
 * basis, office ("" when none); numbers in bufs. */
#define SHEET_ITEM_COLS 8
void sheet_item(const kp_sheet *s, const kp_item *it, const char **cell, char (*bufs)[KP_NUMBUF]);
/* The item columns to show: 6, or 8 when some item has a basis or office. */
size_t sheet_item_cols(const kp_sheet *s);
void sheet_item_head(const kp_sheet *s, const char **head);
/* The year as the report layer writes it: "2021年度". */
const char *sheet_year(const kp_sheet *s, char *buf, size_t size);

/* The sentence of an import whose rows are gone (kp_sheet_rows.gone),
 * in the sheet's language, appended to b (its oom flag says when it is
 * not whole). */
void sheet_gone(const kp_sheet *s, const kp_store_row *g, kp_sb *b);

/* Build the workbook into of's temporary file (path: for messages). */
int sheet_xlsx(const kp_sheet *s, kp_outfile *of, const char *path, kp_err *err);

#endif
