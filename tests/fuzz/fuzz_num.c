/* fuzz_num.c — libFuzzer harness for the number parser and the rounding
 * rule: kp_num_parse, kp_num_parse_dec, kp_num_round, kp_num_fixed,
 * kp_num_short, and a table's numeric column (kaoping/table.h).
 *
 * The input is a cell's text (up to its first NUL); its last byte also
 * picks a precision (0..15), and its first 8 bytes, read as a double, are
 * rounded too.  Beyond "no crash, no undefined behaviour" it checks the
 * promises of num.h: a parsed number is finite, never -0, a percentage is at
 * most 1, a plain decimal reads as strtod reads it; a rounded finite value is
 * finite, within half a unit of the precision (plus the %.15g step) of the
 * value, rounds to itself again, has the value's sign; the short form reads
 * back as the same double.  kp_num_parse_dec gives kp_num_parse's status
 * and value, and its digits and places stand for the value exactly; a
 * table column that holds the cell among cells that force every change of
 * form (wider, more places, doubles) reads it back bit for bit. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kaoping/num.h"
#include "kaoping/table.h"

static void fail(const char *what, const char *text, double x, int prec)
{
	fprintf(stderr, "fuzz_num: broken promise: %s (text '%s', x %.17g, prec %d)\n", what, text ? text : "", x,
		prec);
	abort();
}

static void check_round(double x, int prec, const char *text)
{
	double r = kp_num_round(x, prec), again, tol;
	char buf[KP_NUM_MAX], back[128];

	if (!isfinite(x))
		return;
	if (!isfinite(r))
		fail("a finite value rounds to inf or nan", text, x, prec);
	/* half a unit of the precision, and the difference between x and its
	 * %.15g form, and the double spacing at the result */
	tol = 0.5 * pow(10, -prec) + fabs(x) * 1e-14 + fabs(r) * 4e-16;
	if (fabs(r - x) > tol)
		fail("rounding moved the value by more than half a unit", text, x, prec);
	again = kp_num_round(r, prec);
	if (again != r)
		fail("a rounded value does not round to itself", text, x, prec);
	if (r != 0 && (r < 0) != (x < 0))
		fail("rounding changed the sign", text, x, prec);
	if (r == 0 && signbit(r))
		fail("rounding gave -0", text, x, prec);
	if (!kp_num_fixed(r, prec, buf, sizeof buf))
		fail("fixed found KP_NUM_MAX too small", text, x, prec);
	if (buf[0] == '-' && strspn(buf + 1, "0.") == strlen(buf + 1))
		fail("fixed printed a negative zero", text, x, prec);
	kp_num_short(x, back, sizeof back);
	if (strtod(back, NULL) != x)
		fail("the short form does not read back", text, x, prec);
}

/* Text that C's strtod reads the same way as a cell: optional sign, digits,
 * an optional fraction and exponent, and nothing else. */
static int plain_decimal(const char *s)
{
	size_t i = 0, d = 0;

	if (s[i] == '+' || s[i] == '-')
		i++;
	while (s[i] >= '0' && s[i] <= '9')
		i++, d++;
	if (s[i] == '.')
		for (i++; s[i] >= '0' && s[i] <= '9'; i++)
			d++;
	if (!d)
		return 0;
	if (s[i] == 'e' || s[i] == 'E') {
		i++;
		if (s[i] == '+' || s[i] == '-')
			i++;
		if (!(s[i] >= '0' && s[i] <= '9'))
			return 0;
		while (s[i] >= '0' && s[i] <= '9')
			i++;
	}
	return s[i] == '\0' && i < 100;
}

/* kp_num_parse_dec agrees with kp_num_parse, and for the common cell its
 * digits over 10^places are the value, bit for bit. */
static void check_dec(const char *text, int st, double v)
{
	double d = 0, p = 1;
	int64_t m = 0;
	int dec = 0, i;

	if (kp_num_parse_dec(text, &d, &m, &dec) != st)
		fail("kp_num_parse_dec gives another status", text, d, 0);
	if (st != KP_NUM_OK)
		return;
	if (memcmp(&d, &v, sizeof d))
		fail("kp_num_parse_dec gives another value", text, d, 0);
	if (dec < -1 || dec > 15)
		fail("kp_num_parse_dec gives places out of range", text, d, dec);
	for (i = 0; i < dec; i++)
		p *= 10;
	if (dec >= 0 && ((double)m / p != d || (d == 0 && signbit(d))))
		fail("the digits over 10^places are not the value", text, d, dec);
}

/* Bit for bit the same double, NaNs by their sign. */
static int same(double x, double y)
{
	if (isnan(x) || isnan(y))
		return isnan(x) && isnan(y) && !signbit(x) == !signbit(y);
	return memcmp(&x, &y, sizeof x) == 0;
}

/* The cell in a numeric column between cells of every form: each row
 * reads back as kp_num_parse reads its text. */
static void check_table(const char *text, int pick)
{
	static const char *const others[] = {"1", "0.5", "N/A", "", "70000", "0.123456789", "2147483648", "95%", "-3"};
	const char *rows[8];
	char name[] = "v", cell[4100];
	char *names[] = {name}, *f[] = {cell};
	const unsigned char numeric[] = {1};
	kp_table *t = kp_table_new("t", "t.csv", NULL);
	size_t r, n = 0;

	if (!t || kp_table_set_columns(t, 1, names, numeric, NULL)) {
		kp_table_free(t);
		return;
	}
	t->collect = 1; /* a cell that is not a number goes in blank, counted */
	rows[n++] = others[pick % 9];
	rows[n++] = text;
	rows[n++] = others[(pick / 9) % 9];
	rows[n++] = text;
	rows[n++] = others[(pick / 81) % 9];
	for (r = 0; r < n; r++) {
		snprintf(cell, sizeof cell, "%s", rows[r]);
		if (kp_table_add(t, r + 2, f, NULL, NULL))
			goto out;
	}
	for (r = 0; r < n; r++) {
		double want, got;
		int st = kp_num_parse(rows[r], &want), gst = kp_table_num(t, r, 0, &got);
		if (st == KP_NUM_EMPTY || (st != KP_NUM_OK && st != KP_NUM_NA))
			st = KP_NUM_EMPTY, want = NAN;
		else if (st == KP_NUM_NA)
			want = copysign(NAN, -1.0);
		if (gst != st || !same(got, want))
			fail("a table column reads a cell back differently", rows[r], got, t->num[0].width);
	}
out:
	kp_table_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;
	double v = 0, x;
	int st, prec;

	if (size == 0 || size > 4096)
		return 0;
	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	prec = data[size - 1] % 16;
	st = kp_num_parse(text, &v);
	if (st < KP_NUM_OK || st > KP_NUM_TINY)
		fail("an unknown status", text, v, prec);
	if (!kp_num_why(st) || !kp_num_why(st)[0])
		fail("a status without words", text, v, prec);
	if (st == KP_NUM_OK) {
		if (!isfinite(v))
			fail("a parsed number that is not finite", text, v, prec);
		if (v == 0 && signbit(v))
			fail("-0 was not read as 0", text, v, prec);
		if (strchr(text, '%') && v > 1.0)
			fail("a percentage above 100% was accepted", text, v, prec);
		if (plain_decimal(text) && v != strtod(text, NULL))
			fail("a plain decimal reads differently from strtod", text, v, prec);
		check_round(v, prec, text);
	}
	check_dec(text, st, v);
	if (size < 4096)
		check_table(text, data[0]);
	if (size >= 8) {
		memcpy(&x, data, sizeof x);
		check_round(x, prec, NULL);
		check_round(x, (prec + 2) % 16, NULL);
	}
	free(text);
	return 0;
}
