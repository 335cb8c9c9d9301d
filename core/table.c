/* table.c — a dataset in memory (see include/kaoping/table.h). */
#include "kaoping/table.h"

#include <math.h>
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
			free(t->num[i]);
	}
	free(t->cols);
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
		if (!(t->cols[i] = strdup(names[i])))
			return kp_err_oom(err);
		t->numeric[i] = numeric && numeric[i];
		if (!t->numeric[i])
			t->tpos[i] = ntext++;
	}
	return 0;
}

static int grow_rows_to(kp_table *t, size_t ncap, kp_err *err)
{
	size_t i;
	uint32_t *line = realloc(t->line, ncap * sizeof *line);
	size_t *off;

	if (!line)
		return kp_err_oom(err);
	t->line = line;
	if (!(off = realloc(t->rowoff, ncap * sizeof *off)))
		return kp_err_oom(err);
	t->rowoff = off;
	for (i = 0; i < t->ncols; i++) {
		double *v;
		if (!t->numeric[i])
			continue;
		if (!(v = realloc(t->num[i], ncap * sizeof *v)))
			return kp_err_oom(err);
		t->num[i] = v;
	}
	t->rcap = ncap;
	return 0;
}

static int grow_rows(kp_table *t, kp_err *err)
{
	return grow_rows_to(t, t->rcap ? t->rcap * 2 : 256, err);
}

/* Append n bytes to the text store. */
static int put_text_bytes(kp_table *t, const char *s, size_t n, kp_err *err)
{
	if (t->tused + n > t->tcap) {
		size_t ncap = t->tcap ? t->tcap : 4096;
		char *p;
		while (ncap < t->tused + n)
			ncap *= 2;
		if (!(p = realloc(t->text, ncap)))
			return kp_err_oom(err);
		t->text = p, t->tcap = ncap;
	}
	memcpy(t->text + t->tused, s, n);
	t->tused += n;
	return 0;
}

static int put_text(kp_table *t, const char *s, size_t n, kp_err *err)
{
	if (t->tused + n + 1 > t->tcap) {
		size_t ncap = t->tcap ? t->tcap : 4096;
		char *p;
		while (ncap < t->tused + n + 1)
			ncap *= 2;
		if (!(p = realloc(t->text, ncap)))
			return kp_err_oom(err);
		t->text = p, t->tcap = ncap;
	}
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
	size_t r = t->nrows, i;
	int rc;

	if (r == t->rcap && (rc = grow_rows(t, err)))
		return rc;
	t->line[r] = (uint32_t)line;
	t->rowoff[r] = t->tused;
	for (i = 0; i < t->ncols; i++) {
		if (t->numeric[i]) {
			double v;
			int st = kp_num_parse(f[i], &v);
			if (st == KP_NUM_EMPTY)
				v = NAN;
			else if (st == KP_NUM_NA) /* a word for "no value": the NaN's sign tells it from a blank */
				v = copysign(NAN, -1.0);
			else if (st != KP_NUM_OK) {
				if ((rc = bad_cell(t, line, i, f, st, err)))
					return rc;
				v = NAN;
			}
			t->num[i][r] = v;
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
	if (t->numeric[col]) {
		*out = t->num[col][row];
		return !isnan(*out) ? KP_NUM_OK : signbit(*out) ? KP_NUM_NA : KP_NUM_EMPTY;
	}
	return kp_num_parse(kp_table_text(t, row, col), out);
}

const char *kp_table_cell(const kp_table *t, size_t row, size_t col, char *buf, size_t size)
{
	double v;

	if (!t->numeric[col])
		return kp_table_text(t, row, col);
	v = t->num[col][row];
	if (isnan(v))
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
	memcpy(t->line + t->nrows, src->line, src->nrows * sizeof *t->line);
	for (i = 0; i < src->nrows; i++)
		t->rowoff[t->nrows + i] = src->rowoff[i] + t->tused;
	for (i = 0; i < t->ncols; i++)
		if (t->numeric[i]) {
			memcpy(t->num[i] + t->nrows, src->num[i], src->nrows * sizeof **t->num);
			free(src->num[i]);
			src->num[i] = NULL;
		}
	if ((rc = put_text_bytes(t, src->text, src->tused, err)))
		goto out;
	t->nrows = n;
	rc = append_bad(t, src, err);
out:
	kp_table_free(src);
	return rc;
}
