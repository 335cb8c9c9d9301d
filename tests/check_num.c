/* check_num.c — numbers as offices type them (kp_num_parse) and the
 * contract rounding rule of DESIGN §2 (kp_num_round), table-driven, with
 * exhaustive sweeps of the half-way cases at 2 and 3 decimals. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "kaoping/date.h"
#include "kaoping/num.h"

/* ---------- kp_num_parse ---------- */

#define REJECT (-1) /* any status but KP_NUM_OK */

struct parse_case {
	const char *in;
	int status; /* KP_NUM_* or REJECT */
	double want;
};

static const struct parse_case parse_cases[] = {
	/* plain numbers */
	{ "0", KP_NUM_OK, 0 },
	{ "42", KP_NUM_OK, 42 },
	{ "-17", KP_NUM_OK, -17 },
	{ "+3", KP_NUM_OK, 3 },
	{ ".5", KP_NUM_OK, 0.5 },
	{ "-.25", KP_NUM_OK, -0.25 },
	{ "1.", KP_NUM_OK, 1 },
	{ "3.14159", KP_NUM_OK, 3.14159 },
	{ "007", KP_NUM_OK, 7 },
	{ "-0", KP_NUM_OK, 0 },
	{ "-0.0", KP_NUM_OK, 0 },
	{ "+0", KP_NUM_OK, 0 },
	{ "1e3", KP_NUM_OK, 1000 },
	{ "2.5E-2", KP_NUM_OK, 0.025 },
	{ "1e+2", KP_NUM_OK, 100 },
	{ "1.7976931348623157e308", KP_NUM_OK, 1.7976931348623157e308 },
	/* percentages, as Excel exports them */
	{ "95.5%", KP_NUM_OK, 0.955 },
	{ "96.4%", KP_NUM_OK, 0.964 },
	{ "100%", KP_NUM_OK, 1.0 },
	{ "100.0%", KP_NUM_OK, 1.0 },
	{ "0%", KP_NUM_OK, 0 },
	{ "12%", KP_NUM_OK, 0.12 },
	{ "0.5%", KP_NUM_OK, 0.005 },
	{ "12 %", KP_NUM_OK, 0.12 },
	{ "-5%", KP_NUM_OK, -0.05 },
	{ "150%", KP_NUM_PERCENT, 0 },
	{ "100.01%", KP_NUM_PERCENT, 0 },
	{ "1,000%", KP_NUM_PERCENT, 0 },
	{ "%", KP_NUM_BAD, 0 },
	{ "5%%", KP_NUM_BAD, 0 },
	{ "1e2%", KP_NUM_BAD, 0 },
	/* thousands separators in groups of three */
	{ "1,234", KP_NUM_OK, 1234 },
	{ "1,234,567.5", KP_NUM_OK, 1234567.5 },
	{ "-1,102", KP_NUM_OK, -1102 },
	{ "12,345", KP_NUM_OK, 12345 },
	{ "123,456,789", KP_NUM_OK, 123456789 },
	{ "1,23", KP_NUM_BAD, 0 },
	{ "12,3456", KP_NUM_BAD, 0 },
	{ "1234,567", KP_NUM_BAD, 0 },
	{ ",123", KP_NUM_BAD, 0 },
	{ "1,234,", KP_NUM_BAD, 0 },
	{ "1,,234", KP_NUM_BAD, 0 },
	{ "1,234.5,6", KP_NUM_BAD, 0 },
	{ "0.123,4", KP_NUM_BAD, 0 },
	/* surrounding spaces: ASCII, tabs, U+3000 ideographic space */
	{ "  7  ", KP_NUM_OK, 7 },
	{ "\t8\t", KP_NUM_OK, 8 },
	{ "\xE3\x80\x80" "12" "\xE3\x80\x80", KP_NUM_OK, 12 },
	{ " \xE3\x80\x80 95.5% \xE3\x80\x80", KP_NUM_OK, 0.955 },
	{ "\xE3\x80\x80\xE3\x80\x80" "1,234", KP_NUM_OK, 1234 },
	{ "1 234", KP_NUM_BAD, 0 },
	{ "1\xE3\x80\x80" "234", KP_NUM_BAD, 0 },
	{ "- 5", KP_NUM_BAD, 0 },
	/* blank cells */
	{ "", KP_NUM_EMPTY, 0 },
	{ "   ", KP_NUM_EMPTY, 0 },
	{ "\xE3\x80\x80", KP_NUM_EMPTY, 0 },
	{ " \t\xE3\x80\x80 ", KP_NUM_EMPTY, 0 },
	/* not numbers */
	{ "abc", KP_NUM_BAD, 0 },
	{ "0x10", KP_NUM_BAD, 0 },
	{ "0X1F", KP_NUM_BAD, 0 },
	{ "nan", REJECT, 0 },
	{ "NaN", REJECT, 0 },
	{ "inf", REJECT, 0 },
	{ "-Infinity", REJECT, 0 },
	{ "1e", KP_NUM_BAD, 0 },
	{ "1e+", KP_NUM_BAD, 0 },
	{ "e5", KP_NUM_BAD, 0 },
	{ ".", KP_NUM_BAD, 0 },
	{ "-", KP_NUM_NA, 0 },
	{ "+", KP_NUM_BAD, 0 },
	{ "+-1", KP_NUM_BAD, 0 },
	{ "--1", KP_NUM_BAD, 0 },
	{ "1.2.3", KP_NUM_BAD, 0 },
	{ "12abc", KP_NUM_BAD, 0 },
	{ "3分", KP_NUM_BAD, 0 },
	{ "\xEF\xBC\x91\xEF\xBC\x92", KP_NUM_OK, 12 }, /* full-width digits １２ */
	{ "是", KP_NUM_BAD, 0 },
	{ "1,234.5%", KP_NUM_PERCENT, 0 },
	/* full-width forms and U+2212, read as their ASCII (only when the
	 * text does not parse as ASCII) */
	{ "\xEF\xBC\x92", KP_NUM_OK, 2 },                       /* ２ */
	{ "\xEF\xBC\x8D" "3", KP_NUM_OK, -3 },                  /* －3 */
	{ "\xE2\x88\x92" "3", KP_NUM_OK, -3 },                  /* −3 (U+2212) */
	{ "\xE2\x88\x92\xEF\xBC\x93", KP_NUM_OK, -3 },         /* −３ */
	{ "\xEF\xBC\x93\xEF\xBC\x8E\xEF\xBC\x95", KP_NUM_OK, 3.5 }, /* ３．５ */
	{ "\xEF\xBC\x99\xEF\xBC\x95\xEF\xBC\x85", KP_NUM_OK, 0.95 }, /* ９５％ */
	{ "\xEF\xBC\x91\xEF\xBC\x8C\xEF\xBC\x92\xEF\xBC\x93\xEF\xBC\x94", KP_NUM_OK, 1234 }, /* １，２３４ */
	{ "\xEF\xBC\x8B" "7", KP_NUM_OK, 7 },                   /* ＋7 */
	{ "\xE3\x80\x80\xEF\xBC\x94\xEF\xBC\x92\xE3\x80\x80", KP_NUM_OK, 42 }, /* 　４２　 */
	{ "\xEF\xBC\x91\xEF\xBC\x92" "abc", KP_NUM_BAD, 0 },   /* １２abc */
	{ "\xEF\xBC\x8D\xEF\xBC\x8D" "1", KP_NUM_BAD, 0 },     /* －－1 */
	{ "\xEF\xBC\x91\xEF\xBC\x90\xEF\xBC\x90\xEF\xBC\x90" "e999", KP_NUM_RANGE, 0 }, /* １０００e999 */
	/* words for "no value": a missing value, not "not a number" */
	{ "N/A", KP_NUM_NA, 0 },
	{ "n/a", KP_NUM_NA, 0 },
	{ "#N/A", KP_NUM_NA, 0 },
	{ " - ", KP_NUM_NA, 0 },
	{ "--", KP_NUM_NA, 0 },
	{ "\xE2\x80\x94", KP_NUM_NA, 0 },                       /* — */
	{ "\xE2\x80\x94\xE2\x80\x94", KP_NUM_NA, 0 },           /* —— */
	{ "\xEF\xBC\x8D", KP_NUM_NA, 0 },                       /* － */
	{ "\xE6\x97\xA0", KP_NUM_NA, 0 },                       /* 无 */
	{ "\xE3\x80\x80\xE6\x97\xA0\xE3\x80\x80", KP_NUM_NA, 0 }, /* 　无　 */
	{ "/", KP_NUM_NA, 0 },
	{ "\xEF\xBC\x8F", KP_NUM_NA, 0 },                       /* ／ */
	{ "NA/", KP_NUM_BAD, 0 },
	{ "\xE6\x97\xA0\xE6\x95\x88", KP_NUM_BAD, 0 },           /* 无效 */
	/* out of range */
	{ "1e309", KP_NUM_RANGE, 0 },
	{ "-1e309", KP_NUM_RANGE, 0 },
	{ "1.8e308", KP_NUM_RANGE, 0 },
	/* underflow: a nonzero decimal that would read as 0 or a subnormal */
	{ "1e-400", KP_NUM_TINY, 0 },
	{ "-1e-999", KP_NUM_TINY, 0 },
	{ "1e-310", KP_NUM_TINY, 0 },
	{ "0.00001e-305", KP_NUM_TINY, 0 },
	{ "\xEF\xBC\x91" "e-400", KP_NUM_TINY, 0 }, /* １e-400 */
	{ "2.2250738585072014e-308", KP_NUM_OK, 2.2250738585072014e-308 }, /* DBL_MIN */
	{ "1e-307", KP_NUM_OK, 1e-307 },
	{ "0e5", KP_NUM_OK, 0 },
	{ "0e-999", KP_NUM_OK, 0 },
	{ "-0.000e-400", KP_NUM_OK, 0 },
	{ "0.0", KP_NUM_OK, 0 },
	{ "0%", KP_NUM_OK, 0 },
};

START_TEST(test_parse_table)
{
	const struct parse_case *c = &parse_cases[_i];
	double v = -12345.678;
	int st = kp_num_parse(c->in, &v);

	if (c->status == REJECT) {
		ck_assert_msg(st != KP_NUM_OK, "'%s' accepted as %.17g", c->in, v);
		ck_assert_msg(v == -12345.678, "'%s': *out written on failure", c->in);
		return;
	}
	ck_assert_msg(st == c->status, "'%s': status %d, want %d", c->in, st, c->status);
	if (st == KP_NUM_OK) {
		ck_assert_msg(v == c->want, "'%s': %.17g, want %.17g", c->in, v, c->want);
		ck_assert_msg(isfinite(v), "'%s': not finite", c->in);
		ck_assert_msg(!(v == 0 && signbit(v)), "'%s': negative zero", c->in);
	} else {
		ck_assert_msg(v == -12345.678, "'%s': *out written on failure", c->in);
	}
}
END_TEST

START_TEST(test_parse_why)
{
	ck_assert_str_eq(kp_num_why(KP_NUM_BAD), "not a number");
	ck_assert_ptr_nonnull(strstr(kp_num_why(KP_NUM_PERCENT), "100%"));
	ck_assert_ptr_nonnull(strstr(kp_num_why(KP_NUM_RANGE), "range"));
	ck_assert_str_eq(kp_num_why(KP_NUM_EMPTY), "empty");
	ck_assert_str_eq(kp_num_why(KP_NUM_NA), "a missing value: declare `default` or `missing = \"skip\"`");
	ck_assert(KP_NUM_MISSING(KP_NUM_NA) && KP_NUM_MISSING(KP_NUM_EMPTY) && !KP_NUM_MISSING(KP_NUM_BAD));
	ck_assert_str_eq(kp_num_why(KP_NUM_TINY),
			 "out of range (not zero, but nearer to zero than a number can be: 2.2e-308)");
	ck_assert(!KP_NUM_MISSING(KP_NUM_TINY));
}
END_TEST

/* kp_num_parse_plain: only the decimal syntax a file format stores. */
static const struct parse_case plain_cases[] = {
	{ "0", KP_NUM_OK, 0 },
	{ "-0", KP_NUM_OK, 0 },
	{ "0.0", KP_NUM_OK, 0 },
	{ "0e5", KP_NUM_OK, 0 },
	{ "42", KP_NUM_OK, 42 },
	{ "+3", KP_NUM_OK, 3 },
	{ "-17.5", KP_NUM_OK, -17.5 },
	{ ".5", KP_NUM_OK, 0.5 },
	{ "5.", KP_NUM_OK, 5 },
	{ "1E-7", KP_NUM_OK, 1e-7 },
	{ "0.33333333333333331", KP_NUM_OK, 0.33333333333333331 },
	{ "12345678901234567890", KP_NUM_OK, 12345678901234567890.0 },
	{ "1E+300", KP_NUM_OK, 1e300 },
	{ "", KP_NUM_EMPTY, 0 },
	{ "1e309", KP_NUM_RANGE, 0 },
	{ "-1e999", KP_NUM_RANGE, 0 },
	{ "1e-400", KP_NUM_TINY, 0 },
	{ "-1e-999", KP_NUM_TINY, 0 },
	{ "4e-320", KP_NUM_TINY, 0 },
	/* strtod's extensions and the cell forms kp_num_parse takes */
	{ "0x10", KP_NUM_BAD, 0 },
	{ "0x1p3", KP_NUM_BAD, 0 },
	{ "0X1A", KP_NUM_BAD, 0 },
	{ " 0X1A", KP_NUM_BAD, 0 },
	{ "inf", KP_NUM_BAD, 0 },
	{ "-INF", KP_NUM_BAD, 0 },
	{ "NaN", KP_NUM_BAD, 0 },
	{ "infinity", KP_NUM_BAD, 0 },
	{ " 1", KP_NUM_BAD, 0 },
	{ "1 ", KP_NUM_BAD, 0 },
	{ "1,234", KP_NUM_BAD, 0 },
	{ "50%", KP_NUM_BAD, 0 },
	{ "\xEF\xBC\x91", KP_NUM_BAD, 0 },
	{ "N/A", KP_NUM_BAD, 0 },
	{ ".", KP_NUM_BAD, 0 },
	{ "-", KP_NUM_BAD, 0 },
	{ "e5", KP_NUM_BAD, 0 },
	{ ".e5", KP_NUM_BAD, 0 },
	{ "1e", KP_NUM_BAD, 0 },
	{ "1e+", KP_NUM_BAD, 0 },
	{ "1e5.5", KP_NUM_BAD, 0 },
	{ "1.2.3", KP_NUM_BAD, 0 },
	{ "++1", KP_NUM_BAD, 0 },
};

START_TEST(test_parse_plain)
{
	const struct parse_case *c = &plain_cases[_i];
	double v = -12345.678;
	int st = kp_num_parse_plain(c->in, &v);

	ck_assert_msg(st == c->status, "'%s': status %d, want %d", c->in, st, c->status);
	if (st == KP_NUM_OK) {
		ck_assert_msg(v == c->want, "'%s': %.17g, want %.17g", c->in, v, c->want);
		ck_assert_msg(!(v == 0 && signbit(v)), "'%s': negative zero", c->in);
	} else {
		ck_assert_msg(v == -12345.678, "'%s': *out written on failure", c->in);
	}
}
END_TEST

/* Long inputs neither overflow the parser's buffer nor read past the end. */
START_TEST(test_parse_long)
{
	char buf[600];
	double v;

	memset(buf, '9', 500);
	buf[500] = '\0';
	ck_assert_int_ne(kp_num_parse(buf, &v), KP_NUM_OK); /* 1e500: not a double */
	memset(buf, '0', 300);
	buf[300] = '5', buf[301] = '\0';
	if (kp_num_parse(buf, &v) == KP_NUM_OK) /* may be refused as too long, never misread */
		ck_assert(v == 5);
	buf[0] = '0', buf[1] = '.';
	memset(buf + 2, '1', 400);
	buf[402] = '\0';
	if (kp_num_parse(buf, &v) == KP_NUM_OK)
		ck_assert(fabs(v - 1.0 / 9) < 1e-15);
}
END_TEST

/* Every number printed by %.17g and by "%.*f" reads back exactly. */
START_TEST(test_parse_roundtrip)
{
	unsigned long long s = 0x9E3779B97F4A7C15ull;
	char buf[64];
	double v, x;
	int i;

	for (i = 0; i < 20000; i++) {
		s = s * 6364136223846793005ull + 1442695040888963407ull;
		x = (double)(s >> 11) / (double)(1ull << 53) * 1e6 - 5e5;
		snprintf(buf, sizeof buf, "%.17g", x);
		ck_assert_int_eq(kp_num_parse(buf, &v), KP_NUM_OK);
		ck_assert_msg(v == x, "%s read as %.17g", buf, v);
		snprintf(buf, sizeof buf, "%.2f%%", fabs(x) / 1e4);
		ck_assert_int_eq(kp_num_parse(buf, &v), fabs(x) / 1e4 > 100.004 ? KP_NUM_PERCENT : KP_NUM_OK);
	}
}
END_TEST

/* kp_num_parse_common, which the CSV reader and the store call on a
 * numeric cell as they read it (no NUL after it, no copy), takes exactly
 * the cells kp_num_parse_dec takes as "[-]digits[.digits]" (dec >= 0) and
 * gives the same double bit for bit, the same digits and decimals; it
 * refuses every other text, which kp_num_parse_dec then reads: cells
 * made of the bytes a cell may hold around a number (spaces, signs,
 * separators, percent, exponents, a NUL, full-width digits, words). */
START_TEST(test_parse_common)
{
	static const char *const bytes[] = { "0", "1", "5", "9", ".", "-", "+", " ", ",", "%", "e", "\0", "\xEF\xBC\x91",
					     "N/A", "\t", "x" };
	static const char *const fixed[] = { "0", "-0", "0.0", "-0.50", "12", "89.995", "999999999999999",
					     "9999999999999999", "0.000000000000001", ".5", "5.", "-", "", "1.2.3",
					     "1e5", " 1", "1 ", "12%", "1,234", "--1", "+1", "0.8951", "375" };
	unsigned long long st = 0x853c49e6748fea9bULL;
	char text[64];
	size_t n, i;
	long k, taken = 0;

	for (k = 0; k < 400000 + (long)(sizeof fixed / sizeof *fixed); k++) {
		kp_num_cell c;
		double v;
		int64_t m;
		int dec, status;
		if (k < (long)(sizeof fixed / sizeof *fixed)) {
			n = strlen(fixed[k]);
			memcpy(text, fixed[k], n + 1);
		} else {
			size_t parts;
			st ^= st << 13, st ^= st >> 7, st ^= st << 17;
			parts = 1 + st % 12, n = 0;
			for (i = 0; i < parts; i++) {
				st ^= st << 13, st ^= st >> 7, st ^= st << 17;
				/* digits most often: most cells are numbers */
				const char *b = bytes[st % 3 == 0 ? st / 3 % (sizeof bytes / sizeof *bytes) : st / 3 % 4];
				size_t bl = strcmp(b, "\0") ? strlen(b) : 1;
				memcpy(text + n, b, bl);
				n += bl;
			}
			text[n] = '\0';
		}
		memset(&c, 0x5a, sizeof c);
		kp_num_parse_common(text, n, &c);
		status = kp_num_parse_dec(text, &v, &m, &dec);
		if (memchr(text, '\0', n)) { /* a NUL inside: never a number here, whatever is before it */
			ck_assert_msg(!c.ok, "a cell with a NUL at %zu taken", (size_t)((char *)memchr(text, 0, n) - text));
			continue;
		}
		if (status == KP_NUM_OK && dec >= 0) {
			ck_assert_msg(c.ok, "'%s' refused", text);
			ck_assert_msg(!memcmp(&c.v, &v, sizeof v), "'%s': %.17g, not %.17g", text, c.v, v);
			ck_assert_int_eq(c.m, m);
			ck_assert_int_eq(c.dec, dec);
			taken++;
		} else {
			ck_assert_msg(!c.ok, "'%s' taken, which kp_num_parse_dec reads as status %d, dec %d", text,
				      status, status == KP_NUM_OK ? dec : 0);
		}
	}
	ck_assert_int_gt(taken, 50000);
}
END_TEST

/* A number typed in full-width characters reads as the same double as its
 * ASCII form, and an ASCII cell reads as it always did (the full-width
 * path is only taken for what ASCII parsing refuses). */
START_TEST(test_parse_fullwidth_same)
{
	unsigned long long s = 0x2545F4914F6CDD1Dull;
	char buf[64], wide[256];
	double v, w;
	int i;

	for (i = 0; i < 5000; i++) {
		size_t k, n = 0;
		s = s * 6364136223846793005ull + 1442695040888963407ull;
		snprintf(buf, sizeof buf, i % 3 ? "%.6f" : "%.2f%%", ((double)(s >> 11) / (double)(1ull << 53) - 0.5) * (i % 3 ? 2e5 : 199));
		for (k = 0; buf[k]; k++) {
			char c = buf[k];
			if (c >= '0' && c <= '9')
				n += (size_t)sprintf(wide + n, "\xEF\xBC%c", (char)(0x90 + (c - '0')));
			else if (c == '-')
				n += (size_t)sprintf(wide + n, i % 2 ? "\xEF\xBC\x8D" : "\xE2\x88\x92");
			else if (c == '.')
				n += (size_t)sprintf(wide + n, "\xEF\xBC\x8E");
			else if (c == '%')
				n += (size_t)sprintf(wide + n, "\xEF\xBC\x85");
			else
				wide[n++] = c;
		}
		wide[n] = '\0';
		ck_assert_int_eq(kp_num_parse(buf, &v), KP_NUM_OK);
		ck_assert_int_eq(kp_num_parse(wide, &w), KP_NUM_OK);
		ck_assert_msg(v == w, "%s read as %.17g, its full-width form as %.17g", buf, v, w);
	}
}
END_TEST

/* ---------- kp_num_round: the contract rule ---------- */

struct round_case {
	double x;
	int prec;
	double want;
};

static const struct round_case round_cases[] = {
	/* the examples of DESIGN §2 */
	{ 2.675, 2, 2.68 },
	{ 1.005, 2, 1.01 },
	{ 89.99499999999999, 2, 90.00 },
	{ 0.045, 2, 0.05 },
	{ -2.675, 2, -2.68 },
	{ -1.005, 2, -1.01 },
	{ 9.995, 2, 10.00 },
	{ 99.995, 2, 100.00 },
	{ 999.995, 2, 1000.00 },
	{ 1.015, 2, 1.02 },
	{ 1.025, 2, 1.03 },
	{ 0.285, 2, 0.29 },
	{ 1.255, 2, 1.26 },
	{ 8.345, 2, 8.35 },
	{ 101.885, 2, 101.89 },
	{ 0.125, 2, 0.13 },
	{ 0.135, 2, 0.14 },
	{ 2.674999, 2, 2.67 },
	{ 2.6749999999, 2, 2.67 },
	{ 89.994, 2, 89.99 },
	{ 89.99, 2, 89.99 },
	{ 90, 2, 90 },
	/* precision 0: half-up, away from zero */
	{ 0.5, 0, 1 },
	{ 1.5, 0, 2 },
	{ 2.5, 0, 3 },
	{ 3.5, 0, 4 },
	{ 0.49999999999, 0, 0 },
	{ -0.5, 0, -1 },
	{ -2.5, 0, -3 },
	{ 99.5, 0, 100 },
	{ 0.4, 0, 0 },
	{ 1234.5, 0, 1235 },
	/* precision 1 .. 6 */
	{ 0.05, 1, 0.1 },
	{ 0.25, 1, 0.3 },
	{ 0.35, 1, 0.4 },
	{ 96.45, 1, 96.5 },
	{ -0.05, 1, -0.1 },
	{ 0.0005, 3, 0.001 },
	{ 2.0005, 3, 2.001 },
	{ 1.0045, 3, 1.005 },
	{ 0.00005, 4, 0.0001 },
	{ 1.23445, 4, 1.2345 },
	{ 0.000005, 5, 0.00001 },
	{ 3.141595, 5, 3.14160 },
	{ 1.0000005, 6, 1.000001 },
	{ 0.1234565, 6, 0.123457 },
	{ 99.9999995, 6, 100 },
	/* tiny values and zeros */
	{ 1e-9, 2, 0 },
	{ -1e-9, 2, 0 },
	{ 0.004999, 2, 0 },
	{ 0.005, 2, 0.01 },
	{ -0.004, 2, 0 },
	{ -0.005, 2, -0.01 },
	{ 1e-300, 6, 0 },
	{ 4.9e-324, 2, 0 },
	{ 0.0, 2, 0 },
	{ -0.0, 2, 0 },
	{ 0.0, 0, 0 },
	/* integers and already-round values stay */
	{ 100, 2, 100 },
	{ 7, 0, 7 },
	{ 0.1, 2, 0.1 },
	{ 0.3, 1, 0.3 },
	{ 0.1 + 0.2, 2, 0.3 },
	{ 59.5, 2, 59.5 },
	{ 86.92, 2, 86.92 },
	/* large values */
	{ 123456.785, 2, 123456.79 },
	{ 1234567.125, 2, 1234567.13 },
	{ 12345678.5, 0, 12345679 },
	{ 99999999.995, 2, 100000000 },
	{ 1e15, 2, 1e15 },
	{ 123456789012345.0, 2, 123456789012345.0 },
	{ 1e20, 2, 1e20 },
	{ -1e20, 0, -1e20 },
	{ 1e300, 2, 1e300 },
	{ -1.5e307, 6, -1.5e307 },
	{ 1.7976931348623157e308, 2, 1.7976931348623157e308 },
};

START_TEST(test_round_table)
{
	const struct round_case *c = &round_cases[_i];
	double got = kp_num_round(c->x, c->prec);

	ck_assert_msg(got == c->want, "round(%.17g, %d) = %.17g, want %.17g", c->x, c->prec, got, c->want);
	ck_assert_msg(!(got == 0 && signbit(got)), "round(%.17g, %d): negative zero", c->x, c->prec);
}
END_TEST

/* The examples really are the hard ones: the naive methods fail them. */
START_TEST(test_round_naive_differs)
{
	ck_assert(floor(1.005 * 100 + 0.5) / 100 != 1.01);
	ck_assert(floor(89.99499999999999 * 100 + 0.5) / 100 != 90.0);
	{
		char s[32];
		snprintf(s, sizeof s, "%.2f", 2.675); /* the exact double is 2.67499999... */
		ck_assert_str_eq(s, "2.67");
		snprintf(s, sizeof s, "%.2f", 1.005);
		ck_assert_str_eq(s, "1.00");
		snprintf(s, sizeof s, "%.15g", 89.99499999999999);
		ck_assert_str_eq(s, "89.995");
	}
}
END_TEST

/* Non-finite values and impossible precisions come back unchanged. */
START_TEST(test_round_odd_args)
{
	ck_assert(isnan(kp_num_round(NAN, 2)));
	ck_assert(kp_num_round(INFINITY, 2) == INFINITY);
	ck_assert(kp_num_round(-INFINITY, 0) == -INFINITY);
	ck_assert(kp_num_round(2.675, -1) == 2.675);
	ck_assert(kp_num_round(2.675, 16) == 2.675);
	ck_assert(kp_num_round(2.675, 15) == 2.675);
	ck_assert(kp_num_round(0.123456789012345, 15) == 0.123456789012345);
}
END_TEST

/* n/1000 for every n up to 10^6: rounding at 2 decimals is the decimal
 * rule (n + 5) / 10 hundredths, for both signs. */
START_TEST(test_round_sweep_thousandths)
{
	long n;

	for (n = 0; n <= 1000000; n++) {
		double x = (double)n / 1000, want = (double)((n + 5) / 10) / 100;
		double got = kp_num_round(x, 2);
		if (got != want)
			ck_abort_msg("round(%ld/1000 = %.17g, 2) = %.17g, want %.17g", n, x, got, want);
		got = kp_num_round(-x, 2);
		if (got != (n >= 5 ? -want : 0.0) || (got == 0 && signbit(got)))
			ck_abort_msg("round(-%ld/1000, 2) = %.17g, want %.17g", n, got, -want);
	}
}
END_TEST

/* n/10^(p+1) rounded at p, for p = 0..6, and idempotence on k/10^p. */
START_TEST(test_round_sweep_precisions)
{
	int p;
	long n;

	for (p = 0; p <= 6; p++) {
		double scale = pow(10, p);
		for (n = 0; n < 200000; n += (p < 3 ? 1 : 7)) {
			double x = (double)n / (scale * 10), want = (double)((n + 5) / 10) / scale;
			double got = kp_num_round(x, p);
			if (got != want)
				ck_abort_msg("round(%.17g, %d) = %.17g, want %.17g", x, p, got, want);
			x = (double)n / scale;
			if (kp_num_round(x, p) != x)
				ck_abort_msg("round(%.17g, %d) moved an exact value", x, p);
		}
	}
}
END_TEST

/* A sum that lands just under the half-way point still rounds up, as in a
 * real scoring: the parts of a 89.995 total. */
START_TEST(test_round_sums)
{
	double parts[] = { 14.33, 23.5, 18.33, 20.0, 13.835 };
	double t = 0;
	size_t i;
	char buf[64];

	for (i = 0; i < sizeof parts / sizeof parts[0]; i++)
		t += parts[i];
	snprintf(buf, sizeof buf, "%.15g", t);
	ck_assert_str_eq(buf, "89.995");
	ck_assert(kp_num_round(t, 2) == 90.0);
	ck_assert(kp_num_round(0.1 + 0.7, 1) == 0.8);
	ck_assert(kp_num_round(1.1 * 3, 2) == 3.3);
}
END_TEST

/* ---------- kp_num_fixed and kp_num_short ---------- */

struct fixed_case {
	double x;
	int prec;
	const char *want;
};

static const struct fixed_case fixed_cases[] = {
	{ 89.5, 2, "89.50" },
	{ 90, 2, "90.00" },
	{ 0, 2, "0.00" },
	{ -0.0, 2, "0.00" },
	{ -0.0, 0, "0" },
	{ 7, 0, "7" },
	{ -3.25, 2, "-3.25" },
	{ 1e20, 0, "100000000000000000000" },
	{ 0.125, 3, "0.125" },
	{ 1.5, 6, "1.500000" },
	{ 101.89, 2, "101.89" },
	/* by the rounding rule, from the %.15g decimal, not the binary digits */
	{ 123456789012345678.0, 2, "123456789012346000.00" },
	{ -0.004, 2, "0.00" },
	{ 0.0096, 2, "0.01" },
	{ 1e-300, 15, "0.000000000000000" },
	{ -2.5, 0, "-3" },
};

START_TEST(test_fixed_table)
{
	const struct fixed_case *c = &fixed_cases[_i];
	char buf[KP_NUM_MAX];

	ck_assert_ptr_eq(kp_num_fixed(c->x, c->prec, buf, sizeof buf), buf);
	ck_assert_str_eq(buf, c->want);
}
END_TEST

/* Fixed after the rounding rule prints what was ranked. */
START_TEST(test_fixed_after_round)
{
	char buf[64];

	ck_assert_str_eq(kp_num_fixed(kp_num_round(2.675, 2), 2, buf, sizeof buf), "2.68");
	ck_assert_str_eq(kp_num_fixed(kp_num_round(1.005, 2), 2, buf, sizeof buf), "1.01");
	ck_assert_str_eq(kp_num_fixed(kp_num_round(89.99499999999999, 2), 2, buf, sizeof buf), "90.00");
	ck_assert_str_eq(kp_num_fixed(kp_num_round(-0.004, 2), 2, buf, sizeof buf), "0.00");
	ck_assert_str_eq(kp_num_fixed(kp_num_round(2.5, 0), 0, buf, sizeof buf), "3");
}
END_TEST

/* Huge values print whole (no 64-byte cut), down to the last zero. */
START_TEST(test_fixed_huge)
{
	char buf[KP_NUM_MAX], want[KP_NUM_MAX];
	size_t n;

	memset(want, '0', 101), want[0] = '1', memcpy(want + 101, ".00", 4);
	ck_assert_str_eq(kp_num_fixed(1e100, 2, buf, sizeof buf), want);
	want[0] = '-';
	memmove(want + 1, want, strlen(want) + 1), want[1] = '1';
	ck_assert_str_eq(kp_num_fixed(-1e100, 2, buf, sizeof buf), want);
	/* the longest: 309 digits, 15 decimals and a sign */
	ck_assert_ptr_nonnull(kp_num_fixed(-1.7976931348623157e308, 15, buf, sizeof buf));
	n = strlen(buf);
	ck_assert_uint_eq(n, 1 + 309 + 1 + 15);
	ck_assert(!strncmp(buf, "-179769313486232000", 19));
	ck_assert_str_eq(buf + n - 17, "0.000000000000000");
	/* too small a buffer: NULL, nothing cut */
	ck_assert_ptr_null(kp_num_fixed(1e100, 2, buf, 104));
	ck_assert_ptr_nonnull(kp_num_fixed(1e100, 2, buf, 105));
}
END_TEST

struct short_case {
	double x;
	const char *want;
};

static const struct short_case short_cases[] = {
	{ 0.1, "0.1" },
	{ 89.995, "89.995" },
	{ 100, "100" },
	{ 0, "0" },
	{ -0.0, "0" },
	{ -2.5, "-2.5" },
	{ 0.955, "0.955" },
	{ 1102, "1102" },
	{ 0.30000000000000004, "0.30000000000000004" },
	{ 1.0 / 3, "0.3333333333333333" },
	{ 1e21, "1e+21" },
	{ 1e-7, "1e-07" },
	{ 123456789012345678.0, "1.2345678901234568e+17" },
	{ 89.99499999999999, "89.99499999999999" },
};

START_TEST(test_short_table)
{
	const struct short_case *c = &short_cases[_i];
	char buf[64];

	ck_assert_ptr_eq(kp_num_short(c->x, buf, sizeof buf), buf);
	ck_assert_str_eq(buf, c->want);
}
END_TEST

/* The short form always reads back as the same double, and kp_num_parse
 * agrees with strtod on it. */
START_TEST(test_short_roundtrip)
{
	unsigned long long s = 12345;
	char buf[64];
	double v;
	int i;

	for (i = 0; i < 50000; i++) {
		double x;
		s ^= s << 13, s ^= s >> 7, s ^= s << 17;
		memcpy(&x, &s, sizeof x);
		if (!isfinite(x))
			continue;
		kp_num_short(x, buf, sizeof buf);
		ck_assert_msg(strtod(buf, NULL) == x, "%s is not %.17g", buf, x);
		ck_assert_msg(strlen(buf) <= 24, "%s too long", buf);
		if (kp_num_parse(buf, &v) == KP_NUM_OK)
			ck_assert_msg(v == x || (x == 0 && v == 0), "%s parsed as %.17g", buf, v);
	}
}
END_TEST


/* The printf-free path of kp_num_short (decimals of up to six places) prints
 * exactly what the shortest of %.15g..%.17g prints, for decimals of every
 * size and place, their neighbours one ulp away, and values rounded to
 * four places as notes print them. */
static void short_like_printf(double x)
{
	char got[64], want[64];
	int prec;

	kp_num_short(x, got, sizeof got);
	if (x == 0)
		x = 0.0;
	for (prec = 15; prec <= 17; prec++) {
		snprintf(want, sizeof want, "%.*g", prec, x);
		if (strtod(want, NULL) == x)
			break;
	}
	ck_assert_msg(!strcmp(got, want), "%.17g: got %s, want %s", x, got, want);
}

START_TEST(test_short_fast_path)
{
	static const double edges[] = {0, -0.0, 1e-4, -1e-4, 0.0001234, 0.00009999, 1e-5, 999999999.999999,
				       1e9, 123456789.123456, 0.1, 0.2, 0.3, 5.34, 89.995, -2.5, 100, 1e8, 0.95};
	unsigned long long s = 987654321;
	size_t i;

	for (i = 0; i < sizeof edges / sizeof *edges; i++)
		short_like_printf(edges[i]);
	for (i = 0; i < 200000; i++) {
		double m, x;
		int d;
		s ^= s << 13, s ^= s >> 7, s ^= s << 17;
		d = (int)(s % 8);
		m = (double)(long long)((s >> 8) % 2000000000000000ull) - 1e15;
		x = m / pow(10, d) / pow(10, (int)((s >> 3) % 8));
		short_like_printf(x);
		short_like_printf(nextafter(x, 1e300));
		short_like_printf(nextafter(x, -1e300));
		short_like_printf(kp_num_round(x / 7.0, 4));
	}
}
END_TEST


/* kp_num_round_short is kp_num_short of kp_num_round, in one pass: on
 * halves (2.675 at 2), values a hair either side of them, negative values
 * that round to zero, the limits of its fast path and beyond them. */
START_TEST(test_round_short)
{
	static const double edges[] = {0, -0.0, 2.675, 1.005, -2.675, -0.00004, -0.00005, 0.00005, 0.99995,
				       999999999.99995, 999999999.9999, 1e9, -1e9, 1e15, 1e-9, 89.99499999999999,
				       6.0 * 0.9293 / 0.95, 5.6532631578947372};
	unsigned long long s = 42;
	char got[32], want[32];
	size_t i;
	int prec;

	for (i = 0; i < sizeof edges / sizeof *edges; i++)
		for (prec = 0; prec <= 6; prec++) {
			kp_num_round_short(edges[i], prec, got, sizeof got);
			kp_num_short(kp_num_round(edges[i], prec), want, sizeof want);
			ck_assert_msg(!strcmp(got, want), "%.17g at %d: got %s, want %s", edges[i], prec, got, want);
		}
	kp_num_round_short(2.675, 2, got, sizeof got);
	ck_assert_str_eq(got, "2.68");
	kp_num_round_short(-0.00004, 4, got, sizeof got);
	ck_assert_str_eq(got, "0");
	for (i = 0; i < 300000; i++) {
		double x;
		s ^= s << 13, s ^= s >> 7, s ^= s << 17;
		x = ((double)(long long)((s >> 8) % 2000000001ull) - 1e9) / pow(10, (int)(s % 9));
		if (s & 0x10000)
			x = nextafter(x, (s & 0x20000) ? 1e300 : -1e300);
		prec = (int)((s >> 40) % 7);
		kp_num_round_short(x, prec, got, sizeof got);
		kp_num_short(kp_num_round(x, prec), want, sizeof want);
		ck_assert_msg(!strcmp(got, want), "%.17g at %d: got %s, want %s", x, prec, got, want);
	}
}
END_TEST

/* kp_num_cmp's shortcut for values far apart (kp_num_cmp_far, which the
 * scorer calls on its own) gives what comparing the two rounded values
 * gives, near the precision's unit and at large sizes; when it does not
 * answer, kp_num_cmp does. */
START_TEST(test_cmp_far_apart)
{
	unsigned long long s = 7;
	size_t i, nfar = 0;
	int far;

	for (i = 0; i < 300000; i++) {
		double a, b, ra, rb;
		int prec, want;
		s ^= s << 13, s ^= s >> 7, s ^= s << 17;
		prec = (int)(s % 7);
		a = ((double)(long long)((s >> 8) % 2000000001ull) - 1e9) / pow(10, (int)((s >> 4) % 10));
		b = a + ((double)(long long)((s >> 40) % 4001) - 2000) / 1000.0 / pow(10, prec);
		ra = kp_num_round(a, prec), rb = kp_num_round(b, prec);
		want = ra < rb ? -1 : ra > rb;
		ck_assert_msg(kp_num_cmp(a, b, prec) == want, "%.17g vs %.17g at %d", a, b, prec);
		far = kp_num_cmp_far(a, b, kp_num_cmp_unit(prec));
		ck_assert_msg(far == 0 || far == want, "far: %.17g vs %.17g at %d: %d, not %d", a, b, prec, far, want);
		nfar += far != 0;
	}
	ck_assert_msg(nfar > 100000, "the shortcut answered only %zu times", nfar); /* it is one */
	ck_assert_int_eq(kp_num_cmp_far(2, 1, kp_num_cmp_unit(-1)), 0);  /* no unit: never an answer */
	ck_assert_int_eq(kp_num_cmp_far(2, 1, kp_num_cmp_unit(16)), 0);
	ck_assert_int_eq(kp_num_cmp_far(NAN, 1, kp_num_cmp_unit(2)), 0); /* NaN: kp_num_cmp decides */
	ck_assert_int_eq(kp_num_cmp_far(1.004, 1.006, kp_num_cmp_unit(2)), 0); /* 1.00 vs 1.01: near */
	ck_assert_int_eq(kp_num_cmp_far(1.0, 1.02, kp_num_cmp_unit(2)), -1);
}
END_TEST

/* kp_num_cmp: values compared as the decimals they stand for */
START_TEST(test_cmp)
{
	volatile double a = 2.352, b = 2.1, x = 0.7, y = 0.2, p = 0.4, q = 0.5;

	ck_assert_double_ne(a / b - 1, 0.12);                 /* 0.11999999999999988 */
	ck_assert_int_eq(kp_num_cmp(a / b - 1, 0.12, 6), 0);
	ck_assert_int_eq(kp_num_cmp(x + y, p + q, 6), 0);      /* 0.8999999999999999 vs 0.9 */
	ck_assert_int_eq(kp_num_cmp(0.1 + 0.2 - 0.3, 0, 6), 0);
	ck_assert_int_eq(kp_num_cmp(0.1234564, 0.1234566, 6), -1);
	ck_assert_int_eq(kp_num_cmp(0.1234565, 0.1234566, 6), 0); /* both 0.123457 */
	ck_assert_int_eq(kp_num_cmp(1.005, 1.01, 2), 0);       /* half-up, as the contract rounds */
	ck_assert_int_eq(kp_num_cmp(2, 1, 0), 1);
	ck_assert_int_eq(kp_num_cmp(-0.0000004, 0, 6), 0);
}
END_TEST

/* ---------- kp_date_parse (issue 15.8) ---------- */

struct date_case {
	const char *in;
	int status;      /* KP_DATE_* */
	int y, m, d;     /* KP_DATE_OK: the day */
	const char *why; /* KP_DATE_BAD: words of the reason */
};

static const struct date_case date_cases[] = {
	/* the forms Excel and WPS write */
	{ "2024/3/31", KP_DATE_OK, 2024, 3, 31, NULL },
	{ "2024-03-31", KP_DATE_OK, 2024, 3, 31, NULL },
	{ "2024-3-31", KP_DATE_OK, 2024, 3, 31, NULL },
	{ "2024/03/09", KP_DATE_OK, 2024, 3, 9, NULL },
	{ "2024.3.31", KP_DATE_OK, 2024, 3, 31, NULL },
	{ "2024年3月31日", KP_DATE_OK, 2024, 3, 31, NULL },
	{ "2024年03月01日", KP_DATE_OK, 2024, 3, 1, NULL },
	{ "2024年3月31号", KP_DATE_OK, 2024, 3, 31, NULL },
	{ "2024年3月31", KP_DATE_OK, 2024, 3, 31, NULL },
	{ " 2024-03-31　", KP_DATE_OK, 2024, 3, 31, NULL },
	/* a time of day is ignored: the day counts */
	{ "2024-03-31 14:30", KP_DATE_OK, 2024, 3, 31, NULL },
	{ "2024/3/31 0:00:00", KP_DATE_OK, 2024, 3, 31, NULL },
	{ "2024-03-31T23:59:59.999", KP_DATE_OK, 2024, 3, 31, NULL },
	{ "2024年3月31日 8:05", KP_DATE_OK, 2024, 3, 31, NULL },
	{ "2024年3月31日8:05", KP_DATE_OK, 2024, 3, 31, NULL },
	/* Excel serial numbers (days from 1899-12-30), a fraction is the time */
	{ "45382", KP_DATE_OK, 2024, 3, 31, NULL },
	{ "45382.75", KP_DATE_OK, 2024, 3, 31, NULL },
	{ "25569", KP_DATE_OK, 1970, 1, 1, NULL },
	{ "18264", KP_DATE_OK, 1950, 1, 1, NULL },
	{ "73050", KP_DATE_OK, 2099, 12, 31, NULL },
	/* leap years */
	{ "2024-02-29", KP_DATE_OK, 2024, 2, 29, NULL },
	{ "2000-02-29", KP_DATE_OK, 2000, 2, 29, NULL },
	{ "1900-03-01", KP_DATE_OK, 1900, 3, 1, NULL },
	/* blank and not submitted */
	{ "", KP_DATE_EMPTY, 0, 0, 0, NULL },
	{ "  ", KP_DATE_EMPTY, 0, 0, 0, NULL },
	{ "未报送", KP_DATE_NONE, 0, 0, 0, NULL },
	{ " 未报 ", KP_DATE_NONE, 0, 0, 0, NULL },
	{ "未提交", KP_DATE_NONE, 0, 0, 0, NULL },
	/* no such day */
	{ "2024-02-30", KP_DATE_BAD, 0, 0, 0, "February has 29 days in a leap year" },
	{ "2023-02-29", KP_DATE_BAD, 0, 0, 0, "February has 28 days that year" },
	{ "1900-02-29", KP_DATE_BAD, 0, 0, 0, "February has 28 days that year" },
	{ "2024-13-01", KP_DATE_BAD, 0, 0, 0, "no such month" },
	{ "2024年0月1日", KP_DATE_BAD, 0, 0, 0, "no such month" },
	{ "2024/4/31", KP_DATE_BAD, 0, 0, 0, "that month has 30 days" },
	{ "2024-01-32", KP_DATE_BAD, 0, 0, 0, "days go 1 to 31" },
	{ "2024-01-00", KP_DATE_BAD, 0, 0, 0, "days go 1 to 31" },
	{ "1899-12-31", KP_DATE_BAD, 0, 0, 0, "the year is not 1900 to 9999" },
	/* not a date */
	{ "2024", KP_DATE_BAD, 0, 0, 0, "Excel date number" },
	{ "100000", KP_DATE_BAD, 0, 0, 0, "Excel date number" },
	{ "2024-03", KP_DATE_BAD, 0, 0, 0, "not a date" },
	{ "2024-03/31", KP_DATE_BAD, 0, 0, 0, "not a date" },
	{ "24-3-31", KP_DATE_BAD, 0, 0, 0, "not a date" },
	{ "3月31日", KP_DATE_BAD, 0, 0, 0, "not a date" },
	{ "2024-03-311", KP_DATE_BAD, 0, 0, 0, "not a date" },
	{ "已报送", KP_DATE_BAD, 0, 0, 0, "not a date" },
	{ "-45382", KP_DATE_BAD, 0, 0, 0, "not a date" },
	{ "2024-03-31 25:00", KP_DATE_BAD, 0, 0, 0, "not a time of day" },
	{ "2024-03-31 下午", KP_DATE_BAD, 0, 0, 0, "not a time of day" },
	{ "2024-03-3114:00", KP_DATE_BAD, 0, 0, 0, "not a date" },
};

START_TEST(test_date_table)
{
	const struct date_case *c = &date_cases[_i];
	const char *why = NULL;
	int days = -1, st = kp_date_parse(c->in, &days, &why);

	ck_assert_msg(st == c->status, "'%s': status %d, want %d (%s)", c->in, st, c->status, why ? why : "");
	if (st == KP_DATE_OK)
		ck_assert_msg(days == kp_date_days(c->y, c->m, c->d), "'%s': day %d, want %d", c->in, days,
			      kp_date_days(c->y, c->m, c->d));
	if (st == KP_DATE_BAD)
		ck_assert_msg(why && strstr(why, c->why), "'%s': the reason '%s' does not say '%s'", c->in,
			      why ? why : "(none)", c->why);
}
END_TEST

/* Days since 1970-01-01 and back to words, across centuries. */
/* The reasons a cell is not a date, whole, in both languages. */
START_TEST(test_date_why_lang)
{
	static const struct {
		const char *in, *en, *zh;
	} c[] = {
		{"2023-02-29", "there is no such day (February has 28 days that year, not a leap year)",
		 "没有这一天（该年不是闰年，二月只有 28 天）"},
		{"2024/13/1", "there is no such month (months go 1 to 12)", "没有这个月份（月份为 1 到 12）"},
		{"下周", "not a date (write 2024-03-31, 2024/3/31, 2024年3月31日 or an Excel date number such as 45382)",
		 "不是日期（请写成 2024-03-31、2024/3/31、2024年3月31日，或 45382 这样的 Excel 日期数）"},
	};
	size_t i;
	int days, zh;

	for (i = 0; i < sizeof c / sizeof c[0]; i++)
		for (zh = 0; zh <= 1; zh++) {
			const char *why = NULL;
			kp_msg_set_lang(zh ? KP_LANG_ZH : KP_LANG_EN);
			ck_assert_int_eq(kp_date_parse(c[i].in, &days, &why), KP_DATE_BAD);
			ck_assert_ptr_nonnull(why);
			ck_assert_str_eq(why, zh ? c[i].zh : c[i].en);
		}
	kp_msg_set_lang(KP_LANG_EN);
}
END_TEST

START_TEST(test_date_words)
{
	char buf[KP_DATE_MAX];
	int d;

	ck_assert_int_eq(kp_date_days(1970, 1, 1), 0);
	ck_assert_int_eq(kp_date_days(2024, 3, 31) - kp_date_days(2024, 2, 28), 32);
	ck_assert_int_eq(kp_date_days(1969, 12, 31), -1);
	ck_assert_str_eq(kp_date_iso(kp_date_days(2024, 3, 1), buf, sizeof buf), "2024-03-01");
	ck_assert_str_eq(kp_date_words(kp_date_days(2024, 3, 1), buf, sizeof buf), "2024年3月1日");
	ck_assert_str_eq(kp_date_words(kp_date_days(9999, 12, 31), buf, sizeof buf), "9999年12月31日");
	ck_assert_ptr_null(kp_date_iso(0, buf, 10)); /* never cut: "1970-01-0" */
	ck_assert_ptr_null(kp_date_words(0, buf, 5));
	for (d = kp_date_days(1900, 1, 1); d <= kp_date_days(2100, 12, 31); d++) {
		int back = -1;
		ck_assert_int_eq(kp_date_parse(kp_date_iso(d, buf, sizeof buf), &back, NULL), KP_DATE_OK);
		ck_assert_int_eq(back, d);
		ck_assert_int_eq(kp_date_parse(kp_date_words(d, buf, sizeof buf), &back, NULL), KP_DATE_OK);
		ck_assert_int_eq(back, d);
	}
}
END_TEST

/* kp_num_exact reads back as the same double: the short decimals as
 * written, and 17 digits for the rest, over millions of doubles of every
 * size a score or a value takes (and some it does not). */
START_TEST(test_exact_round_trip)
{
	char buf[32], first[120] = "";
	unsigned long long state = 88172645463325252ULL;
	long i, bad = 0;
	static const struct { double x; const char *text; } fixed[] = {
		{0, "0"}, {6, "6"}, {-2.5, "-2.5"}, {89.995, "89.995"}, {1e-5, "0.000010000000000000001"},
		{0.1 * 3, "0.30000000000000004"}, {6 * 0.93 / 0.95, "5.8736842105263163"},
		{123456789012345.6, "123456789012345.59"}, {1e300, "1.0000000000000001e+300"},
		/* an exact tie at the 17th digit goes to even, as %.17g does */
		{65342637429364.3125, "65342637429364.312"}, {90887083136242.0625, "90887083136242.062"},
	};

	for (i = 0; i < (long)(sizeof fixed / sizeof *fixed); i++) {
		ck_assert_str_eq(kp_num_exact(fixed[i].x, buf, sizeof buf), fixed[i].text);
		ck_assert_uint_eq(kp_num_exact_n(fixed[i].x, buf, sizeof buf), strlen(fixed[i].text));
	}
	for (i = 0; i < 1000000; i++) {
		double x, back;
		state ^= state << 13, state ^= state >> 7, state ^= state << 17;
		switch (i % 3) {
		case 0: /* points and totals */
			x = (double)(state >> 11) / 9007199254740992.0 * 100;
			break;
		case 1: /* any magnitude from 1e-7 to 1e17 */
			x = ldexp((double)(state >> 11) / 9007199254740992.0, (int)(state % 80) - 24);
			break;
		default: /* any bit pattern that is a finite double */
			memcpy(&x, &state, sizeof x);
			if (!isfinite(x))
				continue;
		}
		if (state & 1)
			x = -x;
		if (kp_num_exact_n(x, buf, sizeof buf) != strlen(buf) && !bad++)
			snprintf(first, sizeof first, "%.17g printed as %s: not the length said", x, buf);
		back = strtod(buf, NULL);
		if (back != x && !bad++) /* one assertion at the end: each one is a message to the runner */
			snprintf(first, sizeof first, "%.17g printed as %s", x, buf);
	}
	ck_assert_msg(bad == 0, "%ld doubles did not read back, the first: %s", bad, first);
}
END_TEST

/* kp_num_short's fast path (exact integers, no printf) prints what the
 * printf-and-strtod loop prints, byte for byte: the JSON report's numbers
 * are a contract.  Ties at 15 digits (1.000030517578125 is exact and ends
 * in 5: printf rounds half to even) and values next to powers of ten. */
START_TEST(test_short_matches_printf)
{
	char a[40], b[40], first[120] = "";
	unsigned long long st = 777;
	long i, bad = 0;
	static const double special[] = {1.000030517578125, 1.000091552734375, 99999999999999.984, 99999999999999.99,
					 9.999999999999999e-5, 0.0001, 0.1, 1.0 / 3, 2.0 / 3, 5.8947368421052628,
					 123456789012.34567, 1099511627776.0001, 0.00012207031250000001,
					 /* powers of two and values beside powers of ten: where the
					  * decimal exponent guessed from the binary one is one short */
					 0.0001220703125, 0.5, 1, 2, 8, 1024, 8192.000000000001, 9.999999999999998,
					 10.000000000000002, 999999.9999999999, 1000000.0000000001, 9999999999999.998,
					 0.00099999999999999999, 0.0010000000000000002, 70368744177664.0 / 8};

	for (i = 0; i < 1000000 + (long)(sizeof special / sizeof *special); i++) {
		double x;
		int prec;
		st ^= st << 13, st ^= st >> 7, st ^= st << 17;
		if (i < (long)(sizeof special / sizeof *special))
			x = special[i];
		else if (i % 3 == 0)
			x = (double)(st >> 11) / 9007199254740992.0 * 100;
		else if (i % 3 == 1)
			x = ldexp((double)(st >> 11) / 9007199254740992.0, (int)(st % 70) - 20);
		else
			x = (double)(st % 1000000007) / 1000.0 * 6 / 0.95;
		if (st & 2)
			x = -x;
		ck_assert_uint_eq(kp_num_short_n(x, a, sizeof a), strlen(a)); /* the length it says it wrote */
		for (prec = 15; prec <= 17; prec++) {
			snprintf(b, sizeof b, "%.*g", prec, x);
			if (strtod(b, NULL) == x)
				break;
		}
		if (strcmp(a, b) && !bad++)
			snprintf(first, sizeof first, "%.17g: %s, printf %s", x, a, b);
	}
	ck_assert_msg(bad == 0, "%ld differ, the first: %s", bad, first);
}
END_TEST

static Suite *num_suite(void)
{
	Suite *s = suite_create("num");
	TCase *tc = tcase_create("parse");

	tcase_add_loop_test(tc, test_parse_table, 0, (int)(sizeof parse_cases / sizeof parse_cases[0]));
	tcase_add_test(tc, test_parse_why);
	tcase_add_loop_test(tc, test_parse_plain, 0, (int)(sizeof plain_cases / sizeof plain_cases[0]));
	tcase_add_test(tc, test_parse_long);
	tcase_add_test(tc, test_parse_roundtrip);
	tcase_add_test(tc, test_parse_common);
	tcase_add_test(tc, test_parse_fullwidth_same);
	tcase_add_loop_test(tc, test_date_table, 0, (int)(sizeof date_cases / sizeof date_cases[0]));
	tcase_add_test(tc, test_date_words);
	tcase_add_test(tc, test_date_why_lang);
	suite_add_tcase(s, tc);

	tc = tcase_create("exact"); /* a million doubles: room for valgrind and a busy machine */
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_exact_round_trip);
	tcase_add_test(tc, test_short_matches_printf);
	suite_add_tcase(s, tc);

	tc = tcase_create("round");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_round_table, 0, (int)(sizeof round_cases / sizeof round_cases[0]));
	tcase_add_test(tc, test_round_naive_differs);
	tcase_add_test(tc, test_round_odd_args);
	tcase_add_test(tc, test_fixed_huge);
	tcase_add_test(tc, test_round_sweep_thousandths);
	tcase_add_test(tc, test_round_sweep_precisions);
	tcase_add_test(tc, test_round_sums);
	tcase_add_test(tc, test_short_fast_path);
	tcase_add_test(tc, test_round_short);
	tcase_add_test(tc, test_cmp_far_apart);
	tcase_add_test(tc, test_cmp);
	suite_add_tcase(s, tc);

	tc = tcase_create("format");
	tcase_add_loop_test(tc, test_fixed_table, 0, (int)(sizeof fixed_cases / sizeof fixed_cases[0]));
	tcase_add_test(tc, test_fixed_after_round);
	tcase_add_loop_test(tc, test_short_table, 0, (int)(sizeof short_cases / sizeof short_cases[0]));
	tcase_add_test(tc, test_short_roundtrip);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(num_suite)
