/* fuzz_xlsx.c — libFuzzer harness for the SpreadsheetML reader
 * (kp_xlsx_read_buffer).
 *
 * Input: one options byte, then the parts of a workbook as plain XML
 * separated by NUL bytes, in the order xl/workbook.xml,
 * xl/_rels/workbook.xml.rels, xl/styles.xml, xl/sharedStrings.xml,
 * xl/worksheets/sheet1.xml (an empty piece leaves the part out).  The
 * harness zips them uncompressed with libzip, so the mutations reach the
 * XML instead of breaking a deflate stream.  Options: bit 0 reads the
 * bytes after the options byte as the zip itself (the container's own
 * parsing), bit 1 a 16-byte cell cap, bit 2 an 8-column cap, bit 3 asks
 * for the sheet "S" by name.
 *
 * Beyond "no crash, no leak, no undefined behaviour" it checks what the
 * reader promises: every field is NUL-terminated at its length and valid
 * UTF-8; every data row has the header's width; lines (sheet rows) go
 * forward; an error names the file. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "kaoping/csv.h"
#include "kaoping/enc.h"
#include "kaoping/xlsx.h"

#define NAME "fuzz.xlsx"

typedef struct seen {
	size_t ncols, line;
} seen;

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_xlsx: broken promise: %s\n", what);
	abort();
}

static void touch(seen *s, const kp_csv_row *row)
{
	size_t i;

	if (row->line < 1 || row->line <= s->line)
		fail("rows must start at 1 and go forward");
	s->line = row->line;
	for (i = 0; i < row->n; i++) {
		if (strlen(row->f[i]) != row->len[i])
			fail("a field is not NUL-terminated at its length");
		if (kp_enc_utf8_valid((const unsigned char *)row->f[i], row->len[i]) != row->len[i])
			fail("a field is not valid UTF-8");
	}
}

static int on_header(void *ud, const kp_csv_row *row, kp_err *err)
{
	seen *s = ud;

	(void)err;
	touch(s, row);
	if (row->n == 0)
		fail("an empty header");
	s->ncols = row->n;
	return 0;
}

static int on_row(void *ud, const kp_csv_row *row, kp_err *err)
{
	seen *s = ud;

	(void)err;
	touch(s, row);
	if (row->n != s->ncols)
		fail("a row without the header's width");
	return 0;
}

static const char *const parts[] = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
				    "xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"};

/* The pieces zipped (stored); the bytes in *out, malloc'd.  0 on failure. */
static size_t zip_parts(const uint8_t *data, size_t size, uint8_t **out)
{
	zip_error_t ze;
	zip_source_t *src;
	zip_t *z;
	size_t i = 0, at = 0;
	zip_int64_t len = 0;

	*out = NULL;
	zip_error_init(&ze);
	if (!(src = zip_source_buffer_create(NULL, 0, 0, &ze)))
		return 0;
	zip_source_keep(src);
	if (!(z = zip_open_from_source(src, ZIP_TRUNCATE, &ze))) {
		zip_source_free(src);
		return 0;
	}
	for (i = 0; i < 5 && at <= size; i++) {
		const uint8_t *nul = memchr(data + at, 0, size - at);
		size_t n = nul ? (size_t)(nul - data) - at : size - at;
		zip_source_t *p = n ? zip_source_buffer(z, data + at, n, 0) : NULL;
		zip_int64_t idx = p ? zip_file_add(z, parts[i], p, 0) : -1;
		if (p && idx < 0)
			zip_source_free(p);
		if (idx >= 0)
			zip_set_file_compression(z, (zip_uint64_t)idx, ZIP_CM_STORE, 0);
		at += n + 1;
	}
	if (zip_close(z) != 0) {
		zip_discard(z);
		zip_source_free(src);
		return 0;
	}
	if (zip_source_open(src) == 0) {
		zip_source_seek(src, 0, SEEK_END);
		len = zip_source_tell(src);
		zip_source_seek(src, 0, SEEK_SET);
		if (len > 0 && (*out = malloc((size_t)len)) && zip_source_read(src, *out, (zip_uint64_t)len) != len) {
			free(*out);
			*out = NULL;
		}
		zip_source_close(src);
	}
	zip_source_free(src);
	zip_error_fini(&ze);
	return *out ? (size_t)len : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	kp_csv_opts o;
	kp_csv_info info;
	kp_err err;
	seen s;
	uint8_t *zipped = NULL;
	const uint8_t *book;
	size_t len;
	int rc;

	if (size < 1)
		return 0;
	memset(&o, 0, sizeof o);
	memset(&s, 0, sizeof s);
	memset(&err, 0, sizeof err);
	if (data[0] & 2)
		o.max_field = 16;
	if (data[0] & 4)
		o.max_cols = 8;
	if (data[0] & 8)
		o.sheet = "S";
	if (data[0] & 1) {
		book = data + 1, len = size - 1;
	} else {
		if (!(len = zip_parts(data + 1, size - 1, &zipped)))
			return 0;
		book = zipped;
	}
	rc = kp_xlsx_read_buffer(NAME, book, len, &o, on_header, on_row, &s, &info, &err);
	if (rc && strncmp(err.msg, NAME, strlen(NAME)))
		fail("an error that does not name the file");
	if (!rc && (!s.ncols || !info.rows))
		fail("success without a header and a row");
	kp_err_clear(&err);
	free(zipped);
	return 0;
}
