/* num.h — numbers as officials write them and as the rules round them.
 * Parsing accepts what Excel and WPS export ("95.5%", "1,234", spaces);
 * rounding implements the contract rule of DESIGN §2.  No allocation. */
#ifndef KAOPING_NUM_H
#define KAOPING_NUM_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

enum kp_num_status {
	KP_NUM_OK = 0,
	KP_NUM_EMPTY,   /* blank cell: a missing value */
	KP_NUM_BAD,     /* not a number */
	KP_NUM_RANGE,   /* overflows a double (1e309), or nan/inf */
	KP_NUM_PERCENT, /* a percentage above 100% */
	KP_NUM_NA,      /* a word for "no value" (N/A, #N/A, -, —, 无, /): a
	                   missing value like a blank, never "not a number" */
	KP_NUM_TINY     /* not zero, but nearer to zero than DBL_MIN (1e-400
	                   would read as 0, 1e-310 as a subnormal): out of range */
};
/* A status that means "no value here" (blank or a word for it). */
#define KP_NUM_MISSING(st) ((st) == KP_NUM_EMPTY || (st) == KP_NUM_NA)

/* Parse one cell.  Surrounding ASCII and full-width spaces are ignored;
 * "12%" is 0.12; "1,234.5" has thousands separators in groups of three;
 * "-0" is 0.  Full-width digits, signs, point, comma and percent (２,
 * －3, ３．５％) and U+2212 (−3) read as their ASCII forms: only a cell
 * that does not parse as ASCII is narrowed, so an ASCII cell reads exactly
 * as before.  This is where every numeric column is read (import keeps the
 * cell's text as it was; the rules' numeric columns are parsed here when
 * a run reads them).  On KP_NUM_OK *out is a finite double, zero only
 * for a zero (0, 0.0, -0, 0e5): a nonzero value that would round to zero
 * or to a subnormal is KP_NUM_TINY, as 1e309 is KP_NUM_RANGE. */
int kp_num_parse(const char *s, double *out);
/* kp_num_parse, telling also how the common cell was written: for
 * "[-]digits[.digits]" of at most 15 digits, *mant is its digits as an
 * integer and *dec the number of decimals, and *out is exactly the
 * correctly rounded *mant / 10^*dec ("-0.50": -50 and 2).  *dec is -1 for
 * any other text (a percentage, separators, an exponent, full-width). */
int kp_num_parse_dec(const char *s, double *out, int64_t *mant, int *dec);
/* A cell parsed as it was read, its text not kept (the CSV reader for a
 * run's numeric columns): ok set when it is the common cell, with what
 * kp_num_parse_dec gives for it (KP_NUM_OK: v, m, dec). */
typedef struct kp_num_cell {
	double v;
	int64_t m;
	int dec;
	int ok;
} kp_num_cell;
/* The n bytes at s (no NUL needed) when they are the common cell
 * "[-]digits[.digits]" of at most 15 digits: 1, with c as
 * kp_num_parse_dec would fill it; 0 (c->ok 0) for any other text, which
 * only kp_num_parse_dec reads rightly (spaces, separators, full-width
 * forms, words, a NUL inside). */
int kp_num_parse_common(const char *s, size_t n, kp_num_cell *c);
/* A number as a file format stores one (an .xlsx cell's <v>: xsd:double
 * without INF and NaN): [+-]digits[.digits][(e|E)[+-]digits], also ".5"
 * and "5.", and nothing else: no spaces, thousands separators, percent,
 * full-width forms, words, nor strtod's hex, inf and nan.  KP_NUM_OK with
 * *out finite (-0 is 0), KP_NUM_RANGE past a double, KP_NUM_TINY for a
 * nonzero decimal nearer to zero than DBL_MIN, KP_NUM_EMPTY for "",
 * KP_NUM_BAD for anything else.  kp_num_parse ends in it. */
int kp_num_parse_plain(const char *s, double *out);
/* Words for a status, for messages ("not a number"), in the current
 * language (the catalogue's IN_NUM_*; static). */
const char *kp_num_why(int status);

/* Round half-up (away from zero) at prec decimals the decimal number that
 * x's %.15g form stands for (the rounding rule, DESIGN §2). prec in 0..15. */
double kp_num_round(double x, int prec);

/* Compare a and b as the decimals they stand for at prec (both rounded by
 * kp_num_round): -1, 0 or 1.  Computed values that print the same compare
 * equal: 2.352 / 2.1 - 1 is 0.12 at 6 decimals, though the double is
 * 0.11999999999999988. */
int kp_num_cmp(double a, double b, int prec);
/* kp_num_cmp's first test, for a caller that compares millions of values
 * at one precision: with unit = kp_num_cmp_unit(prec), 1 or -1 when a and
 * b are so far apart that rounding cannot bring them together (the sign
 * of a - b, which is then kp_num_cmp's answer), 0 when it may (call
 * kp_num_cmp).  The unit is negative, and the test always 0, for a prec
 * outside 0..15. */
double kp_num_cmp_unit(int prec);
static inline int kp_num_cmp_far(double a, double b, double unit)
{
	double d, u;

	if (unit < 0)
		return 0;
	d = a - b, u = unit + (fabs(a) + fabs(b)) * 1e-14;
	return d > u ? 1 : d < -u ? -1 : 0;
}

/* Bytes that hold any number kp_num_fixed writes at a precision of 0..15
 * (sign, 309 integer digits, point, 15 decimals: 1e308 too, never cut)
 * and any kp_num_short writes. */
#define KP_NUM_MAX 344

/* Fixed decimals ("89.50") of the decimal the rounding rule makes of x
 * (its %.15g form rounded half-up at prec: 1e100 is a 1 and 100 zeros,
 * never "-0.00"); buf of KP_NUM_MAX bytes holds any.  Returns buf, or NULL
 * when the text does not fit in size (nothing is cut). */
char *kp_num_fixed(double x, int prec, char *buf, size_t size);
/* Shortest text that reads back as the same double ("0.1", "89.995");
 * 25 bytes hold any. */
char *kp_num_short(double x, char *buf, size_t size);
/* kp_num_short of kp_num_round(x, prec), in one pass when it can (the
 * numbers of notes: millions in a run); 25 bytes hold any. */
char *kp_num_round_short(double x, int prec, char *buf, size_t size);
/* Text that reads back as exactly x, fast (no printf for the values scores
 * take): the short decimal when x is one of at most six places, else 17
 * significant digits with trailing zeros dropped.  Not always the
 * shortest (0.1 × 3 is 0.30000000000000004); 26 bytes hold any. */
char *kp_num_exact(double x, char *buf, size_t size);
/* kp_num_short and kp_num_exact returning the text's length (writers of
 * millions of numbers: no strlen after each). */
size_t kp_num_short_n(double x, char *buf, size_t size);
size_t kp_num_exact_n(double x, char *buf, size_t size);

#endif
