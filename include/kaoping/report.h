/* report.h — the reports officials hand to the meeting: a terminal table,
 * CSV for Excel, XLSX, Markdown, JSON (the contract of DESIGN §4) and a
 * print-ready HTML page.  Reports borrow the result; a report written to a
 * file goes through the atomic output file of kaoping/outfile.h. */
#ifndef KAOPING_REPORT_H
#define KAOPING_REPORT_H

#include <stdio.h>

#include "kaoping/compare.h"
#include "kaoping/err.h"
#include "kaoping/result.h"
#include "kaoping/robust.h"

struct kp_rules;

enum kp_format { KP_FMT_TABLE = 0, KP_FMT_CSV, KP_FMT_XLSX, KP_FMT_MD, KP_FMT_JSON, KP_FMT_HTML };

typedef struct kp_report_opts {
	int format;          /* enum kp_format */
	int lang;            /* enum kp_lang */
	int bom;             /* CSV: 1 with a UTF-8 BOM, 0 without, -1: with when
				written to a file, without to stdout */
	const char *output;  /* a file path, or NULL for out */
	int color;           /* table: mark commended units with ANSI bold */
	int items;           /* JSON: each unit's items (needs a result with details) */
	int width;           /* table: fit the ranking into this many terminal
				columns (short section heads, a legend, veto
				reasons as footnotes, columns left out when
				needed); 0: the full table */
	const char *columns; /* table: the columns to show, by name, separated
				by commas ("排名,单位名称,总分"), or NULL */
	int summary;         /* HTML: the commendation list, the grades and the
				rankings only, without each unit's details */
	size_t *cut;         /* xlsx: when not NULL, set to how many cells had
				their text cut to the 32,767 characters a cell
				holds (a name or note longer than that) */
} kp_report_opts;

/* Above this many units a report leaves each unit's items out (the HTML
 * page its breakdown and charts, the workbook its sheet of items), and
 * so the run is neither scored nor read back with them: `explain UNIT`
 * shows one unit's.  A million units have some twenty million items, a
 * few GB in memory, and no sheet holds more than 1,048,576 rows. */
#define KP_REPORT_HTML_DETAILS 5000
#define KP_REPORT_XLSX_DETAILS 50000

/* The most units for which a report with o's format and options shows
 * each unit's items: 0 when it shows none, SIZE_MAX when it always does
 * (JSON asked for them with o->items). */
size_t kp_report_detail_limit(const kp_report_opts *o);

/* "table", "csv", … -> enum kp_format, or -1. */
int kp_report_format(const char *name);
const char *kp_report_format_name(int format);

/* Write the report of r in o->format to o->output (atomically) or to out. */
int kp_report_write(const kp_result *r, const kp_report_opts *o, FILE *out, kp_err *err);

/* Every point of one unit (index into r->units) with its notes, as text
 * (table/md) or JSON. */
int kp_report_explain(const kp_result *r, size_t unit, const kp_report_opts *o, FILE *out, kp_err *err);
/* The same, with each item's basis and office from the run's rules
 * (borrowed; NULL: none): two more columns (a "basis" and an "office" in
 * JSON) when the rules give some item of the unit one. */
int kp_report_explain_rules(const kp_result *r, size_t unit, const struct kp_rules *rules,
			    const kp_report_opts *o, FILE *out, kp_err *err);

/* A plain grid of text cells (header + rows) as table, csv, md, json or
 * html (a print-ready A4 page): used by `kaoping criteria`. cells holds
 * nrows × ncols strings, row after row. */
int kp_report_grid(const char *const *header, size_t ncols, const char *const *cells,
		   size_t nrows, const kp_report_opts *o, FILE *out, kp_err *err);
/* The same, the HTML page headed by title and a line under it (either may
 * be NULL; the other formats leave them out). */
int kp_report_grid_titled(const char *title, const char *subtitle, const char *const *header, size_t ncols,
			  const char *const *cells, size_t nrows, const kp_report_opts *o, FILE *out, kp_err *err);

/* Two results side by side (kaoping compare), in any format. */
int kp_report_compare(const kp_compare *c, const kp_report_opts *o, FILE *out, kp_err *err);
/* Each unit's rank range under perturbed weights (kaoping robust):
 * table, md, csv or json. */
int kp_report_robust(const kp_robust *rb, const kp_report_opts *o, FILE *out, kp_err *err);

#endif
