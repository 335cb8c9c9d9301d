/* score.c — the scoring engine (see include/kaoping/score.h): column
 * references, statistics computed once per run, every method of every
 * unit with its note, both cores when no Lua is involved, then the ranking.
 * Owns the scorer's buffers during a run; the objects rule functions see
 * are in score_lua.c. */
#include "kaoping/score.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kaoping/date.h"
#include "kaoping/enc.h"
#include "kaoping/note.h"
#include "kaoping/num.h"
#include "kaoping/par.h"
#include "kaoping/rank.h"
#include "kaoping/sb.h"
#include "score_int.h"

/* ---- small helpers ---- */


/* A value in a note: at most four decimals, as a person would write it. */
static char *num(double v, char *buf)
{
	return kp_num_round_short(v, 4, buf, 32);
}

/* Compare two computed values as the decimals they stand for, at the
 * rules' comparison precision (the contract rounding rule): -1, 0, 1. */
static int cmpv(const scorer *s, double a, double b)
{
	int c;

	if (a == b)
		return 0;
	if ((c = kp_num_cmp_far(a, b, s->cmp_unit))) /* most: without a call */
		return c;
	return kp_num_cmp(a, b, s->r->compare);
}

/* Yes/no of a value's text; a number is yes when it is above 0 and no
 * when it is 0, both at the comparison precision (a computed 1e-17 or
 * -1e-17 is no); below 0 it is neither (-1), as RULES.md says: -1 in a
 * veto column is no silent "no". */
static int yes_no_at(const scorer *s, const char *text)
{
	double v;
	int c;

	if (kp_num_parse(text, &v) == KP_NUM_OK)
		return (c = cmpv(s, v, 0)) > 0 ? 1 : c == 0 ? 0 : -1;
	return kp_score_yes_no(text);
}

static int rule_error(scorer *s, int kind, const char *msg);

/* The result of a rule function read as yes or no (veto's when, commend's
 * eligible), popped: the same words as a cell (是/否, 有/无, 1/0 …), a
 * boolean, nil for no; NaN, other texts and other types are rule errors. */
static int fn_yes_no(scorer *s, kp_fnval *v, int *yes)
{
	int yn = -1;
	char msg[320];

	if (v->type == KP_FV_NIL || v->type == KP_FV_BOOL)
		yn = v->yes;
	else if (v->type == KP_FV_NUM && !isnan(v->num))
		yn = cmpv(s, v->num, 0) != 0;
	else if (v->type == KP_FV_TEXT)
		yn = yes_no_at(s, v->text);
	if (yn < 0) {
		kp_msg_format(msg, sizeof msg, KP_M_ENG_FN_NOT_YES_NO,
			      v->type == KP_FV_NUM ? "NaN" : v->type == KP_FV_TEXT ? kp_msg_fmt(KP_MSG_ENG_A_TEXT) : v->type_name);
		kp_fnval_free(v);
		return rule_error(s, KP_ERULE, msg);
	}
	kp_fnval_free(v);
	*yes = yn;
	return 0;
}

int kp_score_yes_no(const char *text)
{
	static const char *const yes[] = {"是", "有", "yes", "y", "true", "√", "✓", "已完成", "完成", NULL};
	static const char *const no[] = {"否", "无", "no", "n", "false", "×", "✗", "未完成", NULL};
	char buf[32];
	size_t i, n;
	double v;
	int st = kp_num_parse(text, &v);

	if (st == KP_NUM_OK) /* a negative number is neither */
		return v > 0 ? 1 : v == 0 ? 0 : -1;
	while (*text == ' ')
		text++;
	n = strlen(text);
	while (n > 0 && text[n - 1] == ' ')
		n--;
	if (n == 0 || n >= sizeof buf)
		return -1;
	for (i = 0; i < n; i++)
		buf[i] = (char)(text[i] >= 'A' && text[i] <= 'Z' ? text[i] + 32 : text[i]);
	buf[n] = '\0';
	for (i = 0; yes[i]; i++)
		if (!strcmp(buf, yes[i]))
			return 1;
	for (i = 0; no[i]; i++)
		if (!strcmp(buf, no[i]))
			return 0;
	return -1;
}

/* "RULES:LINE: in indicator 'X' for unit 'Y': msg" from a Lua message that
 * may already start with a position. */
static int rule_error(scorer *s, int kind, const char *msg)
{
	const char *p = msg, *colon;
	char ctx[512];

	kp_msg_format(ctx, sizeof ctx, KP_M_ENG_RULE_CTX, s->ctx_kind, s->ctx_name, unit_id(s, s->unit));
	if (kind == KP_EDATA)
		return kp_err_set(s->err, kind, "%s (%s)", msg, ctx);
	/* a leading "file:line:" position stays in front */
	colon = strchr(p, ':');
	if (colon && colon[1] >= '0' && colon[1] <= '9') {
		const char *q = colon + 1;
		while (*q >= '0' && *q <= '9')
			q++;
		if (*q == ':') {
			int n = (int)(q - p);
			char copy[KP_ERR_MAX];
			snprintf(copy, sizeof copy, "%s", q + 1 + (q[1] == ' '));
			return kp_err_set(s->err, kind, "%.*s: %s: %s", n, p, ctx, copy);
		}
	}
	return kp_err_set(s->err, kind, "%s: %s: %s", s->ctx_where, ctx, msg);
}

int kp_score_rule_error(scorer *s, const char *msg)
{
	return rule_error(s, KP_ERULE, msg);
}

/* The error of a note (or veto reason) of len bytes, more than max. */
static int note_too_long(scorer *s, size_t len, int max)
{
	char msg[256];

	kp_msg_format(msg, sizeof msg, KP_M_ENG_NOTE_TOO_LONG, len, max);
	return rule_error(s, KP_ERULE, msg);
}

/* Did a rule function fail computing with a string: arithmetic, an
 * order, a math function given one?  (Lua's own words.) */
static int string_math_error(const char *msg)
{
	static const char *const says[] = {"a 'string' with", "with a 'string'", "on a string value",
					   "compare string with", "with string", "number expected, got string", NULL};
	size_t i;

	for (i = 0; says[i]; i++)
		if (strstr(msg, says[i]))
			return 1;
	return 0;
}

/* Does another row of column col hold a number?  Then a text in it is the
 * data's mistake; a column of texts only (是/否) computed with is the
 * rule's.  Read only when a rule failed. */
static int column_has_numbers(const kp_table *t, size_t col)
{
	size_t row;
	double v;

	for (row = 0; row < t->nrows; row++)
		if (kp_table_num(t, row, col, &v) == KP_NUM_OK)
			return 1;
	return 0;
}

/* The data's mistake behind a rule's failure to compute: the cell of text
 * it last read (s->text_cell), named by file, line and column, with what
 * Lua said. */
static int text_computed(scorer *s, const char *lua_msg)
{
	const kp_table *t = s->text_cell.t;
	size_t row = s->text_cell.row, col = s->text_cell.col;
	char buf[KP_NUM_MAX], q[KP_ERR_QUOTE + 8];
	const char *text = kp_table_cell(t, row, col, buf, sizeof buf);

	kp_msg_format(q, sizeof q, KP_M_ENG_QUOTED, kp_err_quote(text ? text : "", (char[KP_ERR_QUOTE]){0}));
	return kp_err_msg(s->err, KP_EDATA, KP_M_ENG_TEXT_COMPUTED, t->file, (size_t)t->line[row], col + 1,
			  unit_id(s, s->unit), unit_name(s, s->unit), t->cols[col], q, s->ctx_kind, s->ctx_name, lua_msg);
}

int kp_score_call_lua(scorer *s, int nargs, int nres, enum vstat *vs)
{
	kp_err e = {0};
	int rc;

	*vs = V_VALUE;
	kp_sandbox_set_context(s->r->sb, s->ctx_kind, s->ctx_name, unit_id(s, s->unit));
	s->skip_asked = 0;
	s->text_cell.t = NULL;
	rc = kp_sandbox_call(s->r->sb, nargs, nres, s->first_call, &e);
	kp_sandbox_set_context(s->r->sb, NULL, NULL, NULL);
	s->first_call = 0;
	if (rc == KP_EDATA && s->skip_asked) { /* u[col] met a blank it may skip */
		kp_err_clear(&e);
		*vs = V_SKIP;
		return 0;
	}
	if (rc) {
		if (rc == KP_ERULE && s->text_cell.t && string_math_error(e.msg) &&
		    column_has_numbers(s->text_cell.t, s->text_cell.col))
			rc = text_computed(s, e.msg);
		else
			rule_error(s, rc, e.msg);
		kp_err_trace(s->err, e.trace);
	}
	kp_err_clear(&e);
	return rc;
}

/* ---- values ---- */

int kp_score_missing_error(scorer *s, const kp_colref *c, const char *col)
{
	size_t line = kp_data_line(c, s->unit);
	double v;

	s->missing_hit = 1;
	const char *hint = kp_msg_fmt(s->ind ? KP_MSG_ENG_HINT_SKIP : KP_MSG_ENG_HINT_DEFAULT);

	if (!line)
		return kp_err_msg(s->err, KP_EDATA, KP_M_ENG_NO_ROW,
				  c->t->file, unit_id(s, s->unit), unit_name(s, s->unit), col, s->ctx_kind, s->ctx_name, hint);
	if (kp_data_num(c, s->unit, &v) == KP_NUM_NA) { /* a word for "no value", not a blank */
		char buf[KP_NUM_MAX], q[KP_ERR_QUOTE + 8];
		const char *text = kp_data_text(c, s->unit, buf, sizeof buf);
		if (text && *text) /* a text column keeps the word; a numeric one only that it was one */
			kp_msg_format(q, sizeof q, KP_M_ENG_QUOTED, kp_err_quote(text, (char[KP_ERR_QUOTE]){0}));
		return kp_err_msg(s->err, KP_EDATA, KP_M_ENG_MISSING_WORD, c->t->file, line, c->col + 1, unit_id(s, s->unit),
				  unit_name(s, s->unit), col, text && *text ? q : kp_msg_fmt(KP_MSG_ENG_NO_VALUE_WORD),
				  s->ctx_kind, s->ctx_name, hint);
	}
	return kp_err_msg(s->err, KP_EDATA, KP_M_ENG_MISSING_BLANK,
			  c->t->file, line, c->col + 1, unit_id(s, s->unit), unit_name(s, s->unit), col,
			  kp_table_a1(c->t, line, (size_t)c->col, (char[KP_TABLE_A1]){0}), s->ctx_kind, s->ctx_name, hint);
}

static int bad_number(scorer *s, const kp_colref *c, int st, const char *col)
{
	char buf[KP_NUM_MAX], q[KP_ERR_QUOTE];
	const char *text = kp_data_text(c, s->unit, buf, sizeof buf);

	return kp_err_msg(s->err, KP_EDATA, KP_M_ENG_BAD_NUMBER, c->t->file,
			  kp_data_line(c, s->unit), c->col + 1, col,
			  kp_table_a1(c->t, kp_data_line(c, s->unit), (size_t)c->col, (char[KP_TABLE_A1]){0}),
			  unit_id(s, s->unit), kp_num_why(st), kp_err_quote(text ? text : "", q));
}


/* Do a cell and a word of the rules look the same (kp_enc_name_key) but
 * differ: a space at an end that is not ASCII (U+3000, as Excel on a
 * Chinese desk types it), an invisible character, full-width letters?
 * Such a cell is not another word (a lookup's default, a row the filter
 * leaves out) but the word mistyped: the data's mistake, said.  Only
 * texts with a byte above 0x7F or a space at an end can differ so. */
int kp_score_text_alike(const char *cell, const char *word)
{
	const char *t[2] = {cell, word};
	char *a, *b;
	int k, odd = 0, same;

	for (k = 0; k < 2 && !odd; k++) {
		const unsigned char *p = (const unsigned char *)t[k];
		size_t n = strlen(t[k]);
		odd = n && (p[0] == ' ' || p[0] == '\t' || p[n - 1] == ' ' || p[n - 1] == '\t');
		while (!odd && *p)
			odd = *p++ >= 0x80;
	}
	if (!odd || !strcmp(cell, word))
		return 0;
	a = kp_enc_name_key(cell), b = kp_enc_name_key(word);
	same = a && b && !strcmp(a, b); /* out of memory: taken as unlike, as before */
	free(a), free(b);
	return same;
}

/* Does event row `row` pass the source's filter? */
static int event_pass(scorer *s, const kp_src *src, const kp_table *t, size_t row, int *pass, enum vstat *vs)
{
	size_t i;

	*pass = 1;
	*vs = V_VALUE;
	for (i = 0; i < src->nfilter && *pass; i++) {
		long c = kp_table_col(t, src->fcol[i]);
		char buf[64];
		double a, b;
		if (c < 0)
			return kp_err_msg(s->err, KP_EDATA, KP_M_ENG_NO_FILTER_COLUMN, t->file,
					  src->fcol[i], s->ctx_kind, s->ctx_name);
		if (t->numeric[c] || src->fnum[i]) /* { ["级别"] = 1 } takes 1.0 and 01 too, as :count{} does */
			*pass = kp_table_num(t, row, (size_t)c, &a) == KP_NUM_OK &&
				kp_num_parse(src->fval[i], &b) == KP_NUM_OK && cmpv(s, a, b) == 0;
		else {
			const char *text = kp_table_cell(t, row, (size_t)c, buf, sizeof buf);
			char q[KP_ERR_QUOTE];
			*pass = !strcmp(text, src->fval[i]);
			if (!*pass && kp_score_text_alike(text, src->fval[i]))
				return kp_err_msg(s->err, KP_EDATA, KP_M_ENG_FILTER_ALIKE, t->file, t->line[row], c + 1,
						  src->fcol[i],
						  kp_table_a1(t, t->line[row], (size_t)c, (char[KP_TABLE_A1]){0}),
						  kp_err_quote(text, q), src->fval[i], s->ctx_kind, s->ctx_name);
		}
	}
	if (*pass && src->ref) {
		kp_fnval v;
		int rc = kp_score_call_fn(s, src->ref, KP_FN_ROW, t, row, 1, &v, vs);
		if (rc || *vs != V_VALUE)
			return rc;
		/* true or false (nil): Lua's truth would keep a row for 0 or 否 */
		if (v.type != KP_FV_BOOL && v.type != KP_FV_NIL) {
			char msg[320];
			kp_msg_format(msg, sizeof msg, KP_M_ENG_FILTER_NOT_BOOL, v.type_name);
			kp_fnval_free(&v);
			return rule_error(s, KP_ERULE, msg);
		}
		*pass = v.type == KP_FV_BOOL && v.yes;
		kp_fnval_free(&v);
	}
	return 0;
}

/* A date cell of an event row: KP_DATE_OK with *days, KP_DATE_EMPTY or
 * KP_DATE_NONE; a cell that is not a date is an error naming it. */
static int event_date(scorer *s, const kp_table *t, size_t row, long col, const char *name, int *days, int *st)
{
	char buf[KP_NUM_MAX], q[KP_ERR_QUOTE];
	const char *text = kp_table_cell(t, row, (size_t)col, buf, sizeof buf), *why = NULL;

	if ((*st = kp_date_parse(text, days, &why)) != KP_DATE_BAD)
		return 0;
	return kp_err_msg(s->err, KP_EDATA, KP_M_ENG_EVENT_NOT_DATE, t->file,
			  t->line[row], col + 1, name, kp_table_a1(t, t->line[row], (size_t)col, (char[KP_TABLE_A1]){0}),
			  kp_err_quote(text, q), why, s->ctx_kind, s->ctx_name);
}

/* agg.late, agg.missing: does the row count?  Late: submitted after its
 * due date; missing: no submitted date (blank or 未报送). */
static int dated_row(scorer *s, const kp_src *src, const kp_table *t, size_t row, long col, long due, int *hit)
{
	int done, st, when, rc;

	if ((rc = event_date(s, t, row, col, src->col, &done, &st)))
		return rc;
	*hit = src->op == KP_AGG_MISSING && st != KP_DATE_OK;
	if (src->op == KP_AGG_MISSING || st != KP_DATE_OK)
		return 0;
	if ((rc = event_date(s, t, row, due, src->due, &when, &st)))
		return rc;
	if (st != KP_DATE_OK)
		return kp_err_msg(s->err, KP_EDATA, KP_M_ENG_NO_DUE_DATE, t->file,
				  t->line[row], due + 1, src->due, kp_table_a1(t, t->line[row], (size_t)due, (char[KP_TABLE_A1]){0}),
				  s->ctx_kind, s->ctx_name);
	*hit = done > when;
	return 0;
}

/* agg.late(ev, due, done), agg.missing(ev, done): rows of unit u counted. */
static int aggregate_dated(scorer *s, const kp_src *src, size_t u, double *v, enum vstat *vs)
{
	const kp_data_events *ev = &s->d->ev[src->event];
	const kp_table *t = ev->t;
	long col = kp_table_col(t, src->col), due = src->due ? kp_table_col(t, src->due) : 0;
	size_t i, n = 0;
	int rc, pass = 0, hit = 0;

	if ((col < 0 || due < 0) && t->nrows > 0)
		return kp_err_msg(s->err, KP_EDATA, KP_M_ENG_NO_COLUMN, t->file, col < 0 ? src->col : src->due,
				  s->ctx_kind, s->ctx_name);
	for (i = ev->first[u]; i < ev->first[u + 1]; i++) {
		size_t row = ev->rows[i];
		if ((rc = event_pass(s, src, t, row, &pass, vs)) || *vs != V_VALUE)
			return rc;
		if (pass && (rc = dated_row(s, src, t, row, col, due, &hit)))
			return rc;
		n += pass && hit;
	}
	*v = (double)n;
	return 0;
}

int kp_score_fold_events(const kp_data_events *ev, size_t u, long col, int (*pass)(void *ud, size_t row), void *ud,
			 kp_acc *a, size_t *bad_row, int *bad_st)
{
	size_t i;

	for (i = ev->first[u]; i < ev->first[u + 1]; i++) {
		size_t row = ev->rows[i];
		double x = 0;
		int st = KP_NUM_OK, p = pass(ud, row);
		if (p < 0)
			return -1;
		if (!p)
			continue;
		if (col >= 0 && KP_NUM_MISSING(st = kp_table_num(ev->t, row, (size_t)col, &x)))
			continue;
		if (st != KP_NUM_OK) {
			*bad_row = row, *bad_st = st;
			return 1;
		}
		kp_acc_add(a, x);
	}
	return 0;
}

/* A declaration's filter as kp_score_fold_events asks it. */
typedef struct decl_filter {
	scorer *s;
	const kp_src *src;
	enum vstat *vs;
	int rc;
} decl_filter;

static int decl_pass(void *ud, size_t row)
{
	decl_filter *f = ud;
	int pass = 0;

	if ((f->rc = event_pass(f->s, f->src, f->s->d->ev[f->src->event].t, row, &pass, f->vs)) || *f->vs != V_VALUE)
		return -1;
	return pass;
}

static int aggregate(scorer *s, const kp_src *src, size_t u, double *v, enum vstat *vs)
{
	const kp_data_events *ev = &s->d->ev[src->event];
	const kp_table *t = ev->t;
	kp_acc a = {src->op, 0, 0, 0, 0};
	decl_filter f = {s, src, vs, 0};
	long col = -1;
	size_t bad_row = 0;
	int st = 0, rc;

	*vs = V_VALUE;
	if (src->op == KP_AGG_LATE || src->op == KP_AGG_MISSING)
		return aggregate_dated(s, src, u, v, vs);
	if (src->op != KP_AGG_COUNT && (col = kp_table_col(t, src->col)) < 0 && t->nrows > 0)
		return kp_err_msg(s->err, KP_EDATA, KP_M_ENG_NO_COLUMN, t->file, src->col, s->ctx_kind, s->ctx_name);
	rc = kp_score_fold_events(ev, u, src->op == KP_AGG_COUNT ? -1 : col, decl_pass, &f, &a, &bad_row, &st);
	if (rc < 0)
		return f.rc;
	if (rc > 0)
		return kp_err_msg(s->err, KP_EDATA, KP_M_ENG_EVENT_BAD_NUMBER, t->file, t->line[bad_row], col + 1,
				  src->col, kp_num_why(st));
	s->last_acc = a; /* for the note: how many values, what was dropped */
	*vs = kp_acc_result(&a, v);
	return 0;
}

/* Call a value function on the current unit: 0 with its result in v when
 * *vs is V_VALUE; V_MISSING when it returned nil (nothing left); or an
 * error. */
static int call_value_fn(scorer *s, const kp_src *src, kp_fnval *v, enum vstat *vs)
{
	int rc = kp_score_call_fn(s, src->ref, KP_FN_UNIT, NULL, 0, 1, v, vs);

	if (!rc && *vs == V_VALUE && v->type == KP_FV_NIL)
		kp_fnval_free(v), *vs = V_MISSING;
	return rc;
}

/* A value as a number: 0 or an error kind; *v when *vs is V_VALUE. */
static int get_num(scorer *s, const kp_src *src, const kp_colref *c, size_t u, double *v, enum vstat *vs)
{
	kp_fnval fv;
	int st, rc;

	*vs = V_VALUE;
	if (src->kind == KP_SRC_COL) {
		st = kp_data_num(c, u, v);
		if (KP_NUM_MISSING(st))
			*vs = V_MISSING;
		return st == KP_NUM_OK || KP_NUM_MISSING(st) ? 0 : bad_number(s, c, st, src->col);
	}
	if (src->kind == KP_SRC_AGG)
		return aggregate(s, src, u, v, vs);
	if ((rc = call_value_fn(s, src, &fv, vs)) || *vs != V_VALUE)
		return rc;
	if (!fv.numeric || !isfinite(fv.num)) {
		char msg[320];
		kp_msg_format(msg, sizeof msg, KP_M_ENG_VALUE_NOT_FINITE,
			      fv.numeric ? kp_msg_fmt(KP_MSG_ENG_NAN_OR_INF) : fv.type_name);
		kp_fnval_free(&fv);
		return rule_error(s, KP_ERULE, msg);
	}
	*v = fv.num;
	kp_fnval_free(&fv);
	return 0;
}

/* A value as text, whole: borrowed from the data (p), a number in buf, or
 * a copy of what a function returned (own).  Free with text_free. */
typedef struct textv {
	const char *p;
	char *own;
	char buf[KP_NUM_MAX];
} textv;

static void text_free(textv *t)
{
	free(t->own);
	t->own = NULL;
	t->p = "";
}

/* Point t at a copy of s. */
static int text_copy(scorer *s, textv *t, const char *str)
{
	char *c = strdup(str);

	if (!c)
		return kp_err_oom(s->err);
	free(t->own);
	t->p = t->own = c;
	return 0;
}

/* A value as text (yes/no, lookup), whole, into t when *vs is V_VALUE. */
static int get_text(scorer *s, const kp_src *src, const kp_colref *c, size_t u, textv *t, enum vstat *vs)
{
	double v;
	int rc;

	t->p = "";
	*vs = V_VALUE;
	if (src->kind == KP_SRC_COL) {
		const char *x = kp_data_text(c, u, t->buf, sizeof t->buf);
		if (!x || !*x)
			*vs = V_MISSING;
		else
			t->p = x;
		return 0;
	}
	if (src->kind == KP_SRC_FUNC) {
		kp_fnval fv;
		if ((rc = call_value_fn(s, src, &fv, vs)) || *vs != V_VALUE)
			return rc;
		if (fv.type == KP_FV_BOOL) {
			t->p = fv.yes ? "1" : "0";
		} else if (fv.type == KP_FV_TEXT || fv.type == KP_FV_NUM) {
			free(t->own);
			t->p = t->own = fv.text, fv.text = NULL; /* the copy becomes the text's */
		} else {
			char msg[320];
			kp_msg_format(msg, sizeof msg, KP_M_ENG_VALUE_BAD_TYPE, fv.type_name);
			kp_fnval_free(&fv);
			return rule_error(s, KP_ERULE, msg);
		}
		kp_fnval_free(&fv);
		return 0;
	}
	if ((rc = aggregate(s, src, u, &v, vs)) || *vs != V_VALUE)
		return rc;
	t->p = num(v, t->buf);
	return 0;
}

/* ---- statistics (computed once per run) ---- */

static int needs_stat(const kp_method *m)
{
	return m->kind == KP_M_RATIO || m->kind == KP_M_MINMAX || m->kind == KP_M_RANK;
}

typedef struct rank_key { double v; size_t u; } rank_key;
static int asc_cmp(const void *a, const void *b)
{
	const rank_key *x = a, *y = b;
	return x->v < y->v ? -1 : x->v > y->v;
}
static int desc_cmp(const void *a, const void *b)
{
	return asc_cmp(b, a);
}

/* Competition ranks of the values within each scope group, compared at
 * the comparison precision: 0.7 + 0.2 ties with 0.4 + 0.5. */
static int rank_values(scorer *s, const kp_method *m, mstat *st)
{
	size_t n = s->d->nunits, g, i, k, groups = m->scope_all ? 1 : s->r->ncat;
	rank_key *keys = malloc((n + 1) * sizeof *keys);

	if (!keys || !(st->rank = calloc(n + 1, sizeof *st->rank))) {
		free(keys);
		return kp_err_oom(s->err);
	}
	for (g = 0; g < groups; g++) {
		for (i = 0, k = 0; i < n; i++)
			if (!isnan(st->val[i]) && (m->scope_all || s->d->cat[i] == (int)g))
				keys[k].v = kp_num_round(st->val[i], s->r->compare), keys[k++].u = i;
		qsort(keys, k, sizeof *keys, m->asc ? asc_cmp : desc_cmp);
		for (i = 0; i < k; i++)
			st->rank[keys[i].u] = i > 0 && keys[i].v == keys[i - 1].v ? st->rank[keys[i - 1].u] : (int)i + 1;
	}
	free(keys);
	return 0;
}

static int compute_stat(scorer *s, const kp_method *m, const kp_colref *ref, mstat *st)
{
	size_t n = s->d->nunits, nc = s->r->ncat, u;
	int rc;

	st->on = 1;
	st->max = malloc((nc + 1) * sizeof *st->max);
	st->min = malloc((nc + 1) * sizeof *st->min);
	/* each unit's value is kept when it is costly to get again (a Lua
	 * function, an aggregate) or needed for ranks */
	if (m->kind == KP_M_RANK || m->src.kind != KP_SRC_COL)
		st->val = malloc((n + 1) * sizeof *st->val);
	if (!st->max || !st->min || (!st->val && (m->kind == KP_M_RANK || m->src.kind != KP_SRC_COL)))
		return kp_err_oom(s->err);
	for (u = 0; u <= nc; u++)
		st->max[u] = -HUGE_VAL, st->min[u] = HUGE_VAL;
	for (u = 0; u < n; u++) {
		double v = NAN;
		int c = s->d->cat[u];
		enum vstat vs;
		s->unit = u;
		s->first_call = 1;
		if (s->ind && !kp_indicator_applies(s->ind, c)) { /* not assessed: no value */
			if (st->val)
				st->val[u] = NAN;
			continue;
		}
		if ((rc = get_num(s, &m->src, ref, u, &v, &vs)))
			return rc;
		if (vs == V_MISSING && s->has_dflt && !s->dflt_text)
			v = s->dflt;
		else if (vs != V_VALUE) /* no value (a skip too: the unit is skipped when scored) */
			v = NAN;
		if (st->val)
			st->val[u] = v;
		if (isnan(v))
			continue;
		if (v > st->max[c]) st->max[c] = v;
		if (v < st->min[c]) st->min[c] = v;
		if (v > st->max[nc]) st->max[nc] = v;
		if (v < st->min[nc]) st->min[nc] = v;
	}
	return m->kind == KP_M_RANK ? rank_values(s, m, st) : 0;
}

static void free_stat(mstat *st)
{
	free(st->max), free(st->min), free(st->val), free(st->rank);
}

/* ---- one method for one unit ---- */

/* What a method gives: points and a note of any length (grown by
 * note_put; a failed allocation is remembered and reported by note_ok). */
typedef struct outcome {
	double pts;
	char *note;       /* small, or the heap once a note outgrows it */
	size_t len, cap;
	int used_default;
	int oom;
	char small[256];  /* most notes fit: no allocation per item */
} outcome;

/* Append to the note, encoded (kaoping/note.h): the piece id with the
 * arguments in *ap, or the text word (of the rule file's, escaped), or raw
 * (a note already encoded). */
static void note_put(outcome *o, enum kp_msgid id, const char *en, va_list *ap, const char *word, int raw)
{
	va_list aq;
	int w = 0, pass;

	if (o->oom)
		return;
	if (!o->note) /* one formatting pass when the note fits, as most do */
		o->note = o->small, o->cap = sizeof o->small;
	for (pass = 0; pass < 2; pass++) {
		char *dst = o->note + o->len;
		size_t room = o->cap - o->len;
		if (raw) {
			w = (int)strlen(word);
			if ((size_t)w < room)
				memcpy(dst, word, (size_t)w + 1);
		} else if (word) {
			w = kp_note_escape(dst, room, word);
		} else {
			va_copy(aq, *ap);
			w = kp_note_vformat(dst, room, id, en, aq);
			va_end(aq);
		}
		if (o->len + (size_t)w + 1 <= o->cap)
			break;
		if (pass == 0) {
			size_t cap = (o->len + (size_t)w + 1) * 2;
			char *p = o->note == o->small ? malloc(cap) : realloc(o->note, cap);
			if (!p) {
				o->oom = 1;
				return;
			}
			if (o->note == o->small)
				memcpy(p, o->small, o->len);
			o->note = p, o->cap = cap;
		}
	}
	o->len += (size_t)w;
	o->note[o->len] = '\0';
}

/* Append a piece (KP_M_NOTE_X, its arguments: strings). */
static void note_msg(outcome *o, enum kp_msgid id, const char *en, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;
static void note_msg(outcome *o, enum kp_msgid id, const char *en, ...)
{
	va_list ap;

	va_start(ap, en);
	note_put(o, id, en, &ap, NULL, 0);
	va_end(ap);
}

/* Append words of the rule file's own. */
static void note_word(outcome *o, const char *s)
{
	note_put(o, (enum kp_msgid)0, NULL, NULL, s ? s : "", 0);
}

/* A note of one piece into a fixed buffer (the numbers are short: it fits). */
static void piece(char *buf, size_t n, enum kp_msgid id, const char *en, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;
static void piece(char *buf, size_t n, enum kp_msgid id, const char *en, ...)
{
	va_list ap;

	va_start(ap, en);
	kp_note_vformat(buf, n, id, en, ap);
	va_end(ap);
}

/* Start a note afresh. */
static void note_clear(outcome *o)
{
	o->len = 0;
	if (o->note)
		o->note[0] = '\0';
}

/* Start a note afresh with a piece. */
static void note_set(outcome *o, enum kp_msgid id, const char *en, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;
static void note_set(outcome *o, enum kp_msgid id, const char *en, ...)
{
	va_list ap;

	note_clear(o);
	va_start(ap, en);
	note_put(o, id, en, &ap, NULL, 0);
	va_end(ap);
}

static const char *note_text(const outcome *o)
{
	return o->note ? o->note : "";
}

/* 0, or out of memory when a note could not grow. */
static int note_ok(scorer *s, const outcome *o)
{
	return o->oom ? kp_err_oom(s->err) : 0;
}

/* An empty outcome.  Not "= {0}": that clears the 256 bytes of small for
 * every item of every unit (20 million at 1M units), which the note then
 * overwrites. */
static void outcome_init(outcome *o)
{
	o->note = NULL, o->len = o->cap = 0, o->oom = 0, o->used_default = 0, o->pts = 0;
}

static void outcome_free(outcome *o)
{
	if (o->note != o->small)
		free(o->note);
	outcome_init(o);
}

/* The value is missing (*vs V_MISSING): the declared default (*vs becomes
 * V_VALUE), a skip (V_SKIP), no value for a bonus (stays V_MISSING), or
 * the error of a missing value. */
static int on_missing(scorer *s, const kp_src *src, const kp_colref *ref, double *v, textv *text, outcome *o,
		      enum vstat *vs)
{
	if (s->has_dflt) {
		*v = s->dflt;
		if (text)
			text->p = s->dflt_text ? s->dflt_text : num(s->dflt, text->buf);
		o->used_default = 1;
		*vs = V_VALUE;
		return 0;
	}
	if (s->ind && s->ind->skip_missing)
		return *vs = V_SKIP, 0;
	if (src->kind == KP_SRC_COL)
		return kp_score_missing_error(s, ref, src->col);
	if (!s->ind)
		return 0; /* a bonus from events, a function: no value, no bonus */
	return kp_err_msg(s->err, KP_EDATA, KP_M_ENG_NO_VALUE_EVENTS,
			  s->ind->where, unit_id(s, s->unit), unit_name(s, s->unit), s->ctx_kind, s->ctx_name);
}

/* Enter an indicator, bonus or veto: names for messages, its default. */
static void enter(scorer *s, const char *kind, const char *name, const char *where, const kp_indicator *ind,
		  int has_dflt, double dflt, const char *dflt_text)
{
	s->ctx_kind = kind, s->ctx_name = name, s->ctx_where = where, s->ind = ind;
	s->has_dflt = has_dflt, s->dflt = dflt, s->dflt_text = dflt_text;
}

/* The name of a source's value in lang: its column, or kaoping's word
 * for a value that is not one.  Notes take the Chinese word, which
 * kp_note_render shows in the report's language; messages the current. */
static const char *src_label_in(const kp_src *src, enum kp_lang lang)
{
	enum kp_msgid w = KP_MSG_NOTE_WORD_COMPUTED;

	if (src->kind == KP_SRC_COL)
		return src->col;
	if (src->kind == KP_SRC_AGG)
		w = src->op == KP_AGG_LATE ? KP_MSG_NOTE_WORD_LATE :
		    src->op == KP_AGG_MISSING ? KP_MSG_NOTE_WORD_MISSING : KP_MSG_NOTE_WORD_AGGREGATE;
	return kp_msg_text(w, lang);
}

static const char *src_label(const kp_src *src)
{
	return src_label_in(src, KP_LANG_ZH);
}

static const char *src_label_msg(const kp_src *src)
{
	return src_label_in(src, kp_msg_lang());
}

/* A function score: (points [, note]) from f(u, ctx). */
static int eval_func(scorer *s, int ref, outcome *o, enum vstat *vs)
{
	kp_fnval v[2];
	size_t len;
	int rc;

	if ((rc = kp_score_call_fn(s, ref, KP_FN_UNIT_CTX, NULL, 0, 2, v, vs)) || *vs != V_VALUE)
		return rc;
	if (v[0].type != KP_FV_NUM || !isfinite(v[0].num)) {
		char msg[320];
		kp_msg_format(msg, sizeof msg, KP_M_ENG_SCORE_NOT_FINITE,
			      v[0].type == KP_FV_NUM ? kp_msg_fmt(KP_MSG_ENG_NAN_OR_INF) : v[0].type_name);
		kp_fnval_free(&v[0]), kp_fnval_free(&v[1]);
		return rule_error(s, KP_ERULE, msg);
	}
	o->pts = v[0].num;
	if (v[1].type == KP_FV_TEXT && (len = strlen(v[1].text)) > KP_NOTE_MAX) { /* with or without notes kept */
		rc = note_too_long(s, len, KP_NOTE_MAX);
		kp_fnval_free(&v[0]), kp_fnval_free(&v[1]);
		return rc;
	}
	if (s->notes && v[1].type == KP_FV_TEXT)
		note_clear(o), note_word(o, v[1].text);
	else if (s->notes)
		note_set(o, KP_M_NOTE_POINTS, num(o->pts, (char[32]){0}));
	kp_fnval_free(&v[0]), kp_fnval_free(&v[1]);
	return 0;
}

/* Where a message about a value points: its cell (file, line), or, for a
 * value a function or an aggregate made (no cell), the place of the
 * declaration, "r.lua:12" split in two (passed whole with line 0, it read
 * "r.lua:12:0: column 'computed value' ..."). */
typedef struct vwhere {
	const char *file;
	size_t line;
	char buf[1024];
} vwhere;

static void value_where(vwhere *w, const scorer *s, const kp_colref *ref, const char *decl)
{
	const char *colon = decl ? strrchr(decl, ':') : NULL;
	size_t n = colon ? (size_t)(colon - decl) : 0;

	if (ref && ref->t) {
		w->file = ref->t->file, w->line = kp_data_line(ref, s->unit);
		return;
	}
	w->file = decl ? decl : "", w->line = 0;
	if (colon && colon[1] && strspn(colon + 1, "0123456789") == strlen(colon + 1) && n < sizeof w->buf) {
		memcpy(w->buf, decl, n);
		w->buf[n] = '\0';
		w->file = w->buf, w->line = strtoul(colon + 1, NULL, 10);
	}
}

/* yes_no, done, lookup of the value text. */
static int text_method(scorer *s, const kp_method *m, const kp_colref *ref, double P, const char *text, outcome *o)
{
	char a[32], q[KP_ERR_QUOTE];
	vwhere w;
	size_t i, k;
	int yn;

	value_where(&w, s, ref, s->ctx_where);
	if (m->kind == KP_M_YESNO || m->kind == KP_M_DONE) {
		if ((yn = yes_no_at(s, text)) < 0)
			return kp_err_msg(s->err, KP_EDATA, KP_M_ENG_CELL_NOT_YES_NO, w.file, w.line,
					  src_label_msg(&m->src), unit_id(s, s->unit), kp_err_quote(text, q));
		if (m->kind == KP_M_DONE) /* 完成 P, 未完成 X */
			o->pts = yn ? P : m->has_default ? m->dflt : 0;
		else
			o->pts = yn ? (m->has_default ? m->dflt : P) : 0;
		if (s->notes)
			note_set(o, KP_M_NOTE_TEXT_GOT, src_label(&m->src), text, num(o->pts, a));
		return 0;
	}
	for (i = 0; i < m->n; i++) {
		double x, y;
		if (!strcmp(m->keys[i], text) || (kp_num_parse(m->keys[i], &x) == KP_NUM_OK &&
						  kp_num_parse(text, &y) == KP_NUM_OK && cmpv(s, x, y) == 0))
			break;
	}
	for (k = 0; i == m->n && m->has_default && k < m->n; k++) /* not another word: one mistyped */
		if (kp_score_text_alike(text, m->keys[k]))
			return kp_err_msg(s->err, KP_EDATA, KP_M_ENG_LOOKUP_ALIKE, w.file, w.line,
					  src_label_msg(&m->src), unit_id(s, s->unit), kp_err_quote(text, q), m->keys[k],
					  s->ctx_kind, s->ctx_name);
	if (i == m->n && !m->has_default)
		return kp_err_msg(s->err, KP_EDATA, KP_M_ENG_NOT_IN_LOOKUP, w.file, w.line,
				  src_label_msg(&m->src), unit_id(s, s->unit), kp_err_quote(text, q), s->ctx_kind, s->ctx_name);
	o->pts = i < m->n ? m->pts[i] : m->dflt;
	if (s->notes)
		note_set(o, KP_M_NOTE_TEXT_GOT, src_label(&m->src), text, num(o->pts, a));
	return 0;
}

/* A cell that says there is none (N/A, #N/A, -, —, / ...: a word
 * kp_num_parse calls no value) where the method reads no such word (无 is
 * no to yes_no; a lookup may list any of them, or answer them with its
 * own default): a missing value, which default and missing = "skip"
 * answer, as RULES.md says; it was "neither yes nor no" or "not in the
 * lookup table" whatever the rule declared. */
static int says_none(const scorer *s, const kp_src *src, const kp_method *m, const char *text)
{
	double v;
	size_t i;

	if (src->kind != KP_SRC_COL || kp_num_parse(text, &v) != KP_NUM_NA)
		return 0;
	if (!m || m->kind == KP_M_YESNO || m->kind == KP_M_DONE)
		return yes_no_at(s, text) < 0;
	if (m->has_default) /* the lookup's own default answers every word it does not list */
		return 0;
	for (i = 0; i < m->n; i++)
		if (!strcmp(m->keys[i], text))
			return 0;
	return 1;
}

static int eval_text_method(scorer *s, const kp_method *m, const kp_colref *ref, double P, outcome *o,
			    enum vstat *vs)
{
	textv t = {0};
	int rc = get_text(s, &m->src, ref, s->unit, &t, vs);

	if (!rc && *vs == V_VALUE && says_none(s, &m->src, m, t.p))
		*vs = V_MISSING;
	if (!rc && *vs == V_MISSING)
		rc = on_missing(s, &m->src, ref, &(double){0}, &t, o, vs);
	if (!rc && *vs == V_VALUE)
		rc = text_method(s, m, ref, P, t.p, o);
	text_free(&t);
	return rc;
}

/* deadline: the points of the first date the cell's date is on or before;
 * late or 未报送: otherwise.  The note gives the date as read and the band:
 * "报送日期 2024/4/2 (2024-04-02), 2024年4月15日前(含), 得3分". */
static int deadline_points(scorer *s, const kp_method *m, const kp_colref *ref, const char *text, int used_default,
			   outcome *o)
{
	char a[32], q[KP_ERR_QUOTE], iso[KP_DATE_MAX], day[KP_DATE_MAX], cell[4097];
	const char *why = NULL, *lab = src_label(&m->src), *t = text;
	int days = 0, st = kp_date_parse(text, &days, &why), n;
	size_t i, len;

	if ((st == KP_DATE_BAD || st == KP_DATE_EMPTY) && used_default)
		return kp_err_msg(s->err, KP_ERULE, KP_M_ENG_DEFAULT_NOT_DATE, s->ctx_where, kp_err_quote(text, q),
				  s->ctx_kind, s->ctx_name, why ? why : kp_msg_fmt(KP_MSG_ENG_BLANK));
	if ((st == KP_DATE_BAD || st == KP_DATE_EMPTY) && m->src.kind == KP_SRC_FUNC) /* the rule's own mistake */
		return kp_err_msg(s->err, KP_ERULE, KP_M_ENG_FN_NOT_DATE, s->ctx_where, s->ctx_kind, s->ctx_name,
				  unit_id(s, s->unit), kp_err_quote(text, q), why ? why : kp_msg_fmt(KP_MSG_ENG_BLANK));
	if (st == KP_DATE_BAD || st == KP_DATE_EMPTY) {
		vwhere w;
		value_where(&w, s, ref, s->ctx_where);
		return kp_err_msg(s->err, KP_EDATA, KP_M_ENG_CELL_NOT_DATE, w.file, w.line, src_label_msg(&m->src),
				  unit_id(s, s->unit), kp_err_quote(text, q), why);
	}
	for (i = 0; st == KP_DATE_OK && i < m->n && days > m->thr[i]; i++)
		;
	o->pts = st == KP_DATE_OK && i < m->n ? m->pts[i] : m->has_otherwise ? m->otherwise : 0;
	if (!s->notes)
		return 0;
	while (*t == ' ')
		t++;
	for (len = strlen(t); len > 0 && t[len - 1] == ' '; len--)
		;
	n = len > 4096 ? 4096 : (int)len; /* a date is short; a long cell is not one */
	memcpy(cell, t, (size_t)n);
	cell[n] = '\0';
	if (st != KP_DATE_OK)
		note_set(o, KP_M_NOTE_DATE_BAD_GOT, lab, cell, num(o->pts, a));
	else if (len == strlen(kp_date_iso(days, iso, sizeof iso)) && !strncmp(t, iso, len))
		note_set(o, KP_M_NOTE_LABEL_VALUE, lab, iso);
	else
		note_set(o, KP_M_NOTE_DATE_READ, lab, cell, iso);
	if (st == KP_DATE_OK && i < m->n)
		note_msg(o, KP_M_NOTE_DATE_BY, kp_date_words((int)m->thr[i], day, sizeof day), num(o->pts, a));
	else if (st == KP_DATE_OK)
		note_msg(o, KP_M_NOTE_DATE_LATE, kp_date_words((int)m->thr[m->n - 1], day, sizeof day), num(o->pts, a));
	return 0;
}

static int eval_deadline(scorer *s, const kp_method *m, const kp_colref *ref, outcome *o, enum vstat *vs)
{
	textv t = {0};
	int rc = get_text(s, &m->src, ref, s->unit, &t, vs), days;

	if (!rc && *vs == V_VALUE && kp_date_parse(t.p, &days, NULL) == KP_DATE_EMPTY)
		*vs = V_MISSING; /* spaces only, or a function's blank text */
	if (!rc && *vs == V_MISSING)
		rc = on_missing(s, &m->src, ref, &(double){0}, &t, o, vs);
	if (!rc && *vs == V_VALUE)
		rc = deadline_points(s, m, ref, t.p, o->used_default, o);
	text_free(&t);
	return rc;
}

/* A yes/no condition of a checklist on the value text. */
static int check_text(scorer *s, const kp_check *k, const kp_colref *ref, const char *text, double *x)
{
	char q[KP_ERR_QUOTE];
	vwhere w;
	int yn;

	if ((yn = yes_no_at(s, text)) < 0) {
		value_where(&w, s, ref, s->ctx_where);
		return kp_err_msg(s->err, KP_EDATA, KP_M_ENG_CHECK_NOT_YES_NO, w.file, w.line, src_label_msg(&k->src),
				  unit_id(s, s->unit), kp_err_quote(text, q), k->name, s->ctx_kind, s->ctx_name);
	}
	if (yn == k->is)
		*x = k->amount;
	return 0;
}

/* A count of items that per-item deductions multiply (a deduction's
 * count, per_item, a checklist's per): below 0 it would give points
 * where the rules take them, and the floor at 0 hid it.  A cell's is the
 * data's mistake, named; a default's, a function's or an aggregate's
 * the rule's (an aggregate of negative values: the data's). */
static int count_negative(scorer *s, const kp_src *src, const kp_colref *ref, double v, int used_default)
{
	char a[32], msg[320];

	if (cmpv(s, v, 0) >= 0)
		return 0;
	if (src->kind == KP_SRC_COL && ref && ref->t && !used_default)
		return kp_err_msg(s->err, KP_EDATA, KP_M_ENG_COUNT_NEGATIVE_CELL, ref->t->file, kp_data_line(ref, s->unit),
				  src_label_msg(src), unit_id(s, s->unit), num(v, a), s->ctx_kind, s->ctx_name);
	kp_msg_format(msg, sizeof msg, KP_M_ENG_COUNT_NEGATIVE, num(v, a));
	return rule_error(s, src->kind == KP_SRC_AGG && !used_default ? KP_EDATA : KP_ERULE, msg);
}

/* One condition of a checklist: the points it deducts into *x (and the
 * count into *cnt for a per-item condition). */
static int eval_check(scorer *s, const kp_check *k, const kp_colref *ref, double *x, double *cnt, outcome *o,
		      enum vstat *vs)
{
	textv t = {0};
	double v = 0;
	int rc;

	*x = 0;
	if (k->per) {
		rc = get_num(s, &k->src, ref, s->unit, &v, vs);
		if (!rc && *vs == V_MISSING)
			rc = on_missing(s, &k->src, ref, &v, NULL, o, vs);
		if (rc || *vs != V_VALUE)
			return rc;
		if ((rc = count_negative(s, &k->src, ref, v, o->used_default)))
			return rc;
		*cnt = v;
		*x = k->amount * v;
		if (k->has_max && cmpv(s, *x, k->max) > 0)
			*x = k->max;
		return 0;
	}
	rc = get_text(s, &k->src, ref, s->unit, &t, vs);
	if (!rc && *vs == V_VALUE && says_none(s, &k->src, NULL, t.p))
		*vs = V_MISSING;
	if (!rc && *vs == V_MISSING)
		rc = on_missing(s, &k->src, ref, &v, &t, o, vs);
	if (!rc && *vs == V_VALUE)
		rc = check_text(s, k, ref, t.p, x);
	text_free(&t);
	return rc;
}

/* checklist: P minus what each condition deducts (扣完为止 by the clamp);
 * the note lists the conditions that took points:
 * "没有总体方案扣3分; 迟报5次扣2分(最多扣2分), 得0分". */
static int eval_checklist(scorer *s, const kp_method *m, double P, outcome *o, enum vstat *vs)
{
	char a[32], b[32];
	double taken = 0, x, cnt;
	size_t i;
	int rc, any = 0;

	*vs = V_VALUE;
	for (i = m->first; i < m->first + m->count; i++) {
		const kp_check *k = &s->r->check[i];
		cnt = 0;
		if ((rc = eval_check(s, k, &s->chk_ref[i], &x, &cnt, o, vs)) || *vs != V_VALUE)
			return rc;
		if (cmpv(s, x, 0) <= 0)
			continue;
		taken += x;
		if (s->notes && any)
			note_msg(o, KP_M_NOTE_SEP_SEMI);
		if (s->notes && k->per && k->unit)
			note_msg(o, KP_M_NOTE_CHECK_PER, k->name, num(cnt, a), k->unit, num(x, b));
		else if (s->notes && k->per)
			note_msg(o, KP_M_NOTE_CHECK_PER_TIMES, k->name, num(cnt, a), num(x, b));
		else if (s->notes)
			note_msg(o, KP_M_NOTE_CHECK, k->name, num(x, a));
		if (s->notes && k->per && k->has_max && cmpv(s, x, k->max) == 0)
			note_msg(o, KP_M_NOTE_CHECK_MAX, num(k->max, a));
		any = 1;
	}
	o->pts = P - taken;
	if (o->pts < 0 && s->ind && s->ind->clamp) { /* said here, not by the clamp */
		o->pts = 0;
		if (s->notes)
			note_msg(o, KP_M_NOTE_CHECK_FLOOR, num(taken, b));
	}
	if (s->notes && any)
		note_msg(o, KP_M_NOTE_GOT, num(o->pts, a));
	else if (s->notes)
		note_msg(o, KP_M_NOTE_NO_DEDUCTION_GOT, num(o->pts, a));
	return 0;
}

/* target(src, "任务数"): the unit's own goal, a number above 0. */
static int unit_goal(scorer *s, const kp_method *m, double *goal, enum vstat *vs)
{
	char a[32];
	int rc = get_num(s, &m->goal_src, s->goal_ref, s->unit, goal, vs);

	if (rc || *vs == V_SKIP)
		return rc;
	if (*vs == V_MISSING && s->ind && s->ind->skip_missing)
		return *vs = V_SKIP, 0;
	if (*vs == V_MISSING && m->goal_src.kind == KP_SRC_COL)
		return kp_score_missing_error(s, s->goal_ref, m->goal_src.col);
	if (*vs == V_MISSING)
		return kp_err_msg(s->err, KP_EDATA, KP_M_ENG_NO_GOAL, s->ctx_where,
				  unit_id(s, s->unit), unit_name(s, s->unit), s->ctx_kind, s->ctx_name);
	if (cmpv(s, *goal, 0) <= 0) {
		vwhere w;
		value_where(&w, s, s->goal_ref, s->ctx_where);
		return kp_err_msg(s->err, KP_EDATA, KP_M_ENG_GOAL_NOT_POSITIVE, w.file, w.line, unit_id(s, s->unit),
				  unit_name(s, s->unit), num(*goal, a), src_label_msg(&m->goal_src), s->ctx_kind, s->ctx_name);
	}
	return 0;
}

/* The aggregate's words after the event's name ("平均分数"). */
static void agg_label(const kp_src *src, outcome *o)
{
	switch (src->op) {
	case KP_AGG_COUNT: note_msg(o, KP_M_NOTE_AGG_COUNT); break;
	case KP_AGG_SUM: note_msg(o, KP_M_NOTE_AGG_SUM, src->col); break;
	case KP_AGG_AVG: case KP_AGG_TRIMMED: note_msg(o, KP_M_NOTE_AGG_AVG, src->col); break;
	case KP_AGG_MIN: note_msg(o, KP_M_NOTE_AGG_MIN, src->col); break;
	case KP_AGG_MAX: note_msg(o, KP_M_NOTE_AGG_MAX, src->col); break;
	case KP_AGG_LATE: note_msg(o, KP_M_NOTE_AGG_LATE); break;
	case KP_AGG_MISSING: note_msg(o, KP_M_NOTE_AGG_MISSING); break;
	default: note_word(o, src->col); break;
	}
}

/* A value's name in a note of given and blend: the column, the event
 * aggregate (评议打分平均分数), or 计算值. */
static void note_label(scorer *s, const kp_src *src, outcome *o)
{
	if (src->kind == KP_SRC_COL) {
		note_word(o, src->col);
	} else if (src->kind == KP_SRC_AGG) {
		note_word(o, s->r->event[src->event].name);
		if (src->nfilter || src->ref)
			note_msg(o, KP_M_NOTE_FILTERED);
		agg_label(src, o);
	} else {
		note_msg(o, KP_M_NOTE_COMPUTED);
	}
}

/* What a trimmed average kept and dropped, after its value:
 * " (5个评分, 去掉最高9.5、最低6)"; nothing for other values. */
static void trim_note(scorer *s, outcome *o)
{
	const kp_acc *a = &s->last_acc;
	char lo[32], hi[32], n[32];

	if (a->op != KP_AGG_TRIMMED || a->n == 0)
		return;
	snprintf(n, sizeof n, "%zu", a->n); /* not words */
	if (a->n < 3)
		note_msg(o, KP_M_NOTE_TRIM_FEW, n);
	else
		note_msg(o, KP_M_NOTE_TRIM, n, num(a->hi, hi), num(a->lo, lo));
}

/* given(src): the points as sent in, "评议得分 8.5 (由报送单位评定)",
 * kept within [0, P] with the note saying so (unless clamp = false). */
static void eval_given(scorer *s, const kp_method *m, double v, double P, outcome *o)
{
	char a[32], b[32];
	int clamp = !s->ind || s->ind->clamp;

	o->pts = v;
	if (clamp && cmpv(s, v, P) > 0)
		o->pts = P;
	else if (clamp && cmpv(s, v, 0) < 0)
		o->pts = 0;
	if (!s->notes)
		return;
	note_label(s, &m->src, o);
	note_msg(o, KP_M_NOTE_VALUE, num(v, a));
	trim_note(s, o);
	if (m->src.kind == KP_SRC_COL)
		note_msg(o, KP_M_NOTE_GIVEN_BY_UNIT);
	if (clamp && cmpv(s, v, P) > 0)
		note_msg(o, KP_M_NOTE_ABOVE_FULL, num(P, a), num(P, b));
	else if (clamp && cmpv(s, v, 0) < 0)
		note_msg(o, KP_M_NOTE_BELOW_ZERO);
}

/* blend: P × Σ weight × value / scale (a part on its own scale brought to
 * the blend's), the note each part and the sum:
 * "考核得分 92×85% + 评议得分 88×15% = 91.4, 折算为9.14分", then what each
 * trimmed average dropped. */
static int eval_blend(scorer *s, const kp_method *m, double P, outcome *o, enum vstat *vs)
{
	outcome tail;
	char a[32], b[32];
	double sum = 0, v = 0;
	size_t i;
	int rc = 0;

	outcome_init(&tail);
	*vs = V_VALUE;
	for (i = m->first; i < m->first + m->count && !rc; i++) {
		const kp_part *p = &s->r->part[i];
		s->last_acc.op = 0;
		rc = get_num(s, &p->src, &s->part_ref[i], s->unit, &v, vs);
		if (!rc && *vs == V_MISSING)
			rc = on_missing(s, &p->src, &s->part_ref[i], &v, NULL, o, vs);
		if (rc || *vs != V_VALUE)
			break;
		sum += p->weight * v * m->scale / p->scale;
		if (!s->notes)
			continue;
		if (i > m->first)
			note_msg(o, KP_M_NOTE_PLUS);
		note_label(s, &p->src, o);
		note_msg(o, KP_M_NOTE_VALUE, num(v, a));
		if (p->scale != m->scale)
			note_msg(o, KP_M_NOTE_PART_SCALE, num(p->scale, a));
		note_msg(o, KP_M_NOTE_WEIGHT, num(p->weight * 100, b));
		if (s->last_acc.op == KP_AGG_TRIMMED && s->last_acc.n > 0) {
			note_msg(&tail, KP_M_NOTE_SEP_SEMI);
			note_label(s, &p->src, &tail);
			trim_note(s, &tail);
		}
	}
	o->pts = P * sum / m->scale;
	if (!rc && *vs == V_VALUE && s->notes) {
		note_msg(o, KP_M_NOTE_BLEND_SUM, num(sum, a), num(kp_num_round(o->pts, 2), b));
		note_put(o, (enum kp_msgid)0, NULL, NULL, note_text(&tail), 1);
		rc = note_ok(s, &tail);
	}
	outcome_free(&tail);
	return rc;
}

/* target(src, goal): the share of the goal reached, at most 100%. */
static int eval_target(scorer *s, const kp_method *m, double v, double P, outcome *o, enum vstat *vs)
{
	char a[32], b[32], d[32];
	double goal = m->goal, x;
	int rc;

	if (m->goal_src.kind && ((rc = unit_goal(s, m, &goal, vs)) || *vs != V_VALUE))
		return rc;
	x = v / goal;
	if (cmpv(s, x, 1) >= 0) /* 完成率 100%, as it prints */
		x = 1;
	o->pts = P * x;
	if (s->notes && m->goal_src.kind)
		note_set(o, KP_M_NOTE_TARGET_OF, src_label(&m->src), num(v, a), src_label(&m->goal_src), num(goal, b),
			 num(kp_num_round(x * 100, 1), d), num(kp_num_round(o->pts, 2), (char[32]){0}));
	else if (s->notes)
		note_set(o, KP_M_NOTE_TARGET, src_label(&m->src), num(v, a), num(goal, b),
			 num(kp_num_round(x * 100, 1), d), num(kp_num_round(o->pts, 2), (char[32]){0}));
	return 0;
}

/* ratio_to_best, minmax and rank: the value against the others of its
 * scope (the statistics computed once per run). */
static void eval_relative(scorer *s, const kp_method *m, const mstat *st, double v, double P, outcome *o)
{
	int c = m->scope_all ? (int)s->r->ncat : s->d->cat[s->unit];
	const char *lab = src_label(&m->src);
	char a[32], b[32], d[32];

	if (s->notes) { /* "得分 80, 同类" then what the method says */
		note_set(o, KP_M_NOTE_LABEL_VALUE_COMMA, lab, num(v, a));
		if (m->scope_all)
			note_msg(o, KP_M_NOTE_SCOPE_ALL);
		else
			note_msg(o, KP_M_NOTE_SCOPE_CAT);
	}

	if (m->kind == KP_M_RATIO) {
		o->pts = cmpv(s, st->max[c], 0) > 0 ? P * v / st->max[c] : 0;
		if (s->notes)
			note_msg(o, KP_M_NOTE_BEST, num(st->max[c], b), num(kp_num_round(o->pts, 2), d));
	} else if (m->kind == KP_M_MINMAX) {
		/* at the comparison precision: values that print the same tie */
		int cp = s->r->compare;
		double lo = kp_num_round(st->min[c], cp), hi = kp_num_round(st->max[c], cp);
		o->pts = hi > lo ? P * (kp_num_round(v, cp) - lo) / (hi - lo) : P;
		if (s->notes)
			note_msg(o, KP_M_NOTE_MINMAX, num(st->min[c], b), num(st->max[c], d),
				 num(kp_num_round(o->pts, 2), (char[32]){0}));
	} else {
		int k = st->rank[s->unit];
		o->pts = k >= 1 && (size_t)k <= m->n ? m->pts[k - 1] : 0;
		snprintf(d, sizeof d, "%d", k); /* not words */
		if (s->notes)
			note_msg(o, KP_M_NOTE_RANKED, d, num(o->pts, b));
	}
}

/* bands: the first band reached, v ≥ threshold (or v > it for gt). */
static void eval_bands(scorer *s, const kp_method *m, double v, outcome *o)
{
	const char *lab = src_label(&m->src);
	char a[32], b[32], d[32];
	size_t i;

	for (i = 0; i < m->n && cmpv(s, v, m->thr[i]) < (m->gt && m->gt[i] ? 1 : 0); i++)
		;
	o->pts = i < m->n ? m->pts[i] : m->has_otherwise ? m->otherwise : 0;
	if (s->notes && i < m->n)
		note_set(o, KP_M_NOTE_BAND, lab, num(v, a), m->gt && m->gt[i] ? ">" : "≥",
			 num(m->thr[i], b), num(o->pts, d));
	else if (s->notes)
		note_set(o, KP_M_NOTE_BAND_NONE, lab, num(v, a), num(m->thr[m->n - 1], b),
			 num(o->pts, d));
}

/* per_item: P minus per × the count, at most max. */
static void eval_peritem(scorer *s, const kp_method *m, double v, double P, outcome *o)
{
	char a[32], b[32], d[32];
	double x = m->per * v;

	if (m->has_max && cmpv(s, x, m->max) > 0)
		x = m->max;
	o->pts = P - x;
	if (s->notes)
		note_set(o, KP_M_NOTE_PER_ITEM, src_label(&m->src), num(v, a), num(m->per, b), num(x, d));
}

/* A method of one number v (the unit's value, or its default). */
static int eval_number(scorer *s, const kp_method *m, const mstat *st, const kp_colref *ref, double v, double P,
		       outcome *o, enum vstat *vs)
{
	int rc;

	if (m->kind == KP_M_TARGET) {
		if ((rc = eval_target(s, m, v, P, o, vs)) || *vs != V_VALUE)
			return rc;
	} else if (m->kind == KP_M_RATIO || m->kind == KP_M_MINMAX || m->kind == KP_M_RANK) {
		eval_relative(s, m, st, v, P, o);
	} else if (m->kind == KP_M_BANDS) {
		eval_bands(s, m, v, o);
	} else if (m->kind == KP_M_PERITEM) {
		if ((rc = count_negative(s, &m->src, ref, v, o->used_default)))
			return rc;
		eval_peritem(s, m, v, P, o);
	} else if (m->kind == KP_M_GIVEN) {
		eval_given(s, m, v, P, o); /* its note says what a trimmed average dropped */
		return 0;
	} else {
		return kp_err_msg(s->err, KP_EINTERNAL, KP_M_ENG_UNKNOWN_METHOD, s->ctx_where);
	}
	if (s->notes && !o->used_default)
		trim_note(s, o);
	return 0;
}

/* One method for the current unit: 0 or an error kind; the points and
 * note in o when *vs is V_VALUE (V_MISSING: a bonus without a value;
 * V_SKIP: the indicator is skipped). */
static int eval_method(scorer *s, const kp_method *m, const mstat *st, const kp_colref *ref, double P, outcome *o,
		       enum vstat *vs)
{
	double v = 0;
	int rc = 0;

	*vs = V_VALUE;
	if (m->kind == KP_M_FUNC)
		return eval_func(s, m->ref, o, vs);
	if (m->kind == KP_M_YESNO || m->kind == KP_M_DONE || m->kind == KP_M_LOOKUP)
		return eval_text_method(s, m, ref, P, o, vs);
	if (m->kind == KP_M_CHECKLIST)
		return eval_checklist(s, m, P, o, vs);
	if (m->kind == KP_M_BLEND)
		return eval_blend(s, m, P, o, vs);
	if (m->kind == KP_M_DEADLINE)
		return eval_deadline(s, m, ref, o, vs);
	s->last_acc.op = 0;
	if (st && st->on && st->val) {
		if (isnan(st->val[s->unit]))
			*vs = V_MISSING;
		else
			v = st->val[s->unit];
	} else {
		rc = get_num(s, &m->src, ref, s->unit, &v, vs);
	}
	if (!rc && *vs == V_MISSING)
		rc = on_missing(s, &m->src, ref, &v, NULL, o, vs);
	if (rc || *vs != V_VALUE)
		return rc;
	return eval_number(s, m, st, ref, v, P, o, vs);
}

/* ---- the items of one unit ---- */

static int add_item(scorer *s, int kind, int section, const char *name, double pts, double max,
		    const char *note, int skipped)
{
	kp_item *it;
	size_t n = note ? strlen(note) + 1 : 0;
	int rc;

	/* a rule's text is refused where it is read (KP_NOTE_MAX); its note as
	 * kept, with the engine's pieces and escapes, may be some longer */
	if (n > 4 * KP_NOTE_MAX + 1 && (rc = note_too_long(s, n - 1, 4 * KP_NOTE_MAX)))
		return rc;
	if (s->nitems == s->icap) {
		kp_item *p = kp_grow(s->items, &s->icap, s->nitems + 1, sizeof *p);
		if (!p)
			return kp_err_oom(s->err);
		s->items = p;
	}
	if (s->nused + n > s->ncap) {
		char *p = kp_grow(s->notebuf, &s->ncap, s->nused + n, 1);
		if (!p)
			return kp_err_oom(s->err);
		s->notebuf = p;
	}
	it = &s->items[s->nitems++];
	it->kind = kind, it->section = section, it->name = name;
	it->points = pts, it->max = max, it->skipped = skipped;
	it->note = note ? (const char *)(uintptr_t)(s->nused + 1) : NULL; /* offset + 1, fixed below */
	if (note)
		memcpy(s->notebuf + s->nused, note, n), s->nused += n;
	return 0;
}

/* Turn note offsets (into notes) into pointers, hand the items on, keep
 * them if asked. */
static int finish_list(scorer *s, size_t u, kp_item *items, size_t n, const char *notes)
{
	kp_unit_result *ur = &s->res->units[u];
	size_t i;
	int rc = 0;

	for (i = 0; i < n; i++)
		if (items[i].note)
			items[i].note = notes + ((uintptr_t)items[i].note - 1);
	if (s->o->sink && (rc = s->o->sink(s->o->sink_ud, s->res, u, items, n, s->err)))
		return rc;
	if (s->o->details && n) {
		kp_unit_more *m = kp_result_more(s->res, ur, s->err);
		if (!m || !(m->items = kp_result_alloc(s->res, n * sizeof *m->items, s->err)))
			return KP_EINTERNAL;
		m->nitems = n;
		for (i = 0; i < n; i++) {
			m->items[i] = items[i];
			if (items[i].note && !(m->items[i].note = kp_result_str(s->res, items[i].note, s->err)))
				return KP_EINTERNAL;
		}
	}
	return 0;
}

/* A worker's share of a batch: the items and notes of units from, from+1,
 * ..., packed; first[k] is unit from+k's first item (first[n] the end). */
typedef struct kp_pack {
	kp_item *items;
	size_t nitems, icap;
	char *notes;
	size_t nnotes, ncap;
	size_t *first;
	size_t nunits, ucap;
} kp_pack;

/* Keep the scored unit's items in the worker's pack (note offsets moved
 * to the pack's notes). */
static int pack_items(scorer *s)
{
	kp_pack *k = s->pack;
	kp_item *items;
	char *notes;
	size_t i, *first;

	if (!(items = kp_grow(k->items, &k->icap, k->nitems + s->nitems, sizeof *items)))
		return kp_err_oom(s->err);
	k->items = items;
	if (!(notes = kp_grow(k->notes, &k->ncap, k->nnotes + s->nused + 1, 1)))
		return kp_err_oom(s->err);
	k->notes = notes;
	if (!(first = kp_grow(k->first, &k->ucap, k->nunits + 2, sizeof *first)))
		return kp_err_oom(s->err);
	k->first = first;
	k->first[k->nunits++] = k->nitems;
	for (i = 0; i < s->nitems; i++) {
		kp_item it = s->items[i];
		if (it.note)
			it.note = (const char *)(uintptr_t)((uintptr_t)it.note + k->nnotes);
		k->items[k->nitems++] = it;
	}
	if (s->nused)
		memcpy(k->notes + k->nnotes, s->notebuf, s->nused);
	k->nnotes += s->nused;
	k->first[k->nunits] = k->nitems;
	return 0;
}

static int finish_items(scorer *s, size_t u)
{
	if (s->pack)
		return pack_items(s);
	return finish_list(s, u, s->items, s->nitems, s->notebuf);
}

static double clampd(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Points that overflowed (values near 1e308 in the data): never stored. */
static int not_finite(scorer *s)
{
	return kp_err_msg(s->err, KP_EDATA, KP_M_ENG_NOT_FINITE, s->ctx_where, s->ctx_kind, s->ctx_name,
			  unit_id(s, s->unit), unit_name(s, s->unit));
}

/* One deduction of the current unit: the amount into *amount, the note
 * into o (the caller frees it). */
static int score_deduction(scorer *s, const kp_deduction *dd, const kp_colref *ref, double *amount, outcome *o)
{
	char a[32], b[32];
	double cnt = 0;
	enum vstat vs;
	int rc;

	/* no indicator: nothing skips a deduction (vs is V_VALUE or V_MISSING) */
	enter(s, "deduction", dd->name, dd->where, NULL, 0, 0, NULL);
	if (dd->ref) {
		if ((rc = eval_func(s, dd->ref, o, &vs)))
			return rc;
		*amount = vs == V_VALUE ? o->pts : 0;
		/* below 0 the floor would take nothing, and drop the note: as a
		 * count function's negative count is */
		if (vs == V_VALUE && cmpv(s, *amount, 0) < 0) {
			char msg[320];
			kp_msg_format(msg, sizeof msg, KP_M_ENG_DEDUCTION_NEGATIVE, num(*amount, a));
			return rule_error(s, KP_ERULE, msg);
		}
	} else {
		if ((rc = get_num(s, &dd->count, ref, s->unit, &cnt, &vs)))
			return rc;
		if (vs == V_MISSING && dd->count.kind == KP_SRC_COL)
			return kp_score_missing_error(s, ref, dd->count.col);
		if (vs != V_VALUE)
			cnt = 0;
		if ((rc = count_negative(s, &dd->count, ref, cnt, 0)))
			return rc;
		*amount = dd->per * cnt;
		if (s->notes)
			note_set(o, KP_M_NOTE_DED_COUNT, src_label(&dd->count), num(cnt, a), kp_deduction_unit(dd),
				 kp_deduction_unit(dd), num(dd->per, b));
	}
	if (!isfinite(*amount))
		return not_finite(s);
	if (dd->has_max && cmpv(s, *amount, dd->max) > 0) {
		*amount = dd->max;
		if (s->notes)
			note_msg(o, KP_M_NOTE_DED_MAX, num(dd->max, a));
	}
	if (cmpv(s, *amount, 0) <= 0)
		*amount = 0;
	if (s->notes)
		note_msg(o, KP_M_NOTE_DED_TAKEN, num(kp_num_round(*amount, 4), a));
	return note_ok(s, o);
}

/* An indicator's points from its method's outcome: within [0, points]
 * unless clamp = false, rounded when items are, said in the note. */
static int indicator_points(scorer *s, const kp_indicator *ind, outcome *o, double *pts)
{
	const kp_rules *r = s->r;

	if (!isfinite(o->pts))
		return not_finite(s);
	if (ind->clamp && (o->pts < 0 || o->pts > ind->points)) {
		/* a note only when the points as compared are out of range */
		if ((cmpv(s, o->pts, 0) < 0 || cmpv(s, o->pts, ind->points) > 0) && s->notes)
			note_msg(o, KP_M_NOTE_COUNTED_AS, o->pts < 0 ? "0" : num(ind->points, (char[32]){0}));
		o->pts = clampd(o->pts, 0, ind->points);
	}
	if (o->used_default && s->notes)
		note_msg(o, KP_M_NOTE_DEFAULT_USED);
	if (r->round_items)
		o->pts = kp_num_round(o->pts, r->precision);
	*pts = o->pts;
	return note_ok(s, o);
}

/* One indicator of the current unit: its points into *pts, or *vs V_SKIP
 * when a missing value skips it (an indicator never ends V_MISSING:
 * on_missing decides). */
static int score_indicator(scorer *s, const char **names, size_t i, int k, double *pts, enum vstat *vs)
{
	const kp_rules *r = s->r;
	const kp_indicator *ind = &r->ind[i];
	outcome o;
	char nb[64];
	int rc;

	outcome_init(&o);
	enter(s, "indicator", ind->name, ind->where, ind, ind->has_default, ind->dflt, ind->dflt_text);
	*vs = V_SKIP;
	if (!kp_indicator_applies(ind, s->d->cat[s->unit])) /* 百分制折算 for this category */
		return s->notes ? add_item(s, KP_ITEM_INDICATOR, k, names[i], 0, ind->points,
					   (piece(nb, sizeof nb, KP_M_NOTE_NOT_ASSESSED), nb), 1) : 0;
	s->goal_ref = &s->ind_goal[i];
	rc = eval_method(s, &ind->m, &s->ind_stat[i], &s->ind_ref[i], ind->points, &o, vs);
	if (rc || *vs != V_SKIP) {
		rc = rc ? rc : indicator_points(s, ind, &o, pts);
		if (!rc && s->notes)
			rc = add_item(s, KP_ITEM_INDICATOR, k, names[i], o.pts, ind->points, note_text(&o), 0);
		outcome_free(&o);
		return rc;
	}
	outcome_free(&o);
	return s->notes ? add_item(s, KP_ITEM_INDICATOR, k, names[i], 0, ind->points,
				   (piece(nb, sizeof nb, KP_M_NOTE_NO_DATA_SKIPPED), nb), 1) : 0;
}

/* "扣完为止" as an item of its own: the points of nominal deductions that
 * the floor at 0 did not take, so the items of explain add up. */
static int floor_item(scorer *s, int section, double nominal, double taken)
{
	char note[256], a[32], b[32];

	if (!s->notes || cmpv(s, nominal, taken) <= 0)
		return 0;
	if (section >= 0)
		piece(note, sizeof note, KP_M_NOTE_FLOOR_SECTION, num(nominal, a), num(taken, b));
	else
		piece(note, sizeof note, KP_M_NOTE_FLOOR_TOTAL, num(nominal, a), num(taken, b));
	return add_item(s, KP_ITEM_NOTE, section, KP_ITEM_FLOOR_NAME, nominal - taken, 0, note, 0);
}

/* Section k's own deductions from its (rescaled) indicator points *pts,
 * never below 0 (扣完为止), not scaled.  *pts becomes the section's
 * points, *taken the deductions (as declared: what 扣完为止 gave back is
 * an item of its own). */
static int section_deductions(scorer *s, const char **names, size_t k, double f, double *pts, double *taken)
{
	const kp_rules *r = s->r;
	double before = *pts, ssum = *pts, nominal = 0;
	size_t i;
	int rc;

	for (i = 0; i < r->nded; i++) {
		outcome o;
		double amount;
		if (r->ded[i].section != (int)k)
			continue;
		outcome_init(&o);
		rc = score_deduction(s, &r->ded[i], &s->ded_ref[i], &amount, &o);
		if (!rc && s->notes && amount > 0)
			rc = add_item(s, KP_ITEM_SECTION_DED, (int)k, names[r->nind + i], amount,
				      r->ded[i].has_max ? r->ded[i].max : 0, note_text(&o), 0);
		outcome_free(&o);
		if (rc)
			return rc;
		ssum -= amount;
		nominal += amount;
	}
	if (ssum < 0)
		ssum = 0;
	if (r->round_items && f == 1)
		ssum = kp_num_round(ssum, r->precision);
	*taken = nominal;
	*pts = ssum;
	return nominal > 0 ? floor_item(s, (int)k, nominal, before - ssum) : 0;
}

/* "总分封顶" as an item of its own: what max_total took off the total
 * (points below 0), so the items of explain add up to it. */
static int cap_item(scorer *s, double t, double max)
{
	char note[256], a[32], b[32], c[32];

	if (!s->notes || kp_num_cmp(t, max, s->r->precision) <= 0)
		return 0; /* a cap that the printed total does not show */
	piece(note, sizeof note, KP_M_NOTE_MAX_TOTAL, num(t, a), num(max, b), num(max, c));
	return add_item(s, KP_ITEM_NOTE, -1, KP_ITEM_CAP_NAME, max - t, 0, note, 0);
}

/* A base-score section (基础分) starts at its points, never rescaled; the
 * start is an item of its own, so explain adds up. */
static int base_item(scorer *s, size_t k, double *pts)
{
	char note[128], a[32];
	const kp_section *sec = &s->r->sec[k];

	*pts = sec->points;
	if (!s->notes)
		return 0;
	piece(note, sizeof note, KP_M_NOTE_BASE, num(sec->points, a));
	return add_item(s, KP_ITEM_NOTE, (int)k, KP_ITEM_BASE_NAME, sec->points, sec->points, note, 0);
}

/* 缺项折算 as an item of its own: what was skipped, how the rest is scaled. */
static int rescale_item(scorer *s, double skipped, double full)
{
	char note[256], a[32], b[32], c[32];

	if (!s->notes)
		return 0;
	piece(note, sizeof note, KP_M_NOTE_SKIPPED, num(skipped, a), num(full, b), num(full - skipped, c));
	return add_item(s, KP_ITEM_NOTE, -1, KP_ITEM_RESCALE_NAME, 0, 0, note, 0);
}

/* The sections of one unit.  Indicators first; when missing values
 * skipped some (缺项), every section's indicator points are scaled by
 * full points / points scored (and left unrounded: the total is rounded
 * once), so the sections still add up to the total; then each section's
 * own deductions.  *base: the sections after their deductions (what the
 * total is made of); *before: before them; *taken: what they took. */
static int score_sections(scorer *s, const char **names, double *base, double *before, double *taken)
{
	const kp_rules *r = s->r;
	kp_result *res = s->res;
	size_t u = s->unit, i, k;
	double full = 0, skipped = 0, sum = 0, f = 1;
	size_t scored = 0, last_skip = 0;
	int rc;

	*base = *before = *taken = 0;
	s->rescaled = 0;
	for (k = 0; k < r->nsec; k++) {
		const kp_section *sec = &r->sec[k];
		double ssum = 0, pts = 0;
		for (i = sec->first; i < sec->first + sec->count; i++) {
			enum vstat vs;
			full += r->ind[i].points;
			if ((rc = score_indicator(s, names, i, (int)k, &pts, &vs)))
				return rc;
			if (vs == V_SKIP)
				skipped += r->ind[i].points, last_skip = i;
			else
				ssum += pts, scored++;
		}
		KP_SEC(res, u, k) = ssum;
	}
	/* every indicator left out: full ÷ nothing scored has no value, and
	 * the unit must not rank with 0 points it was never scored on */
	if (skipped > 0 && scored == 0)
		return kp_err_msg(s->err, KP_EDATA, KP_M_ENG_ALL_SKIPPED, r->ind[last_skip].where, unit_id(s, u),
				  unit_name(s, u));
	if (skipped > 0 && full > skipped) {
		f = full / (full - skipped);
		s->rescaled = 1;
		if ((rc = rescale_item(s, skipped, full)))
			return rc;
	}
	for (k = 0; k < r->nsec; k++) {
		double ssum = KP_SEC(res, u, k) * f, took;
		if (r->sec[k].base && (rc = base_item(s, k, &ssum)))
			return rc;
		if ((rc = section_deductions(s, names, k, r->sec[k].base ? 1 : f, &ssum, &took)))
			return rc;
		/* scaled points count unrounded: the total is rounded once, so a
		 * unit with full marks on what it could score gets 100, not 100.01;
		 * the section is kept as printed */
		sum += ssum;
		*before += took > 0 ? (r->sec[k].base ? r->sec[k].points : KP_SEC(res, u, k) * f) : ssum;
		*taken += took;
		KP_SEC(res, u, k) = r->round_items ? kp_num_round(ssum, r->precision) : ssum;
	}
	*base = sum;
	return 0;
}

/* Does veto i fire for the current unit? */
static int veto_fires(scorer *s, const kp_veto *v, size_t i, int *fired)
{
	textv t = {0};
	char q[KP_ERR_QUOTE];
	enum vstat vs;
	int rc;

	*fired = 0;
	if (v->when.kind == KP_SRC_FUNC) { /* a veto is no indicator: never skipped */
		kp_fnval fv;
		if ((rc = kp_score_call_fn(s, v->when.ref, KP_FN_UNIT_CTX, NULL, 0, 1, &fv, &vs)) || vs != V_VALUE)
			return rc;
		return fn_yes_no(s, &fv, fired);
	}
	rc = get_text(s, &v->when, &s->veto_ref[i], s->unit, &t, &vs);
	if (!rc && vs == V_VALUE && says_none(s, &v->when, NULL, t.p))
		vs = V_MISSING;
	if (!rc && vs == V_MISSING && v->dflt_text)
		t.p = v->dflt_text;
	else if (!rc && vs == V_MISSING && v->when.kind == KP_SRC_COL) /* a blank is no "no": say so */
		rc = kp_score_missing_error(s, &s->veto_ref[i], v->when.col);
	else if (!rc && vs != V_VALUE)
		t.p = "0";
	if (!rc && (*fired = yes_no_at(s, t.p)) < 0) {
		vwhere w;
		value_where(&w, s, &s->veto_ref[i], v->where);
		rc = kp_err_msg(s->err, KP_EDATA, KP_M_ENG_VETO_NOT_YES_NO, w.file, w.line, src_label_msg(&v->when),
				unit_id(s, s->unit), kp_err_quote(t.p, q));
	}
	text_free(&t);
	return rc;
}

/* The reason of a veto that fired, whole, into t. */
static int veto_reason(scorer *s, const kp_veto *v, textv *t)
{
	int rc;

	if (!v->reason_ref) {
		t->p = v->reason ? v->reason : v->name;
		return 0;
	}
	kp_fnval fv;
	enum vstat vs;
	if ((rc = kp_score_call_fn(s, v->reason_ref, KP_FN_UNIT, NULL, 0, 1, &fv, &vs)))
		return rc;
	if (vs != V_VALUE) /* never for a veto: no indicator to skip */
		return text_copy(s, t, v->name);
	rc = text_copy(s, t, fv.text ? fv.text : v->name); /* a text or a number; else the veto's name */
	kp_fnval_free(&fv);
	return rc;
}

static int check_vetoes(scorer *s, const char **names, kp_unit_result *ur)
{
	const kp_rules *r = s->r;
	kp_unit_more *more;
	size_t i, len;
	int rc;

	for (i = 0; i < r->nveto; i++) {
		const kp_veto *v = &r->veto[i];
		textv t = {0};
		int fired = 0;
		enter(s, "veto", v->name, v->where, NULL, v->dflt_text != NULL, 0, v->dflt_text);
		if ((rc = veto_fires(s, v, i, &fired)))
			return rc;
		if (!fired)
			continue;
		if ((rc = veto_reason(s, v, &t)))
			return rc;
		if (t.p && (len = strlen(t.p)) > KP_NOTE_MAX) {
			rc = note_too_long(s, len, KP_NOTE_MAX);
			text_free(&t);
			return rc;
		}
		if (!ur->veto && (!(more = kp_result_more(s->res, ur, s->err)) ||
				  !(more->veto_reason = v->reason_ref ? kp_result_str(s->res, t.p, s->err) : s->veto_reason[i])))
			rc = KP_EINTERNAL;
		ur->veto = 1;
		if (!rc && s->notes)
			rc = add_item(s, KP_ITEM_VETO, -1, names[r->nind + r->nded + r->nbon + i], 0, 0, t.p, 0);
		text_free(&t);
		if (rc)
			return rc;
	}
	return 0;
}

/* The deductions from the total (not inside a section). */
static int total_deductions(scorer *s, const char **names, double *ded)
{
	const kp_rules *r = s->r;
	size_t i;
	int rc;

	*ded = 0;
	for (i = 0; i < r->nded; i++) {
		outcome o;
		double amount;
		if (r->ded[i].section >= 0)
			continue;
		outcome_init(&o);
		rc = score_deduction(s, &r->ded[i], &s->ded_ref[i], &amount, &o);
		if (!rc && s->notes && amount > 0)
			rc = add_item(s, KP_ITEM_DEDUCTION, -1, names[r->nind + i], amount,
				      r->ded[i].has_max ? r->ded[i].max : 0, note_text(&o), 0);
		outcome_free(&o);
		if (rc)
			return rc;
		*ded += amount;
	}
	return 0;
}

/* Every bonus, each within [0, max], all within bonus_max. */
static int score_bonuses(scorer *s, const char **names, double *bonus)
{
	const kp_rules *r = s->r;
	size_t i;
	int rc;

	*bonus = 0;
	for (i = 0; i < r->nbon; i++) {
		const kp_bonus *b = &r->bon[i];
		outcome o;
		enum vstat vs;
		outcome_init(&o);
		enter(s, "bonus", b->name, b->where, NULL, b->has_default, b->dflt, b->dflt_text);
		s->goal_ref = &s->bon_goal[i];
		rc = eval_method(s, &b->m, &s->bon_stat[i], &s->bon_ref[i], b->max, &o, &vs);
		if (!rc && vs != V_VALUE) { /* no value, no bonus */
			outcome_free(&o);
			continue;
		}
		if (!rc && !isfinite(o.pts))
			rc = not_finite(s);
		if (!rc) {
			o.pts = clampd(o.pts, 0, b->max);
			if (r->has_bonus_max && cmpv(s, *bonus + o.pts, r->bonus_max) > 0) {
				o.pts = r->bonus_max - *bonus > 0 ? r->bonus_max - *bonus : 0;
				if (s->notes)
					note_msg(&o, KP_M_NOTE_BONUS_CAP, num(r->bonus_max, (char[32]){0}));
			}
			*bonus += o.pts;
			rc = note_ok(s, &o);
		}
		if (!rc && s->notes && cmpv(s, o.pts, 0) > 0)
			rc = add_item(s, KP_ITEM_BONUS, -1, names[r->nind + r->nded + i], o.pts, b->max, note_text(&o), 0);
		outcome_free(&o);
		if (rc)
			return rc;
	}
	return 0;
}

/* 折算尾差: rescaled sections are printed each rounded, the total is
 * rounded once from their unrounded sum, so the printed sections, the
 * total's deductions and the bonus can miss the total by a cent.  The
 * total stays as computed; the difference is an item of its own. */
static int rescale_residue(scorer *s, double ded, double bonus, double total)
{
	const kp_rules *r = s->r;
	int p = r->precision;
	double shown = 0, diff;
	char note[256 + 2 * KP_NUM_MAX], a[KP_NUM_MAX], b[KP_NUM_MAX];
	size_t k;

	for (k = 0; k < r->nsec; k++)
		shown += kp_num_round(KP_SEC(s->res, s->unit, k), p);
	shown = kp_num_round(shown, p) - kp_num_round(ded, p) + kp_num_round(bonus, p);
	diff = kp_num_round(total - shown, p);
	if (cmpv(s, diff, 0) == 0)
		return 0;
	piece(note, sizeof note, KP_M_NOTE_RESIDUE, kp_num_fixed(kp_num_round(shown, p), p, a, sizeof a),
	      kp_num_fixed(diff, p, b, sizeof b));
	return add_item(s, KP_ITEM_NOTE, -1, KP_ITEM_RESIDUE_NAME, diff, 0, note, 0);
}

/* Last year's result of the unit, when known; its rank only when it was
 * ranked in the category the unit is ranked in now (README: the rank
 * change is not compared when the unit changed category). */
static int find_last(scorer *s, kp_unit_result *ur)
{
	const kp_last_unit *lu = kp_last_find(s->o->last, ur->id);
	kp_unit_more *m;

	if (!lu)
		return 0;
	if (!(m = kp_result_more(s->res, ur, s->err)))
		return KP_EINTERNAL;
	m->has_last = 1, m->last_total = lu->total;
	if (lu->category && !strcmp(lu->category, s->r->cat[ur->category].name))
		m->has_last_rank = 1, m->last_rank = lu->rank;
	return 0;
}

/* One unit.  base is what the sections scored before their own
 * deductions, deductions every deduction (inside sections and from the
 * total): base − deductions + what 扣完为止 gave back + bonus is the
 * total, up to max_total. */
static int score_unit(scorer *s, size_t u, const char **names)
{
	const kp_rules *r = s->r;
	kp_unit_result *ur = &s->res->units[u];
	double base, before, sec_taken, ded, bonus, t;
	int rc, exact = 1; /* the total is the sections' sum, no floor or cap */

	s->unit = u, s->first_call = 1, s->nitems = 0, s->nused = 0;
	ur->id = unit_id(s, u);
	ur->scored = (unsigned)u;
	ur->name = unit_name(s, u);
	ur->category = s->d->cat[u];
	if ((rc = score_sections(s, names, &base, &before, &sec_taken)) || (rc = total_deductions(s, names, &ded)))
		return rc;
	t = base - ded;
	if (t < 0) {
		if ((rc = floor_item(s, -1, ded, base)))
			return rc;
		t = 0, exact = 0;
	}
	if ((rc = score_bonuses(s, names, &bonus)))
		return rc;
	t += bonus;
	if (r->has_max_total && t > r->max_total) {
		if ((rc = cap_item(s, t, r->max_total)))
			return rc;
		t = r->max_total, exact = 0;
	}
	if (!isfinite(t)) /* no item to name: the sum of the sections */
		return kp_err_msg(s->err, KP_EDATA, KP_M_ENG_TOTAL_NOT_FINITE, s->r->file, unit_id(s, u), unit_name(s, u));
	ur->base = before, ur->deductions = sec_taken + ded, ur->bonus = bonus, ur->raw = t;
	ur->total = kp_num_round(t, r->precision);
	if (s->notes && s->rescaled && exact && (rc = rescale_residue(s, ded, bonus, ur->total)))
		return rc;
	if ((rc = check_vetoes(s, names, ur)))
		return rc;
	if ((rc = find_last(s, ur)))
		return rc;
	return s->notes ? finish_items(s, u) : 0;
}

/* ---- the run ---- */

/* A column source bound to its column; one no imported file has is an
 * error, with the nearest column when one is close. */
static int resolve(scorer *s, const kp_src *src, kp_colref *ref, const char *kind, const char *name, const char *where)
{
	const kp_table *in = NULL;
	const char *near;

	if (src->kind != KP_SRC_COL || kp_data_column(s->d, src->col, ref) == 0)
		return 0;
	if ((near = kp_data_near_column(s->d, src->col, &in)))
		return kp_err_msg(s->err, KP_EDATA, KP_M_ENG_NO_COLUMN_NEAR, where, kind, name, src->col, near, in->file);
	return kp_err_msg(s->err, KP_EDATA, KP_M_ENG_NO_COLUMN_ANY,
			  where, kind, name, src->col);
}

static int resolve_all(scorer *s)
{
	const kp_rules *r = s->r;
	size_t i;
	int rc = 0;

	s->ind_ref = calloc(r->nind + 1, sizeof *s->ind_ref);
	s->bon_ref = calloc(r->nbon + 1, sizeof *s->bon_ref);
	s->ded_ref = calloc(r->nded + 1, sizeof *s->ded_ref);
	s->veto_ref = calloc(r->nveto + 1, sizeof *s->veto_ref);
	s->chk_ref = calloc(r->ncheck + 1, sizeof *s->chk_ref);
	s->ind_goal = calloc(r->nind + 1, sizeof *s->ind_goal);
	s->bon_goal = calloc(r->nbon + 1, sizeof *s->bon_goal);
	s->ind_stat = calloc(r->nind + 1, sizeof *s->ind_stat);
	s->bon_stat = calloc(r->nbon + 1, sizeof *s->bon_stat);
	s->part_ref = calloc(r->npart + 1, sizeof *s->part_ref);
	if (!s->ind_ref || !s->bon_ref || !s->ded_ref || !s->veto_ref || !s->chk_ref || !s->ind_goal || !s->bon_goal ||
	    !s->ind_stat || !s->bon_stat || !s->part_ref)
		return kp_err_oom(s->err);
	for (i = 0; i < r->nind && !rc; i++)
		rc = resolve(s, &r->ind[i].m.src, &s->ind_ref[i], "indicator", r->ind[i].name, r->ind[i].where);
	for (i = 0; i < r->nbon && !rc; i++)
		rc = resolve(s, &r->bon[i].m.src, &s->bon_ref[i], "bonus", r->bon[i].name, r->bon[i].where);
	for (i = 0; i < r->nded && !rc; i++)
		rc = resolve(s, &r->ded[i].count, &s->ded_ref[i], "deduction", r->ded[i].name, r->ded[i].where);
	for (i = 0; i < r->nveto && !rc; i++)
		rc = resolve(s, &r->veto[i].when, &s->veto_ref[i], "veto", r->veto[i].name, r->veto[i].where);
	for (i = 0; i < r->nind && !rc; i++)
		rc = resolve(s, &r->ind[i].m.goal_src, &s->ind_goal[i], "indicator", r->ind[i].name, r->ind[i].where);
	for (i = 0; i < r->nbon && !rc; i++)
		rc = resolve(s, &r->bon[i].m.goal_src, &s->bon_goal[i], "bonus", r->bon[i].name, r->bon[i].where);
	for (i = 0; i < r->nind && !rc; i++) {
		const kp_method *m = &r->ind[i].m;
		size_t k;
		for (k = m->first; m->kind == KP_M_CHECKLIST && k < m->first + m->count && !rc; k++)
			rc = resolve(s, &r->check[k].src, &s->chk_ref[k], "indicator", r->ind[i].name, r->ind[i].where);
		for (k = m->first; m->kind == KP_M_BLEND && k < m->first + m->count && !rc; k++)
			rc = resolve(s, &r->part[k].src, &s->part_ref[k], "indicator", r->ind[i].name, r->ind[i].where);
	}
	for (i = 0; i < r->nbon && !rc; i++) {
		const kp_method *m = &r->bon[i].m;
		size_t k;
		for (k = m->first; m->kind == KP_M_BLEND && k < m->first + m->count && !rc; k++)
			rc = resolve(s, &r->part[k].src, &s->part_ref[k], "bonus", r->bon[i].name, r->bon[i].where);
	}
	return rc;
}

/* The time of the run as the store records it (UTC, ISO 8601). */
static const char *scored_now(kp_result *res, kp_err *err)
{
	time_t t = time(NULL);
	struct tm tm;
	char buf[32];

	if (!gmtime_r(&t, &tm) || !strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm))
		return NULL;
	return kp_result_str(res, buf, err);
}

/* The result's head: the rules' title and year, the sections, grades and
 * categories, room for the units. */
static int init_head(scorer *s)
{
	const kp_rules *r = s->r;
	kp_result *res = s->res;
	size_t n = s->d->nunits, i;

	res->title = kp_result_str(res, r->title, s->err);
	res->year = r->year;
	res->precision = r->precision;
	res->rules_file = kp_result_str(res, r->file, s->err);
	res->rules_sha256 = kp_result_str(res, r->sha256, s->err);
	res->office = kp_result_str(res, r->office, s->err);
	res->scored_at = scored_now(res, s->err);
	res->nsections = r->nsec;
	res->sections = kp_result_alloc(res, (r->nsec + 1) * sizeof *res->sections, s->err);
	res->section_points = kp_result_alloc(res, (r->nsec + 1) * sizeof *res->section_points, s->err);
	res->ngrades = r->ngrade;
	res->grades = kp_result_alloc(res, (r->ngrade + 1) * sizeof *res->grades, s->err);
	res->ncategories = r->ncat;
	res->categories = calloc(r->ncat + 1, sizeof *res->categories);
	res->nunits = n;
	res->units = calloc(n + 1, sizeof *res->units);
	res->sec = calloc(n * r->nsec + 1, sizeof *res->sec);
	if (!res->sections || !res->section_points || !res->grades || !res->categories || !res->units || !res->sec)
		return kp_err_oom(s->err);
	for (i = 0; i < r->nsec; i++) {
		res->sections[i] = kp_result_str(res, r->sec[i].name, s->err);
		res->section_points[i] = r->sec[i].points;
	}
	for (i = 0; i < r->ngrade; i++)
		res->grades[i] = kp_result_str(res, r->grade[i].name, s->err);
	for (i = 0; i < r->ncat; i++) {
		res->categories[i].name = kp_result_str(res, r->cat[i].name, s->err);
		res->categories[i].quota = r->cat[i].quota;
	}
	if (s->o->last)
		res->last_year = s->o->last->year;
	return 0;
}

/* The names of the items (indicators, deductions, bonuses, vetoes in that
 * order) and the vetoes' fixed reasons, copied into the result's pool. */
static int item_names(scorer *s, const char ***names)
{
	const kp_rules *r = s->r;
	kp_result *res = s->res;
	size_t i, k = 0;
	const char **nm = kp_result_alloc(res, (r->nind + r->nded + r->nbon + r->nveto + 1) * sizeof *nm, s->err);

	if (!nm)
		return KP_EINTERNAL;
	for (i = 0; i < r->nind; i++)
		nm[k++] = kp_result_str(res, r->ind[i].name, s->err);
	for (i = 0; i < r->nded; i++)
		nm[k++] = kp_result_str(res, r->ded[i].name, s->err);
	for (i = 0; i < r->nbon; i++)
		nm[k++] = kp_result_str(res, r->bon[i].name, s->err);
	for (i = 0; i < r->nveto; i++)
		nm[k++] = kp_result_str(res, r->veto[i].name, s->err);
	for (i = 0; i < k; i++)
		if (!nm[i])
			return KP_EINTERNAL;
	if (!(s->veto_reason = kp_result_alloc(res, (r->nveto + 1) * sizeof *s->veto_reason, s->err)))
		return KP_EINTERNAL;
	for (i = 0; i < r->nveto; i++)
		if (!(s->veto_reason[i] = kp_result_str(res, r->veto[i].reason ? r->veto[i].reason : r->veto[i].name, s->err)))
			return KP_EINTERNAL;
	*names = nm;
	return 0;
}

static int init_result(scorer *s, const char ***names)
{
	int rc = init_head(s);

	return rc ? rc : item_names(s, names);
}

/* ---- statistics kept with a run: one unit scored again alone ---- */

static int derived_stat(const kp_method *m)
{
	return m->kind == KP_M_RATIO || m->kind == KP_M_MINMAX;
}

int kp_score_derivable(const kp_rules *r)
{
	size_t i;

	if (r->uses_lua || r->eligible_ref || r->nmodule || r->nevent)
		return 0;
	for (i = 0; i < r->nind + r->nbon; i++) {
		const kp_method *m = i < r->nind ? &r->ind[i].m : &r->bon[i - r->nind].m;
		if (needs_stat(m) && (m->kind == KP_M_RANK || m->src.kind != KP_SRC_COL))
			return 0;
	}
	return 1;
}

void kp_score_stats_free(kp_score_stats *st)
{
	if (st) {
		free(st->v);
		st->v = NULL, st->n = 0;
	}
}

/* The statistics of method i over ind|bon, or NULL when it has none. */
static mstat *stat_of(scorer *s, size_t i)
{
	const kp_rules *r = s->r;
	const kp_method *m = i < r->nind ? &r->ind[i].m : &r->bon[i - r->nind].m;

	if (!derived_stat(m))
		return NULL;
	return i < r->nind ? &s->ind_stat[i] : &s->bon_stat[i - r->nind];
}

static size_t stats_count(scorer *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->r->nind + s->r->nbon; i++)
		if (stat_of(s, i))
			n += 2 * (s->r->ncat + 1);
	return n;
}

/* The run's statistics into o->stats_out. */
static int stats_export(scorer *s)
{
	kp_score_stats *out = s->o->stats_out;
	size_t i, k = 0, nc = s->r->ncat + 1, n = stats_count(s);
	mstat *st;

	if (!(out->v = malloc((n + 1) * sizeof *out->v)))
		return kp_err_oom(s->err);
	out->n = n;
	for (i = 0; i < s->r->nind + s->r->nbon; i++) {
		if (!(st = stat_of(s, i)))
			continue;
		memcpy(out->v + k, st->max, nc * sizeof *st->max);
		memcpy(out->v + k + nc, st->min, nc * sizeof *st->min);
		k += 2 * nc;
	}
	return 0;
}

/* The statistics of o->stats_in in place of computing them: as many as
 * the rules need, none NaN, each scope's lowest not above its highest
 * unless it had no value (HUGE_VAL, -HUGE_VAL); else KP_EDATA. */
static int stats_import(scorer *s)
{
	const kp_score_stats *in = s->o->stats_in;
	size_t i, c, k = 0, nc = s->r->ncat + 1;
	mstat *st;

	if (!in->v || in->n != stats_count(s))
		return kp_err_msg(s->err, KP_EDATA, KP_M_ENG_STATS_DO_NOT_FIT, in->n, stats_count(s));
	for (i = 0; i < s->r->nind + s->r->nbon; i++) {
		if (!(st = stat_of(s, i)))
			continue;
		st->on = 1;
		st->max = malloc(nc * sizeof *st->max);
		st->min = malloc(nc * sizeof *st->min);
		if (!st->max || !st->min)
			return kp_err_oom(s->err);
		memcpy(st->max, in->v + k, nc * sizeof *st->max);
		memcpy(st->min, in->v + k + nc, nc * sizeof *st->min);
		k += 2 * nc;
		for (c = 0; c < nc; c++)
			if (isnan(st->max[c]) || isnan(st->min[c]) ||
			    (st->min[c] > st->max[c] && !(st->min[c] == HUGE_VAL && st->max[c] == -HUGE_VAL)))
				return kp_err_msg(s->err, KP_EDATA, KP_M_ENG_STATS_DO_NOT_FIT, in->n, stats_count(s));
	}
	return 0;
}

static int compute_stats(scorer *s)
{
	const kp_rules *r = s->r;
	size_t i;
	int rc = 0;

	if (s->o->stats_in)
		return stats_import(s);

	for (i = 0; i < r->nind && !rc; i++) {
		if (!needs_stat(&r->ind[i].m))
			continue;
		enter(s, "indicator", r->ind[i].name, r->ind[i].where, &r->ind[i], r->ind[i].has_default, r->ind[i].dflt,
		      r->ind[i].dflt_text);
		rc = compute_stat(s, &r->ind[i].m, &s->ind_ref[i], &s->ind_stat[i]);
	}
	for (i = 0; i < r->nbon && !rc; i++) {
		if (!needs_stat(&r->bon[i].m))
			continue;
		enter(s, "bonus", r->bon[i].name, r->bon[i].where, NULL, r->bon[i].has_default, r->bon[i].dflt,
		      r->bon[i].dflt_text);
		rc = compute_stat(s, &r->bon[i].m, &s->bon_ref[i], &s->bon_stat[i]);
	}
	return rc;
}

/* commend { eligible = function(r) ... end }, called by the ranking. */
static int eligible_fn(void *ud, const kp_result *res, size_t unit, int *ok, kp_err *err)
{
	scorer *s = ud;
	kp_fnval v;
	int rc;

	(void)err;
	s->ctx_kind = "commend", s->ctx_name = "eligible", s->ctx_where = s->r->file;
	s->unit = res->units[unit].scored;
	s->first_call = 1;
	if ((rc = kp_score_call_eligible(s, res, unit, &v)))
		return rc;
	return fn_yes_no(s, &v, ok);
}

static void scorer_free(scorer *s)
{
	size_t i;

	for (i = 0; s->ind_stat && i < s->r->nind; i++)
		free_stat(&s->ind_stat[i]);
	for (i = 0; s->bon_stat && i < s->r->nbon; i++)
		free_stat(&s->bon_stat[i]);
	kp_score_lua_close(s);
	free(s->ind_ref), free(s->bon_ref), free(s->ded_ref), free(s->veto_ref), free(s->chk_ref);
	free(s->ind_goal), free(s->bon_goal), free(s->part_ref);
	free(s->ind_stat), free(s->bon_stat), free(s->items), free(s->notebuf);
}

/* ---- both cores: rules without Lua, no notes ---- */

typedef struct worker {
	scorer s;              /* a copy with its own buffers and error record */
	kp_pack pk;            /* batched runs: what it scored, for the main thread */
	kp_err err;
	const char **names;
	size_t from, to;       /* units, or methods by stride for the statistics */
	int stats, part, parts;
	int rc;
} worker;

static void *work(void *arg)
{
	worker *w = arg;
	size_t i, u;

	if (w->stats) {
		const kp_rules *r = w->s.r;
		for (i = (size_t)w->part; i < r->nind + r->nbon && !w->rc; i += (size_t)w->parts) {
			const kp_method *m = i < r->nind ? &r->ind[i].m : &r->bon[i - r->nind].m;
			if (!needs_stat(m))
				continue;
			if (i < r->nind)
				enter(&w->s, "indicator", r->ind[i].name, r->ind[i].where, &r->ind[i], r->ind[i].has_default,
				      r->ind[i].dflt, r->ind[i].dflt_text);
			else
				enter(&w->s, "bonus", r->bon[i - r->nind].name, r->bon[i - r->nind].where, NULL,
				      r->bon[i - r->nind].has_default, r->bon[i - r->nind].dflt, r->bon[i - r->nind].dflt_text);
			w->rc = compute_stat(&w->s, m, i < r->nind ? &w->s.ind_ref[i] : &w->s.bon_ref[i - r->nind],
					     i < r->nind ? &w->s.ind_stat[i] : &w->s.bon_stat[i - r->nind]);
		}
		return NULL;
	}
	for (u = w->from; u < w->to && !w->rc; u++)
		w->rc = score_unit(&w->s, u, w->names);
	return NULL;
}

static int threads_for(const scorer *s)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	int t = s->o->threads > 0 ? s->o->threads : (int)(n > 0 ? n : 1);

	if (s->r->uses_lua || s->d->nunits < 20000)
		return 1;
	return t > 8 ? 8 : t;
}

static void worker_init(worker *w, const scorer *s, const char **names, int stats, int part, int parts)
{
	memset(w, 0, sizeof *w);
	w->s = *s;
	w->s.items = NULL, w->s.notebuf = NULL, w->s.icap = w->s.ncap = 0;
	w->s.err = &w->err;
	w->names = names, w->stats = stats, w->part = part, w->parts = parts;
}

static void worker_free(worker *w)
{
	free(w->s.items), free(w->s.notebuf), kp_err_clear(&w->err);
	free(w->pk.items), free(w->pk.notes), free(w->pk.first);
}

/* The first failure among workers, in unit order, into s's record. */
static int worker_error(scorer *s, worker *w, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (w[i].rc) { /* message, identifier and traceback */
			kp_err_move(s->err, &w[i].err);
			return w[i].rc;
		}
	return 0;
}

/* Statistics (stats = 1) or the units, spread over nt threads. */
static int run_parallel(scorer *s, const char **names, int stats, int nt)
{
	worker w[8];
	size_t n = s->d->nunits;
	int i, rc;

	for (i = 0; i < nt; i++) {
		worker_init(&w[i], s, names, stats, i, nt);
		w[i].from = n * (size_t)i / (size_t)nt, w[i].to = n * (size_t)(i + 1) / (size_t)nt;
	}
	kp_par_run(w, (size_t)nt, sizeof w[0], work);
	rc = worker_error(s, w, nt); /* the first failing unit in order, as one thread would report */
	for (i = 0; i < nt; i++)
		worker_free(&w[i]);
	return rc;
}

/* ---- both cores with notes: batches scored by workers while the main
 * thread hands the batch before on, unit by unit in order (the sink, a
 * database, takes one writer).  A worker per core, the main thread beside
 * them: handing on takes less than scoring, so a core kept for it alone
 * would idle (score of 1M units: 7.6 s for this phase, 8.9 s with one
 * worker fewer on two cores) ---- */

#define BATCH 4096

/* Start workers w[0..n) on the units [from, to), split between them;
 * those that could not be started run here.  Then kp_par_join(p). */
static void batch_start(kp_par *p, worker *w, int n, size_t from, size_t to)
{
	int i;

	for (i = 0; i < n; i++) {
		w[i].pk.nitems = w[i].pk.nnotes = w[i].pk.nunits = 0;
		w[i].from = from + (to - from) * (size_t)i / (size_t)n;
		w[i].to = from + (to - from) * (size_t)(i + 1) / (size_t)n;
		w[i].rc = 0;
	}
	kp_par_start(p, w, (size_t)n, sizeof w[0], work);
}

/* Hand a scored batch on, in unit order. */
static int batch_hand(scorer *s, worker *w, int n)
{
	int i, rc;
	size_t k;

	if ((rc = worker_error(s, w, n)))
		return rc;
	for (i = 0; i < n; i++) {
		kp_pack *p = &w[i].pk;
		for (k = 0; k < p->nunits; k++)
			if ((rc = finish_list(s, w[i].from + k, p->items + p->first[k], p->first[k + 1] - p->first[k],
					      p->notes)))
				return rc;
	}
	return 0;
}

static int run_batched(scorer *s, const char **names, int nt)
{
	worker w[2][7];
	kp_par par;
	size_t n = s->d->nunits, nb = (n + BATCH - 1) / BATCH, b;
	int i, g, nw = nt > 7 ? 7 : nt, rc = 0;

	for (g = 0; g < 2; g++)
		for (i = 0; i < nw; i++) {
			worker_init(&w[g][i], s, names, 0, i, nw);
			w[g][i].s.pack = &w[g][i].pk;
		}
	batch_start(&par, w[0], nw, 0, n < BATCH ? n : BATCH);
	kp_par_join(&par);
	for (b = 0; b < nb && !rc; b++) {
		par.started = par.first = 0; /* nothing to join when no batch follows */
		if (b + 1 < nb)
			batch_start(&par, w[(b + 1) % 2], nw, (b + 1) * BATCH, (b + 2) * BATCH < n ? (b + 2) * BATCH : n);
		rc = batch_hand(s, w[b % 2], nw);
		kp_par_join(&par);
		if (!rc && s->o->progress)
			s->o->progress(s->o->progress_ud, (b + 1) * BATCH < n ? (b + 1) * BATCH : n, n);
	}
	for (g = 0; g < 2; g++)
		for (i = 0; i < nw; i++)
			worker_free(&w[g][i]);
	return rc;
}

/* Score unit u; with o->missing, a unit that met a missing value and
 * failed with a data error is noted there and scoring goes on. */
static int score_unit_noting(scorer *s, size_t u, const char **names)
{
	kp_score_missing *m = s->o->missing;
	int rc;

	s->missing_hit = 0;
	rc = score_unit(s, u, names);
	if (rc != KP_EDATA || !s->missing_hit || !m)
		return rc;
	if (m->n++ < KP_SCORE_MISSING_KEEP)
		kp_sb_line(&m->lines, s->err->msg); /* one line each, however the names break */
	return kp_sb_status(&m->lines, s->err);
}

/* After the units: the error of the missing values noted, if any. */
static int missing_error(scorer *s)
{
	const kp_score_missing *m = s->o->missing;
	const char *first;

	if (!m || !m->n)
		return 0;
	first = kp_sb_str(&m->lines);
	if (m->n == 1)
		return kp_err_set(s->err, KP_EDATA, "%.*s", (int)strcspn(first, "\n"), first);
	return kp_err_msg(s->err, KP_EDATA, KP_M_ENG_UNITS_MISSING, m->n);
}

int kp_score_run(const kp_rules *r, kp_data *d, const kp_score_opts *o, kp_result **out, kp_err *err)
{
	static const kp_score_opts none = {0};
	scorer s;
	const char **names = NULL;
	size_t u;
	int rc, nt;

	*out = NULL;
	memset(&s, 0, sizeof s);
	s.r = r, s.d = d, s.o = o ? o : &none, s.err = err;
	s.notes = s.o->details || s.o->notes || s.o->sink;
	s.cmp_unit = kp_num_cmp_unit(r->compare);
	s.L = kp_sandbox_state(r->sb);
	if (d->nunits > UINT_MAX) /* kp_unit_result.scored */
		return kp_err_msg(err, KP_EDATA, KP_M_ENG_TOO_MANY_UNITS, d->nunits, UINT_MAX);
	nt = threads_for(&s);
	if ((rc = kp_result_new(&s.res, err)))
		return rc;
	if ((rc = resolve_all(&s)) || (rc = init_result(&s, &names)))
		goto out;
	if ((rc = kp_score_lua_open(&s)))
		goto out;
	if ((s.o->stats_in || s.o->stats_out) && !kp_score_derivable(r)) {
		rc = kp_err_msg(err, KP_EINTERNAL, KP_M_ENG_NOT_DERIVABLE);
		goto out;
	}
	if (s.o->stats_in)
		nt = 1; /* its statistics are given: compute_stats takes them */
	if (nt > 1) {
		if ((rc = run_parallel(&s, names, 1, nt)) ||
		    (rc = s.notes ? run_batched(&s, names, nt) : run_parallel(&s, names, 0, nt)))
			goto out;
	} else {
		if ((rc = compute_stats(&s)))
			goto out;
		for (u = 0; u < d->nunits; u++) {
			if ((rc = score_unit_noting(&s, u, names)))
				goto out;
			if (s.o->progress && (u & 8191) == 8191)
				s.o->progress(s.o->progress_ud, u + 1, d->nunits);
		}
		if ((rc = missing_error(&s)))
			goto out;
	}
	if (s.o->stats_out && (rc = stats_export(&s)))
		goto out;
	kp_sandbox_close_run(r->sb); /* u, ctx, rows: not past the units' scoring */
	if (s.o->release_numbers)
		kp_data_release_numbers(d);
	rc = kp_rank_run(r, s.res, r->eligible_ref ? eligible_fn : NULL, &s, err);
out:
	scorer_free(&s);
	if (rc) {
		kp_result_free(s.res);
		return rc;
	}
	*out = s.res;
	return 0;
}
