/* check_csv.c — reading CSV (kp_csv_*) and the encodings under it
 * (kp_enc_*): every RFC 4180 case, line numbers, encodings, caps, and an
 * error with a position for every bad input.  kp_csv_read_buffer reads in
 * 1 MiB blocks (parsed in 64 KiB steps), so each valid input is also read
 * with every one of its bytes placed on that boundary; the GB18030
 * converter is fed in every chunk size and split at every offset.
 * Run from the repository root (reads tests/data/). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_util.h"
#include "kaoping/csv.h"
#include "kaoping/enc.h"
#include "kaoping/num.h"
#include "kaoping/table.h"

#define BLOCK (1u << 20) /* csv.c reads this much at a time */
#define FILL "~fill~"    /* first field of the padding rows */

/* ---------- a sink that writes what the reader hands over as text ---------- */

typedef struct sink {
	char *s;
	size_t n, cap;
	size_t nfill;     /* padding rows seen; later lines are shifted back */
	size_t rows;
	size_t stop_at;   /* fail the row with this number (1-based), 0: never */
} sink;

static void put(sink *k, const char *s, size_t n)
{
	if (k->n + n + 1 > k->cap) {
		k->cap = (k->n + n + 1) * 2;
		k->s = realloc(k->s, k->cap);
		if (!k->s)
			ck_abort_msg("out of memory");
	}
	memcpy(k->s + k->n, s, n);
	k->n += n;
	k->s[k->n] = '\0';
}

static void put_row(sink *k, const char *tag, const kp_csv_row *row)
{
	char num[32];
	size_t i, j;

	snprintf(num, sizeof num, "%s%zu:", tag, row->line - k->nfill);
	put(k, num, strlen(num));
	for (i = 0; i < row->n; i++) {
		if (strlen(row->f[i]) != row->len[i]) /* NUL-terminated (no ck_assert here: each is a write to a pipe) */
			ck_abort_msg("line %zu field %zu: length %zu, strlen %zu", row->line, i, row->len[i], strlen(row->f[i]));
		if (i)
			put(k, "|", 1);
		for (j = 0; j < row->len[i];) { /* line ends shown as \r and \n */
			size_t run = strcspn(row->f[i] + j, "\r\n");
			put(k, row->f[i] + j, run);
			j += run;
			if (j < row->len[i])
				put(k, row->f[i][j++] == '\n' ? "\\n" : "\\r", 2);
		}
	}
	put(k, "\n", 1);
}

static int on_header(void *ud, const kp_csv_row *row, kp_err *err)
{
	(void)err;
	put_row(ud, "H", row);
	return 0;
}

static int on_row(void *ud, const kp_csv_row *row, kp_err *err)
{
	sink *k = ud;

	if (row->n && !strncmp(row->f[0], FILL, strlen(FILL))) {
		if (row->line != k->nfill + 2) /* padding follows a one-line header */
			ck_abort_msg("padding row at line %zu", row->line);
		k->nfill++;
		return 0;
	}
	k->rows++;
	if (k->stop_at && k->rows == k->stop_at)
		return kp_err_set(err, KP_EDATA, "t.csv:%zu: stopped by the callback", row->line);
	put_row(k, "", row);
	return 0;
}

static void sink_free(sink *k)
{
	free(k->s);
	memset(k, 0, sizeof *k);
}

static int read_buf(const char *in, size_t len, const kp_csv_opts *o, sink *k, kp_csv_info *info, kp_err *err)
{
	memset(k, 0, sizeof *k);
	put(k, "", 0);
	memset(err, 0, sizeof *err);
	return kp_csv_read_buffer("t.csv", in, len, o, on_header, on_row, k, info, err);
}

/* ---------- the GB18030 file and its UTF-8 twin ---------- */

/* tests/data/gb18030.csv: written by iconv -t GB18030 from the UTF-8 below
 * (CRLF, a quoted "1,102", a quoted two-line note with “” and "" quotes,
 * € é ü, and the 4-byte sequences of U+20000 and U+1F600). */
static const char gb_csv[] =
	"\xb5\xa5\xce\xbb\xb4\xfa\xc2\xeb,\xb5\xa5\xce\xbb\xc3\xfb\xb3\xc6,\xb5\xc3\xb7"
	"\xd6,\xb1\xb8\xd7\xa2\r\nZ01,\xb3\xc7\xb9\xd8\xd5\xf2,\"1,102\",\xc2\xfa\xd2\xe2"
	"\r\nZ02,\xb6\xab\xb7\xe7\xd5\xf2,96.4%,\"\xb6\xe0\xd0\xd0\r\n\xb1\xb8\xd7\xa2"
	"\xa3\xac\xba\xac\xa1\xb0\xd2\xfd\xba\xc5\xa1\xb1\xd3\xeb\"\"\xcb\xab\xd2\xfd\xba"
	"\xc5\"\"\"\r\nB01,\xcf\xd8\xb9\xab\xb0\xb2\xbe\xd6,0,\xa2\xe3\xa1\xa4\xa8\xa6"
	"\xa1\xa4\xa8\xb9\r\nB02,\x95" "2\x82" "6\xd5\xf2,7,\x94" "9\xfc" "6\r\n";

static const char utf8_csv[] =
	"单位代码,单位名称,得分,备注\r\n"
	"Z01,城关镇,\"1,102\",满意\r\n"
	"Z02,东风镇,96.4%,\"多行\r\n备注，含“引号”与\"\"双引号\"\"\"\r\n"
	"B01,县公安局,0,€·é·ü\r\n"
	"B02,𠀀镇,7,😀\r\n";

static const char twin_rows[] =
	"H1:单位代码|单位名称|得分|备注\n"
	"2:Z01|城关镇|1,102|满意\n"
	"3:Z02|东风镇|96.4%|多行\\r\\n备注，含“引号”与\"双引号\"\n"
	"5:B01|县公安局|0|€·é·ü\n"
	"6:B02|𠀀镇|7|😀\n";

/* ---------- valid inputs ---------- */

struct ok_case {
	const char *name;
	const char *in;
	size_t len;
	int encoding;
	const char *want;
};

#define IN(s) s, sizeof(s) - 1

static const struct ok_case ok_cases[] = {
	{ "LF", IN("a,b\n1,2\n3,4\n"), 0, "H1:a|b\n2:1|2\n3:3|4\n" },
	{ "no final newline", IN("a,b\n1,2\n3,4"), 0, "H1:a|b\n2:1|2\n3:3|4\n" },
	{ "CRLF", IN("a,b\r\n1,2\r\n3,4\r\n"), 0, "H1:a|b\n2:1|2\n3:3|4\n" },
	{ "CR only", IN("a,b\r1,2\r3,4\r"), 0, "H1:a|b\n2:1|2\n3:3|4\n" },
	{ "UTF-8 BOM", IN("\xEF\xBB\xBF" "a,b\n1,2\n"), 0, "H1:a|b\n2:1|2\n" },
	{ "BOM and CRLF", IN("\xEF\xBB\xBF" "单位,得分\r\nZ01,96.4%\r\n"), 0, "H1:单位|得分\n2:Z01|96.4%\n" },
	{ "quoted comma", IN("a,b\n\"x,y\",2\n\"1,102\",\"3,516\"\n"), 0, "H1:a|b\n2:x,y|2\n3:1,102|3,516\n" },
	{ "quoted quotes", IN("a,b\n\"say \"\"hi\"\"\",2\n\"\"\"\",\"\"\"\"\"\"\n"), 0,
	  "H1:a|b\n2:say \"hi\"|2\n3:\"|\"\"\n" },
	{ "quoted LF", IN("a,b\n\"x\ny\",1\nz,2\n"), 0, "H1:a|b\n2:x\\ny|1\n4:z|2\n" },
	{ "quoted CRLF", IN("a,b\r\n\"x\r\ny\",1\r\nz,2\r\n"), 0, "H1:a|b\n2:x\\r\\ny|1\n4:z|2\n" },
	{ "quoted CR", IN("a,b\r\"x\ry\",1\rz,2\r"), 0, "H1:a|b\n2:x\\ry|1\n4:z|2\n" },
	{ "two newlines in a field", IN("a,b\n\"x\n\ny\",1\nz,2\n"), 0, "H1:a|b\n2:x\\n\\ny|1\n5:z|2\n" },
	{ "newlines in two fields", IN("a,b\n\"1\n2\",\"3\n4\n5\"\nz,2\n"), 0,
	  "H1:a|b\n2:1\\n2|3\\n4\\n5\n6:z|2\n" },
	{ "field of newlines only", IN("a,b\n\"\n\n\n\",1\nz,2\n"), 0, "H1:a|b\n2:\\n\\n\\n|1\n6:z|2\n" },
	{ "multi-line header", IN("\"a\nb\",c\n1,2\n"), 0, "H1:a\\nb|c\n3:1|2\n" },
	{ "blank lines", IN("a,b\n\n1,2\n\n\n3,4\n\n"), 0, "H1:a|b\n3:1|2\n6:3|4\n" },
	{ "blank lines CRLF", IN("a,b\r\n\r\n1,2\r\n\r\n3,4\r\n"), 0, "H1:a|b\n3:1|2\n5:3|4\n" },
	{ "blank lines before the header", IN("\n\na,b\n1,2\n"), 0, "H3:a|b\n4:1|2\n" },
	{ "empty fields", IN("a,b,c\n,,\n1,,3\n,2,\n"), 0, "H1:a|b|c\n3:1||3\n4:|2|\n" },
	{ "quoted empty fields", IN("a,b\n\"\",\"\"\n1,2\n"), 0, "H1:a|b\n3:1|2\n" },
	/* what Excel writes around a table: empty rows, an empty last column */
	{ "empty rows left out", IN("a,b\n1,2\n,\n,\n3,4\n,\n"), 0, "H1:a|b\n2:1|2\n5:3|4\n" },
	{ "empty rows before the header", IN(",,\na,b,c\n1,2,3\n"), 0, "H2:a|b|c\n3:1|2|3\n" },
	{ "empty last column", IN("a,b,\n1,2,\n3,4,\n"), 0, "H1:a|b\n2:1|2\n3:3|4\n" },
	{ "two empty last columns", IN("a,b, ,\r\n1,2,,\r\n,,,\r\n3,4,,\r\n"), 0, "H1:a|b\n2:1|2\n4:3|4\n" },
	{ "empty last column, rows without it", IN("a,b,\n1,2\n3,4,\n"), 0, "H1:a|b\n2:1|2\n3:3|4\n" },
	/* a file saved as "Text (Tab delimited)" */
	{ "tab-separated", IN("单位代码\t得分\nZ01\t96.4%\nZ02\t\"1,102\"\n"), 0,
	  "H1:单位代码|得分\n2:Z01|96.4%\n3:Z02|1,102\n" },
	{ "tabs in a comma file", IN("a,b\nx\ty,2\n"), 0, "H1:a|b\n2:x\ty|2\n" },
	{ "header names trimmed", IN(" a ,\tb\t\n1,2\n"), 0, "H1:a|b\n2:1|2\n" },
	{ "one column", IN("a\n1\n2\n"), 0, "H1:a\n2:1\n3:2\n" },
	{ "Chinese", IN("单位代码,持证率\nZ01,96.4%\nZ02,\"1,102\"\n"), 0,
	  "H1:单位代码|持证率\n2:Z01|96.4%\n3:Z02|1,102\n" },
	{ "UTF-8 forced", IN("a,b\n中,文\n"), KP_ENC_UTF8, "H1:a|b\n2:中|文\n" },
	{ "GB18030 detected", gb_csv, sizeof gb_csv - 1, 0, twin_rows },
	{ "GB18030 forced", gb_csv, sizeof gb_csv - 1, KP_ENC_GB18030, twin_rows },
	{ "UTF-8 twin", utf8_csv, sizeof utf8_csv - 1, 0, twin_rows },
	{ "ASCII as GB18030", IN("a,b\n1,2\n"), KP_ENC_GB18030, "H1:a|b\n2:1|2\n" },
};
#define NOK (int)(sizeof ok_cases / sizeof ok_cases[0])

START_TEST(test_ok)
{
	const struct ok_case *c = &ok_cases[_i];
	kp_csv_opts o = { 0 };
	kp_csv_info info;
	kp_err err;
	sink k;
	int rc;

	o.encoding = c->encoding;
	rc = read_buf(c->in, c->len, &o, &k, &info, &err);
	ck_assert_msg(rc == 0, "%s: %s", c->name, err.msg);
	ck_assert_msg(!strcmp(k.s, c->want), "%s:\n got:\n%s want:\n%s", c->name, k.s, c->want);
	ck_assert_uint_eq(info.bytes, c->len);
	ck_assert_uint_eq(info.rows, k.rows);
	sink_free(&k);
}
END_TEST

/* What reading left out is counted: empty rows, empty trailing columns,
 * and a tab-separated file said so. */
START_TEST(test_left_out_counted)
{
	static const char in[] = ",,,\na,b,,\n1,2,,\n,,,\n,,,\n3,4,,\n";
	static const char tabs[] = "a\tb\n1\t2\n";
	kp_csv_opts o = { 0 };
	kp_csv_info info;
	kp_err err;
	sink k;

	ck_assert_int_eq(read_buf(in, sizeof in - 1, &o, &k, &info, &err), 0);
	ck_assert_str_eq(k.s, "H2:a|b\n3:1|2\n6:3|4\n");
	ck_assert_uint_eq(info.rows, 2);
	ck_assert_uint_eq(info.skipped_rows, 3);
	ck_assert_uint_eq(info.dropped_cols, 2);
	ck_assert_int_eq(info.tabs, 0);
	sink_free(&k);
	ck_assert_int_eq(read_buf(tabs, sizeof tabs - 1, &o, &k, &info, &err), 0);
	ck_assert_str_eq(k.s, "H1:a|b\n2:1|2\n");
	ck_assert_int_eq(info.tabs, 1);
	ck_assert_uint_eq(info.skipped_rows, 0);
	ck_assert_uint_eq(info.dropped_cols, 0);
	sink_free(&k);
}
END_TEST

/* Where the header line ends: after its first row end outside quotes. */
static size_t header_len(const char *s, size_t n)
{
	size_t i;
	int q = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			q = !q;
		else if (!q && (s[i] == '\n' || s[i] == '\r'))
			return i + 1 + (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n');
	}
	return n;
}

/* The header, then padding rows so that byte j of the rest of the input
 * falls on the first byte of the second block, then the rest. */
static char *padded(const struct ok_case *c, size_t j, size_t *len)
{
	size_t h = header_len(c->in, c->len), rest = c->len - h, ncols = 1, fill, i, o;
	char *buf;

	for (i = 0; i < h; i++) /* commas of the header (none are quoted here) */
		ncols += c->in[i] == ',';
	fill = BLOCK - h - j;
	buf = malloc(h + fill + rest);
	ck_assert_ptr_nonnull(buf);
	memcpy(buf, c->in, h);
	o = h;
	while (o < h + fill) { /* rows of at most 4000 bytes, the last one fitting */
		size_t left = h + fill - o, row = left > 8000 ? 4000 : left;
		size_t x = row - (ncols - 1) - 1;
		if (row < strlen(FILL) + ncols)
			ck_abort_msg("padding row of %zu bytes", row);
		memcpy(buf + o, FILL, strlen(FILL));
		memset(buf + o + strlen(FILL), 'x', x - strlen(FILL));
		memset(buf + o + x, ',', ncols - 1);
		buf[o + row - 1] = '\n';
		o += row;
	}
	memcpy(buf + o, c->in + h, rest);
	*len = o + rest;
	return buf;
}

START_TEST(test_ok_block_boundary)
{
	const struct ok_case *c = &ok_cases[_i];
	size_t h = header_len(c->in, c->len), j, len;
	kp_csv_opts o = { 0 };
	kp_csv_info info;
	kp_err err;
	sink k;

	if (!strncmp(c->in, "\n", 1) || h == c->len || memchr(c->in, '"', h))
		return; /* no header line to pad after */
	if (c->in[0] == ',' || memchr(c->in, '\t', h))
		return; /* the padding rows are comma rows after a header */
	o.encoding = c->encoding;
	for (j = 0; j <= c->len - h; j++) {
		char *buf = padded(c, j, &len);
		int rc = read_buf(buf, len, &o, &k, &info, &err);
		ck_assert_msg(rc == 0, "%s, byte %zu on the boundary: %s", c->name, j, err.msg);
		ck_assert_msg(!strcmp(k.s, c->want), "%s, byte %zu on the boundary:\n got:\n%s want:\n%s", c->name,
			      j, k.s, c->want);
		ck_assert_uint_eq(info.bytes, len);
		sink_free(&k);
		free(buf);
	}
}
END_TEST

/* The GB18030 file and its UTF-8 twin give the same rows; what differs
 * is the encoding reported and the hash. */
START_TEST(test_twins)
{
	static const unsigned char gb_sha[32] = {
		0x9e, 0x47, 0x70, 0x73, 0x7d, 0xb0, 0x33, 0x5b, 0xcd, 0x45, 0x4e, 0x09, 0xba, 0xa7, 0x50, 0x71,
		0xa5, 0x29, 0xd8, 0x16, 0x98, 0x67, 0x3e, 0x94, 0x0d, 0xb8, 0x04, 0xb9, 0xd8, 0xbc, 0x45, 0x30
	};
	kp_csv_info ig, iu;
	kp_err err;
	sink g, u;

	kp_csv_opts o = { .sha256 = 1 };

	memset(&ig, 0, sizeof ig), memset(&iu, 0, sizeof iu);
	ck_assert_int_eq(read_buf(gb_csv, sizeof gb_csv - 1, &o, &g, &ig, &err), 0);
	ck_assert_int_eq(read_buf(utf8_csv, sizeof utf8_csv - 1, &o, &u, &iu, &err), 0);
	ck_assert_str_eq(g.s, u.s);
	ck_assert_int_eq(ig.encoding, KP_ENC_GB18030);
	ck_assert_int_eq(iu.encoding, KP_ENC_UTF8);
	ck_assert_uint_eq(ig.rows, 4);
	ck_assert_uint_eq(iu.rows, 4);
	ck_assert_uint_eq(ig.bytes, sizeof gb_csv - 1);
	ck_assert_uint_eq(iu.bytes, sizeof utf8_csv - 1);
	ck_assert_mem_eq(ig.sha256, gb_sha, 32); /* of the bytes as they are, not converted */
	ck_assert(memcmp(ig.sha256, iu.sha256, 32) != 0);
	sink_free(&g);
	sink_free(&u);
}
END_TEST

/* The same pair as files in tests/data. */
START_TEST(test_twin_files)
{
	kp_csv_info ig, iu;
	kp_err err = { 0 };
	sink g = { 0 }, u = { 0 };

	put(&g, "", 0);
	put(&u, "", 0);
	ck_assert_msg(kp_csv_read_file("tests/data/gb18030.csv", NULL, on_header, on_row, &g, &ig, &err) == 0, "%s",
		      err.msg);
	ck_assert_msg(kp_csv_read_file("tests/data/gb18030_utf8.csv", NULL, on_header, on_row, &u, &iu, &err) == 0,
		      "%s", err.msg);
	ck_assert_str_eq(g.s, twin_rows);
	ck_assert_str_eq(u.s, twin_rows);
	ck_assert_int_eq(ig.encoding, KP_ENC_GB18030);
	ck_assert_int_eq(iu.encoding, KP_ENC_UTF8);
	sink_free(&g);
	sink_free(&u);
}
END_TEST

/* The sample file the county sent in GB18030 is detected as such. */
START_TEST(test_sample_gb18030)
{
	kp_csv_info info;
	kp_err err = { 0 };
	sink k = { 0 };

	put(&k, "", 0);
	ck_assert_msg(kp_csv_read_file("samples/2021/renda_zhengxie.csv", NULL, on_header, on_row, &k, &info, &err) == 0,
		      "%s", err.msg);
	ck_assert_int_eq(info.encoding, KP_ENC_GB18030);
	ck_assert_msg(!strncmp(k.s, "H1:单位代码|人大代表建议件数|", strlen("H1:单位代码|人大代表建议件数|")), "%s", k.s);
	ck_assert_uint_eq(info.rows, 38);
	sink_free(&k);
}
END_TEST

/* ---------- bad inputs: each an error with a position ---------- */

struct bad_case {
	const char *name;
	const char *in;
	size_t len;
	int encoding;
	size_t max_field, max_cols;
	int kind;
	const char *msg[3]; /* substrings of the message */
};

static const struct bad_case bad_cases[] = {
	{ "short row", IN("a,b,c\n1,2,3\n1,2\n"), 0, 0, 0, KP_EDATA, { "t.csv:3: 2 fields where the header has 3" } },
	{ "long row", IN("a,b\n1,2,3\n"), 0, 0, 0, KP_EDATA, { "t.csv:2: 3 fields where the header has 2" } },
	{ "one field", IN("a,b\n1,2\nx\n"), 0, 0, 0, KP_EDATA, { "t.csv:3: 1 field where" } },
	{ "trailing comma", IN("a,b\n1,2,\n"), 0, 0, 0, KP_EDATA, { "t.csv:2: 3 fields", "trailing comma" } },
	{ "short row after a multi-line field", IN("a,b\n\"x\ny\",1\n\"p\nq\"\n"), 0, 0, 0, KP_EDATA,
	  { "t.csv:4: 1 field where the header has 2" } },
	{ "short row after CRLF field", IN("a,b\r\n\"x\r\ny\r\nz\",1\r\n1\r\n"), 0, 0, 0, KP_EDATA, { "t.csv:5: 1 field" } },
	{ "empty header name", IN("a,,c\n1,2,3\n"), 0, 0, 0, KP_EDATA, { "t.csv:1:2:", "column 2 has an empty header name" } },
	{ "blank header name", IN("a, ,c\n1,2,3\n"), 0, 0, 0, KP_EDATA, { "t.csv:1:2:", "empty header name" } },
	{ "header trailing comma", IN("a,b,\n1,2,3\n"), 0, 0, 0, KP_EDATA,
	  { "t.csv:2:3:", "column 3 has no header name, but this row has '3' in it" } },
	{ "only empty rows", IN("a,b\n,\n\"\",\n"), 0, 0, 0, KP_EDATA, { "t.csv:", "a header but no rows" } },
	{ "duplicate header", IN("a,b,a\n1,2,3\n"), 0, 0, 0, KP_EDATA,
	  { "t.csv:1:3:", "header name 'a' appears twice", "columns 1 and 3" } },
	{ "duplicate after trimming", IN("单位,x, 单位\n1,2,3\n"), 0, 0, 0, KP_EDATA, { "t.csv:1:3:", "'单位' appears twice" } },
	{ "empty file", IN(""), 0, 0, 0, KP_EDATA, { "t.csv: the file is empty" } },
	{ "blank lines only", IN("\n\r\n\n"), 0, 0, 0, KP_EDATA, { "t.csv: the file is empty" } },
	{ "BOM only", IN("\xEF\xBB\xBF"), 0, 0, 0, KP_EDATA, { "t.csv: the file is empty" } },
	{ "header only", IN("a,b\n"), 0, 0, 0, KP_EDATA, { "t.csv: the file has a header but no rows" } },
	{ "header and blank lines", IN("a,b\r\n\r\n\r\n"), 0, 0, 0, KP_EDATA, { "t.csv: the file has a header but no rows" } },
	{ "unterminated quote", IN("a,b\n1,2\n3,\"4\n5,6\n"), 0, 0, 0, KP_EDATA,
	  { "t.csv:3: a quoted field is not closed by the end of the file" } },
	{ "unterminated quote in the header", IN("a,\"b\n1,2\n"), 0, 0, 0, KP_EDATA, { "t.csv:1: a quoted field is not closed" } },
	{ "quote inside an unquoted field", IN("a,b\n1,2\n3,4\"5\n"), 0, 0, 0, KP_EDATA, { "t.csv:3: malformed quoting" } },
	{ "text after a closing quote", IN("a,b\n\"1\"x,2\n"), 0, 0, 0, KP_EDATA, { "t.csv:2: malformed quoting" } },
	{ "bad quote after a multi-line field", IN("a,b\n\"x\ny\",1\n1,2\"\n"), 0, 0, 0, KP_EDATA, { "t.csv:4: malformed" } },
	{ "invalid UTF-8", IN("a,b\n1,2\n3,\xff\n"), KP_ENC_UTF8, 0, 0, KP_EDATA,
	  { "t.csv:3:2: column 'b' is not valid UTF-8", "byte 1 of the cell", "--encoding gb18030" } },
	{ "invalid UTF-8 inside a cell", IN("a,名称\n1,ab\xe4\xb8\n"), KP_ENC_UTF8, 0, 0, KP_EDATA,
	  { "t.csv:2:2: column '名称' is not valid UTF-8", "byte 3 of the cell" } },
	{ "overlong UTF-8", IN("a,b\n\xc0\xaf,2\n"), KP_ENC_UTF8, 0, 0, KP_EDATA, { "t.csv:2:1: column 'a' is not valid UTF-8" } },
	{ "UTF-16 surrogate in UTF-8", IN("a,b\n1,\xed\xa0\x80\n"), KP_ENC_UTF8, 0, 0, KP_EDATA, { "t.csv:2:2:", "not valid UTF-8" } },
	{ "invalid UTF-8 in the header", IN("a,\xfe\n1,2\n"), KP_ENC_UTF8, 0, 0, KP_EDATA,
	  { "t.csv:1:2: header name 2 is not valid UTF-8" } },
	{ "neither UTF-8 nor GB18030", IN("a,b\n1,\xff\n"), 0, 0, 0, KP_EDATA,
	  { "t.csv", "byte 7 is not valid GB18030", "--encoding" } },
	{ "Big5 (臺北市政府), read as GB18030 it is kana and rare hanzi", IN("id,name\nU1,\xbb\x4f\xa5\x5f\xa5\xab\xac\x46\xa9\xb2\n"),
	  0, 0, 0, KP_EDATA, { "t.csv:1: the file is not UTF-8", "Big5", "--encoding gb18030" } },
	{ "GB18030 forced, invalid", IN("a,b\n1,\x81\x20\n"), KP_ENC_GB18030, 0, 0, KP_EDATA,
	  { "t.csv", "byte 7 is not valid GB18030" } },
	{ "GB18030 cut at the end", IN("a,b\n1,\xb3\xc7\xb9\n"), KP_ENC_GB18030, 0, 0, KP_EDATA, { "t.csv", "not valid GB18030" } },
	{ "UTF-16LE BOM", IN("\xff\xfe" "a\0,\0b\0\n\0001\0,\0002\0\n\0"), 0, 0, 0, KP_EDATA,
	  { "t.csv:1: the file is UTF-16", "CSV UTF-8" } },
	{ "UTF-16BE BOM", IN("\xfe\xff\0a\0,\0b\0\n\0001\0,\0002\0\n"), 0, 0, 0, KP_EDATA, { "t.csv:1: the file is UTF-16" } },
	{ "UTF-16 without BOM", IN("a\0,\0b\0\n\0001\0,\0002\0\n\0"), 0, 0, 0, KP_EDATA, { "t.csv:1: the file is UTF-16" } },
	{ "NUL byte", IN("a,b\n1,2\n3,x\0y\n"), 0, 0, 0, KP_EDATA, { "t.csv:3:2: column 'b' holds a NUL byte" } },
	{ "NUL byte in the header", IN("a\0,b\n1,2\n"), 0, 0, 0, KP_EDATA, { "t.csv:1:1: header name 1 holds a NUL byte" } },
	{ "BOM inside a cell", IN("a,b\n1,\xEF\xBB\xBFx\n"), 0, 0, 0, KP_EDATA, { "t.csv:2:2: column 'b' holds a byte-order mark" } },
	{ "two BOMs", IN("\xEF\xBB\xBF\xEF\xBB\xBF" "a,b\n1,2\n"), 0, 0, 0, KP_EDATA,
	  { "t.csv:1:1: header name 1 holds a byte-order mark" } },
	{ "field over the cap", IN("a,b\n1,12345678\n1,123456789\n"), 0, 8, 0, KP_EDATA,
	  { "t.csv:3:2: column 'b': a field longer than 8 bytes" } },
	{ "quoted field over the cap", IN("a,b\n\"1\n23456789\",1\n"), 0, 8, 0, KP_EDATA,
	  { "t.csv:2:1:", "column 'a'", "longer than 8 bytes" } },
	{ "header name over the cap", IN("a,abcdefghi\n1,2\n"), 0, 8, 0, KP_EDATA, { "t.csv:1:2:", "header name 2 is longer than 8 bytes" } },
	{ "too many columns", IN("a,b,c,d\n1,2,3,4\n"), 0, 0, 3, KP_EDATA, { "t.csv:1:", "more than 3 columns" } },
	{ "too many fields in a row", IN("a,b,c\n1,2,3\n1,2,3,4,5\n"), 0, 0, 3, KP_EDATA, { "t.csv:3:", "more than 3 columns" } },
};
#define NBAD (int)(sizeof bad_cases / sizeof bad_cases[0])

START_TEST(test_bad)
{
	const struct bad_case *c = &bad_cases[_i];
	kp_csv_opts o = { 0 };
	kp_err err;
	sink k;
	int rc, i;

	o.encoding = c->encoding, o.max_field = c->max_field, o.max_cols = c->max_cols;
	rc = read_buf(c->in, c->len, &o, &k, NULL, &err);
	ck_assert_msg(rc == c->kind, "%s: returned %d, want %d (%s)\nrows:\n%s", c->name, rc, c->kind, err.msg, k.s);
	ck_assert_int_eq(err.kind, rc);
	for (i = 0; i < 3 && c->msg[i]; i++)
		ck_assert_msg(strstr(err.msg, c->msg[i]), "%s: message '%s' lacks '%s'", c->name, err.msg, c->msg[i]);
	ck_assert_msg(strncmp(err.msg, "t.csv", 5) == 0, "%s: message '%s' does not start with the file", c->name, err.msg);
	sink_free(&k);
}
END_TEST

/* opts.header_only: a header and no rows (blank rows aside) is a table
 * of no rows (an event list with no events), for a caller that asked;
 * a file with no header stays an error. */
START_TEST(test_header_only)
{
	static const struct {
		const char *in;
		size_t len, skipped;
	} ok[] = { { IN("a,b\n"), 0 }, { IN("a,b"), 0 }, { IN("\xEF\xBB\xBF" "a,b\r\n\r\n\r\n"), 0 },
		   { IN("a,b\n,\n\"\",\n"), 2 } };
	kp_csv_opts o = { 0 };
	kp_csv_info info;
	kp_err err;
	sink k;
	size_t i;

	o.header_only = 1;
	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		ck_assert_msg(read_buf(ok[i].in, ok[i].len, &o, &k, &info, &err) == 0, "%zu: %s", i, err.msg);
		ck_assert_str_eq(k.s, "H1:a|b\n");
		ck_assert_uint_eq(info.rows, 0);
		ck_assert_uint_eq(info.skipped_rows, ok[i].skipped);
		sink_free(&k);
	}
	ck_assert_int_eq(read_buf(IN("\n\n"), &o, &k, NULL, &err), KP_EDATA);
	ck_assert_str_eq(err.msg, "t.csv: the file is empty (no header line)");
	sink_free(&k);
	o.header_only = 0; /* the default refuses it */
	ck_assert_int_eq(read_buf(IN("a,b\n"), &o, &k, NULL, &err), KP_EDATA);
	ck_assert_str_eq(err.msg, "t.csv: the file has a header but no rows");
	sink_free(&k);
}
END_TEST

/* The first bad row stops the reading: no later row reaches the callback. */
START_TEST(test_stops_at_first_error)
{
	kp_err err;
	sink k;

	ck_assert_int_eq(read_buf(IN("a,b\n1,2\n3\n5,6\n"), NULL, &k, NULL, &err), KP_EDATA);
	ck_assert_str_eq(k.s, "H1:a|b\n2:1|2\n");
	sink_free(&k);
}
END_TEST

/* A callback's error stops the reading and comes back as it was. */
START_TEST(test_callback_error)
{
	kp_err err;
	sink k;
	int rc;

	memset(&k, 0, sizeof k);
	put(&k, "", 0);
	k.stop_at = 2;
	memset(&err, 0, sizeof err);
	rc = kp_csv_read_buffer("t.csv", IN("a,b\n1,2\n3,4\n5,6\n"), NULL, on_header, on_row, &k, NULL, &err);
	ck_assert_int_eq(rc, KP_EDATA);
	ck_assert_str_eq(err.msg, "t.csv:3: stopped by the callback");
	ck_assert_uint_eq(k.rows, 2);
	ck_assert_str_eq(k.s, "H1:a|b\n2:1|2\n");
	sink_free(&k);
}
END_TEST

/* Fields of exactly max_field bytes pass; the default cap is 1 MiB. */
START_TEST(test_field_cap_edges)
{
	size_t n = KP_CSV_MAX_FIELD + 1, i;
	char *buf = malloc(n + 16);
	kp_csv_opts o = { 0 };
	kp_err err;
	sink k;

	ck_assert_ptr_nonnull(buf);
	o.max_field = 8;
	ck_assert_int_eq(read_buf(IN("abcdefgh,b\n12345678,\"1234567\n\"\n"), &o, &k, NULL, &err), 0);
	sink_free(&k);
	memcpy(buf, "a\n", 2);
	for (i = 0; i < n; i++)
		buf[2 + i] = 'x';
	buf[2 + n] = '\n';
	ck_assert_int_eq(read_buf(buf, n + 3, NULL, &k, NULL, &err), KP_EDATA);
	ck_assert_msg(strstr(err.msg, "t.csv:2:1: column 'a': a field longer than 1048576 bytes"), "%s", err.msg);
	sink_free(&k);
	ck_assert_int_eq(read_buf(buf, n + 2, NULL, &k, NULL, &err), KP_EDATA); /* also without the newline */
	sink_free(&k);
	ck_assert_int_eq(read_buf(buf, n + 1, NULL, &k, NULL, &err), 0); /* exactly 1 MiB */
	ck_assert_uint_eq(k.rows, 1);
	sink_free(&k);
	free(buf);
}
END_TEST

/* Exactly max_cols columns pass. */
START_TEST(test_column_cap_edges)
{
	kp_csv_opts o = { 0 };
	kp_err err;
	sink k;
	char *buf;
	size_t i, o2 = 0, n = KP_CSV_MAX_COLS + 1;

	o.max_cols = 3;
	ck_assert_int_eq(read_buf(IN("a,b,c\n1,2,3\n"), &o, &k, NULL, &err), 0);
	sink_free(&k);
	buf = malloc(n * 8 + 16);
	ck_assert_ptr_nonnull(buf);
	for (i = 0; i < n; i++)
		o2 += (size_t)sprintf(buf + o2, "%sc%zu", i ? "," : "", i);
	buf[o2++] = '\n';
	ck_assert_int_eq(read_buf(buf, o2, NULL, &k, NULL, &err), KP_EDATA);
	ck_assert_msg(strstr(err.msg, "t.csv:1") && strstr(err.msg, "more than 4096 columns"), "%s", err.msg);
	sink_free(&k);
	free(buf);
}
END_TEST

/* A bad cell past the first block still names its line. */
START_TEST(test_error_past_first_block)
{
	const struct ok_case c = { "late", IN("a,b\n1,2\n"), 0, "" };
	size_t len;
	char *buf = padded(&c, 0, &len), *big;
	kp_err err;
	sink k;

	big = malloc(len + 16);
	memcpy(big, buf, len);
	memcpy(big + len, "3,\xff\n", 5);
	ck_assert_int_eq(read_buf(big, len + 5, &(kp_csv_opts){ .encoding = KP_ENC_UTF8 }, &k, NULL, &err), KP_EDATA);
	{
		char want[64];
		snprintf(want, sizeof want, "t.csv:%zu:2: column 'b'", k.nfill + 3);
		ck_assert_msg(strstr(err.msg, want), "'%s' lacks '%s'", err.msg, want);
	}
	sink_free(&k);
	free(big);
	free(buf);
}
END_TEST

/* The progress callback sees the bytes go by. */
static size_t ticks, last_done, seen_total;
static void on_progress(void *ud, size_t done, size_t total)
{
	(void)ud;
	ck_assert_uint_gt(done, last_done);
	ticks++, last_done = done, seen_total = total;
}

START_TEST(test_progress)
{
	size_t n = 4 + 8 * ((9u << 20) / 8), i;
	char *buf = malloc(n);
	kp_csv_opts o = { 0 };
	kp_csv_info info;
	kp_err err;
	sink k;

	memcpy(buf, "a,b\n", 4);
	for (i = 4; i < n; i += 8)
		memcpy(buf + i, "1234,56\n", 8);
	o.progress = on_progress;
	ck_assert_int_eq(read_buf(buf, n, &o, &k, &info, &err), 0);
	ck_assert_uint_ge(ticks, 2);
	ck_assert_uint_eq(seen_total, n);
	ck_assert_uint_eq(info.rows, (n - 4) / 8);
	sink_free(&k);
	free(buf);
}
END_TEST

/* Files: missing, a directory, an empty file. */
START_TEST(test_files)
{
	char dir[] = "/tmp/kp_csv_XXXXXX", path[64];
	kp_err err = { 0 };
	FILE *f;

	ck_assert_int_eq(kp_csv_read_file("tests/data/no-such.csv", NULL, NULL, NULL, NULL, NULL, &err), KP_ENOINPUT);
	ck_assert_ptr_nonnull(strstr(err.msg, "tests/data/no-such.csv: cannot open"));
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(kp_csv_read_file(dir, NULL, NULL, NULL, NULL, NULL, &err), KP_ENOINPUT);
	ck_assert_ptr_nonnull(strstr(err.msg, "is a directory"));
	snprintf(path, sizeof path, "%s/empty.csv", dir);
	f = fopen(path, "w");
	fclose(f);
	ck_assert_int_eq(kp_csv_read_file(path, NULL, NULL, NULL, NULL, NULL, &err), KP_EDATA);
	ck_assert_ptr_nonnull(strstr(err.msg, "empty.csv: the file is empty"));
	unlink(path);
	rmdir(dir);
}
END_TEST

/* The hash is the SHA-256 of the bytes, BOM included. */
START_TEST(test_sha256)
{
	static const unsigned char want[32] = {
		0x49, 0x2d, 0x5e, 0xa4, 0x96, 0x05, 0x6f, 0x1a, 0x6a, 0x65, 0x92, 0x24, 0x10, 0x32, 0xfa, 0xb7,
		0x64, 0xc3, 0x21, 0x59, 0x63, 0x17, 0x93, 0x0b, 0x4f, 0xa0, 0xe1, 0xe8, 0xbc, 0x3b, 0x74, 0x70
	};
	static const unsigned char zero[32];
	kp_csv_opts o = { .sha256 = 1 };
	kp_csv_info a, b, c;
	kp_err err;
	sink k;

	memset(&a, 0, sizeof a), memset(&b, 0, sizeof b), memset(&c, 0, sizeof c);
	ck_assert_int_eq(read_buf(IN("a,b\n1,2\n"), &o, &k, &a, &err), 0);
	sink_free(&k);
	ck_assert_mem_eq(a.sha256, want, 32);
	ck_assert_int_eq(read_buf(IN("\xEF\xBB\xBF" "a,b\n1,2\n"), &o, &k, &b, &err), 0);
	sink_free(&k);
	ck_assert_uint_eq(b.bytes, 11);
	ck_assert(memcmp(a.sha256, b.sha256, 32) != 0);
	/* not asked for: not computed */
	ck_assert_int_eq(read_buf(IN("a,b\n1,2\n"), NULL, &k, &c, &err), 0);
	sink_free(&k);
	ck_assert_mem_eq(c.sha256, zero, 32);
}
END_TEST

/* ---------- kp_csv_read_file_parts: large UTF-8 files on threads ---------- */

#define NPART_MAX 8

typedef struct parts_sink {
	sink s[NPART_MAX];
} parts_sink;

static int on_header_p(void *ud, const kp_csv_row *row, kp_err *err)
{
	(void)err;
	put_row(&((parts_sink *)ud)->s[0], "H", row);
	return 0;
}

static int on_row_p(void *ud, const kp_csv_row *row, kp_err *err)
{
	parts_sink *p = ud;

	(void)err;
	if (row->part < 0 || row->part >= NPART_MAX)
		ck_abort_msg("part %d", row->part);
	p->s[row->part].rows++;
	put_row(&p->s[row->part], "", row);
	return 0;
}

/* Rows of the pieces in file order; how many pieces got rows in *used. */
static char *joined(parts_sink *p, int *used)
{
	sink all = { 0 };
	int i;

	put(&all, "", 0);
	*used = 0;
	for (i = 0; i < NPART_MAX; i++) {
		if (p->s[i].s && p->s[i].n) {
			put(&all, p->s[i].s, p->s[i].n);
			*used += p->s[i].rows > 0;
		}
		sink_free(&p->s[i]);
	}
	return all.s;
}

struct defect {
	size_t at;       /* the first row starting past this byte ... */
	const char *row; /* ... is this instead (with its line end) */
};

/* A UTF-8 CSV file of at least min bytes: Chinese names, quoted fields
 * with commas, doubled quotes and line ends inside, blank lines, LF or
 * CRLF; up to two rows replaced by defects; prefix and tail added. */
static char *big_csv(size_t min, int crlf, const char *prefix, const struct defect *d, size_t nd,
		     const char *tail, size_t *len)
{
	const char *eol = crlf ? "\r\n" : "\n";
	size_t cap = min + 8192, n = 0, i, k = 0;
	char *b = malloc(cap);

	ck_assert_ptr_nonnull(b);
	n += (size_t)sprintf(b, "%sid,名称,备注,值%s", prefix, eol);
	for (i = 1; n < min; i++) {
		if (k < nd && n > d[k].at) {
			n += (size_t)sprintf(b + n, "%s", d[k++].row);
			continue;
		}
		if (i % 1000 == 0)
			n += (size_t)sprintf(b + n, "%s", eol);
		if (i % 7 == 0)
			n += (size_t)sprintf(b + n, "R%zu,单位%zu,\"第一行, 含逗号%s第二行 \"\"引号\"\"\",%zu%s", i, i, eol,
					     i % 100, eol);
		else if (i % 13 == 0)
			n += (size_t)sprintf(b + n, "R%zu,\"名称\"\"%zu\"\"\",\"\",%zu.5%s", i, i, i % 1000, eol);
		else
			n += (size_t)sprintf(b + n, "R%zu,单位%zu,,%zu%s", i, i, i, eol);
	}
	n += (size_t)sprintf(b + n, "%s", tail);
	*len = n;
	return b;
}

static char parts_dir[64];

static const char *write_big(const char *text, size_t n)
{
	static char path[128];
	FILE *f;

	if (!*parts_dir) {
		snprintf(parts_dir, sizeof parts_dir, "/tmp/kp_parts_XXXXXX");
		ck_assert_ptr_nonnull(mkdtemp(parts_dir));
	}
	snprintf(path, sizeof path, "%s/big.csv", parts_dir);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

static void remove_big(void)
{
	char path[128];

	if (!*parts_dir)
		return;
	snprintf(path, sizeof path, "%s/big.csv", parts_dir);
	unlink(path);
	rmdir(parts_dir);
	parts_dir[0] = '\0';
}

static int count_row(void *ud, const kp_csv_row *row, kp_err *err)
{
	(void)ud, (void)row, (void)err;
	return 0;
}

/* The file read on nparts[i] threads gives what the one-thread reader
 * gives: the same rows and line numbers, or the same error (rows are only
 * compared when no error is expected).  Returns how many pieces had rows
 * in the last read. */
static int same_as_one_thread(const char *path, const int *nparts, size_t nn, int want_rc, int *used_each)
{
	kp_csv_fn hf = want_rc ? count_row : on_header, rf = want_rc ? count_row : on_row;
	kp_csv_info i1, ip;
	kp_err e1 = { 0 };
	sink one = { 0 };
	int rc1, used = 0;
	size_t k;

	put(&one, "", 0);
	rc1 = kp_csv_read_file(path, NULL, hf, rf, &one, &i1, &e1);
	ck_assert_msg(rc1 == want_rc, "one thread: %d, want %d (%s)", rc1, want_rc, e1.msg);
	for (k = 0; k < nn; k++) {
		parts_sink p;
		kp_err ep = { 0 };
		char *all;
		int rcp;
		memset(&p, 0, sizeof p);
		rcp = kp_csv_read_file_parts(path, NULL, nparts[k], want_rc ? count_row : on_header_p,
					     want_rc ? count_row : on_row_p, &p, &ip, &ep);
		all = joined(&p, &used);
		if (used_each)
			used_each[k] = used;
		ck_assert_msg(rcp == rc1, "%d parts: %d (%s), one thread: %d (%s)", nparts[k], rcp, ep.msg, rc1, e1.msg);
		if (rc1) {
			ck_assert_str_eq(ep.msg, e1.msg);
		} else {
			ck_assert_msg(!strcmp(all, one.s), "%d parts: the rows differ", nparts[k]);
			ck_assert_uint_eq(ip.rows, i1.rows);
			ck_assert_uint_eq(ip.bytes, i1.bytes);
			ck_assert_int_eq(ip.encoding, i1.encoding);
		}
		free(all);
	}
	sink_free(&one);
	return used;
}

#define BIG ((16u << 20) + 300000) /* past the threaded reader's threshold */

/* ---------- numeric cells parsed as they are read (kp_csv_opts.numeric) ---------- */

/* A sink that takes the columns of its mask as numbers and writes each
 * row with its parsed cells as #value/digits/decimals, the others as
 * text; a parsed cell's text must be "" and its length the file's. */
typedef struct num_sink {
	sink s[NPART_MAX];
	const unsigned char *mask;  /* what on_header leaves for the reader */
	const unsigned char *want;  /* the mask to leave */
	size_t parsed[NPART_MAX];   /* cells parsed, per piece (each its thread's) */
} num_sink;

static void put_num_row(num_sink *k, int part, const kp_csv_row *row)
{
	sink *out = &k->s[part];
	char num[96];
	size_t i;

	snprintf(num, sizeof num, "%zu:", row->line);
	put(out, num, strlen(num));
	for (i = 0; i < row->n; i++) {
		if (i)
			put(out, "|", 1);
		if (row->cells && row->cells[i].ok) {
			if (row->f[i][0] != '\0' || row->len[i] == 0)
				ck_abort_msg("line %zu field %zu: a parsed cell with text '%s', length %zu", row->line, i,
					     row->f[i], row->len[i]);
			snprintf(num, sizeof num, "#%.17g/%lld/%d", row->cells[i].v, (long long)row->cells[i].m,
				 row->cells[i].dec);
			put(out, num, strlen(num));
			k->parsed[part]++;
		} else {
			if (strlen(row->f[i]) != row->len[i])
				ck_abort_msg("line %zu field %zu: length %zu, strlen %zu", row->line, i, row->len[i],
					     strlen(row->f[i]));
			put(out, row->f[i], row->len[i]);
		}
	}
	put(out, "\n", 1);
}

static int on_num_header(void *ud, const kp_csv_row *row, kp_err *err)
{
	num_sink *k = ud;

	(void)err;
	if (row->cells)
		ck_abort_msg("the header came with cells");
	k->mask = k->want;
	put_num_row(k, 0, row);
	return 0;
}

static int on_num_row(void *ud, const kp_csv_row *row, kp_err *err)
{
	num_sink *k = ud;

	(void)err;
	put_num_row(k, row->part, row);
	return 0;
}

/* Cells of the numeric columns in the common form come parsed, with what
 * kp_num_parse_dec gives; every other cell (spaces kept by quotes,
 * separators, percent, words, full-width digits, an exponent, blanks)
 * and every cell of the other columns comes as its text, as without a
 * mask; so does every cell past the header's columns. */
START_TEST(test_numeric_cells)
{
	static const unsigned char mask[] = { 0, 1, 0, 1 };
	static const char in[] =
		"id,a,b,c\n"
		"U1,12,12,-0.50\n"
		"U2,\" 7 \",x,\"70\"\n"
		"U3,1,234,12%,N/A\n"
		"U4,\"1,234\",,\xEF\xBC\x91\xEF\xBC\x92\n"
		"U5,,1e5,1e5\n"
		"U6,0.8951,375,9999999999999999\n"
		"U7,  5  ,-0,000375\n";
	kp_csv_opts o;
	num_sink k;
	kp_err err = { 0 };

	memset(&o, 0, sizeof o);
	memset(&k, 0, sizeof k);
	put(&k.s[0], "", 0);
	k.want = mask;
	o.numeric = &k.mask;
	/* U3 has a field more than the header: an error, after the rows before it */
	ck_assert_int_eq(kp_csv_read_buffer("t.csv", in, strlen(in), &o, on_num_header, on_num_row, &k, NULL, &err),
			 KP_EDATA);
	ck_assert_msg(strstr(err.msg, "t.csv:4:"), "%s", err.msg);
	ck_assert_str_eq(k.s[0].s, "1:id|a|b|c\n2:U1|#12/12/0|12|#-0.5/-50/2\n3:U2| 7 |x|#70/70/0\n");
	sink_free(&k.s[0]);
	{ /* without U3 */
		char in2[sizeof in];
		const char *u3 = strstr(in, "U3,"), *u4 = strstr(in, "U4,");
		size_t head = (size_t)(u3 - in);
		memcpy(in2, in, head);
		strcpy(in2 + head, u4);
		memset(&k, 0, sizeof k);
		put(&k.s[0], "", 0);
		k.want = mask;
		ck_assert_msg(kp_csv_read_buffer("t.csv", in2, strlen(in2), &o, on_num_header, on_num_row, &k, NULL,
						 &err) == 0, "%s", err.msg);
		ck_assert_str_eq(k.s[0].s, "1:id|a|b|c\n2:U1|#12/12/0|12|#-0.5/-50/2\n3:U2| 7 |x|#70/70/0\n"
					   "4:U4|1,234||\xEF\xBC\x91\xEF\xBC\x92\n5:U5||1e5|1e5\n"
					   "6:U6|#0.89510000000000001/8951/4|375|9999999999999999\n7:U7|#5/5/0|-0|#375/375/0\n");
		ck_assert_uint_eq(k.parsed[0], 6);
		sink_free(&k.s[0]);
	}
	/* a mask left NULL by on_header: no cells */
	memset(&k, 0, sizeof k);
	put(&k.s[0], "", 0);
	ck_assert_int_eq(kp_csv_read_buffer("t.csv", "a,b\n1,2\n", 8, &o, on_num_header, on_num_row, &k, NULL, &err), 0);
	ck_assert_str_eq(k.s[0].s, "1:a|b\n2:1|2\n");
	sink_free(&k.s[0]);
}
END_TEST

/* A file read in pieces parses the numeric cells of each piece as the
 * one-thread reader does: the same rows, cells and lines. */
START_TEST(test_numeric_cells_parts)
{
	static const unsigned char mask[] = { 0, 0, 0, 1 };
	size_t len, i, parsed1, parsed = 0;
	char *text = big_csv(BIG, 0, "", NULL, 0, "", &len);
	const char *path = write_big(text, len);
	kp_csv_opts o;
	num_sink one, p;
	sink all = { 0 };
	kp_err err = { 0 };

	memset(&o, 0, sizeof o);
	memset(&one, 0, sizeof one), memset(&p, 0, sizeof p);
	one.want = p.want = mask;
	put(&one.s[0], "", 0);
	o.numeric = &one.mask;
	ck_assert_msg(kp_csv_read_file(path, &o, on_num_header, on_num_row, &one, NULL, &err) == 0, "%s", err.msg);
	parsed1 = one.parsed[0];
	o.numeric = &p.mask;
	ck_assert_msg(kp_csv_read_file_parts(path, &o, 2, on_num_header, on_num_row, &p, NULL, &err) == 0, "%s",
		      err.msg);
	ck_assert_ptr_nonnull(p.s[1].s); /* it was read in two pieces */
	put(&all, "", 0);
	for (i = 0; i < NPART_MAX; i++) {
		if (p.s[i].s)
			put(&all, p.s[i].s, p.s[i].n);
		sink_free(&p.s[i]);
		parsed += p.parsed[i];
	}
	ck_assert_msg(!strcmp(all.s, one.s[0].s), "the pieces' rows differ from one thread's");
	ck_assert_uint_eq(parsed, parsed1);
	ck_assert_uint_gt(parsed1, 100000);
	sink_free(&all), sink_free(&one.s[0]);
	free(text);
	remove_big();
}
END_TEST


START_TEST(test_parts_same_rows)
{
	size_t len;
	char *text = big_csv(BIG, _i, "", NULL, 0, "", &len);
	const char *path = write_big(text, len);
	static const int n[] = { 1, 2, 3, NPART_MAX };
	int used[4];
	size_t k;

	same_as_one_thread(path, n, 4, 0, used);
	for (k = 0; k < 4; k++)
		ck_assert_msg(used[k] == n[k], "%d parts asked, %d used", n[k], used[k]);
	free(text);
	remove_big();
}
END_TEST

/* A BOM, a file without a final line end, a small file. */
START_TEST(test_parts_edges)
{
	size_t len;
	char *text = big_csv(BIG, 0, "\xEF\xBB\xBF", NULL, 0, "Rlast,末行,\"x\ny\",1", &len);
	const char *path = write_big(text, len);

	ck_assert_int_eq(same_as_one_thread(path, (int[]){ 4 }, 1, 0, NULL), 4);
	free(text);
	text = big_csv(100000, 1, "", NULL, 0, "", &len);
	path = write_big(text, len);
	ck_assert_int_eq(same_as_one_thread(path, (int[]){ 4 }, 1, 0, NULL), 1); /* small: one thread */
	free(text);
	remove_big();
}
END_TEST

/* Files the pieces cannot handle go to the one-thread reader. */
START_TEST(test_parts_fallback)
{
	static const struct defect cr[] = { { BIG / 2, "Rcr,单位,,1\r" } };
	size_t len;
	char *text = big_csv(BIG, 0, "", cr, 1, "", &len);
	const char *path = write_big(text, len);

	ck_assert_int_eq(same_as_one_thread(path, (int[]){ 4 }, 1, 0, NULL), 1); /* a lone CR */
	free(text);
	remove_big();
}
END_TEST

/* Bad rows in later pieces: the first one in file order, as the one-thread
 * reader reports it. */
START_TEST(test_parts_errors)
{
	static const struct {
		struct defect d[2];
		size_t nd;
		const char *tail;
	} cases[] = {
		{ { { BIG - 5000, "R0,short\n" } }, 1, "" },
		{ { { BIG / 3, "R0,\"x\ny\"\n" }, { BIG - 5000, "R0,short\n" } }, 2, "" },
		{ { { BIG / 5, "R0,a,b,c,d\n" }, { BIG / 2, "R0,short\n" } }, 2, "" },
		{ { { BIG / 2, "R0,a,\xff,1\n" } }, 1, "" },
		{ { { BIG * 3 / 4, "R0,a\"b,c,1\n" } }, 1, "" },
		{ { { BIG * 3 / 4, "R0,a,b\0c,1\n" } }, 1, "" },
		{ { { 0 } }, 0, "R0,a,\"open\n" },
	};
	size_t len, k;

	for (k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		char *text = big_csv(BIG, 0, "", cases[k].d, cases[k].nd, cases[k].tail, &len);
		const char *path = write_big(text, len);
		same_as_one_thread(path, (int[]){ 2, 5 }, 2, KP_EDATA, NULL);
		free(text);
	}
	remove_big();
}
END_TEST

/* A large file of a header and blank rows only, read in pieces: no rows,
 * refused unless opts.header_only, as by the one-thread reader. */
START_TEST(test_parts_header_only)
{
	size_t len = 0, cap = BIG + 64;
	char *text = malloc(cap);
	const char *path;
	kp_csv_opts o = { 0 };
	kp_csv_info info;
	kp_err err = { 0 };
	int rows = 0;

	ck_assert_ptr_nonnull(text);
	len += (size_t)sprintf(text, "id,名称,备注,值\n");
	while (len < BIG)
		len += (size_t)sprintf(text + len, ",,,\n");
	path = write_big(text, len);
	ck_assert_int_eq(kp_csv_read_file_parts(path, &o, 2, count_row, count_row, &rows, &info, &err), KP_EDATA);
	ck_assert_msg(strstr(err.msg, ": the file has a header but no rows"), "%s", err.msg);
	kp_err_clear(&err);
	o.header_only = 1;
	ck_assert_msg(kp_csv_read_file_parts(path, &o, 2, count_row, count_row, &rows, &info, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(info.rows, 0);
	ck_assert_uint_eq(info.skipped_rows, (len - strlen("id,名称,备注,值\n")) / 4);
	ck_assert_int_eq(kp_csv_read_file(path, &o, count_row, count_row, &rows, &info, &err), 0);
	ck_assert_uint_eq(info.rows, 0);
	free(text);
	remove_big();
}
END_TEST

/* A file cut short while it is read (another program rewriting it): an
 * error that says so (KP_EIO), never SIGBUS from a mapping, never the rows
 * read so far taken for the file.  The reader on threads reads the file
 * before the first row is handed over, so it may also succeed whole. */
static const char *shrink_path;
static int shrink_done;

static int shrink_row(void *ud, const kp_csv_row *row, kp_err *err)
{
	(void)ud, (void)row, (void)err;
	if (!__atomic_exchange_n(&shrink_done, 1, __ATOMIC_SEQ_CST) && truncate(shrink_path, 4096) != 0)
		ck_abort_msg("truncate: %s", strerror(errno));
	return 0;
}

START_TEST(test_file_shrinks)
{
	size_t len;
	char *text = big_csv(BIG, 0, "", NULL, 0, "", &len);
	int nparts;

	for (nparts = 1; nparts <= 2; nparts++) {
		kp_err err = { 0 };
		int rc;
		shrink_path = write_big(text, len);
		shrink_done = 0;
		rc = kp_csv_read_file_parts(shrink_path, NULL, nparts, count_row, shrink_row, NULL, NULL, &err);
		if (nparts == 1 || rc) {
			ck_assert_int_eq(rc, KP_EIO);
			ck_assert_ptr_nonnull(strstr(err.msg, "shrank while it was read"));
		}
		kp_err_clear(&err);
	}
	free(text);
	remove_big();
}
END_TEST

/* The file grows, or is written in place, after the cuts are planned:
 * the pieces read what was planned, then see the change and say so. */
static int grow_row(void *ud, const kp_csv_row *row, kp_err *err)
{
	FILE *f;

	(void)ud, (void)row, (void)err;
	if (__atomic_exchange_n(&shrink_done, 1, __ATOMIC_SEQ_CST))
		return 0;
	if (!(f = fopen(shrink_path, "ab")) || fputs("R+,加,,1\n", f) < 0 || fclose(f) != 0)
		ck_abort_msg("append: %s", strerror(errno));
	return 0;
}

static int touch_row(void *ud, const kp_csv_row *row, kp_err *err)
{
	static const struct timespec y2000[2] = { { 946684800, 0 }, { 946684800, 0 } };

	(void)ud, (void)row, (void)err;
	if (!__atomic_exchange_n(&shrink_done, 1, __ATOMIC_SEQ_CST) && utimensat(AT_FDCWD, shrink_path, y2000, 0) != 0)
		ck_abort_msg("utimensat: %s", strerror(errno));
	return 0;
}

START_TEST(test_file_changes)
{
	static const kp_csv_fn change[] = { grow_row, touch_row };
	size_t len, k;
	char *text = big_csv(BIG, 0, "", NULL, 0, "", &len);

	for (k = 0; k < 2; k++) {
		kp_err err = { 0 };
		int rc;
		shrink_path = write_big(text, len);
		shrink_done = 0;
		rc = kp_csv_read_file_parts(shrink_path, NULL, 2, count_row, change[k], NULL, NULL, &err);
		ck_assert_int_eq(rc, KP_EIO);
		ck_assert_msg(strstr(err.msg, "changed while it was read"), "%s", err.msg);
		kp_err_clear(&err);
	}
	free(text);
	remove_big();
}
END_TEST

/* ---- files laid out byte by byte around the blocks of the reader on
 * threads: it plans its cuts reading blocks at multiples of BLOCK, and
 * each piece reads blocks from its own start (the first from the header's
 * end); a cut goes just past the first row end at or after its target,
 * header end + (size - header end) * i / nparts. ---- */

/* Plain rows (as big_csv writes most), appended to t until it holds at
 * least to bytes. */
static void add_rows(sink *t, size_t to, const char *eol)
{
	char row[128];
	size_t i;

	for (i = t->n; t->n < to; i++) {
		int n = snprintf(row, sizeof row, "R%zu,单位%zu,,%zu%s", i, i % 1000, i % 97, eol);
		put(t, row, (size_t)n);
	}
}

/* A row that ends the text exactly at offset at: a padding field as long
 * as it takes. */
static void pad_to(sink *t, size_t at, const char *eol)
{
	size_t fixed = strlen("Rpad,,,1") + strlen(eol), len, room;
	char *row;

	ck_assert_uint_gt(at, t->n + fixed);
	len = at - t->n, room = len - fixed;
	row = malloc(len + 1);
	ck_assert_ptr_nonnull(row);
	memcpy(row, "Rpad,", 5);
	memset(row + 5, 'p', room);
	snprintf(row + 5 + room, len + 1 - 5 - room, ",,1%s", eol);
	put(t, row, len);
	free(row);
}

/* The text t as the file, read in each nparts[i] pieces and on one
 * thread: the same rows, line numbers and counts; how many pieces had
 * rows in used[i]. */
static void laid_out(sink *t, const int *nparts, size_t nn, int *used)
{
	const char *path = write_big(t->s, t->n);

	same_as_one_thread(path, nparts, nn, 0, used);
	sink_free(t);
	remove_big();
}

#define HEADER "id,名称,备注,值"

/* A quoted field of 80 KB, line ends and doubled quotes inside, across the
 * planning block boundary at 8 MiB (inside the quotes there), the first
 * piece's block boundary (a doubled quote split on it) and the target of
 * the cut in two: the cut comes after the field's row, and the lines
 * counted through it number the next piece's rows. */
START_TEST(test_parts_quoted_across)
{
	static const int n[] = { 2, 3, NPART_MAX };
	const size_t mid = 8 * (size_t)BLOCK, target = mid + 1000;
	sink t = { 0 };
	size_t hdr, from, len, i;
	char *f;
	int used[3];

	put(&t, HEADER "\n", strlen(HEADER "\n"));
	hdr = t.n;
	add_rows(&t, mid - 40000, "\n");
	put(&t, "Rq,单位,\"备注：", strlen("Rq,单位,\"备注："));
	from = t.n, len = mid + 40000 - from;
	f = malloc(len);
	ck_assert_ptr_nonnull(f);
	for (i = 0; i < len; i++)
		f[i] = (from + i) % 64 == 0 ? '\n' : (char)('a' + (from + i) % 26);
	for (i = 0; i < 3; i++) { /* "" on the piece's boundary and twice more */
		size_t at = (size_t[]){ hdr + mid - 1, mid - 20000, mid + 20000 }[i] - from;
		f[at] = f[at + 1] = '"';
	}
	put(&t, f, len);
	free(f);
	put(&t, "\",1\n", 4);
	ck_assert_uint_lt(from, target); /* the target inside the field */
	add_rows(&t, 2 * target - hdr - 200, "\n");
	pad_to(&t, 2 * target - hdr, "\n"); /* the size that puts the cut in two at target */
	laid_out(&t, n, 3, used);
	for (i = 0; i < 3; i++)
		ck_assert_msg(used[i] == n[i], "%d parts asked, %d used", n[i], used[i]);
}
END_TEST

/* CRLF split across block boundaries: the first planning block's end, a
 * later one inside a quoted field, the first piece's block boundary, the
 * cut target in two and the second piece's block boundary; after a BOM.
 * Not lone CRs: still read in pieces. */
START_TEST(test_parts_crlf_across)
{
	static const int n[] = { 2, NPART_MAX };
	const char *q = "Rq,单位,\"前";
	const size_t target = 8 * (size_t)BLOCK + 5000;
	sink t = { 0 };
	size_t hdr, size;
	int used[2];

	put(&t, "\xEF\xBB\xBF" HEADER "\r\n", strlen("\xEF\xBB\xBF" HEADER "\r\n"));
	hdr = t.n;
	add_rows(&t, BLOCK - 300, "\r\n");
	pad_to(&t, BLOCK + 1, "\r\n");       /* CR the last byte of a block, LF the first of the next */
	pad_to(&t, hdr + BLOCK + 1, "\r\n"); /* the same for the first piece */
	add_rows(&t, 3 * BLOCK - 300, "\r\n");
	pad_to(&t, 3 * BLOCK - 1 - strlen(q), "\r\n");
	put(&t, q, strlen(q));
	put(&t, "\r\n后\",1\r\n", strlen("\r\n后\",1\r\n")); /* inside quotes */
	add_rows(&t, target - 300, "\r\n");
	size = 2 * target - hdr;
	pad_to(&t, target + 1, "\r\n"); /* CR just before the target, LF on it */
	add_rows(&t, target + 1 + BLOCK - 300, "\r\n");
	pad_to(&t, target + 1 + BLOCK + 1, "\r\n"); /* the second piece's first block */
	add_rows(&t, size - 300, "\r\n");
	pad_to(&t, size, "\r\n");
	laid_out(&t, n, 2, used);
	ck_assert_int_eq(used[0], 2);
	ck_assert_int_eq(used[1], NPART_MAX);
}
END_TEST

/* A lone CR as the last byte of a planning block (the next block starts a
 * row): line numbers counted by LFs would be wrong, so one thread. */
START_TEST(test_parts_lone_cr_across)
{
	static const int n[] = { 2, 4 };
	sink t = { 0 };
	int used[2];

	put(&t, HEADER "\n", strlen(HEADER "\n"));
	add_rows(&t, 3 * BLOCK - 300, "\n");
	pad_to(&t, 3 * BLOCK, "\r");
	add_rows(&t, BIG, "\n");
	laid_out(&t, n, 2, used);
	ck_assert_int_eq(used[0], 1);
	ck_assert_int_eq(used[1], 1);
}
END_TEST

/* A header longer than a block (two names of 600 KB, each under the field
 * cap; one quoted over two lines with doubled quotes), after a BOM. */
START_TEST(test_parts_long_header)
{
	static const int n[] = { 2, 4 };
	sink t = { 0 };
	char *a = malloc(600001);
	int used[2];

	ck_assert_ptr_nonnull(a);
	put(&t, "\xEF\xBB\xBF\"编号", strlen("\xEF\xBB\xBF\"编号"));
	memset(a, 'a', 600000);
	put(&t, a, 600000);
	put(&t, "\"\"x\"\"\n第二行\",名称", strlen("\"\"x\"\"\n第二行\",名称"));
	memset(a, 'b', 600000);
	put(&t, a, 600000);
	put(&t, ",备注,值\n", strlen(",备注,值\n"));
	free(a);
	ck_assert_uint_gt(t.n, BLOCK);
	add_rows(&t, BIG, "\n");
	laid_out(&t, n, 2, used);
	ck_assert_int_eq(used[0], 2);
	ck_assert_int_eq(used[1], 4);
}
END_TEST

/* ---------- kp_enc ---------- */

START_TEST(test_detect)
{
	static const struct {
		const char *s;
		size_t n;
		int want;
	} t[] = {
		{ IN(""), KP_ENC_UTF8 },
		{ IN("a,b\n1,2\n"), KP_ENC_UTF8 },
		{ IN("\xEF\xBB\xBF" "a,b\n"), KP_ENC_UTF8 },
		{ IN("单位代码,名称\n"), KP_ENC_UTF8 },
		{ IN("单位代码\xe5\x90"), KP_ENC_UTF8 },  /* cut by the sample's end */
		{ IN("单位代码\xf0\x9f\x98"), KP_ENC_UTF8 },
		{ IN("\xb5\xa5\xce\xbb\xb4\xfa\xc2\xeb"), KP_ENC_GB18030 },
		{ IN("a,b\n1,\xff\n"), KP_ENC_GB18030 },
		{ IN("a,\xe5\x90,b"), KP_ENC_GB18030 }, /* cut in the middle is not a cut sample */
		{ IN("\xff\xfe" "a\0"), KP_ENC_UTF16 },
		{ IN("\xfe\xff\0a"), KP_ENC_UTF16 },
		{ IN("a\0,\0b\0\n\0"), KP_ENC_UTF16 },
		{ IN("\0a\0,\0b\0\n"), KP_ENC_UTF16 },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		ck_assert_msg(kp_enc_detect((const unsigned char *)t[i].s, t[i].n) == t[i].want, "case %zu: %d, want %d", i,
			      kp_enc_detect((const unsigned char *)t[i].s, t[i].n), t[i].want);
	ck_assert_int_eq(kp_enc_detect((const unsigned char *)gb_csv, sizeof gb_csv - 1), KP_ENC_GB18030);
	ck_assert_int_eq(kp_enc_detect((const unsigned char *)utf8_csv, sizeof utf8_csv - 1), KP_ENC_UTF8);
}
END_TEST

START_TEST(test_utf8_valid)
{
	static const struct {
		const char *s;
		size_t n, want;
	} t[] = {
		{ IN(""), 0 },
		{ IN("abc"), 3 },
		{ IN("中文"), 6 },
		{ IN("\xc2\x80"), 2 },
		{ IN("\xdf\xbf"), 2 },
		{ IN("\xef\xbf\xbf"), 3 },
		{ IN("\xf0\x9f\x98\x80"), 4 },
		{ IN("\xf4\x8f\xbf\xbf"), 4 },   /* U+10FFFF */
		{ IN("a\xff"), 1 },
		{ IN("ab\x80"), 2 },             /* a lone continuation byte */
		{ IN("\xc0\x80"), 0 },           /* overlong NUL */
		{ IN("\xc1\xbf"), 0 },
		{ IN("\xe0\x80\xaf"), 0 },       /* overlong */
		{ IN("\xf0\x80\x80\xaf"), 0 },
		{ IN("x\xed\xa0\x80"), 1 },      /* surrogate */
		{ IN("\xf4\x90\x80\x80"), 0 },   /* above U+10FFFF */
		{ IN("\xf5\x80\x80\x80"), 0 },
		{ IN("中\xe6\x96"), 3 },         /* cut */
		{ IN("\xe4\xb8\xad\xe4\x41\x41"), 3 },
		{ IN("a\0b"), 3 },               /* NUL is valid UTF-8; the reader refuses it */
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		ck_assert_msg(kp_enc_utf8_valid((const unsigned char *)t[i].s, t[i].n) == t[i].want, "case %zu: %zu, want %zu",
			      i, kp_enc_utf8_valid((const unsigned char *)t[i].s, t[i].n), t[i].want);
}
END_TEST

START_TEST(test_width)
{
	static const struct {
		const char *s;
		size_t want;
	} t[] = {
		{ "", 0 },
		{ "abc", 3 },
		{ "中文", 4 },
		{ "陇县2021", 8 },
		{ "城关镇 101.89", 13 },
		{ "\xe3\x80\x80", 2 },                /* U+3000 */
		{ "\xef\xbc\xa1\xef\xbc\xa2", 4 },    /* ＡＢ full-width */
		{ "，。", 4 },
		{ "한국", 4 },
		{ "𠀀", 2 },                          /* CJK extension B */
		{ "e\xcc\x81", 1 },                   /* e + combining acute */
		{ "a\xe2\x80\x8b" "b", 2 },           /* zero-width space */
		{ "\xc3\xa9t\xc3\xa9", 3 },
		{ "a\xff" "b", 3 },                   /* a stray byte takes a column */
		{ "≥95%", 4 },
		{ "\x1b[1m", 3 },                     /* a C0 control takes none */
		{ "\x7f", 1 },
		{ "a\xe4\xb8", 3 },                   /* a sequence cut at the end: a column a byte */
		{ "\xe4\xb8\xad\xe4\xb8", 4 },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		ck_assert_msg(kp_enc_width(t[i].s) == t[i].want, "'%s': %zu, want %zu", t[i].s, kp_enc_width(t[i].s),
			      t[i].want);
}
END_TEST

/* The characters XML 1.0 forbids are dropped from texts bound for an XML
 * part (the .docx notice, the workbooks); the text without any is given
 * back as it is. */
START_TEST(test_enc_xml_clean)
{
	static const struct { const char *s, *want; } t[] = {
		{ "陇县 ok\t\n\r", NULL },
		{ "a\xef\xbf\xbe" "b", "ab" },              /* U+FFFE */
		{ "\xef\xbf\xbf" "a\xef\xbf\xbf", "a" },    /* U+FFFF */
		{ "\xef\xbf\xbd\xef\xbf\xbc", NULL },       /* U+FFFD, U+FFFC: allowed */
		{ "\xef\xb7\x90", NULL },                   /* U+FDD0: allowed (discouraged) */
		{ "\x01x\x0b\x1f" "y\x7f", "xy\x7f" },      /* C0 controls; DEL allowed */
		{ "a\xed\xa0\x80" "b", "ab" },              /* a surrogate: three stray bytes */
		{ "a\xff" "b\xe4\xb8", "ab" },              /* stray and cut */
		{ "城\xef\xbf\xbe关", "城关" },
		{ "", NULL },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		char *copy = (char *)"x";
		const char *got = kp_enc_xml_clean(t[i].s, &copy);
		if (!t[i].want) {
			ck_assert_msg(got == t[i].s && !copy, "case %zu: changed", i);
			continue;
		}
		ck_assert_msg(got && got == copy, "case %zu: not copied", i);
		ck_assert_msg(strcmp(got, t[i].want) == 0, "case %zu: '%s', want '%s'", i, got, t[i].want);
		free(copy);
	}
	ck_assert_uint_eq(kp_enc_xml_bad("\xef\xbf\xbf", 3), 3);
	ck_assert_uint_eq(kp_enc_xml_bad("\xef\xbf\xbd", 3), 0);
	ck_assert_uint_eq(kp_enc_xml_bad("\xef\xbf", 2), 1);
	ck_assert_uint_eq(kp_enc_xml_bad("\t", 1), 0);
	ck_assert_uint_eq(kp_enc_xml_bad("\x0c", 1), 1);
	ck_assert_uint_eq(kp_enc_xml_bad("a", 0), 0);
}
END_TEST

START_TEST(test_enc_names)
{
	ck_assert_int_eq(kp_enc_parse_name("auto"), KP_ENC_AUTO);
	ck_assert_int_eq(kp_enc_parse_name(NULL), KP_ENC_AUTO);
	ck_assert_int_eq(kp_enc_parse_name("UTF-8"), KP_ENC_UTF8);
	ck_assert_int_eq(kp_enc_parse_name("utf8"), KP_ENC_UTF8);
	ck_assert_int_eq(kp_enc_parse_name("gb18030"), KP_ENC_GB18030);
	ck_assert_int_eq(kp_enc_parse_name("GBK"), KP_ENC_GB18030);
	ck_assert_int_eq(kp_enc_parse_name("gb2312"), KP_ENC_GB18030);
	ck_assert_int_eq(kp_enc_parse_name("latin1"), -1);
	ck_assert_int_eq(kp_enc_parse_name("utf-16"), -1);
	ck_assert_int_eq(kp_enc_parse_name(""), -1);
	ck_assert_str_eq(kp_enc_name(KP_ENC_UTF8), "UTF-8");
	ck_assert_str_eq(kp_enc_name(KP_ENC_GB18030), "GB18030");
	ck_assert_str_eq(kp_enc_name(KP_ENC_UTF16), "UTF-16");
}
END_TEST

/* ---------- the GB18030 converter, fed in pieces ---------- */

typedef struct conv_out {
	char buf[1024];
	size_t n;
} conv_out;

static int conv_piece(kp_enc_conv *c, const char *in, size_t len, int final, conv_out *o, kp_err *err)
{
	const char *out;
	size_t n;
	int rc = kp_enc_conv_run(c, in, len, final, &out, &n, err);

	if (rc == 0) {
		ck_assert_uint_le(o->n + n, sizeof o->buf);
		memcpy(o->buf + o->n, out, n);
		o->n += n;
	}
	return rc;
}

/* Split at every offset: the two halves convert to the UTF-8 twin. */
START_TEST(test_conv_split)
{
	size_t len = sizeof gb_csv - 1, i;

	for (i = 0; i <= len; i++) {
		kp_err err = { 0 };
		kp_enc_conv *c = kp_enc_conv_new(&err);
		conv_out o = { .n = 0 };
		ck_assert_ptr_nonnull(c);
		ck_assert_msg(conv_piece(c, gb_csv, i, 0, &o, &err) == 0, "split %zu: %s", i, err.msg);
		ck_assert_msg(conv_piece(c, gb_csv + i, len - i, 1, &o, &err) == 0, "split %zu: %s", i, err.msg);
		ck_assert_uint_eq(o.n, sizeof utf8_csv - 1);
		ck_assert_msg(!memcmp(o.buf, utf8_csv, o.n), "split at %zu", i);
		kp_enc_conv_free(c);
	}
}
END_TEST

/* Every chunk size from 1 byte to the whole, then an empty final call. */
START_TEST(test_conv_chunks)
{
	size_t len = sizeof gb_csv - 1, size, i;

	for (size = 1; size <= len; size++) {
		kp_err err = { 0 };
		kp_enc_conv *c = kp_enc_conv_new(&err);
		conv_out o = { .n = 0 };
		ck_assert_ptr_nonnull(c);
		for (i = 0; i < len; i += size) {
			size_t n = len - i < size ? len - i : size;
			ck_assert_msg(conv_piece(c, gb_csv + i, n, 0, &o, &err) == 0, "chunk %zu at %zu: %s", size, i, err.msg);
		}
		ck_assert_int_eq(conv_piece(c, "", 0, 1, &o, &err), 0);
		ck_assert_uint_eq(o.n, sizeof utf8_csv - 1);
		ck_assert_msg(!memcmp(o.buf, utf8_csv, o.n), "chunk size %zu", size);
		kp_enc_conv_free(c);
	}
}
END_TEST

/* A bad byte is reported at its offset in the input, however it is cut. */
START_TEST(test_conv_bad_byte)
{
	char in[64];
	size_t len, i;

	len = (size_t)snprintf(in, sizeof in, "%s", "\xb3\xc7\xb9\xd8,\x95" "2\x82" "6,x\xff" "yz");
	for (i = 0; i <= len; i++) {
		kp_err err = { 0 };
		kp_enc_conv *c = kp_enc_conv_new(&err);
		conv_out o = { .n = 0 };
		int rc = conv_piece(c, in, i, 0, &o, &err);
		if (rc == 0)
			rc = conv_piece(c, in + i, len - i, 1, &o, &err);
		ck_assert_int_eq(rc, KP_EDATA);
		ck_assert_msg(strstr(err.msg, "byte 12 is not valid GB18030"), "split %zu: %s", i, err.msg);
		kp_enc_conv_free(c);
	}
}
END_TEST

/* A sequence cut by the end of the input is an error at the final call. */
START_TEST(test_conv_cut_at_end)
{
	kp_err err = { 0 };
	kp_enc_conv *c = kp_enc_conv_new(&err);
	conv_out o = { .n = 0 };

	ck_assert_int_eq(conv_piece(c, "ab\x95" "2", 4, 0, &o, &err), 0);
	ck_assert_int_eq(conv_piece(c, "\x82", 1, 0, &o, &err), 0);
	ck_assert_uint_eq(o.n, 2);
	ck_assert_int_eq(conv_piece(c, "", 0, 1, &o, &err), KP_EDATA);
	ck_assert_ptr_nonnull(strstr(err.msg, "not valid GB18030"));
	kp_enc_conv_free(c);
}
END_TEST

/* A large input in uneven pieces. */
START_TEST(test_conv_large)
{
	size_t reps = 2000, unit = sizeof gb_csv - 1, len = reps * unit, i, n, got = 0, step = 1;
	char *in = malloc(len);
	kp_err err = { 0 };
	kp_enc_conv *c = kp_enc_conv_new(&err);
	const char *out;

	for (i = 0; i < reps; i++)
		memcpy(in + i * unit, gb_csv, unit);
	for (i = 0; i < len; i += step, step = step * 7 % 9973 + 1) {
		size_t k = len - i < step ? len - i : step;
		ck_assert_int_eq(kp_enc_conv_run(c, in + i, k, 0, &out, &n, &err), 0);
		for (size_t j = 0; j < n; j++)
			if (out[j] != utf8_csv[(got + j) % (sizeof utf8_csv - 1)])
				ck_abort_msg("output byte %zu differs", got + j);
		got += n;
	}
	ck_assert_int_eq(kp_enc_conv_run(c, "", 0, 1, &out, &n, &err), 0);
	got += n;
	ck_assert_uint_eq(got, reps * (sizeof utf8_csv - 1));
	kp_enc_conv_free(c);
	free(in);
}
END_TEST


/* Messages never cut a character: a quoted cell and a message too long
 * for the record end in "…" at a character boundary. */
START_TEST(test_err_cut_utf8)
{
	static char big[3 * KP_ERR_MAX];
	char cellq[KP_ERR_QUOTE];
	kp_err e = {0};
	size_t i, n;

	snprintf(big, sizeof big, "x");
	for (i = 0; i < 40; i++)
		strcat(big, "优");
	kp_err_quote(big, cellq);
	n = strlen(cellq);
	ck_assert_uint_eq(kp_enc_utf8_valid((const unsigned char *)cellq, n), n);
	ck_assert_str_eq(cellq + n - 3, "…");
	ck_assert_uint_le(n, 63);
	ck_assert_str_eq(kp_err_quote("abc", cellq), "abc");
	for (i = 0; i + 4 < sizeof big; i += 3)
		memcpy(big + i, "说", 3);
	big[i] = '\0';
	big[1] = 'a', big[2] = 'b'; /* shift the character boundaries */
	kp_err_set(&e, KP_EDATA, "%s", big + 1);
	n = strlen(e.msg);
	ck_assert_uint_eq(kp_enc_utf8_valid((const unsigned char *)e.msg, n), n);
	ck_assert_str_eq(e.msg + n - 3, "…");
	kp_err_prefix(&e, "head");
	n = strlen(e.msg);
	ck_assert_uint_eq(kp_enc_utf8_valid((const unsigned char *)e.msg, n), n);
	ck_assert_str_eq(e.msg + n - 3, "…");
	kp_err_clear(&e);
}
END_TEST


/* GB18030 whose bytes are also valid UTF-8 (庐山 is C2 AE C9 BD: "®ɽ"):
 * unlikely as UTF-8, refused in auto mode with advice, read with
 * --encoding gb18030; real UTF-8 text is not. */
START_TEST(test_utf8_unlikely)
{
	static const struct {
		const char *s;
		size_t n;
		int want;
	} t[] = {
		{ IN("id,name\nA1,\xc2\xae\xc9\xbd\n"), 1 },            /* 庐山 in GB18030 */
		{ IN("id,name\nA1,\xc2\xa4\xc9\xbd\nA2,\xc2\xae\xc9\xbd\n"), 1 }, /* 陇山, 庐山 */
		{ IN("id,name\nA1,庐山\n"), 0 },                        /* the UTF-8 itself */
		{ IN("id,name\nA1,庐山×√①，。\n"), 0 },
		{ IN("a,b\n1,2\n"), 0 },                                /* ASCII */
		{ IN("\xEF\xBB\xBF" "id\n\xc2\xae\xc9\xbd\n"), 0 },    /* a BOM says UTF-8 */
		/* Latin letters without Chinese read as GB18030 ideographs too
		 * (é is C3 A9, 铆): refused, the user says --encoding utf-8 */
		{ IN("id,name\nA1,caf\xc3\xa9 \xc3\xa9t\xc3\xa9\n"), 1 },
		{ IN("id,name\nA1,x\xef\xbb\xbfy\n"), 0 },           /* a stray BOM */
		{ IN("id,name\nA1,\xc2\xae\xc9\xbd,城关镇\n"), 0 },      /* mostly Chinese */
		/* 瑾峰华 in GB18030 (E8AA B7E5 BBAA) is 誷廪 in UTF-8: a rare
		 * ideograph where the bytes are GB2312 throughout */
		{ IN("id,name\nA1,\xe8\xaa\xb7\xe5\xbb\xaa\n"), KP_ENC_UNLIKELY_RARE },
		{ IN("id,name\nA1,王堃\nA2,张喆\nA3,李玥\n"), 0 },  /* real names with rare characters */
		{ IN("id,name\nA1,廪\n"), 0 },                        /* 廪 is GB2312 */
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		ck_assert_msg(kp_enc_utf8_unlikely((const unsigned char *)t[i].s, t[i].n) == t[i].want, "case %zu", i);
}
END_TEST

START_TEST(test_gb18030_valid_utf8)
{
	static const char lu[] = "id,name\nA1,\xc2\xae\xc9\xbd\n"; /* iconv -t GB18030 of 庐山 */
	kp_csv_opts o = {0};
	kp_csv_info info;
	kp_err err;
	sink k;

	ck_assert_int_eq(read_buf(lu, sizeof lu - 1, &o, &k, &info, &err), KP_EDATA);
	ck_assert_ptr_nonnull(strstr(err.msg, "t.csv:1: the file is valid UTF-8"));
	ck_assert_ptr_nonnull(strstr(err.msg, "--encoding gb18030"));
	sink_free(&k);
	o.encoding = KP_ENC_GB18030;
	ck_assert_int_eq(read_buf(lu, sizeof lu - 1, &o, &k, &info, &err), 0);
	ck_assert_str_eq(k.s, "H1:id|name\n2:A1|庐山\n");
	sink_free(&k);
	o.encoding = KP_ENC_UTF8;
	ck_assert_int_eq(read_buf(lu, sizeof lu - 1, &o, &k, &info, &err), 0);
	ck_assert_str_eq(k.s, "H1:id|name\n2:A1|®ɽ\n");
	sink_free(&k);
}
END_TEST

/* A UTF-8 BOM before GB18030 text (WPS writes one sometimes) is skipped
 * with --encoding gb18030, not decoded into the first header name. */
START_TEST(test_bom_gb18030)
{
	static const char in[] = "\xEF\xBB\xBF\xb5\xa5\xce\xbb\xb4\xfa\xc2\xeb,x\nZ01,\xb3\xc7\xb9\xd8\xd5\xf2\n";
	kp_csv_opts o = {0};
	kp_csv_info info;
	kp_err err;
	sink k;

	o.encoding = KP_ENC_GB18030;
	ck_assert_int_eq(read_buf(in, sizeof in - 1, &o, &k, &info, &err), 0);
	ck_assert_str_eq(k.s, "H1:单位代码|x\n2:Z01|城关镇\n");
	ck_assert_int_eq(info.encoding, KP_ENC_GB18030);
	sink_free(&k);
}
END_TEST

/* ---------- the messages in Chinese and in English ---------- */

/* A cell of a number column that is not a number, as a table reports it
 * (a workbook's table names the cell as B3 too), in both languages. */
START_TEST(test_lang_not_a_number)
{
	static const struct {
		enum kp_lang lang;
		int a1;
		const char *want;
	} c[] = {
		{KP_LANG_EN, 0, "d.csv:3:2: column 'score': not a number: 'abc'"},
		{KP_LANG_ZH, 0, "d.csv:3:2: 列“score”：不是数字：“abc”"},
		{KP_LANG_EN, 1, "d.csv:3:2: column 'score' (B3): not a number: 'abc'"},
		{KP_LANG_ZH, 1, "d.csv:3:2: 列“score”（B3）：不是数字：“abc”"},
	};
	static char id[] = "id", score[] = "score", a01[] = "A01", abc[] = "abc";
	char *names[] = {id, score}, *row[] = {a01, abc};
	const unsigned char numeric[] = {0, 1};
	size_t i;

	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		kp_err err = {0};
		kp_table *t = kp_table_new("d", "d.csv", &err);

		ck_assert_ptr_nonnull(t);
		t->a1 = c[i].a1;
		kp_msg_set_lang(c[i].lang);
		ck_assert_int_eq(kp_table_set_columns(t, 2, names, numeric, &err), 0);
		ck_assert_int_eq(kp_table_add(t, 3, row, NULL, &err), KP_EDATA);
		ck_assert_str_eq(err.msg, c[i].want);
		kp_table_free(t);
	}
	kp_msg_set_lang(KP_LANG_EN);
}
END_TEST

/* The words a table keeps with a bad cell (the list of bad cells prints
 * them): a word for "no value", a text, a percentage over 100%. */
START_TEST(test_lang_num_why)
{
	double v;

	kp_msg_set_lang(KP_LANG_ZH);
	ck_assert_str_eq(kp_num_why(kp_num_parse("N/A", &v)), "缺失值：请声明 `default` 或 `missing = \"skip\"`");
	ck_assert_str_eq(kp_num_why(kp_num_parse("无", &v)), "缺失值：请声明 `default` 或 `missing = \"skip\"`");
	ck_assert_str_eq(kp_num_why(kp_num_parse("abc", &v)), "不是数字");
	ck_assert_str_eq(kp_num_why(kp_num_parse("120%", &v)), "百分数超过 100%");
	kp_msg_set_lang(KP_LANG_EN);
	ck_assert_str_eq(kp_num_why(kp_num_parse("N/A", &v)), "a missing value: declare `default` or `missing = \"skip\"`");
	ck_assert_str_eq(kp_num_why(kp_num_parse("无", &v)), "a missing value: declare `default` or `missing = \"skip\"`");
	ck_assert_str_eq(kp_num_why(kp_num_parse("abc", &v)), "not a number");
	ck_assert_str_eq(kp_num_why(kp_num_parse("120%", &v)), "a percentage above 100%");
}
END_TEST

/* The reader's errors, whole, in both languages: a header name twice, a
 * short row (one field: the singular), a byte that is not GB18030 (the
 * line found from the converter's offset). */
START_TEST(test_lang_reader)
{
	static const struct {
		const char *in;
		size_t len;
		int encoding;
		const char *en, *zh;
	} c[] = {
		{IN("a,a\n1,2\n"), 0, "t.csv:1:2: header name 'a' appears twice (columns 1 and 2)",
		 "t.csv:1:2: 表头名“a”出现了两次（第 1 列和第 2 列）"},
		{IN("a,b\n1,2\n3\n"), 0, "t.csv:3: 1 field where the header has 2", "t.csv:3: 本行有 1 个单元格，而表头有 2 列"},
		{IN("a,b,c\n1,2,\n3,4,5,\n"), 0, "t.csv:3: 4 fields where the header has 3 (a trailing comma?)",
		 "t.csv:3: 本行有 4 个单元格，而表头有 3 列（行末多了逗号？）"},
		{IN("a,b\n1,\x81\x20\n"), KP_ENC_GB18030,
		 "t.csv:2: byte 7 is not valid GB18030 (nor UTF-8); choose the file's encoding with --encoding",
		 "t.csv:2: 第 7 个字节不是有效的 GB18030（也不是 UTF-8）；请用 --encoding 指定文件的编码"},
	};
	size_t i;
	int zh;

	for (i = 0; i < sizeof c / sizeof c[0]; i++)
		for (zh = 0; zh <= 1; zh++) {
			kp_csv_opts o = {0};
			kp_err err;
			sink k;

			o.encoding = c[i].encoding;
			kp_msg_set_lang(zh ? KP_LANG_ZH : KP_LANG_EN);
			ck_assert_int_eq(read_buf(c[i].in, c[i].len, &o, &k, NULL, &err), KP_EDATA);
			ck_assert_str_eq(err.msg, zh ? c[i].zh : c[i].en);
			sink_free(&k);
		}
	kp_msg_set_lang(KP_LANG_EN);
}
END_TEST

static Suite *csv_suite(void)
{
	Suite *s = suite_create("csv");
	TCase *tc = tcase_create("read");

	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, test_ok, 0, NOK);
	tcase_add_loop_test(tc, test_ok_block_boundary, 0, NOK);
	tcase_add_test(tc, test_twins);
	tcase_add_test(tc, test_left_out_counted);
	tcase_add_test(tc, test_twin_files);
	tcase_add_test(tc, test_sample_gb18030);
	tcase_add_test(tc, test_sha256);
	tcase_add_test(tc, test_progress);
	tcase_add_test(tc, test_files);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_bad, 0, NBAD);
	tcase_add_test(tc, test_header_only);
	tcase_add_test(tc, test_stops_at_first_error);
	tcase_add_test(tc, test_callback_error);
	tcase_add_test(tc, test_field_cap_edges);
	tcase_add_test(tc, test_column_cap_edges);
	tcase_add_test(tc, test_error_past_first_block);
	tcase_add_test(tc, test_err_cut_utf8);
	tcase_add_test(tc, test_lang_not_a_number);
	tcase_add_test(tc, test_lang_num_why);
	tcase_add_test(tc, test_lang_reader);
	tcase_add_test(tc, test_numeric_cells);
	suite_add_tcase(s, tc);

	tc = tcase_create("parts");
	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, test_parts_same_rows, 0, 2);
	tcase_add_test(tc, test_numeric_cells_parts);
	tcase_add_test(tc, test_parts_edges);
	tcase_add_test(tc, test_parts_fallback);
	tcase_add_test(tc, test_parts_errors);
	tcase_add_test(tc, test_parts_header_only);
	tcase_add_test(tc, test_file_shrinks);
	tcase_add_test(tc, test_file_changes);
	tcase_add_test(tc, test_parts_quoted_across);
	tcase_add_test(tc, test_parts_crlf_across);
	tcase_add_test(tc, test_parts_lone_cr_across);
	tcase_add_test(tc, test_parts_long_header);
	suite_add_tcase(s, tc);

	tc = tcase_create("enc");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_detect);
	tcase_add_test(tc, test_utf8_unlikely);
	tcase_add_test(tc, test_gb18030_valid_utf8);
	tcase_add_test(tc, test_bom_gb18030);
	tcase_add_test(tc, test_utf8_valid);
	tcase_add_test(tc, test_width);
	tcase_add_test(tc, test_enc_names);
	tcase_add_test(tc, test_enc_xml_clean);
	tcase_add_test(tc, test_conv_split);
	tcase_add_test(tc, test_conv_chunks);
	tcase_add_test(tc, test_conv_bad_byte);
	tcase_add_test(tc, test_conv_cut_at_end);
	tcase_add_test(tc, test_conv_large);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(csv_suite)
