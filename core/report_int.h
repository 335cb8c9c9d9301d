/* report_int.h — what the report writers share and nobody else sees: a
 * buffered writer with sticky errors, escaping for each format, number
 * text and the labels of each language.  The writer owns its buffer and
 * borrows the stream. */
#ifndef KAOPING_REPORT_INT_H
#define KAOPING_REPORT_INT_H

#include <stdio.h>
#include <string.h>

#include "kaoping/report.h"

/* A buffered writer: fast appends, one fwrite per full buffer; the first
 * failed write is remembered (errno) and later writes are dropped. */
typedef struct kp_rw {
	FILE *fp;
	char *buf;
	size_t len, cap;
	int err; /* errno of the first failed write, or 0 */
} kp_rw;

int kp_rw_open(kp_rw *w, FILE *fp, kp_err *err);
/* Flush and free the buffer; returns the sticky errno (0: all written). */
int kp_rw_close(kp_rw *w);
void kp_rw_flush(kp_rw *w);
void kp_rw_printf(kp_rw *w, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

void kp_rw_put_slow(kp_rw *w, const char *s, size_t n);

static inline void kp_rw_put(kp_rw *w, const char *s, size_t n)
{
	if (w->cap - w->len < n) {
		kp_rw_put_slow(w, s, n);
		return;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static inline void kp_rw_puts(kp_rw *w, const char *s)
{
	kp_rw_put(w, s, strlen(s));
}

static inline void kp_rw_putc(kp_rw *w, char c)
{
	if (w->len == w->cap)
		kp_rw_flush(w);
	w->buf[w->len++] = c;
}

/* A decimal integer. */
void kp_rw_int(kp_rw *w, long long v);
/* Spaces up to a display width (Chinese characters count 2). */
void kp_rw_pad(kp_rw *w, size_t n);

/* Escaped text for each format. */
void kp_rw_json_str(kp_rw *w, const char *s);       /* "…" or null */
void kp_rw_csv_cell(kp_rw *w, const char *s);       /* quoted and neutralised */
void kp_rw_html(kp_rw *w, const char *s);           /* & < > " ' */
void kp_rw_md(kp_rw *w, const char *s);             /* | and newlines */

/* Numbers: exactly prec decimals (kp_num_fixed), and the shortest form
 * that reads back (kp_num_short), with a fast path for values that are
 * already rounded at prec.  buf holds at least KP_NUMBUF bytes. */
#define KP_NUMBUF 64
char *kp_report_fixed(double x, int prec, char *buf);
char *kp_report_short(double x, int prec, char *buf);

/* Labels, by language. */
typedef struct kp_labels {
	const char *category, *rank, *unit_id, *name, *total, *grade, *commended;
	const char *veto, *veto_reason, *deductions, *bonus, *rank_change, *base;
	const char *yes, *no, *star, *new_unit, *commend_list, *details;
	const char *grades, *chart, *units_fmt, *quota_fmt, *no_quota;
	const char *shortfall_fmt, *tie_flag, *note, *none_commended, *year_fmt;
	const char *kind, *section, *item, *points, *max, *item_note, *no_items;
	const char *eligible, *last_total, *ungraded, *count, *too_many_fmt, *others;
	const char *tie_short;
	const char *kinds[6];
} kp_labels;

const kp_labels *kp_report_labels(int lang);
const char *kp_report_grade(const kp_result *r, const kp_unit_result *u);
/* "↑3", "↓2", "–", "新", or "" when last year is unknown. */
const char *kp_report_change(const kp_result *r, const kp_unit_result *u, const kp_labels *l,
			     char *buf, size_t size);
/* 1 when any unit has last year's result. */
int kp_report_has_change(const kp_result *r);
/* 1 when any unit kept its items. */
int kp_report_has_items(const kp_result *r);

/* The writers, one per format; an I/O failure stays in w. */
int kp_report_table(const kp_result *r, const kp_report_opts *o, kp_rw *w, kp_err *err);
int kp_report_md(const kp_result *r, const kp_report_opts *o, kp_rw *w, kp_err *err);
int kp_report_html(const kp_result *r, const kp_report_opts *o, kp_rw *w, kp_err *err);
int kp_report_explain_text(const kp_result *r, size_t unit, const kp_report_opts *o, kp_rw *w,
			   kp_err *err);
int kp_report_grid_text(const char *const *header, size_t ncols, const char *const *cells,
			size_t nrows, const kp_report_opts *o, kp_rw *w, kp_err *err);
/* XLSX writes a whole file itself, to o->output or (through a temporary
 * file) to out. */
int kp_report_xlsx(const kp_result *r, const kp_report_opts *o, FILE *out, kp_err *err);

#endif
