/* table.c — a dataset in memory (see include/kaoping/table.h). */
#include "kaoping/table.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kaoping/num.h"

kp_table *kp_table_new(const char *name, const char *file, kp_err *err)
{
	kp_table *t = calloc(1, sizeof *t);

	if (!t || !(t->name = strdup(name ? name : "")) || !(t->file = strdup(file ? file : ""))) {
		kp_table_free(t);
		kp_err_oom(err);
		return NULL;
	}
	t->idc = -1;
	return t;
}

void kp_table_free(kp_table *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->ncols; i++) {
		free(t->cols[i]);
		if (t->num)
			free(t->num[i].v);
	}
	free(t->cols);
	kp_strset_free(&t->colix);
	free(t->num);
	free(t->numeric);
	free(t->tpos);
	free(t->line);
	free(t->rowoff);
	free(t->text);
	free(t->name);
	free(t->file);
	for (i = 0; i < t->nkept; i++)
		free(t->bad[i].id), free(t->bad[i].text);
	free(t->bad);
	free(t);
}

int kp_table_set_columns(kp_table *t, size_t n, char *const *names,
			 const unsigned char *numeric, kp_err *err)
{
	size_t i, ntext = 0;

	t->cols = calloc(n ? n : 1, sizeof *t->cols);
	t->numeric = calloc(n ? n : 1, 1);
	t->num = calloc(n ? n : 1, sizeof *t->num);
	t->tpos = calloc(n ? n : 1, sizeof *t->tpos);
	if (!t->cols || !t->numeric || !t->num || !t->tpos)
		return kp_err_oom(err);
	t->ncols = n;
	for (i = 0; i < n; i++) {
		if (!(t->cols[i] = strdup(names[i])) || kp_strset_add(&t->colix, t->cols[i]) < 0)
			return kp_err_oom(err);
		t->numeric[i] = numeric && numeric[i];
		t->num[i].width = 1, t->num[i].lo = 1, t->num[i].hi = 0;
		if (!t->numeric[i])
			t->tpos[i] = ntext++;
	}
	return 0;
}

static int grow_rows_to(kp_table *t, size_t ncap, kp_err *err)
{
	size_t i;
	uint32_t *line = realloc(t->line, ncap * sizeof *line);
	uint32_t *off;

	if (!line)
		return kp_err_oom(err);
	t->line = line;
	if (!(off = realloc(t->rowoff, ncap * sizeof *off)))
		return kp_err_oom(err);
	t->rowoff = off;
	for (i = 0; i < t->ncols; i++) {
		void *v;
		if (!t->numeric[i])
			continue;
		if (!(v = realloc(t->num[i].v, ncap * t->num[i].width)))
			return kp_err_oom(err);
		t->num[i].v = v;
	}
	t->rcap = ncap;
	return 0;
}

/* ---- numeric columns (kp_table_numcol) ---- */

#define MAX_SCALE 9

static const double p10d[MAX_SCALE + 1] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
static const int64_t p10i[MAX_SCALE + 1] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
					     1000000000};

/* The smallest integer of a width: it marks a blank, the next one a word
 * for no value; values start above them. */
static int64_t width_min(int w)
{
	return w == 1 ? INT8_MIN : w == 2 ? INT16_MIN : INT32_MIN;
}

static int64_t width_max(int w)
{
	return w == 1 ? INT8_MAX : w == 2 ? INT16_MAX : INT32_MAX;
}

/* The narrowest width holding [lo, hi] above its two marks; 8 when none. */
static int width_for(int64_t lo, int64_t hi)
{
	int w;

	for (w = 1; w <= 4; w *= 2)
		if (lo >= width_min(w) + 2 && hi <= width_max(w))
			return w;
	return 8;
}

/* The integer at row r of an integer column. */
static int64_t col_int(const kp_table_numcol *c, size_t r)
{
	switch (c->width) {
	case 1: return ((const int8_t *)c->v)[r];
	case 2: return ((const int16_t *)c->v)[r];
	default: return ((const int32_t *)c->v)[r];
	}
}

static void col_put_int(kp_table_numcol *c, size_t r, int64_t m)
{
	switch (c->width) {
	case 1: ((int8_t *)c->v)[r] = (int8_t)m; break;
	case 2: ((int16_t *)c->v)[r] = (int16_t)m; break;
	default: ((int32_t *)c->v)[r] = (int32_t)m; break;
	}
}

/* The value at row r: KP_NUM_OK with *out, or KP_NUM_EMPTY / KP_NUM_NA. */
static int col_get(const kp_table_numcol *c, size_t r, double *out)
{
	int64_t m, min;

	if (c->width == 8) {
		*out = ((const double *)c->v)[r];
		return !isnan(*out) ? KP_NUM_OK : signbit(*out) ? KP_NUM_NA : KP_NUM_EMPTY;
	}
	m = col_int(c, r), min = width_min(c->width);
	if (m <= min + 1) {
		*out = m == min ? NAN : copysign(NAN, -1.0);
		return m == min ? KP_NUM_EMPTY : KP_NUM_NA;
	}
	*out = c->scale ? (double)m / p10d[c->scale] : (double)m;
	return KP_NUM_OK;
}

/* Row r of src written into dst at row at, in dst's form (dst holds src's
 * values: doubles, or integers at a scale not below src's). */
static void col_copy_row(kp_table_numcol *dst, size_t at, const kp_table_numcol *src, size_t r)
{
	int64_t m, min;
	double d;

	if (dst->width == 8) {
		col_get(src, r, &d);
		((double *)dst->v)[at] = d;
		return;
	}
	m = col_int(src, r), min = width_min(src->width);
	if (m <= min + 1) /* a mark: the same mark in dst's width */
		m = width_min(dst->width) + (m - min);
	else
		m *= p10i[dst->scale - src->scale];
	col_put_int(dst, at, m);
}

/* Widen c's range [lo, hi] to hold m. */
static void col_range(kp_table_numcol *c, int64_t m)
{
	if (c->lo > c->hi)
		c->lo = c->hi = m;
	else if (m < c->lo)
		c->lo = m;
	else if (m > c->hi)
		c->hi = m;
}

/* The form that holds both a's integers and b's: *w and *scale (width 8:
 * doubles); from a or b being doubles, a scale past MAX_SCALE, integers
 * past 32 bits. */
static void col_plan(const kp_table_numcol *a, const kp_table_numcol *b, int *w, int *scale)
{
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	const kp_table_numcol *c[2] = {a, b};
	int k;

	*scale = a->scale > b->scale ? a->scale : b->scale;
	*w = a->width > b->width ? a->width : b->width;
	if (*w == 8)
		return;
	for (k = 0; k < 2; k++) {
		int64_t f = p10i[*scale - c[k]->scale];
		if (c[k]->lo > c[k]->hi)
			continue;
		if (c[k]->lo < INT32_MIN / f || c[k]->hi > INT32_MAX / f) {
			*w = 8;
			return;
		}
		if (c[k]->lo * f < lo)
			lo = c[k]->lo * f;
		if (c[k]->hi * f > hi)
			hi = c[k]->hi * f;
	}
	if (lo <= hi && width_for(lo, hi) > *w)
		*w = width_for(lo, hi);
}

/* Rows [0, n) of c rewritten in width w at scale (a new array of cap
 * rows). */
static int col_recode(kp_table_numcol *c, size_t n, size_t cap, int w, int scale, kp_err *err)
{
	kp_table_numcol to = *c;
	size_t r;

	if (w == c->width && scale == c->scale)
		return 0;
	if (!(to.v = malloc((cap ? cap : 1) * (size_t)w)))
		return kp_err_oom(err);
	to.width = (unsigned char)w, to.scale = (unsigned char)(w == 8 ? 0 : scale);
	for (r = 0; r < n; r++)
		col_copy_row(&to, r, c, r);
	if (w != 8 && c->lo <= c->hi)
		to.lo = c->lo * p10i[scale - c->scale], to.hi = c->hi * p10i[scale - c->scale];
	free(c->v);
	*c = to;
	return 0;
}

/* The decimal of at most MAX_SCALE places, at scale from or above, that
 * stands for d exactly: 1 with *m and *dec, or 0. */
static int find_dec(double d, int from, int64_t *m, int *dec)
{
	int k;

	for (k = from; k <= MAX_SCALE; k++) {
		double x = d * p10d[k], back;
		if (!(fabs(x) < 2147483648.0))
			return 0;
		*m = (int64_t)llround(x);
		back = k ? (double)*m / p10d[k] : (double)*m;
		if (back == d && !signbit(back) == !signbit(d)) {
			*dec = k;
			return 1;
		}
	}
	return 0;
}

/* Put d, written as m at dec decimals (dec < 0: not known), at row r of
 * column c, widening or rescaling the column when it must. */
static int col_put(kp_table *t, kp_table_numcol *c, size_t r, double d, int64_t m, int dec, kp_err *err)
{
	kp_table_numcol one = {0};
	int w, scale, rc;

	if (c->width != 8 && (dec >= 0 || find_dec(d, c->scale, &m, &dec))) {
		while (dec < c->scale && m > INT64_MIN / 16 && m < INT64_MAX / 16)
			m *= 10, dec++;
		if (dec == c->scale && m >= width_min(c->width) + 2 && m <= width_max(c->width)) {
			col_put_int(c, r, m);
			col_range(c, m);
			return 0;
		}
		one.width = 1, one.lo = one.hi = m, one.scale = (unsigned char)dec;
		if (dec > MAX_SCALE || m < INT32_MIN || m > INT32_MAX)
			one.width = 8;
		else
			one.width = (unsigned char)width_for(m, m);
		col_plan(c, &one, &w, &scale);
	} else {
		w = 8, scale = 0;
	}
	if ((rc = col_recode(c, r, t->rcap, w, scale, err)))
		return rc;
	if (c->width == 8) {
		((double *)c->v)[r] = d;
		return 0;
	}
	return col_put(t, c, r, d, m, dec, err);
}

/* A blank (na 0) or a word for no value (na 1) at row r of column c. */
static void col_put_missing(kp_table_numcol *c, size_t r, int na)
{
	if (c->width == 8)
		((double *)c->v)[r] = na ? copysign(NAN, -1.0) : NAN;
	else
		col_put_int(c, r, width_min(c->width) + na);
}

void kp_table_release_numbers(kp_table *t)
{
	size_t c;

	for (c = 0; c < t->ncols; c++)
		if (t->numeric[c]) {
			free(t->num[c].v);
			t->num[c].v = NULL;
		}
}

static int grow_rows(kp_table *t, kp_err *err)
{
	return grow_rows_to(t, t->rcap ? t->rcap * 2 : 256, err);
}

/* Room for n more bytes in the text store, which holds at most
 * KP_TABLE_TEXT_MAX bytes (rowoff is 32 bits). */
static int text_room(kp_table *t, size_t n, kp_err *err)
{
	size_t ncap;
	char *p;

	if (n > KP_TABLE_TEXT_MAX - t->tused)
		return kp_err_msg(err, KP_EDATA, KP_M_IN_TEXT_TOO_LARGE, t->file, (unsigned)(KP_TABLE_TEXT_MAX >> 20));
	if (t->tused + n <= t->tcap)
		return 0;
	for (ncap = t->tcap ? t->tcap : 4096; ncap < t->tused + n; ncap *= 2)
		;
	if (!(p = realloc(t->text, ncap)))
		return kp_err_oom(err);
	t->text = p, t->tcap = ncap;
	return 0;
}

/* Append n bytes to the text store (s may be NULL when n is 0: a table
 * of numbers alone has no text). */
static int put_text_bytes(kp_table *t, const char *s, size_t n, kp_err *err)
{
	int rc;

	if (n == 0)
		return 0;
	if ((rc = text_room(t, n, err)))
		return rc;
	memcpy(t->text + t->tused, s, n);
	t->tused += n;
	return 0;
}

/* Append a cell: n bytes and a NUL. */
static int put_text(kp_table *t, const char *s, size_t n, kp_err *err)
{
	int rc;

	if ((rc = text_room(t, n + 1, err)))
		return rc;
	memcpy(t->text + t->tused, s, n);
	t->text[t->tused + n] = '\0';
	t->tused += n + 1;
	return 0;
}

const char *kp_table_a1(const kp_table *t, size_t line, size_t col, char *buf)
{
	buf[0] = '\0';
	if (t->a1)
		kp_msg_format(buf, KP_TABLE_A1, KP_M_IN_TABLE_A1, kp_err_a1(col, line, (char[KP_ERR_A1]){0}));
	return buf;
}

/* A numeric cell that is not a number: the error, or with collect set
 * one more in bad. */
static int bad_cell(kp_table *t, size_t line, size_t i, char *const *f, int st, kp_err *err)
{
	char q[KP_ERR_QUOTE], qi[KP_ERR_QUOTE];
	kp_table_bad *b;

	if (!t->collect)
		return kp_err_msg(err, KP_EDATA, KP_M_IN_TABLE_BAD_CELL, t->file, line, i + 1, t->cols[i],
				  kp_table_a1(t, line, i, (char[KP_TABLE_A1]){0}), kp_num_why(st), kp_err_quote(f[i], q));
	if (t->nbad++ >= KP_TABLE_BAD_KEEP)
		return 0;
	if (!t->bad && !(t->bad = calloc(KP_TABLE_BAD_KEEP, sizeof *t->bad)))
		return kp_err_oom(err);
	b = &t->bad[t->nkept];
	b->line = line, b->col = i, b->status = st;
	if (!(b->text = strdup(kp_err_quote(f[i], q))) ||
	    (t->idc >= 0 && (size_t)t->idc != i && !(b->id = strdup(kp_err_quote(f[t->idc], qi))))) {
		free(b->text);
		return kp_err_oom(err);
	}
	t->nkept++;
	return 0;
}

int kp_table_add(kp_table *t, size_t line, char *const *f, const size_t *len, kp_err *err)
{
	return kp_table_add_cells(t, line, f, len, NULL, err);
}

int kp_table_add_cells(kp_table *t, size_t line, char *const *f, const size_t *len, const kp_num_cell *cells,
		       kp_err *err)
{
	size_t r = t->nrows, i;
	int rc;

	if (r == t->rcap && (rc = grow_rows(t, err)))
		return rc;
	t->line[r] = (uint32_t)line;
	t->rowoff[r] = (uint32_t)t->tused; /* at most KP_TABLE_TEXT_MAX: put_text_bytes */
	for (i = 0; i < t->ncols; i++) {
		if (t->numeric[i] && cells && cells[i].ok) { /* parsed as it was read */
			if ((rc = col_put(t, &t->num[i], r, cells[i].v, cells[i].m, cells[i].dec, err)))
				return rc;
		} else if (t->numeric[i]) {
			double v;
			int64_t m;
			int dec, st = kp_num_parse_dec(f[i], &v, &m, &dec);
			if (st == KP_NUM_OK)
				rc = col_put(t, &t->num[i], r, v, m, dec, err);
			else if (KP_NUM_MISSING(st))
				col_put_missing(&t->num[i], r, st == KP_NUM_NA), rc = 0;
			else if (!(rc = bad_cell(t, line, i, f, st, err)))
				col_put_missing(&t->num[i], r, 0);
			if (rc)
				return rc;
		} else if ((rc = put_text(t, f[i], len ? len[i] : strlen(f[i]), err))) {
			return rc;
		}
	}
	t->nrows++;
	return 0;
}

long kp_table_col(const kp_table *t, const char *name)
{
	size_t i;

	if (t->ncols && t->colix.calls == t->ncols) /* a hash: rules' columns × a table's was quadratic */
		return kp_strset_index(&t->colix, name);
	for (i = 0; i < t->ncols; i++)
		if (!strcmp(t->cols[i], name))
			return (long)i;
	return -1;
}

const char *kp_table_text(const kp_table *t, size_t row, size_t col)
{
	const char *s;
	size_t k;

	if (t->numeric[col])
		return "";
	s = t->text + t->rowoff[row];
	for (k = t->tpos[col]; k > 0; k--)
		s += strlen(s) + 1;
	return s;
}

int kp_table_num(const kp_table *t, size_t row, size_t col, double *out)
{
	if (t->numeric[col])
		return col_get(&t->num[col], row, out);
	return kp_num_parse(kp_table_text(t, row, col), out);
}

const char *kp_table_cell(const kp_table *t, size_t row, size_t col, char *buf, size_t size)
{
	double v;

	if (!t->numeric[col])
		return kp_table_text(t, row, col);
	if (col_get(&t->num[col], row, &v) != KP_NUM_OK)
		return "";
	return kp_num_short(v, buf, size);
}

/* The bad cells of src after t's, as many as t still keeps (their
 * strings move to t). */
static int append_bad(kp_table *t, kp_table *src, kp_err *err)
{
	size_t i;

	if (src->nkept && !t->bad && !(t->bad = calloc(KP_TABLE_BAD_KEEP, sizeof *t->bad)))
		return kp_err_oom(err);
	for (i = 0; i < src->nkept && t->nkept < KP_TABLE_BAD_KEEP; i++) {
		t->bad[t->nkept++] = src->bad[i];
		src->bad[i].id = src->bad[i].text = NULL;
	}
	t->nbad += src->nbad;
	return 0;
}

/* The n rows of column s after t's rows of column c, in a form that
 * holds both; s's values are freed. */
static int append_col(kp_table *t, kp_table_numcol *c, kp_table_numcol *s, size_t n, kp_err *err)
{
	int w, scale, rc;
	size_t r;

	col_plan(c, s, &w, &scale);
	if ((rc = col_recode(c, t->nrows, t->rcap, w, scale, err)))
		return rc;
	if (c->width == s->width && c->scale == s->scale)
		memcpy((char *)c->v + t->nrows * c->width, s->v, n * c->width);
	else
		for (r = 0; r < n; r++)
			col_copy_row(c, t->nrows + r, s, r);
	if (c->width != 8 && s->lo <= s->hi) {
		int64_t f = p10i[c->scale - s->scale];
		col_range(c, s->lo * f);
		col_range(c, s->hi * f);
	}
	free(s->v);
	s->v = NULL;
	return 0;
}

int kp_table_append(kp_table *t, kp_table *src, kp_err *err)
{
	size_t n = t->nrows + src->nrows, i;
	int rc = 0;

	if (src->nrows == 0) {
		rc = append_bad(t, src, err);
		goto out;
	}
	if (n > t->rcap && (rc = grow_rows_to(t, n, err)))
		goto out;
	if ((rc = text_room(t, src->tused, err))) /* before the offsets are added */
		goto out;
	memcpy(t->line + t->nrows, src->line, src->nrows * sizeof *t->line);
	for (i = 0; i < src->nrows; i++)
		t->rowoff[t->nrows + i] = src->rowoff[i] + (uint32_t)t->tused;
	for (i = 0; i < t->ncols && !rc; i++)
		if (t->numeric[i])
			rc = append_col(t, &t->num[i], &src->num[i], src->nrows, err);
	if (rc)
		goto out;
	if ((rc = put_text_bytes(t, src->text, src->tused, err)))
		goto out;
	t->nrows = n;
	rc = append_bad(t, src, err);
out:
	kp_table_free(src);
	return rc;
}
