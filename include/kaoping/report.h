/* report.h — the reports officials hand to the meeting: a terminal table,
 * CSV for Excel, XLSX, Markdown, JSON (the contract of DESIGN §4) and a
 * print-ready HTML page.  Reports borrow the result; a report written to a
 * file goes through the atomic output file of kaoping/outfile.h. */
#ifndef KAOPING_REPORT_H
#define KAOPING_REPORT_H

#include <stdio.h>

#include "kaoping/err.h"
#include "kaoping/result.h"

struct kp_rules;

enum kp_format { KP_FMT_TABLE = 0, KP_FMT_CSV, KP_FMT_XLSX, KP_FMT_MD, KP_FMT_JSON, KP_FMT_HTML };
enum kp_lang { KP_LANG_ZH = 0, KP_LANG_EN };

typedef struct kp_report_opts {
	int format;          /* enum kp_format */
	int lang;            /* enum kp_lang */
	int bom;             /* CSV: 1 with a UTF-8 BOM, 0 without, -1: with when
				written to a file, without to stdout */
	const char *output;  /* a file path, or NULL for out */
	int color;           /* table: mark commended units with ANSI bold */
	int items;           /* JSON: each unit's items (needs a result with details) */
} kp_report_opts;

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

/* A plain grid of text cells (header + rows) as table, csv or md: used by
 * `kaoping criteria`. cells holds nrows × ncols strings, row after row. */
int kp_report_grid(const char *const *header, size_t ncols, const char *const *cells,
		   size_t nrows, const kp_report_opts *o, FILE *out, kp_err *err);

#endif
