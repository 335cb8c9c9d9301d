/* fuzz_csv.c — libFuzzer harness for the CSV reader with encoding detection
 * (kp_csv_read_buffer) and the GB18030 converter.
 *
 * Input: one options byte, then the file's bytes.  Options: bits 0-1 the
 * encoding (auto, utf-8, gb18030, auto), bit 2 a 64-byte field cap, bit 3 an
 * 8-column cap, bits 4-7 where to split the buffer for the converter check.
 *
 * Beyond "no crash, no leak, no undefined behaviour" it checks what the
 * reader promises: every field handed to a callback is NUL-terminated at its
 * length, holds no NUL and is valid UTF-8 without a byte-order mark; every
 * row has the header's width; lines only go forward; an error names the
 * file; and converting GB18030 in two pieces gives the same bytes as in one. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kaoping/csv.h"
#include "kaoping/enc.h"

#define NAME "fuzz.csv"

typedef struct seen {
	size_t ncols, rows, line;
	unsigned long sum;
} seen;

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_csv: broken promise: %s\n", what);
	abort();
}

static void touch(seen *s, const kp_csv_row *row)
{
	size_t i, j;

	if (row->line < 1 || row->line < s->line)
		fail("row lines must start at 1 and never go back");
	s->line = row->line;
	for (i = 0; i < row->n; i++) {
		const unsigned char *f = (const unsigned char *)row->f[i];
		size_t n = row->len[i];
		if (f[n] != '\0')
			fail("a field is not NUL-terminated at its length");
		for (j = 0; j < n; j++) {
			if (f[j] == 0)
				fail("a field holds a NUL byte");
			s->sum += f[j];
		}
		if (kp_enc_utf8_valid(f, n) != n)
			fail("a field is not valid UTF-8");
		if (n >= 3 && memmem(f, n, "\xEF\xBB\xBF", 3))
			fail("a field holds a byte-order mark");
		s->sum += kp_enc_width(row->f[i]);
	}
}

static int on_header(void *ud, const kp_csv_row *row, kp_err *err)
{
	seen *s = ud;
	size_t i, j;

	(void)err;
	if (s->ncols)
		fail("two headers");
	if (row->n == 0)
		fail("an empty header");
	touch(s, row);
	for (i = 0; i < row->n; i++) {
		if (!row->f[i][0])
			fail("an empty header name passed");
		for (j = 0; j < i; j++)
			if (!strcmp(row->f[i], row->f[j]))
				fail("a repeated header name passed");
	}
	s->ncols = row->n;
	return 0;
}

static int on_row(void *ud, const kp_csv_row *row, kp_err *err)
{
	seen *s = ud;

	(void)err;
	if (!s->ncols)
		fail("a row before the header");
	if (row->n != s->ncols)
		fail("a row of another width than the header");
	touch(s, row);
	s->rows++;
	return 0;
}

/* The converter: all at once, or split at cut; the same bytes or both fail. */
static void check_conv(const uint8_t *data, size_t size, size_t cut)
{
	kp_enc_conv *a = kp_enc_conv_new(NULL), *b = kp_enc_conv_new(NULL);
	kp_err err;
	const char *out;
	size_t n, len1 = 0, len2 = 0;
	char *one = NULL, *two = NULL;
	int ra, rb = 0;

	if (!a || !b)
		fail("iconv cannot open GB18030");
	memset(&err, 0, sizeof err);
	ra = kp_enc_conv_run(a, (const char *)data, size, 1, &out, &n, &err);
	if (!ra) {
		one = malloc(n + 1);
		memcpy(one, out, n);
		len1 = n;
	}
	if (cut > size)
		cut = size;
	two = malloc(2 * size + 64);
	rb = kp_enc_conv_run(b, (const char *)data, cut, 0, &out, &n, &err);
	if (!rb) {
		memcpy(two, out, n);
		len2 = n;
		rb = kp_enc_conv_run(b, (const char *)data + cut, size - cut, 1, &out, &n, &err);
		if (!rb) {
			memcpy(two + len2, out, n);
			len2 += n;
		}
	}
	if (!ra && !rb && (len1 != len2 || memcmp(one, two, len1)))
		fail("GB18030 converted in two pieces differs from one piece");
	if (!ra != !rb)
		fail("GB18030 conversion fails in pieces but not at once, or the other way");
	if (!ra && kp_enc_utf8_valid((const unsigned char *)one, len1) != len1)
		fail("the converter produced invalid UTF-8");
	free(one);
	free(two);
	kp_enc_conv_free(a);
	kp_enc_conv_free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int encs[4] = {KP_ENC_AUTO, KP_ENC_UTF8, KP_ENC_GB18030, KP_ENC_AUTO};
	kp_csv_opts o;
	kp_csv_info info;
	kp_err err;
	seen s;
	int rc;
	uint8_t opt;

	if (size < 1)
		return 0;
	opt = data[0];
	data++, size--;
	memset(&o, 0, sizeof o);
	o.encoding = encs[opt & 3];
	o.max_field = opt & 4 ? 64 : 0;
	o.max_cols = opt & 8 ? 8 : 0;
	o.sha256 = (opt & 0x30) == 0x30;
	memset(&err, 0, sizeof err);
	memset(&s, 0, sizeof s);
	memset(&info, 0, sizeof info);
	(void)kp_enc_detect(data, size);
	rc = kp_csv_read_buffer(NAME, (const char *)data, size, &o, on_header, on_row, &s, &info, &err);
	if (rc) {
		if (!err.msg[0])
			fail("an error without a message");
		if (rc != KP_EINTERNAL && strncmp(err.msg, NAME, strlen(NAME)))
			fail("an error message that does not start with the file's name");
		if (rc != KP_EDATA && rc != KP_EINTERNAL && rc != KP_ENOINPUT)
			fail("an error of an unexpected kind");
	} else {
		if (!s.ncols || !s.rows)
			fail("success without a header and a row");
		if (info.rows != s.rows)
			fail("info.rows differs from the rows seen");
	}
	kp_err_clear(&err);
	if (size <= 4096)
		check_conv(data, size, size * (opt >> 4) / 15);
	return 0;
}
