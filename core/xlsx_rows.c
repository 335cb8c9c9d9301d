/* xlsx_rows.c — what both workbook readers share (see core/xlsx_int.h):
 * cells into the CSV reader's rows, the capped whole-file load with its
 * SHA-256, cell references, and the texts of numbers and dates.  Owns the
 * row buffers of an xl_rows. */
#include "xlsx_int.h"

#include <errno.h>
#include <math.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kaoping/date.h"
#include "kaoping/infile.h"

void kp_xlsx_rows_init(xl_rows *w, const char *name, const kp_csv_opts *opts, kp_csv_fn on_header,
		       kp_csv_fn on_row, void *ud, kp_err *err)
{
	memset(w, 0, sizeof *w);
	w->name = name, w->on_header = on_header, w->on_row = on_row, w->ud = ud, w->err = err;
	if (opts)
		w->o = *opts;
	if (!w->o.max_field)
		w->o.max_field = KP_CSV_MAX_FIELD;
	if (!w->o.max_cols)
		w->o.max_cols = KP_CSV_MAX_COLS;
}

void kp_xlsx_rows_free(xl_rows *w)
{
	size_t i;

	for (i = 0; w->hdr && i < w->ncols; i++)
		free(w->hdr[i]);
	free(w->hdr);
	free(w->buf);
	free(w->off);
	free(w->len);
	free(w->ptrs);
}

const char *kp_xlsx_ref(size_t col, size_t row, char *buf)
{
	return kp_err_a1(col, row, buf);
}

const char *kp_xlsx_rows_where(const xl_rows *w, size_t col, size_t row, char *buf, size_t size)
{
	char ref[KP_XLSX_REF];

	kp_xlsx_ref(col, row, ref);
	if (w->ncols && col < w->ncols)
		kp_msg_format(buf, size, KP_M_IN_XLSX_WHERE_COL, w->hdr[col], ref);
	else if (w->ncols)
		kp_msg_format(buf, size, KP_M_IN_XLSX_WHERE_CELL, ref);
	else
		kp_msg_format(buf, size, KP_M_IN_XLSX_WHERE_HEADER, ref);
	return buf;
}

void kp_xlsx_rows_begin(xl_rows *w, size_t row)
{
	w->row = row;
	w->nf = 0;
	w->used = 0;
}

static int grow_fields(xl_rows *w, size_t need)
{
	size_t ncap = w->fcap ? w->fcap : 64;
	size_t *off, *len;
	char **ptrs;

	while (ncap < need)
		ncap *= 2;
	if ((off = realloc(w->off, ncap * sizeof *off)))
		w->off = off;
	if (off && (len = realloc(w->len, ncap * sizeof *len)))
		w->len = len;
	else
		return kp_err_oom(w->err);
	if (!(ptrs = realloc(w->ptrs, ncap * sizeof *ptrs)))
		return kp_err_oom(w->err);
	w->ptrs = ptrs, w->fcap = ncap;
	return 0;
}

/* Append a field of n bytes at the end of the packed row. */
static int put_field(xl_rows *w, const char *s, size_t n)
{
	int rc;

	if (w->nf == w->fcap && (rc = grow_fields(w, w->nf + 1)))
		return rc;
	if (w->used + n + 1 > w->cap) {
		size_t ncap = (w->used + n + 1) * 2;
		char *p = realloc(w->buf, ncap);
		if (!p)
			return kp_err_oom(w->err);
		w->buf = p, w->cap = ncap;
	}
	memcpy(w->buf + w->used, s, n);
	w->buf[w->used + n] = '\0';
	w->off[w->nf] = w->used, w->len[w->nf] = n;
	w->used += n + 1;
	w->nf++;
	return 0;
}

/* Would a CSV export quote the text s[0..n) (a comma, a quote, a line end)? */
static int csv_quoted(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
			return 1;
	return 0;
}

int kp_xlsx_rows_cell(xl_rows *w, size_t col, const char *s, size_t n)
{
	char where[1024], q[KP_ERR_QUOTE], *copy;
	int rc;

	if (!csv_quoted(s, n)) { /* as its CSV export reads: unquoted, without the spaces and tabs around it */
		for (; n && (*s == ' ' || *s == '\t'); n--)
			s++;
		while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
	}
	if (n == 0)
		return 0;
	if (n > w->o.max_field)
		return kp_err_msg(w->err, KP_EDATA, KP_M_IN_XLSX_CELL_TOO_LONG, w->name, w->row,
				  col + 1, kp_xlsx_rows_where(w, col, w->row, where, sizeof where), w->o.max_field);
	if (w->ncols && col >= w->ncols) {
		if (!(copy = strndup(s, n)))
			return kp_err_oom(w->err);
		kp_err_quote(copy, q);
		free(copy);
		return kp_err_msg(w->err, KP_EDATA, KP_M_IN_XLSX_NO_HEADER_NAME, w->name, w->row, col + 1,
				  kp_xlsx_ref(col, w->row, (char[KP_XLSX_REF]){0}), q, w->ncols);
	}
	if (!w->ncols && col >= w->o.max_cols)
		return kp_err_msg(w->err, KP_EDATA, KP_M_IN_CSV_TOO_MANY_COLS, w->name, w->row, w->o.max_cols);
	while (w->nf < col) /* the empty cells before it */
		if ((rc = put_field(w, "", 0)))
			return rc;
	return put_field(w, s, n);
}

static int take_header(xl_rows *w, kp_csv_row *row)
{
	size_t i;
	int rc;

	if ((rc = kp_csv_check_header(w->name, w->row, row->n, row->f, w->len, w->err)))
		return rc;
	if (!(w->hdr = calloc(row->n, sizeof *w->hdr)))
		return kp_err_oom(w->err);
	w->ncols = row->n;
	for (i = 0; i < row->n; i++)
		if (!(w->hdr[i] = strdup(row->f[i])))
			return kp_err_oom(w->err);
	return w->on_header ? w->on_header(w->ud, row, w->err) : 0;
}

int kp_xlsx_rows_end(xl_rows *w)
{
	kp_csv_row row;
	size_t i;
	int rc;

	if (w->nf == 0)
		return 0; /* an empty row */
	while (w->ncols && w->nf < w->ncols)
		if ((rc = put_field(w, "", 0)))
			return rc;
	for (i = 0; i < w->nf; i++)
		w->ptrs[i] = w->buf + w->off[i];
	row.line = w->row, row.n = w->nf, row.f = w->ptrs, row.len = w->len, row.part = 0, row.cells = NULL;
	w->nf = 0, w->used = 0;
	if (!w->ncols)
		return take_header(w, &row);
	w->nrows++;
	return w->on_row ? w->on_row(w->ud, &row, w->err) : 0;
}

int kp_xlsx_rows_finish(xl_rows *w)
{
	if (!w->ncols)
		return kp_err_msg(w->err, KP_EDATA, KP_M_IN_XLSX_EMPTY, w->name);
	if (!w->nrows && !w->o.header_only)
		return kp_err_msg(w->err, KP_EDATA, KP_M_IN_XLSX_NO_ROWS, w->name);
	return 0;
}

int kp_xlsx_load(const char *path, unsigned char **buf, size_t *len, unsigned char *sha, kp_err *err)
{
	struct stat st;
	size_t got = 0, size;
	unsigned mdlen;
	int fd;

	*buf = NULL, *len = 0;
	if ((fd = kp_infile_open_fd(path, "a workbook", &st, err)) < 0)
		return KP_ENOINPUT;
	size = (size_t)st.st_size;
	if (st.st_size < 0 || size > XL_MAX_FILE) {
		close(fd);
		return kp_err_msg(err, KP_EDATA, KP_M_IN_XLSX_TOO_LARGE, path, XL_MAX_FILE >> 20);
	}
	if (!(*buf = malloc(size ? size : 1))) {
		close(fd);
		return kp_err_oom(err);
	}
	while (got < size) {
		ssize_t n = read(fd, *buf + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			free(*buf), *buf = NULL;
			return n < 0 ? kp_err_msg(err, KP_ENOINPUT, KP_M_IN_READ_ERROR, path, strerror(errno))
				     : kp_err_msg(err, KP_EIO, KP_M_IN_XLSX_SHRANK, path, size, got);
		}
		got += (size_t)n;
	}
	close(fd);
	*len = size;
	if (sha && !EVP_Digest(*buf, size, sha, &mdlen, EVP_sha256(), NULL)) {
		free(*buf), *buf = NULL;
		return kp_err_msg(err, KP_EINTERNAL, KP_M_IN_XLSX_SHA, path);
	}
	return 0;
}

const char *kp_xlsx_number(double v, char *buf)
{
	if (v == 0)
		return strcpy(buf, "0");
	snprintf(buf, XL_NUM_MAX, "%.15g", v);
	return buf;
}

/* The code unit of an escape _xHHHH_ at s (n bytes left), 0 when none. */
static unsigned xstring_unit(const char *s, size_t n)
{
	unsigned u = 0;
	int i;

	if (n < 7 || s[0] != '_' || s[1] != 'x' || s[6] != '_')
		return 0;
	for (i = 2; i < 6; i++) {
		int c = (unsigned char)s[i], d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
					    : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return 0;
		u = u << 4 | (unsigned)d;
	}
	return u;
}

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80)
		return o[0] = (char)cp, 1;
	if (cp < 0x800)
		return o[0] = (char)(0xC0 | cp >> 6), o[1] = (char)(0x80 | (cp & 0x3F)), 2;
	if (cp < 0x10000)
		return o[0] = (char)(0xE0 | cp >> 12), o[1] = (char)(0x80 | (cp >> 6 & 0x3F)),
		       o[2] = (char)(0x80 | (cp & 0x3F)), 3;
	return o[0] = (char)(0xF0 | cp >> 18), o[1] = (char)(0x80 | (cp >> 12 & 0x3F)),
	       o[2] = (char)(0x80 | (cp >> 6 & 0x3F)), o[3] = (char)(0x80 | (cp & 0x3F)), 4;
}

size_t kp_xlsx_unescape(char *s, size_t n)
{
	size_t i = 0, o = 0; /* o <= i: an escape of 7 bytes gives at most 4 (14 for a pair) */

	while (i < n) {
		unsigned u = xstring_unit(s + i, n - i), lo;
		size_t len = 7;
		if (u >= 0xD800 && u <= 0xDBFF && (lo = xstring_unit(s + i + 7, n - i - 7)) >= 0xDC00 && lo <= 0xDFFF)
			u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00), len = 14;
		if (u == 0 || (u >= 0xD800 && u <= 0xDFFF)) {
			s[o++] = s[i++];
			continue;
		}
		o += put_utf8(s + o, u);
		i += len;
	}
	s[o] = '\0';
	return o;
}

const char *kp_xlsx_date(double serial, int date1904, char *buf)
{
	double f = floor(serial);
	int base;

	if (!(f >= 0 && f <= 2958465.0)) /* 9999-12-31 */
		return NULL;
	if (date1904)
		base = kp_date_days(1904, 1, 1);
	else if (f >= 61) /* Excel counts a 29 February 1900 (serial 60) that never was */
		base = kp_date_days(1899, 12, 30);
	else if (f >= 1 && f < 60)
		base = kp_date_days(1899, 12, 31);
	else
		return NULL;
	return kp_date_iso(base + (int)f, buf, XL_NUM_MAX);
}
