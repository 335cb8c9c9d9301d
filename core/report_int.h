/* report_int.h — what the report writers share and nobody else sees: the
 * labels of each language and the questions every writer asks of a result
 * (core/report_common.c), and the writer of each format, called by the
 * dispatcher (core/report.c).  Writers write through kaoping/rw.h. */
#ifndef KAOPING_REPORT_INT_H
#define KAOPING_REPORT_INT_H

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "kaoping/report.h"
#include "kaoping/rules.h"
#include "kaoping/rw.h"

/* A table of labels from the catalogue, in a report's language (its
 * --lang, not the language of messages): a struct of const char * fields
 * and LIST(X), an X(field, ID) per field naming its message KP_MSG_ID.
 *     KP_LABEL_TABLE(fn, type, LIST)
 * defines static const type *fn(int lang), built once for both languages.
 * A table owns nothing: the texts are the catalogue's. */
#define KP_LABEL_FILL_(f, id) \
	t[0].f = kp_msg_text(KP_MSG_##id, KP_LANG_ZH), t[1].f = kp_msg_text(KP_MSG_##id, KP_LANG_EN);
#define KP_LABEL_TABLE(fn, type, LIST) \
	static type fn##_t_[2]; \
	static pthread_once_t fn##_once_ = PTHREAD_ONCE_INIT; \
	static void fn##_build_(void) \
	{ \
		type *t = fn##_t_; \
		LIST(KP_LABEL_FILL_) \
	} \
	static const type *fn(int lang) \
	{ \
		pthread_once(&fn##_once_, fn##_build_); \
		return &fn##_t_[lang == KP_LANG_EN]; \
	}

/* Labels, by language. */
typedef struct kp_labels {
	const char *category, *rank, *unit_id, *name, *total, *grade, *commended;
	const char *veto, *veto_reason, *deductions, *bonus, *rank_change, *base;
	const char *yes, *no, *star, *new_unit, *commend_list, *details;
	const char *grades, *chart, *units_fmt, *quota_fmt, *no_quota;
	const char *shortfall_fmt, *tie_flag, *note, *none_commended, *year_fmt;
	const char *kind, *section, *item, *points, *max, *item_note, *no_items;
	const char *eligible, *last_total, *ungraded, *count, *too_many_fmt, *too_many_items_fmt, *others;
	const char *tie_short;
	const char *basis, *office;  /* an item's basis (依据) and its office */
	const char *item_floor, *item_residue, *item_rescale, *item_cap; /* kaoping's own items (kp_report_item_name) */
	const char *kinds[6];
	/* the default title, formats ("注%d", "%s（%s分）"...), the page's
	 * language code and the punctuation of the language */
	const char *title, *ref_fmt, *legend_fmt, *sec_points_fmt, *points_fmt, *ranks_fmt, *date_fmt;
	const char *sheet_title_fmt, *footer, *paren_fmt, *html_lang;
	const char *lparen, *lparen_tight, *rparen, *rparen_colon, *comma, *colon, *list_sep, *semi;
} kp_labels;

const kp_labels *kp_report_labels(int lang);

/* The ranking's columns, one model every writer reads (report_common.c):
 * in order, each with its key (JSON's name for it, and a name --columns
 * takes in any language), the message of its head, whether it is a
 * number (right-aligned) and the writers that show it.  KP_COL_SECTIONS
 * stands for a column per section. */
enum kp_col_kind {
	KP_COL_CATEGORY, KP_COL_RANK, KP_COL_ID, KP_COL_NAME, KP_COL_SECTIONS, KP_COL_DED, KP_COL_BONUS,
	KP_COL_TOTAL, KP_COL_GRADE, KP_COL_COMM, KP_COL_VETO, KP_COL_VETO_REASON, KP_COL_CHANGE
};
enum {
	KP_COLS_CSV = 1,   /* the flat file: category, veto yes/no and its reason, change always */
	KP_COLS_TABLE = 2  /* table, md, html, xlsx: the veto's reason in its cell, change when known */
};
typedef struct kp_column {
	int kind;            /* enum kp_col_kind */
	const char *key;
	enum kp_msgid label; /* KP_MSG_NONE: the sections' names */
	int right;           /* a number */
	unsigned in;         /* KP_COLS_* */
} kp_column;
extern const kp_column kp_report_cols[];
extern const size_t kp_report_ncols;
/* Column c's head in a report's language. */
const char *kp_report_col_label(const kp_column *c, int lang);
/* 1 when writer (KP_COLS_*) shows column c; change is what
 * kp_report_has_change said of the result.  That takes a pass over the
 * units: a writer asks it once, never for each row (a row asking made
 * the HTML and XLSX reports quadratic: 31 s and 44 s at 100k units). */
int kp_report_col_shown(const kp_column *c, unsigned writer, int change);
/* How many columns writer shows for r, the sections counted (change as
 * above). */
size_t kp_report_col_count(const kp_result *r, unsigned writer, int change);
/* The column of a kind. */
const kp_column *kp_report_col(int kind);
const char *kp_report_grade(const kp_result *r, const kp_unit_result *u);
/* "↑3", "↓2", "–", "新", or "" when last year is unknown or the unit was
 * ranked in another category then (has_last_rank 0: not compared). */
const char *kp_report_change(const kp_result *r, const kp_unit_result *u, const kp_labels *l,
			     char *buf, size_t size);
/* The full points of section s as text ("15"), or NULL when the result
 * does not know them; buf holds KP_NUMBUF bytes. */
const char *kp_report_sec_points(const kp_result *r, size_t s, char *buf);
/* 1 when any unit has last year's result. */
int kp_report_has_change(const kp_result *r);
/* An item printed without points: a veto, or a remark that moves no
 * points (a note with points is an adjustment: 扣完为止 gives back what a
 * floor at 0 did not take, so the items add up). */
static inline int kp_report_item_plain(const kp_item *it)
{
	return it->kind == KP_ITEM_VETO || ((it->kind < 0 || it->kind >= KP_ITEM_NOTE) && it->points == 0);
}
/* An item's name as a report in l's language shows it: the items kaoping
 * adds itself (kind note, named in Chinese: 扣完为止, 折算尾差, 缺项折算, 基础分, 总分封顶) in
 * l's words, every other as its rule file names it.  Never NULL. */
const char *kp_report_item_name(const kp_item *it, const kp_labels *l);
/* 1 for the adjustments 扣完为止, that gives back what a floor at 0 did not
 * take, and 总分封顶, what max_total took (reports show them beside the
 * deductions). */
int kp_report_item_floor(const kp_item *it);
/* The basis and office the rules give an item (indicator, deduction, bonus
 * or veto, found by kind and name); NULLs when rules is NULL or they are
 * not declared.  Borrowed from the rules. */
void kp_report_item_texts(const struct kp_rules *rules, const kp_item *it, const char **basis,
			  const char **office);
/* 1 when the rules give any item of u a basis or an office. */
int kp_report_has_texts(const struct kp_rules *rules, const kp_unit_result *u);
/* 1 when any unit kept its items. */
int kp_report_has_items(const kp_result *r);

/* Text for a terminal, control characters shown escaped (report_text.c). */
void kp_report_plain(kp_rw *w, const char *s);
/* A body written into o->output (atomically) or out, every write checked
 * (report.c); ctx is the body's. */
typedef int (*kp_report_body)(void *ctx, const kp_report_opts *o, kp_rw *w, kp_err *err);
int kp_report_emit(const kp_report_opts *o, FILE *out, kp_report_body body, void *ctx, kp_err *err);

/* 1 when a CSV is to start with a UTF-8 BOM. */
int kp_report_want_bom(const kp_report_opts *o);

/* The writers, one per format; an I/O failure stays in w. */
int kp_report_csv(const kp_result *r, const kp_report_opts *o, kp_rw *w, kp_err *err);
int kp_report_json(const kp_result *r, const kp_report_opts *o, kp_rw *w, kp_err *err);
int kp_report_explain_json(const kp_result *r, size_t unit, const struct kp_rules *rules, kp_rw *w,
			   kp_err *err);
int kp_report_table(const kp_result *r, const kp_report_opts *o, kp_rw *w, kp_err *err);
int kp_report_md(const kp_result *r, const kp_report_opts *o, kp_rw *w, kp_err *err);
int kp_report_html(const kp_result *r, const kp_report_opts *o, kp_rw *w, kp_err *err);
int kp_report_explain_text(const kp_result *r, size_t unit, const struct kp_rules *rules,
			   const kp_report_opts *o, kp_rw *w, kp_err *err);
/* The grid as a print-ready HTML page (report_html.c). */
void kp_report_grid_html(const char *title, const char *subtitle, const char *const *header, size_t ncols,
			 const char *const *cells, size_t nrows, const kp_report_opts *o, kp_rw *w);
int kp_report_grid_text(const char *const *header, size_t ncols, const char *const *cells,
			size_t nrows, const kp_report_opts *o, kp_rw *w, kp_err *err);
/* XLSX writes a whole file itself, to o->output or (through a temporary
 * file) to out. */
int kp_report_xlsx(const kp_result *r, const kp_report_opts *o, FILE *out, kp_err *err);
/* A workbook another report fills: fill adds its sheets to wb and leaves
 * the first libxlsxwriter error (an lxw_error) in *lxe; the file handling
 * is kp_report_xlsx's. */
struct lxw_workbook;
typedef int (*kp_report_fill)(void *ctx, struct lxw_workbook *wb, int *lxe, kp_err *err);
int kp_report_xlsx_book(kp_report_fill fill, void *ctx, const kp_report_opts *o, FILE *out, kp_err *err);

#endif
