/* csv.c — the one wrapper around libcsv: strict RFC 4180 parsing, encoding
 * detection and conversion, UTF-8 checks, line counting, size caps, the
 * file's SHA-256 on the way through, and large UTF-8 files parsed in pieces
 * on threads (each read in blocks, never the whole file at once).  See
 * include/kaoping/csv.h. */
#include "kaoping/csv.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kaoping/enc.h"
#include "kaoping/infile.h"
#include "kaoping/par.h"

#define BLOCK (1u << 20)
#define F_NUL 1u   /* a NUL byte */
#define F_HIGH 2u  /* bytes >= 0x80: UTF-8 to validate */
#define F_NL 4u    /* CR or LF inside the field */
#define F_PARSED 8u /* parsed as a number (cells), its text not kept */

typedef struct reader {
	const char *name;
	kp_csv_opts o;
	kp_csv_fn on_header, on_row;
	void *ud;
	kp_err *err;
	int rc;            /* first error; parsing stops once set */
	size_t line;       /* line where the current row starts */
	size_t nl_in_row;  /* newlines inside quoted fields of this row */
	int last_cr;       /* the last row ended on a CR (CRLF pending) */
	size_t ncols;      /* header width; 0 before the header */
	size_t ndrop;      /* trailing columns with no header name, left out */
	size_t skipped;    /* rows entirely empty, left out */
	int tabs;          /* tab-separated */
	char **hdr;        /* header names, for messages */
	size_t rows;
	int part;          /* which piece of a file read in parallel */
	int hdr_borrowed;  /* hdr belongs to another reader */
	/* the fields of the current row, packed */
	char *buf;
	size_t used, cap;
	size_t *off, *len;
	unsigned char *flag;   /* per field: F_* found by the scan */
	size_t nf, fcap;
	char **ptrs;
	/* the columns parsed as they are read (kp_csv_opts.numeric; borrowed),
	 * nnum of them, and the current row's cells */
	const unsigned char *num;
	size_t nnum;
	kp_num_cell *cells;
	char none[1];      /* the text of a parsed field: "" */
} reader;

static int grow_fields(reader *r)
{
	size_t ncap = r->fcap ? r->fcap * 2 : 64;
	size_t *off = realloc(r->off, ncap * sizeof *off);
	size_t *len = off ? realloc(r->len, ncap * sizeof *len) : NULL;
	char **ptrs = len ? realloc(r->ptrs, ncap * sizeof *ptrs) : NULL;
	unsigned char *flag = ptrs ? realloc(r->flag, ncap) : NULL;
	kp_num_cell *cells = flag ? realloc(r->cells, ncap * sizeof *cells) : NULL;

	if (off)
		r->off = off;
	if (len)
		r->len = len;
	if (ptrs)
		r->ptrs = ptrs;
	if (flag)
		r->flag = flag;
	if (!cells)
		return kp_err_oom(r->err);
	r->cells = cells;
	r->fcap = ncap;
	return 0;
}

static size_t count_newlines(const char *s, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (s[i] == '\n' || (s[i] == '\r' && (i + 1 == n || s[i + 1] != '\n')))
			k++;
	return k;
}

/* One pass over a field: the rare bytes that need a closer look. */
static unsigned scan(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned f = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned c = p[i];
		if (c - 0x20u < 0x60u)
			continue; /* printable ASCII: the common case */
		if (c == 0)
			f |= F_NUL;
		else if (c >= 0x80)
			f |= F_HIGH;
		else if (c == '\n' || c == '\r')
			f |= F_NL;
	}
	return f;
}

static const char *col_name(const reader *r, size_t i);

/* A field of column i over the cap (the header has no names yet). */
static int too_long(reader *r, size_t i)
{
	if (!r->hdr)
		return kp_err_msg(r->err, KP_EDATA, KP_M_IN_CSV_HEADER_TOO_LONG, r->name, r->line, i + 1, i + 1,
				  r->o.max_field);
	return kp_err_msg(r->err, KP_EDATA, KP_M_IN_CSV_FIELD_TOO_LONG, r->name, r->line, i + 1, col_name(r, i),
			  r->o.max_field);
}

static void on_field(void *data, size_t n, void *ud)
{
	reader *r = ud;
	const char *s = data ? data : "";

	if (r->rc)
		return;
	if (r->nf == r->fcap && (r->rc = grow_fields(r)))
		return;
	if (r->nf >= r->o.max_cols) {
		r->rc = kp_err_msg(r->err, KP_EDATA, KP_M_IN_CSV_TOO_MANY_COLS, r->name, r->line, r->o.max_cols);
		return;
	}
	if (n > r->o.max_field) {
		r->rc = too_long(r, r->nf);
		return;
	}
	/* a cell of a numeric column in its common form: its number, no copy
	 * of its text, no scan (digits, '-' and '.' need no closer look) */
	if (r->nf < r->nnum && r->num[r->nf] && kp_num_parse_common(s, n, &r->cells[r->nf])) {
		r->off[r->nf] = 0;
		r->len[r->nf] = n;
		r->flag[r->nf++] = F_PARSED;
		return;
	}
	r->cells[r->nf].ok = 0;
	if (r->used + n + 1 > r->cap) {
		size_t ncap = (r->used + n + 1) * 2;
		char *p = realloc(r->buf, ncap);
		if (!p) {
			r->rc = kp_err_oom(r->err);
			return;
		}
		r->buf = p, r->cap = ncap;
	}
	memcpy(r->buf + r->used, s, n);
	r->buf[r->used + n] = '\0';
	r->off[r->nf] = r->used;
	r->len[r->nf] = n;
	r->flag[r->nf] = scan(s, n);
	r->used += n + 1;
	if (r->flag[r->nf] & F_NL)
		r->nl_in_row += count_newlines(s, n);
	r->nf++;
}

static const char *col_name(const reader *r, size_t i)
{
	return r->hdr && i < r->ncols ? r->hdr[i] : "";
}

/* How a message names column i: by its header name, or by number while
 * the header itself is being checked. */
static const char *col_label(const reader *r, size_t i, char *buf, size_t size)
{
	if (r->hdr && i < r->ncols)
		kp_msg_format(buf, size, KP_M_IN_CSV_COL_LABEL, r->hdr[i]);
	else
		kp_msg_format(buf, size, KP_M_IN_CSV_HEADER_LABEL, i + 1);
	return buf;
}

/* A byte-order mark (EF BB BF) inside s: found by its first byte, which
 * Chinese text hardly has (memmem's set-up costs more on short fields). */
static int has_bom(const unsigned char *s, size_t n)
{
	const unsigned char *p = s, *end = s + n;

	while (end - p >= 3 && (p = memchr(p, 0xEF, (size_t)(end - p - 2))))
		if (p[1] == 0xBB && p[2] == 0xBF)
			return 1;
		else
			p++;
	return 0;
}

/* Check one field's bytes: UTF-8, no NUL, no stray byte-order mark. */
static int check_field(reader *r, size_t i)
{
	const unsigned char *s = (const unsigned char *)r->ptrs[i];
	size_t n = r->len[i], ok;
	char lab[1024];

	if (!r->flag[i] || r->flag[i] == F_PARSED) /* a parsed field's text is not kept: nothing to check */
		return 0;
	if (r->flag[i] & F_NUL)
		return kp_err_msg(r->err, KP_EDATA, KP_M_IN_CSV_NUL, r->name, r->line, i + 1,
				  col_label(r, i, lab, sizeof lab));
	if (!(r->flag[i] & F_HIGH))
		return 0;
	ok = kp_enc_utf8_valid(s, n);
	if (ok != n)
		return kp_err_msg(r->err, KP_EDATA, KP_M_IN_CSV_NOT_UTF8, r->name, r->line, i + 1,
				  col_label(r, i, lab, sizeof lab), ok + 1);
	if (has_bom(s, n))
		return kp_err_msg(r->err, KP_EDATA, KP_M_IN_CSV_BOM, r->name, r->line, i + 1,
				  col_label(r, i, lab, sizeof lab));
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

/* Header names that look the same (kp_enc_name_key: a space at an end
 * that is not ASCII, an invisible character, full-width letters): one
 * column to whoever reads the file, two to the rules, which would read
 * the one with the exact name and leave the other unread, unsaid.  Only
 * names with a byte above 0x7F can differ so. */
typedef struct hdr_key { char *key; size_t i; } hdr_key;

static int hdr_key_cmp(const void *a, const void *b)
{
	const hdr_key *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->i > y->i) - (x->i < y->i);
}

static int header_alike(const char *name, size_t line, size_t n, char **f, kp_err *err)
{
	hdr_key *k;
	size_t i, high = 0;
	int rc = 0;

	for (i = 0; i < n && !high; i++) {
		const unsigned char *p = (const unsigned char *)f[i];
		while (*p && *p < 0x80)
			p++;
		high = *p != 0;
	}
	if (!high)
		return 0;
	if (!(k = calloc(n, sizeof *k)))
		return kp_err_oom(err);
	for (i = 0; i < n && !rc; i++)
		if (!(k[i].key = kp_enc_name_key(f[i])))
			rc = kp_err_oom(err);
		else
			k[i].i = i;
	if (!rc)
		qsort(k, n, sizeof *k, hdr_key_cmp);
	for (i = 1; i < n && !rc; i++)
		if (!strcmp(k[i - 1].key, k[i].key))
			rc = kp_err_msg(err, KP_EDATA, KP_M_IN_CSV_HEADER_ALIKE, name, line, k[i].i + 1, f[k[i].i],
					f[k[i - 1].i], k[i - 1].i + 1);
	for (i = 0; i < n; i++)
		free(k[i].key);
	free(k);
	return rc;
}

int kp_csv_check_header(const char *name, size_t line, size_t n, char **f, size_t *len, kp_err *err)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		f[i] = trim(f[i]);
		len[i] = strlen(f[i]);
		if (!*f[i])
			return kp_err_msg(err, KP_EDATA, KP_M_IN_CSV_EMPTY_HEADER, name, line, i + 1, i + 1,
					  i + 1 == n ? kp_msg_fmt(KP_MSG_IN_CSV_TRAILING_COMMA) : "");
		for (j = 0; j < i; j++)
			if (!strcmp(f[i], f[j]))
				return kp_err_msg(err, KP_EDATA, KP_M_IN_CSV_HEADER_TWICE, name, line, i + 1, f[i],
						  j + 1, i + 1);
	}
	return header_alike(name, line, n, f, err);
}

/* Trailing header names that are empty (Excel's last column): left out
 * when some name comes before them; each row must leave them empty. */
static size_t trailing_empty(const kp_csv_row *row)
{
	size_t k = 0;

	while (k < row->n && !*trim(row->f[row->n - 1 - k]))
		k++;
	return k < row->n ? k : 0;
}

static int take_header(reader *r, kp_csv_row *row)
{
	size_t i;
	int rc;

	r->hdr = calloc(row->n, sizeof *r->hdr);
	if (!r->hdr)
		return kp_err_oom(r->err);
	r->ncols = row->n;
	r->ndrop = trailing_empty(row);
	row->n -= r->ndrop;
	for (i = r->ncols - r->ndrop; i < r->ncols; i++)
		if (!(r->hdr[i] = strdup("")))
			return kp_err_oom(r->err);
	/* row->len is r->len: the trimmed length */
	if ((rc = kp_csv_check_header(r->name, r->line, row->n, row->f, r->len, r->err)))
		return rc;
	/* "id;name;cat" as one column (Excel's CSV where the list separator
	 * is ';'): every row one field, refused later as a unit table or
	 * data without their columns, and the message named no file */
	if (row->n == 1 && !r->tabs && strchr(row->f[0], ';')) {
		char q[KP_ERR_QUOTE];
		return kp_err_msg(r->err, KP_EDATA, KP_M_IN_CSV_SEMICOLONS, r->name, r->line, kp_err_quote(row->f[0], q));
	}
	for (i = 0; i < row->n; i++)
		if (!(r->hdr[i] = strdup(row->f[i])))
			return kp_err_oom(r->err);
	if (r->on_header && (rc = r->on_header(r->ud, row, r->err)))
		return rc;
	if (r->o.numeric && *r->o.numeric) /* the caller's numeric columns, known now */
		r->num = *r->o.numeric, r->nnum = row->n;
	return 0;
}

/* Is every field of the row empty (a row Excel leaves between tables)? */
static int row_empty(const reader *r)
{
	size_t i;

	for (i = 0; i < r->nf; i++)
		if (r->len[i])
			return 0;
	return 1;
}

/* A row as wide as the header with its columns of no name: those left
 * out, each empty; a row without them is taken as it is. */
static int drop_trailing(reader *r, kp_csv_row *row)
{
	size_t i, keep = r->ncols - r->ndrop;

	if (!r->ndrop || row->n != r->ncols)
		return 0;
	for (i = keep; i < row->n; i++)
		if (r->len[i]) {
			char q[KP_ERR_QUOTE];
			return kp_err_msg(r->err, KP_EDATA, KP_M_IN_CSV_NO_HEADER_NAME, r->name, r->line, i + 1, i + 1,
					  kp_err_quote(row->f[i], q));
		}
	row->n = keep;
	return 0;
}

static int emit_row(reader *r)
{
	kp_csv_row row;
	size_t i;
	int rc;

	for (i = 0; i < r->nf; i++)
		r->ptrs[i] = r->flag[i] & F_PARSED ? r->none : r->buf + r->off[i];
	row.line = r->line, row.n = r->nf, row.f = r->ptrs, row.len = r->len, row.part = r->part;
	row.cells = r->nnum ? r->cells : NULL;
	for (i = 0; i < r->nf; i++)
		if (r->flag[i] && (rc = check_field(r, i))) /* most fields need no closer look */
			return rc;
	if (row_empty(r)) {
		r->skipped++;
		return 0;
	}
	if (!r->ncols)
		return take_header(r, &row);
	if ((rc = drop_trailing(r, &row)))
		return rc;
	if (row.n != r->ncols - r->ndrop) {
		int trailing = row.n == r->ncols + 1 && r->len[row.n - 1] == 0;
		const char *tail = !trailing ? "" : kp_msg_fmt(r->tabs ? KP_MSG_IN_CSV_TRAILING_TAB : KP_MSG_IN_CSV_TRAILING_COMMA);
		if (row.n == 1)
			return kp_err_msg(r->err, KP_EDATA, KP_M_IN_CSV_FIELDS_ONE, r->name, r->line, row.n, r->ncols,
					  tail);
		return kp_err_msg(r->err, KP_EDATA, KP_M_IN_CSV_FIELDS, r->name, r->line, row.n, r->ncols, tail);
	}
	r->rows++;
	return r->on_row ? r->on_row(r->ud, &row, r->err) : 0;
}

static void on_row_end(int c, void *ud)
{
	reader *r = ud;

	if (r->rc)
		return;
	if (c == '\n' && r->last_cr && r->nf == 0) { /* the LF of a CRLF */
		r->last_cr = 0;
		return;
	}
	r->last_cr = c == '\r';
	if (r->nf > 0)
		r->rc = emit_row(r);
	r->line += 1 + r->nl_in_row;
	r->nl_in_row = 0;
	r->nf = 0;
	r->used = 0;
}

static int parse_block(reader *r, struct csv_parser *p, const char *s, size_t n)
{
	size_t done = 0;

	while (done < n && !r->rc) { /* in 64 KiB steps, so a huge field is caught early */
		size_t step = n - done < 65536 ? n - done : 65536;
		if (csv_parse(p, s + done, step, on_field, on_row_end, r) != step && !r->rc)
			r->rc = kp_err_msg(r->err, KP_EDATA, KP_M_IN_CSV_BAD_QUOTING, r->name, r->line + r->nl_in_row);
		if (!r->rc && p->entry_pos > r->o.max_field)
			r->rc = too_long(r, r->nf);
		done += step;
	}
	return r->rc;
}

static void reader_free(reader *r)
{
	size_t i;

	for (i = 0; r->hdr && !r->hdr_borrowed && i < r->ncols; i++)
		free(r->hdr[i]);
	if (!r->hdr_borrowed)
		free(r->hdr);
	free(r->buf);
	free(r->off);
	free(r->len);
	free(r->ptrs);
	free(r->flag);
	free(r->cells);
}

/* The source of bytes: a FILE or a buffer. */
typedef struct source {
	FILE *fp;
	const char *buf;
	size_t len, pos;
} source;

static size_t source_read(source *s, char *dst, size_t cap)
{
	size_t n;

	if (s->fp)
		return fread(dst, 1, cap, s->fp);
	n = s->len - s->pos < cap ? s->len - s->pos : cap;
	memcpy(dst, s->buf + s->pos, n);
	s->pos += n;
	return n;
}

static int finish_parse(reader *r, struct csv_parser *p)
{
	if (r->rc)
		return r->rc;
	if (csv_fini(p, on_field, on_row_end, r) != 0 && !r->rc)
		r->rc = kp_err_msg(r->err, KP_EDATA, KP_M_IN_CSV_OPEN_QUOTE, r->name, r->line);
	return r->rc;
}

static int finish(reader *r, struct csv_parser *p, size_t bytes)
{
	if (finish_parse(r, p))
		return r->rc;
	if (bytes == 0 || !r->ncols)
		return kp_err_msg(r->err, KP_EDATA, KP_M_IN_CSV_EMPTY, r->name);
	if (r->rows == 0 && !r->o.header_only)
		return kp_err_msg(r->err, KP_EDATA, KP_M_IN_CSV_NO_ROWS, r->name);
	return 0;
}

/* Decide the encoding from the first block; skip a UTF-8 BOM, also before
 * GB18030 (WPS writes one sometimes).  Valid UTF-8 that reads as unlikely
 * characters but as Chinese in GB18030 is refused: the user says which.
 * So is a file that is not UTF-8 and reads as no Chinese in GB18030
 * either (Big5, Shift-JIS): iconv takes almost any byte pair as GBK. */
static int first_block(reader *r, const char **s, size_t *n, int *enc)
{
	/* kaoping run RULES kaoping.db: the database where a CSV goes was
	 * told "the file is UTF-16" (its NUL bytes) */
	if (*n >= 16 && !memcmp(*s, "SQLite format 3", 16))
		return kp_err_msg(r->err, KP_EDATA, KP_M_IN_CSV_SQLITE, r->name);
	if (*enc == KP_ENC_AUTO) {
		*enc = kp_enc_detect((const unsigned char *)*s, *n);
		int why = *enc == KP_ENC_UTF8 ? kp_enc_utf8_unlikely((const unsigned char *)*s, *n) : 0;
		if (*enc == KP_ENC_GB18030 && kp_enc_gb18030_unlikely((const unsigned char *)*s, *n))
			return kp_err_msg(r->err, KP_EDATA, KP_M_IN_CSV_UNLIKELY_GB18030, r->name);
		if (why == KP_ENC_UNLIKELY_RARE)
			return kp_err_msg(r->err, KP_EDATA, KP_M_IN_CSV_UNLIKELY_RARE, r->name);
		if (why)
			return kp_err_msg(r->err, KP_EDATA, KP_M_IN_CSV_UNLIKELY_UTF8, r->name);
	}
	if (*enc == KP_ENC_UTF16 || *enc == KP_ENC_UTF32)
		return kp_err_msg(r->err, KP_EDATA, KP_M_IN_CSV_UTF16, r->name, kp_enc_name(*enc));
	if (*n >= 3 && !memcmp(*s, "\xEF\xBB\xBF", 3))
		*s += 3, *n -= 3;
	return 0;
}

/* A conversion error names the line of the bad byte.  The converter
 * gives the byte's offset in the stream (kp_enc_conv_bad_at); the block
 * s[0..n) starts at offset raw_at, after raw_lines line ends. */
static int conv_error(reader *r, const kp_enc_conv *conv, const char *s, size_t n, size_t raw_at, size_t raw_lines)
{
	size_t at = kp_enc_conv_bad_at(conv);

	if (!r->err)
		return KP_EDATA;
	if (at > raw_at)
		raw_lines += count_newlines(s, at - 1 - raw_at < n ? at - 1 - raw_at : n);
	return kp_err_prefix(r->err, "%s:%zu", r->name, raw_lines + 1);
}

/* The file grew shorter while it was read: another program is writing it.
 * What was read is not the file, so it is no data to use. */
static int shrank(kp_err *err, const char *path, size_t had, size_t got)
{
	return kp_err_msg(err, KP_EIO, KP_M_IN_SHRANK, path, had, got);
}

/* Does the first line of s[0..n) hold tabs and no comma (a file saved
 * as "Text (Tab delimited)")? */
static int first_line_tabs(const char *s, size_t n)
{
	const char *nl = memchr(s, '\n', n);
	size_t len = nl ? (size_t)(nl - s) : n;

	return memchr(s, '\t', len) && !memchr(s, ',', len);
}

/* One pass over a source: the parser, the converter (GB18030 only), the
 * digest, and how far it went. */
typedef struct pass {
	struct csv_parser p;
	kp_enc_conv *conv;
	EVP_MD_CTX *md;
	size_t bytes;             /* bytes read, a skipped BOM included */
	size_t raw_at, raw_lines; /* converter input so far, its line ends */
	int enc, raw_cr;
} pass;

/* A block of GB18030 converted: *s and *n become the UTF-8 text; the line
 * ends of the raw bytes are counted for the messages. */
static int convert_block(reader *r, pass *ps, const char **s, size_t *n)
{
	const char *raw = *s;
	size_t rawn = *n;
	int rc;

	if ((rc = kp_enc_conv_run(ps->conv, raw, rawn, 0, s, n, r->err)))
		conv_error(r, ps->conv, raw, rawn, ps->raw_at, ps->raw_lines);
	ps->raw_lines += count_newlines(raw, rawn) - (ps->raw_cr && rawn && raw[0] == '\n');
	ps->raw_cr = rawn && raw[rawn - 1] == '\r';
	ps->raw_at += rawn;
	return rc;
}

/* One block read: into the digest, the encoding and the separator decided
 * by the first, converted when it is GB18030, parsed. */
static int take_block(reader *r, pass *ps, const char *block, size_t n)
{
	const char *s = block;
	int first = ps->bytes == 0, rc = 0;

	if (r->o.sha256)
		EVP_DigestUpdate(ps->md, block, n);
	if (first && (rc = first_block(r, &s, &n, &ps->enc)))
		return rc;
	if (first && ps->enc == KP_ENC_GB18030 && !(ps->conv = kp_enc_conv_new(r->err)))
		rc = r->err ? r->err->kind : KP_EINTERNAL;
	ps->bytes += (size_t)(s - block) + n;
	if (!rc && ps->conv)
		rc = convert_block(r, ps, &s, &n);
	if (!rc && first && first_line_tabs(s, n))
		csv_set_delim(&ps->p, '\t'), r->tabs = 1;
	return rc ? rc : parse_block(r, &ps->p, s, n);
}

/* After the last block: a read error, a file that shrank, the converter's
 * last bytes, the end of the CSV. */
static int end_input(reader *r, pass *ps, source *src, size_t total)
{
	const char *s;
	size_t n;
	int rc;

	if (src->fp && ferror(src->fp))
		return kp_err_msg(r->err, KP_ENOINPUT, KP_M_IN_READ_ERROR, r->name, strerror(errno));
	if (src->fp && ps->bytes < total)
		return shrank(r->err, r->name, total, ps->bytes);
	if (ps->conv) {
		if ((rc = kp_enc_conv_run(ps->conv, "", 0, 1, &s, &n, r->err))) {
			conv_error(r, ps->conv, "", 0, ps->raw_at, ps->raw_lines);
			return rc;
		}
		if ((rc = parse_block(r, &ps->p, s, n)))
			return rc;
	}
	return finish(r, &ps->p, ps->bytes);
}

static void pass_info(const reader *r, pass *ps, kp_csv_info *info)
{
	unsigned mdlen;

	info->encoding = ps->enc, info->bytes = ps->bytes, info->rows = r->rows;
	info->skipped_rows = r->skipped, info->dropped_cols = r->ndrop, info->tabs = r->tabs;
	if (r->o.sha256)
		EVP_DigestFinal_ex(ps->md, info->sha256, &mdlen);
}

static int read_all(reader *r, source *src, size_t total, kp_csv_info *info)
{
	pass ps;
	char *block = malloc(BLOCK);
	size_t n, next_tick = 4u << 20;
	int rc = 0;

	memset(&ps, 0, sizeof ps);
	ps.enc = r->o.encoding;
	ps.md = EVP_MD_CTX_new();
	if (!block || !ps.md || csv_init(&ps.p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL | CSV_REPALL_NL)) {
		free(block);
		EVP_MD_CTX_free(ps.md);
		return kp_err_oom(r->err);
	}
	csv_set_blk_size(&ps.p, 1u << 16);
	if (r->o.sha256)
		EVP_DigestInit_ex(ps.md, EVP_sha256(), NULL);
	while (!rc && (n = source_read(src, block, BLOCK)) > 0) {
		rc = take_block(r, &ps, block, n);
		if (r->o.progress && ps.bytes >= next_tick) {
			r->o.progress(r->o.progress_ud, ps.bytes, total);
			next_tick = ps.bytes + (4u << 20);
		}
	}
	if (!rc)
		rc = end_input(r, &ps, src, total);
	if (info)
		pass_info(r, &ps, info);
	csv_free(&ps.p);
	kp_enc_conv_free(ps.conv);
	EVP_MD_CTX_free(ps.md);
	free(block);
	return rc;
}

static void reader_init(reader *r, const char *name, const kp_csv_opts *opts, kp_csv_fn on_header,
			kp_csv_fn on_row, void *ud, kp_err *err)
{
	memset(r, 0, sizeof *r);
	r->name = name, r->on_header = on_header, r->on_row = on_row, r->ud = ud, r->err = err;
	r->line = 1;
	if (opts)
		r->o = *opts;
	if (!r->o.max_field)
		r->o.max_field = KP_CSV_MAX_FIELD;
	if (!r->o.max_cols)
		r->o.max_cols = KP_CSV_MAX_COLS;
}

static int run_reader(const char *name, source *src, size_t total, const kp_csv_opts *opts,
		      kp_csv_fn on_header, kp_csv_fn on_row, void *ud, kp_csv_info *info, kp_err *err)
{
	reader r;
	int rc;

	reader_init(&r, name, opts, on_header, on_row, ud, err);
	rc = read_all(&r, src, total, info);
	reader_free(&r);
	return rc;
}

int kp_csv_read_file(const char *path, const kp_csv_opts *opts, kp_csv_fn on_header,
		     kp_csv_fn on_row, void *ud, kp_csv_info *info, kp_err *err)
{
	source src = {0};
	struct stat st;
	int rc;

	if (!(src.fp = kp_infile_open(path, "a CSV file", &st, err)))
		return KP_ENOINPUT;
	rc = run_reader(path, &src, (size_t)st.st_size, opts, on_header, on_row, ud, info, err);
	fclose(src.fp);
	return rc;
}

int kp_csv_read_buffer(const char *name, const char *buf, size_t len, const kp_csv_opts *opts,
		       kp_csv_fn on_header, kp_csv_fn on_row, void *ud, kp_csv_info *info, kp_err *err)
{
	source src = {0};

	src.buf = buf, src.len = len;
	return run_reader(name, &src, len, opts, on_header, on_row, ud, info, err);
}

/* ---- large UTF-8 files on several threads ----
 * No copy of the whole file: one streaming pass plans the cuts at row ends
 * (keeping the quote parity and the count of LFs), then each thread reads
 * its piece with pread() in blocks and parses it.  Reads, not a mapping:
 * a file cut short under a mapping kills the reader with SIGBUS. */

#define PARALLEL_MIN (16u << 20)
#define PIECES_MAX 8

/* A parser for whole rows, no encoding work (as read_all sets it up). */
static int range_parser(reader *r, struct csv_parser *p)
{
	if (csv_init(p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL | CSV_REPALL_NL))
		return r->rc = kp_err_oom(r->err);
	csv_set_blk_size(p, 1u << 16);
	return 0;
}

/* Parse bytes [0, n) as whole rows. */
static int parse_range(reader *r, const char *s, size_t n)
{
	struct csv_parser p;

	if (range_parser(r, &p))
		return r->rc;
	if (!parse_block(r, &p, s, n))
		finish_parse(r, &p);
	csv_free(&p);
	return r->rc;
}

/* want bytes of the file at offset off into buf, again after EINTR: how
 * many were read (fewer at the file's end), or -1 with errno set. */
static ssize_t read_at(int fd, char *buf, size_t want, size_t off)
{
	size_t got = 0;

	while (got < want) {
		ssize_t n = pread(fd, buf + got, want - got, (off_t)(off + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* read_at for the calling thread: all want bytes or an error (a read
 * error; a short read is a file that shrank from size bytes). */
static int read_exact(int fd, const char *path, char *buf, size_t want, size_t off, size_t size, kp_err *err)
{
	ssize_t n = read_at(fd, buf, want, off);

	if (n < 0)
		return kp_err_msg(err, KP_ENOINPUT, KP_M_IN_READ_ERROR, path, strerror(errno));
	if ((size_t)n < want)
		return shrank(err, path, size, off + (size_t)n);
	return 0;
}

/* One piece of the file and its reader.  A read error on a thread keeps
 * its errno for the calling thread to word (strerror is not thread-safe). */
typedef struct piece {
	reader r;
	kp_err err;
	int fd, eno;
	size_t from, to, size; /* bytes [from, to) of a file of size bytes */
} piece;

/* Parse the piece's bytes, read in blocks into buf, as whole rows. */
static void parse_file_range(piece *pc, char *buf)
{
	reader *r = &pc->r;
	struct csv_parser p;
	size_t at = pc->from;

	if (range_parser(r, &p))
		return;
	while (!r->rc && at < pc->to) {
		size_t want = pc->to - at < BLOCK ? pc->to - at : BLOCK;
		ssize_t n = read_at(pc->fd, buf, want, at);
		if (n < 0)
			pc->eno = errno, r->rc = KP_ENOINPUT;
		else if ((size_t)n < want)
			r->rc = shrank(r->err, r->name, pc->size, at + (size_t)n);
		else
			parse_block(r, &p, buf, want);
		at += want;
	}
	finish_parse(r, &p);
	csv_free(&p);
}

/* A thread's work: its piece, through a block buffer of its own. */
static void *parse_piece(void *arg)
{
	piece *pc = arg;
	char *buf = malloc(BLOCK);

	if (!buf)
		pc->r.rc = kp_err_oom(pc->r.err);
	else
		parse_file_range(pc, buf);
	free(buf);
	return NULL;
}

/* The streaming scan that plans the cuts: block holds the file's bytes
 * [at, at + n), i is the next to look at; the quote parity, the LFs so
 * far, a CR waiting for its LF, and whether a lone CR was seen (line
 * numbers counted by LFs would then be wrong). */
typedef struct planner {
	int fd;
	const char *path;
	size_t size;
	char *block;
	size_t at, n, i, lines;
	int odd, cr, lone;
	int no_cr; /* the block has no CR */
} planner;

/* The next block of the file into pl->block. */
static int plan_fill(planner *pl, kp_err *err)
{
	size_t at = pl->at + pl->n, want = pl->size - at < BLOCK ? pl->size - at : BLOCK;
	int rc;

	pl->at = at, pl->n = want, pl->i = 0;
	if ((rc = read_exact(pl->fd, pl->path, pl->block, want, at, pl->size, err)))
		return rc;
	pl->no_cr = !memchr(pl->block, '\r', want);
	return 0;
}

/* scan_block for a block with no CR after no CR: quote to quote and LF
 * to LF by memchr (most of a file is rows with no quote at all). */
static int scan_no_cr(planner *pl, size_t from)
{
	const char *s = pl->block, *p;
	size_t i = pl->i, n = pl->n, q;

	while (i < n) {
		p = memchr(s + i, '"', n - i);
		q = p ? (size_t)(p - s) : n;
		while (i < q && (p = memchr(s + i, '\n', q - i))) {
			i = (size_t)(p - s) + 1;
			pl->lines++;
			if (!pl->odd && pl->at + i > from) {
				pl->i = i;
				return 1;
			}
		}
		i = q;
		if (q < n)
			pl->odd ^= 1, i = q + 1;
	}
	pl->i = n;
	return 0;
}

/* Scan the block on from pl->i for an LF outside quotes at file offset
 * from or later: 1 when found (pl->i just past it), 0 at the block's end
 * or at a lone CR (pl->lone set). */
static int scan_block(planner *pl, size_t from)
{
	const char *s = pl->block;
	size_t i = pl->i, lines = pl->lines;
	int odd = pl->odd, cr = pl->cr, found = 0;

	if (pl->no_cr && !cr)
		return scan_no_cr(pl, from);
	while (i < pl->n) {
		char c = s[i++];
		if (cr && c != '\n') {
			pl->lone = 1;
			break;
		}
		cr = c == '\r';
		if (c == '"')
			odd ^= 1;
		else if (c == '\n' && (++lines, !odd && pl->at + i > from)) {
			found = 1;
			break;
		}
	}
	pl->i = i, pl->lines = lines, pl->odd = odd, pl->cr = cr;
	return found;
}

/* The end of the row that holds byte from: just past an LF outside quotes
 * (the file's size when there is none; a CR at the end is a lone one). */
static int next_cut(planner *pl, size_t from, size_t *cut, kp_err *err)
{
	int rc;

	while (!scan_block(pl, from) && !pl->lone) {
		if (pl->at + pl->n >= pl->size) {
			pl->lone |= pl->cr;
			break;
		}
		if ((rc = plan_fill(pl, err)))
			return rc;
	}
	*cut = pl->at + pl->i;
	return 0;
}

/* Can the file be read in pieces: UTF-8 by its first block (not GB18030,
 * not UTF-8 that reads better as GB18030)? */
static int pieces_fit(const char *s, size_t size, const kp_csv_opts *opts)
{
	size_t head = size < BLOCK ? size : BLOCK;

	if (kp_enc_detect((const unsigned char *)s, head) != KP_ENC_UTF8 || (opts && opts->encoding == KP_ENC_GB18030))
		return 0;
	return !((!opts || opts->encoding == KP_ENC_AUTO) && kp_enc_utf8_unlikely((const unsigned char *)s, head));
}

/* The header row, bytes [start, end), into *head (malloc'd, exactly its
 * size: it may be longer than a block). */
static int read_head(planner *pl, size_t start, size_t end, char **head, kp_err *err)
{
	if (!(*head = malloc(end - start)))
		return kp_err_oom(err);
	return read_exact(pl->fd, pl->path, *head, end - start, start, pl->size, err);
}

/* The cuts, planned in one pass: the first block decides whether the file
 * fits pieces and skips a BOM; the header is [*start, cut[0]), read into
 * *head; piece i starts at cut[i] (its first line line_at[i]), the first
 * row end at or past its share of the file; cut[nparts] = size.  0 with
 * *one_thread set when the file cannot be cut safely (another encoding, a
 * lone CR before the last cut, a header alone, tabs). */
static int plan_cuts(planner *pl, const kp_csv_opts *opts, int nparts, size_t *start, size_t *cut,
		     size_t *line_at, char **head, int *one_thread, kp_err *err)
{
	int i, rc;

	if ((rc = plan_fill(pl, err)))
		return rc;
	if (!pieces_fit(pl->block, pl->n, opts))
		return *one_thread = 1, 0;
	*start = pl->i = pl->n >= 3 && !memcmp(pl->block, "\xEF\xBB\xBF", 3) ? 3 : 0;
	if ((rc = next_cut(pl, *start, &cut[0], err)) || pl->lone || cut[0] >= pl->size)
		return *one_thread = !rc, rc;
	if ((rc = read_head(pl, *start, cut[0], head, err)) || first_line_tabs(*head, cut[0] - *start))
		return *one_thread = !rc, rc;
	line_at[0] = pl->lines + 1;
	for (i = 1; i < nparts; i++) {
		size_t target = cut[0] + (pl->size - cut[0]) * (size_t)i / (size_t)nparts;
		if (target < cut[i - 1])
			return *one_thread = 1, 0;
		if ((rc = next_cut(pl, target, &cut[i], err)) || pl->lone)
			return *one_thread = !rc, rc;
		line_at[i] = pl->lines + 1;
	}
	cut[nparts] = pl->size;
	return 0;
}

/* Plan the cuts of the file open on fd (see plan_cuts), through one block
 * buffer freed before the pieces are read. */
static int plan_file(int fd, const char *path, size_t size, const kp_csv_opts *opts, int nparts, size_t *start,
		     size_t *cut, size_t *line_at, char **head, int *one_thread, kp_err *err)
{
	planner pl;
	int rc;

	memset(&pl, 0, sizeof pl);
	pl.fd = fd, pl.path = path, pl.size = size;
	if (!(pl.block = malloc(BLOCK)))
		return kp_err_oom(err);
	rc = plan_cuts(&pl, opts, nparts, start, cut, line_at, head, one_thread, err);
	free(pl.block);
	return rc;
}

/* Parse the pieces, all but the first on threads (or here when a thread
 * cannot start); the first error in the file's order goes to err. */
static int run_pieces(piece *pc, int nparts, size_t *rows, size_t *skipped, kp_err *err)
{
	int i, rc = 0;

	kp_par_run(pc, (size_t)nparts, sizeof pc[0], parse_piece);
	for (i = 0; i < nparts; i++) {
		if (!rc && pc[i].eno) /* a read error, worded here */
			rc = kp_err_msg(err, KP_ENOINPUT, KP_M_IN_READ_ERROR, pc[i].r.name, strerror(pc[i].eno));
		else if (!rc && pc[i].r.rc) { /* the first error in the file's order */
			rc = pc[i].r.rc;
			kp_err_move(err, &pc[i].err);
			if (err)
				err->kind = rc;
		}
		*rows += pc[i].r.rows, *skipped += pc[i].r.skipped;
		reader_free(&pc[i].r);
		kp_err_clear(&pc[i].err);
	}
	return rc;
}

/* The file as it was when planned (same size, same time of change), or
 * another program wrote it while it was read. */
static int unchanged(int fd, const char *path, const struct stat *was, kp_err *err)
{
	struct stat now;

	if (fstat(fd, &now) != 0)
		return kp_err_msg(err, KP_ENOINPUT, KP_M_IN_READ_ERROR, path, strerror(errno));
	if (now.st_size < was->st_size)
		return shrank(err, path, (size_t)was->st_size, (size_t)now.st_size);
	if (now.st_size != was->st_size || now.st_mtim.tv_sec != was->st_mtim.tv_sec ||
	    now.st_mtim.tv_nsec != was->st_mtim.tv_nsec)
		return kp_err_msg(err, KP_EIO, KP_M_IN_CHANGED, path, (size_t)was->st_size, (size_t)now.st_size);
	return 0;
}

/* Piece i of the file: bytes [cut[i], cut[i + 1]) from its line
 * line_at[i], read as h reads (its options), the header's names borrowed
 * from h. */
static void piece_init(piece *pc, int i, const reader *h, kp_csv_fn on_row, int fd, size_t size, const size_t *cut,
		       const size_t *line_at)
{
	memset(&pc->err, 0, sizeof pc->err);
	reader_init(&pc->r, h->name, &h->o, NULL, on_row, h->ud, &pc->err);
	pc->r.ncols = h->ncols, pc->r.ndrop = h->ndrop, pc->r.hdr = h->hdr, pc->r.hdr_borrowed = 1;
	pc->r.num = h->num, pc->r.nnum = h->nnum;
	pc->r.line = line_at[i], pc->r.part = i;
	pc->fd = fd, pc->eno = 0, pc->from = cut[i], pc->to = cut[i + 1], pc->size = size;
}

/* Cut the file open on fd (st: its fstat) at row ends, parse the header
 * here and the pieces on threads: 0 or an error kind; *one_thread set (and
 * no row handed over) when the file needs the one-thread reader. */
static int read_pieces(int fd, const struct stat *st, const char *path, const kp_csv_opts *opts, int nparts,
		       kp_csv_fn on_header, kp_csv_fn on_row, void *ud, kp_csv_info *info, int *one_thread,
		       kp_err *err)
{
	piece pc[PIECES_MAX];
	reader h;
	char *head = NULL;
	size_t size = (size_t)st->st_size, start = 0, rows = 0, skipped = 0;
	size_t cut[PIECES_MAX + 1], line_at[PIECES_MAX + 1];
	int i, rc;

	*one_thread = 0;
	rc = plan_file(fd, path, size, opts, nparts, &start, cut, line_at, &head, one_thread, err);
	if (rc || *one_thread) {
		free(head);
		return rc;
	}
	reader_init(&h, path, opts, on_header, NULL, ud, err);
	rc = parse_range(&h, head, cut[0] - start);
	free(head);
	if (rc || !h.ncols) {
		reader_free(&h);
		return *one_thread = !rc, rc;
	}
	for (i = 0; i < nparts; i++)
		piece_init(&pc[i], i, &h, on_row, fd, size, cut, line_at);
	rc = run_pieces(pc, nparts, &rows, &skipped, err);
	reader_free(&h);
	if (!rc)
		rc = unchanged(fd, path, st, err);
	if (!rc && rows == 0 && !(opts && opts->header_only))
		rc = kp_err_msg(err, KP_EDATA, KP_M_IN_CSV_NO_ROWS, path);
	if (info) {
		memset(info, 0, sizeof *info);
		info->encoding = KP_ENC_UTF8, info->bytes = size, info->rows = rows;
		info->skipped_rows = skipped + h.skipped, info->dropped_cols = h.ndrop;
	}
	return rc;
}

int kp_csv_read_file_parts(const char *path, const kp_csv_opts *opts, int nparts, kp_csv_fn on_header,
			   kp_csv_fn on_row, void *ud, kp_csv_info *info, kp_err *err)
{
	struct stat st;
	int fd, rc, one_thread = 0;

	if (nparts > PIECES_MAX)
		nparts = PIECES_MAX;
	if (nparts < 2 || (opts && (opts->sha256 || opts->progress)))
		return kp_csv_read_file(path, opts, on_header, on_row, ud, info, err);
	if ((fd = kp_infile_open_fd(path, "a CSV file", &st, err)) < 0)
		return KP_ENOINPUT;
	if ((size_t)st.st_size < PARALLEL_MIN) {
		close(fd);
		return kp_csv_read_file(path, opts, on_header, on_row, ud, info, err);
	}
	rc = read_pieces(fd, &st, path, opts, nparts, on_header, on_row, ud, info, &one_thread, err);
	close(fd);
	if (!rc && one_thread) /* not a file for pieces after all: the reader that streams it */
		rc = kp_csv_read_file(path, opts, on_header, on_row, ud, info, err);
	return rc;
}
