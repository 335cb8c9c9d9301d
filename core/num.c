/* num.c — parsing Excel-style numbers and the contract rounding rule.
 * Owns nothing; works on caller buffers. */
#include "kaoping/num.h"

#include "kaoping/msg.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *skip_space(const char *s, const char *end)
{
	while (s < end) {
		if (*s == ' ' || *s == '\t')
			s++;
		else if (end - s >= 3 && (unsigned char)s[0] == 0xE3 &&
			 (unsigned char)s[1] == 0x80 && (unsigned char)s[2] == 0x80)
			s += 3; /* U+3000 ideographic space */
		else
			break;
	}
	return s;
}

static const char *trim_end(const char *s, const char *end)
{
	while (end > s) {
		if (end[-1] == ' ' || end[-1] == '\t')
			end--;
		else if (end - s >= 3 && (unsigned char)end[-3] == 0xE3 &&
			 (unsigned char)end[-2] == 0x80 && (unsigned char)end[-1] == 0x80)
			end -= 3;
		else
			break;
	}
	return end;
}

/* Copy the integer part, checking thousands groups; returns digits copied
 * or -1 when the separators are misplaced. */
static int copy_int_part(const char **ps, const char *end, char *out, size_t cap, size_t *n)
{
	const char *s = *ps;
	int digits = 0, group = -1; /* digits since the last comma; -1: none yet */

	while (s < end && ((*s >= '0' && *s <= '9') || *s == ',')) {
		if (*s == ',') {
			if (digits == 0 || (group >= 0 && group != 3) || (group < 0 && digits > 3))
				return -1;
			group = 0;
		} else {
			if (*n + 1 >= cap)
				return -1;
			out[(*n)++] = *s;
			digits++;
			if (group >= 0)
				group++;
		}
		s++;
	}
	if (group >= 0 && group != 3)
		return -1;
	*ps = s;
	return digits;
}

static const double pow10_exact[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
				      1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* The common cell, "[-]digits[.digits]" with at most 15 digits in all:
 * the digits make an integer m < 2^53 and the value is m / 10^k with both
 * exact, so one correctly rounded division gives what strtod gives.  The
 * text ends at its NUL, or (bounded) at end, where a NUL is a byte that
 * is not of the form.  Returns 0 when the text is anything else.  Inline
 * with bounded a constant: a loop for each kind of end. */
static inline int parse_plain(const char *s, const char *end, int bounded, double *out, int64_t *mant, int *dec)
{
	uint64_t m = 0;
	int neg = 0, digits = 0, frac = -1;

	if ((bounded ? s != end : 1) && *s == '-')
		neg = 1, s++;
	for (; bounded ? s != end : *s != '\0'; s++) {
		if (*s >= '0' && *s <= '9') {
			m = m * 10 + (uint64_t)(*s - '0');
			if (++digits > 15)
				return 0;
			if (frac >= 0)
				frac++;
		} else if (*s == '.' && frac < 0) {
			frac = 0;
		} else {
			return 0;
		}
	}
	if (digits == 0)
		return 0;
	*out = frac > 0 ? (double)m / pow10_exact[frac] : (double)m;
	if (neg && *out != 0)
		*out = -*out;
	*mant = neg ? -(int64_t)m : (int64_t)m;
	*dec = frac > 0 ? frac : 0;
	return 1;
}

/* Cells that say "no value" in words an office types: a missing value,
 * never a number (still refused unless the rules say what to do). */
static int is_na(const char *s, const char *end)
{
	static const char *const na[] = {"N/A", "n/a", "#N/A", "-", "--", "\xE2\x80\x94", "\xE2\x80\x94\xE2\x80\x94",
					  "\xE2\x80\x93", "\xEF\xBC\x8D", "\xE6\x97\xA0", "/", "\xEF\xBC\x8F", NULL};
	size_t i, n = (size_t)(end - s);

	for (i = 0; na[i]; i++)
		if (strlen(na[i]) == n && !memcmp(na[i], s, n))
			return 1;
	return 0;
}

/* A full-width form of an ASCII character a number may hold (U+FF10..19
 * digits, U+FF0B plus, U+FF0D minus, U+FF0E point, U+FF05 percent, U+FF0C
 * comma) or U+2212 MINUS SIGN: its ASCII byte, with *k its length; 0 when
 * s starts with anything else. */
static char narrow(const unsigned char *s, const unsigned char *end, size_t *k)
{
	*k = 3;
	if (end - s >= 3 && s[0] == 0xEF && s[1] == 0xBC && s[2] >= 0x90 && s[2] <= 0x99)
		return (char)('0' + (s[2] - 0x90));
	if (end - s >= 3 && s[0] == 0xEF && s[1] == 0xBC)
		switch (s[2]) {
		case 0x8B: return '+';
		case 0x8D: return '-';
		case 0x8E: return '.';
		case 0x85: return '%';
		case 0x8C: return ',';
		default: break;
		}
	if (end - s >= 3 && s[0] == 0xE2 && s[1] == 0x88 && s[2] == 0x92)
		return '-';
	return 0;
}

/* text with full-width digits and signs made ASCII, into buf of size;
 * 0 when nothing was narrowed (text is as it was) or it does not fit. */
static int narrow_copy(const char *text, char *buf, size_t size)
{
	const unsigned char *s = (const unsigned char *)text, *end = s + strlen(text);
	size_t n = 0, k;
	int changed = 0;

	while (s < end) {
		char c = narrow(s, end, &k);
		if (n + 4 >= size)
			return 0;
		if (c)
			buf[n++] = c, s += k, changed = 1;
		else
			buf[n++] = (char)*s++;
	}
	buf[n] = '\0';
	return changed;
}

static int parse_ascii(const char *text, double *out);

int kp_num_parse_dec(const char *text, double *out, int64_t *mant, int *dec)
{
	char wide[256];
	int st;

	if (parse_plain(text, NULL, 0, out, mant, dec))
		return KP_NUM_OK;
	*dec = -1;
	st = parse_ascii(text, out);
	if (st == KP_NUM_BAD && narrow_copy(text, wide, sizeof wide))
		st = parse_ascii(wide, out);
	return st;
}

int kp_num_parse_common(const char *s, size_t n, kp_num_cell *c)
{
	return c->ok = parse_plain(s, s + n, 1, &c->v, &c->m, &c->dec);
}

int kp_num_parse(const char *text, double *out)
{
	int64_t mant;
	int dec;

	return kp_num_parse_dec(text, out, &mant, &dec);
}

/* The sign, integer part and fraction at *ps into buf (for strtod), *n
 * bytes so far; KP_NUM_BAD when there is no digit or a thousands
 * separator is misplaced. */
static int copy_mantissa(const char **ps, const char *end, char *buf, size_t size, size_t *n)
{
	const char *s = *ps;
	int intdigits, fracdigits = 0;

	if (s < end && (*s == '+' || *s == '-')) {
		if (*s == '-')
			buf[(*n)++] = '-';
		s++;
	}
	intdigits = copy_int_part(&s, end, buf, size - 16, n);
	if (intdigits < 0)
		return KP_NUM_BAD;
	if (s < end && *s == '.') {
		buf[(*n)++] = *s++;
		while (s < end && *s >= '0' && *s <= '9' && *n < size - 16) {
			buf[(*n)++] = *s++;
			fracdigits++;
		}
	}
	*ps = s;
	return intdigits + fracdigits == 0 ? KP_NUM_BAD : KP_NUM_OK;
}

/* An exponent at *ps ("e-3", "E+5") into buf; KP_NUM_BAD for an 'e'
 * without digits, KP_NUM_OK also when there is none. */
static int copy_exponent(const char **ps, const char *end, char *buf, size_t size, size_t *n)
{
	const char *s = *ps;

	if (s == end || (*s != 'e' && *s != 'E'))
		return KP_NUM_OK;
	buf[(*n)++] = *s++;
	if (s < end && (*s == '+' || *s == '-'))
		buf[(*n)++] = *s++;
	if (s == end || *s < '0' || *s > '9')
		return KP_NUM_BAD;
	while (s < end && *s >= '0' && *s <= '9' && *n < size - 8)
		buf[(*n)++] = *s++;
	*ps = s;
	return KP_NUM_OK;
}

static int parse_ascii(const char *text, double *out)
{
	char buf[128];
	size_t n = 0;
	const char *end, *s;
	int percent = 0, st;
	double v;

	end = text + strlen(text);
	s = skip_space(text, end);
	end = trim_end(s, end);
	if (s == end)
		return KP_NUM_EMPTY;
	if (is_na(s, end))
		return KP_NUM_NA;
	if (end[-1] == '%') {
		percent = 1;
		end = trim_end(s, end - 1);
	}
	if (copy_mantissa(&s, end, buf, sizeof buf, &n) != KP_NUM_OK ||
	    (!percent && copy_exponent(&s, end, buf, sizeof buf, &n) != KP_NUM_OK) || s != end)
		return KP_NUM_BAD;
	if (percent)
		memcpy(buf + n, "e-2", 3), n += 3;
	buf[n] = '\0';
	st = kp_num_parse_plain(buf, &v); /* buf is [-]digits[.digits][e[+-]digits] */
	if (st != KP_NUM_OK)
		return st;
	if (percent && v > 1.0)
		return KP_NUM_PERCENT;
	*out = v;
	return KP_NUM_OK;
}

/* Digits at s, and whether one of them is not 0; returns the end. */
static const char *skip_digits(const char *s, int *nonzero)
{
	for (; *s >= '0' && *s <= '9'; s++)
		if (*s != '0')
			*nonzero = 1;
	return s;
}

int kp_num_parse_plain(const char *text, double *out)
{
	const char *s = text, *mant;
	char *end;
	int nonzero = 0;
	double v;

	if (!*s)
		return KP_NUM_EMPTY;
	if (*s == '+' || *s == '-')
		s++;
	mant = s;
	s = skip_digits(s, &nonzero);
	if (*s == '.')
		s = skip_digits(s + 1, &nonzero);
	if (s == mant || (s == mant + 1 && *mant == '.')) /* no digit */
		return KP_NUM_BAD;
	if (*s == 'e' || *s == 'E') {
		int ignored = 0;
		const char *e = ++s;

		if (*s == '+' || *s == '-')
			e = ++s;
		s = skip_digits(s, &ignored);
		if (s == e)
			return KP_NUM_BAD;
	}
	if (*s)
		return KP_NUM_BAD;
	/* only the decimal syntax is left, which strtod reads correctly
	 * rounded (LC_NUMERIC stays "C": the point is '.') */
	v = strtod(text, &end);
	if (*end)
		return KP_NUM_BAD;
	if (!isfinite(v))
		return KP_NUM_RANGE;
	if (nonzero && fabs(v) < DBL_MIN) /* 1e-400 is no 0, 1e-310 loses its digits */
		return KP_NUM_TINY;
	*out = v == 0 ? 0.0 : v; /* -0 is 0 */
	return KP_NUM_OK;
}

const char *kp_num_why(int status)
{
	switch (status) {
	case KP_NUM_OK: return kp_msg_fmt(KP_MSG_IN_NUM_OK);
	case KP_NUM_EMPTY: return kp_msg_fmt(KP_MSG_IN_NUM_EMPTY);
	case KP_NUM_RANGE: return kp_msg_fmt(KP_MSG_IN_NUM_RANGE);
	case KP_NUM_PERCENT: return kp_msg_fmt(KP_MSG_IN_NUM_PERCENT);
	case KP_NUM_NA: return kp_msg_fmt(KP_MSG_IN_NUM_NA);
	case KP_NUM_TINY: return kp_msg_fmt(KP_MSG_IN_NUM_TINY);
	default: return kp_msg_fmt(KP_MSG_IN_NUM_NOT_NUMBER);
	}
}

/* Digits of the largest scaled integer: 10^309 (a %.15g of DBL_MAX
 * rounded up) at 15 decimals, a carry, and the NUL. */
#define NUM_SCALED_MAX (309 + 15 + 2)

/* The digits d[0..nd) stand for 0.d × 10^exp10.  Write into out (at least
 * NUM_SCALED_MAX bytes) the digits of the integer (value × 10^prec)
 * rounded half-up, without sign ("0" for zero); returns their count. */
static size_t scaled_digits(const char *d, int nd, int exp10, int prec, char *out)
{
	int keep = exp10 + prec, i, carry;

	if (keep < 0) /* far below the precision */
		keep = 0, nd = 0;
	for (i = 0; i < keep; i++)
		out[i + 1] = i < nd ? d[i] : '0';
	carry = keep < nd && d[keep] >= '5';
	for (i = keep; carry && i >= 1; i--) {
		if (out[i] == '9') {
			out[i] = '0';
		} else {
			out[i]++;
			carry = 0;
		}
	}
	if (carry) {
		out[0] = '1', out[keep + 1] = '\0';
		return (size_t)keep + 1;
	}
	if (keep == 0) {
		out[0] = '0', out[1] = '\0';
		return 1;
	}
	memmove(out, out + 1, (size_t)keep);
	out[keep] = '\0';
	return (size_t)keep;
}

/* x's %.15g form as digits d[0..nd) (at least 16 bytes; no leading
 * zeros) standing for 0.d × 10^*exp10; returns nd, 0 for zero. */
static int decimal_of(double x, char *digits, int *exp10, int *neg)
{
	char s[64];
	const char *p = s;
	int nd = 0, seen_point = 0;

	snprintf(s, sizeof s, "%.15g", x);
	*exp10 = 0, *neg = 0;
	if (*p == '-')
		*neg = 1, p++;
	/* read the digits as 0.ddd × 10^exp10, dropping leading zeros */
	for (; *p && *p != 'e'; p++) {
		if (*p == '.') {
			seen_point = 1;
			continue;
		}
		if (nd == 0 && *p == '0') {
			if (seen_point)
				(*exp10)--;
			continue;
		}
		digits[nd++] = *p;
		if (!seen_point)
			(*exp10)++;
	}
	if (*p == 'e')
		*exp10 += atoi(p + 1);
	return nd;
}

/* Most values are far from a rounding boundary, and then their %.15g form
 * cannot change the outcome: %.15g moves |x| by at most 10^(e-14)/2, where
 * 10^e <= |x|, that is less than y * 1e-14 in units of the last decimal
 * kept (y = |x| * 10^prec).  Decide from y when its fraction is further
 * than that (plus the product's own error) from one half; the result
 * n / 10^prec is then exactly what the slow path's strtod would give. */
static int round_fast(double x, int prec, double *out)
{
	double ax = fabs(x), p, y, fl, fr, n;

	if (prec > 15 || ax >= 1e15)
		return 0;
	p = pow10_exact[prec];
	y = ax * p;
	if (y >= 4503599627370496.0) /* 2^52: the fraction would be lost */
		return 0;
	fl = floor(y);
	fr = y - fl;
	if (fabs(fr - 0.5) <= y * 2e-14 + 1e-300)
		return 0;
	n = fr > 0.5 ? fl + 1 : fl;
	*out = n / p;
	if (x < 0 && *out != 0)
		*out = -*out;
	return 1;
}

double kp_num_round(double x, int prec)
{
	char digits[32], out[NUM_SCALED_MAX + 8];
	int nd, exp10, neg;
	size_t o;
	double r;

	if (!isfinite(x) || prec < 0 || prec > 15)
		return x;
	if (round_fast(x, prec, &r))
		return r;
	if ((nd = decimal_of(x, digits, &exp10, &neg)) == 0)
		return 0.0;
	out[0] = '-';
	o = scaled_digits(digits, nd, exp10, prec, out + neg) + (size_t)neg;
	snprintf(out + o, sizeof out - o, "e-%d", prec);
	r = strtod(out, NULL);
	if (!isfinite(r)) /* %.15g of a value near DBL_MAX reads back as inf */
		return x;
	return r == 0 ? 0.0 : r;
}

/* The digits s[0..n) of an integer that stands for it / 10^prec as text
 * with exactly prec decimals into buf; NULL when size is too small. */
static char *fixed_text(const char *s, size_t n, int neg, int prec, char *buf, size_t size)
{
	size_t p = (size_t)prec, ilen = n > p ? n - p : 1, o = 0;

	if ((size_t)neg + ilen + (p ? p + 1 : 0) + 1 > size) {
		if (size)
			buf[0] = '\0'; /* never a part of a number */
		return NULL;
	}
	if (neg)
		buf[o++] = '-';
	if (n > p)
		memcpy(buf + o, s, ilen), o += ilen;
	else
		buf[o++] = '0';
	if (p) {
		buf[o++] = '.';
		if (n < p)
			memset(buf + o, '0', p - n), o += p - n;
		memcpy(buf + o, s + (n > p ? n - p : 0), n < p ? n : p), o += n < p ? n : p;
	}
	buf[o] = '\0';
	return buf;
}

char *kp_num_fixed(double x, int prec, char *buf, size_t size)
{
	char digits[32], s[NUM_SCALED_MAX];
	int nd, exp10, neg, w;
	size_t n;

	if (!isfinite(x) || prec < 0 || prec > 15) {
		w = snprintf(buf, size, "%.*f", prec, x);
		if (w >= 0 && (size_t)w < size)
			return buf;
		if (size)
			buf[0] = '\0'; /* never a part of a number */
		return NULL;
	}
	nd = decimal_of(x, digits, &exp10, &neg);
	n = scaled_digits(digits, nd, nd ? exp10 : 0, prec, s);
	if (strspn(s, "0") == n) /* rounds to zero: no "-0.00" */
		neg = 0;
	return fixed_text(s, n, neg, prec, buf, size);
}

/* "00" to "99": two digits at a time. */
static const char digit_pairs[] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* The decimal n / 10^prec (n >= 0) without trailing zeros in the
 * fraction, signed, into buf (24 bytes; n < 10^15, prec < 20): its length. */
static size_t write_scaled(unsigned long long n, int prec, int neg, char *buf)
{
	char d[24], *end = d + sizeof d, *p = end; /* the digits end at end */
	int i = 0, nd;

	for (; prec > 0 && n % 10 == 0; prec--)
		n /= 10;
	for (; n >= 100; n /= 100)
		p -= 2, memcpy(p, digit_pairs + 2 * (n % 100), 2);
	if (n >= 10)
		p -= 2, memcpy(p, digit_pairs + 2 * n, 2);
	else
		*--p = (char)('0' + n);
	for (nd = (int)(end - p); nd <= prec; nd++)
		*--p = '0';
	if (neg && (nd > 1 || *p != '0'))
		buf[i++] = '-';
	memcpy(buf + i, p, (size_t)(nd - prec));
	i += nd - prec;
	if (prec) {
		buf[i++] = '.';
		memcpy(buf + i, p + nd - prec, (size_t)prec);
		i += prec;
	}
	buf[i] = '\0';
	return (size_t)i;
}

/* A value that is the double nearest to a decimal of at most six places and
 * fifteen digits (what notes print, after rounding to four) as that
 * decimal, without printf: %.15g would print the same digits (the decimal
 * has at most 15 significant digits and x is within half an ulp of it),
 * and they read back as x.  Its length, 0 when x is not such a value. */
static size_t short_decimal(double x, char *buf, size_t size)
{
	static const double scale[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};
	long long m;
	int d;

	if (!(fabs(x) < 1e9) || (x != 0 && fabs(x) < 1e-4) || size < 24) /* %g would use an exponent */
		return 0;
	/* One test at six places decides: when x is nearest to m / 10^d for
	 * some d <= 6, x × 10^6 is within 0.25 of m × 10^(6-d) (below 10^15
	 * here), so llround finds it and the division gives x back; decimals
	 * of six places are further apart than x's neighbours, so that
	 * decimal is the only one.  Its trailing zeros then give the least d. */
	d = 6;
	m = llround(x * scale[d]);
	if ((double)m / scale[d] != x)
		return 0;
	return write_scaled((unsigned long long)(m < 0 ? -m : m), d, x < 0, buf); /* trailing zeros go, as with %g */
}


#if defined(__SIZEOF_INT128__) && DBL_MANT_DIG == 53
__extension__ typedef unsigned __int128 u128;

/* m × 10^k, exactly (below 2^127 for m < 2^53 and k <= 22): two
 * multiplications, not k (section points in a JSON report: millions). */
static u128 times_pow10(unsigned long long m, int k)
{
	static const unsigned long long p10[] = {1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
		10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL, 100000000000ULL, 1000000000000ULL,
		10000000000000ULL, 100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
		100000000000000000ULL, 1000000000000000000ULL, 10000000000000000000ULL};

	if (k <= 19)
		return (u128)m * p10[k];
	return (u128)m * p10[19] * p10[k - 19];
}

/* A normal double ax > 0 as m × 2^(e2-53), m of 53 bits (what frexp and
 * ldexp give, from the bits), and floor(log10(ax)) or one less: ax lies
 * in [2^(e2-1), 2^e2), whose log10 spans less than 1, and floor((e2-1) ×
 * log10 2) is taken as (e2-1) × 78913 / 2^18 (exact for |e2| < 1600).
 * Callers check the digits they get and add the one. */
static int split_double(double ax, unsigned long long *m, int *e2)
{
	unsigned long long bits;

	memcpy(&bits, &ax, sizeof bits);
	*m = (bits & ((1ULL << 52) - 1)) | (1ULL << 52);
	*e2 = (int)(bits >> 52) - 1022;
	return *e2 - 1 >= 0 ? (int)(((*e2 - 1) * 78913L) >> 18) : -(int)(((1 - *e2) * 78913L + (1L << 18) - 1) >> 18);
}

/* A / 2^sh rounded to an integer as printf rounds: half to even. */
static unsigned long long round_shift(u128 A, int sh)
{
	unsigned long long n = (unsigned long long)(A >> sh);
	u128 rem = A - ((u128)n << sh), half = (u128)1 << (sh - 1);

	if (rem > half || (rem == half && (n & 1)))
		n++;
	return n;
}

/* Does the decimal n × 10^-k read back as the double m × 2^-sh?  Exactly:
 * it must lie within half an ulp (a quarter below a power of two, whose
 * lower neighbour is closer); at a tie, reading rounds to the even m. */
static int reads_back(unsigned long long n, unsigned long long m, int sh, int k, u128 A)
{
	u128 B = (u128)n << sh, d = B > A ? B - A : A - B, p = times_pow10(1, k);
	int below = B < A && m == (1ULL << 52);

	d *= below ? 4 : 2;
	return d < p || (d == p && !(m & 1));
}

/* The p digits d standing for d[0].d[1]… × 10^X as %g prints them
 * without an exponent (no trailing zeros after the point) into buf: its
 * length, 0 when %g would use an exponent. */
static size_t write_g(const char *d, int p, int X, int neg, char *buf)
{
	int o = 0, last, i;

	if (X >= p || X < -4)
		return 0;
	for (last = p - 1; last > X && last > 0 && d[last] == '0'; last--)
		;
	if (neg)
		buf[o++] = '-';
	if (X < 0) {
		buf[o++] = '0', buf[o++] = '.';
		for (i = X + 1; i < 0; i++)
			buf[o++] = '0';
		for (i = 0; i <= last; i++)
			buf[o++] = d[i];
	} else {
		for (i = 0; i <= X; i++)
			buf[o++] = d[i];
		if (last > X) {
			buf[o++] = '.';
			for (i = X + 1; i <= last; i++)
				buf[o++] = d[i];
		}
	}
	buf[o] = '\0';
	return (size_t)o;
}

/* The text %.{p}g prints for the first p of 15, 16, 17 whose text reads
 * back as x, without printf or strtod: digits and the round-trip test in
 * exact 128-bit integers.  For 1e-4 <= |x| < 1e14 (printf's %g prints
 * those without an exponent at 15 digits and more): its length; 0
 * otherwise. */
static size_t shortest_fast(double x, char *buf, size_t size)
{
	static const unsigned long long p10[] = {1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
		10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL, 100000000000ULL, 1000000000000ULL,
		10000000000000ULL, 100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
		100000000000000000ULL};
	double ax = fabs(x);
	unsigned long long m, n = 0;
	u128 A;
	int e2, sh, p, k = 0, X, i;
	char d[18];

	if (!(ax >= 1e-4 && ax < 1e14) || size < 26)
		return 0;
	X = split_double(ax, &m, &e2); /* ax is normal in this range; X may be one short */
	sh = 53 - e2;                  /* 4 .. 67 in this range */
	for (p = 15; p <= 17; p++) {
		k = p - 1 - X; /* |x| × 10^k must have p digits before the point */
		A = times_pow10(m, k);
		if ((A >> sh) >= p10[p]) /* the exponent was guessed one short */
			A = times_pow10(m, --k);
		else if ((A >> sh) < p10[p - 1])
			A = times_pow10(m, ++k);
		n = round_shift(A, sh);
		if (n == p10[p]) /* 9.99… rounds up to 10.0…: one digit more before the point */
			n = p10[p - 1], A = times_pow10(m, --k);
		if (reads_back(n, m, sh, k, A))
			break;
	}
	if (p > 17)
		return 0;
	for (i = p; i >= 2; i -= 2, n /= 100) /* n has exactly p digits */
		memcpy(d + i - 2, digit_pairs + 2 * (n % 100), 2);
	if (i)
		d[0] = (char)('0' + n);
	return write_g(d, p, p - 1 - k, x < 0, buf);
}
#else
static size_t shortest_fast(double x, char *buf, size_t size)
{
	(void)x, (void)buf, (void)size;
	return 0;
}
#endif

#if defined(__SIZEOF_INT128__) && DBL_MANT_DIG == 53
/* The 17 digits d of n = |x| × 10^k as the decimal n / 10^k (k >= 1),
 * without the fraction's trailing zeros, into buf (26 bytes at least):
 * its length. */
static size_t write17(const char d[17], int k, int neg, char *buf)
{
	int i, o = 0, intd = 17 - k; /* digits before the point (k >= 1: at most 16) */

	if (neg)
		buf[o++] = '-';
	if (intd <= 0) {
		buf[o++] = '0';
	} else {
		memcpy(buf + o, d, (size_t)intd);
		o += intd;
	}
	i = 16;
	while (i >= (intd > 0 ? intd : 0) && d[i] == '0') /* trailing zeros of the fraction go */
		i--;
	if (i >= (intd > 0 ? intd : 0)) {
		buf[o++] = '.';
		for (; intd < 0; intd++)
			buf[o++] = '0';
		memcpy(buf + o, d + intd, (size_t)(i - intd + 1));
		o += i - intd + 1;
	}
	buf[o] = '\0';
	return (size_t)o;
}

/* 17 significant digits of x without printf, the digits %.17g prints: n =
 * |x| × 10^k rounded half to even, with 10^16 <= n < 10^17, in exact
 * 128-bit integers (the same on every machine, and under valgrind, which
 * computes a long double as a double).  Seventeen digits always read back
 * as x.  Their text's length; 0 for |x| outside [1e-5, 1e15). */
static size_t digits17(double x, char *buf, size_t size)
{
	static const unsigned long long P16 = 10000000000000000ULL, P17 = 100000000000000000ULL;
	double ax = fabs(x);
	unsigned long long m, n;
	u128 A;
	int e2, sh, k, i;
	char d[17];

	if (!(ax >= 1e-5 && ax < 1e15) || size < 26)
		return 0;
	k = 16 - split_double(ax, &m, &e2); /* one too many when the guess was one short */
	sh = 53 - e2;                       /* 3 .. 69 in this range */
	A = times_pow10(m, k);
	if ((A >> sh) >= P17) /* the guess of the exponent was one short */
		A = times_pow10(m, --k);
	else if ((A >> sh) < P16)
		A = times_pow10(m, ++k);
	n = round_shift(A, sh);
	if (n == P17) /* 9.99…95 rounds up: one digit more before the point */
		n = P16, k--;
	for (i = 17; i >= 2; i -= 2, n /= 100) /* seventeen digits: the first alone */
		memcpy(d + i - 2, digit_pairs + 2 * (n % 100), 2);
	d[0] = (char)('0' + n);
	return write17(d, k, x < 0, buf);
}
#else
static size_t digits17(double x, char *buf, size_t size)
{
	(void)x, (void)buf, (void)size;
	return 0;
}
#endif

size_t kp_num_exact_n(double x, char *buf, size_t size)
{
	size_t n;

	if (x == 0)
		x = 0.0;
	if ((n = short_decimal(x, buf, size)) || (n = digits17(x, buf, size)))
		return n;
	snprintf(buf, size, "%.17g", x);
	return strlen(buf);
}

char *kp_num_exact(double x, char *buf, size_t size)
{
	kp_num_exact_n(x, buf, size);
	return buf;
}

size_t kp_num_short_n(double x, char *buf, size_t size)
{
	size_t n;
	int prec;

	if (x == 0)
		x = 0.0;
	if ((n = short_decimal(x, buf, size)) || (n = shortest_fast(x, buf, size)))
		return n;
	for (prec = 15; prec <= 17; prec++) {
		snprintf(buf, size, "%.*g", prec, x);
		if (strtod(buf, NULL) == x)
			break;
	}
	return strlen(buf);
}

char *kp_num_short(double x, char *buf, size_t size)
{
	kp_num_short_n(x, buf, size);
	return buf;
}

char *kp_num_round_short(double x, int prec, char *buf, size_t size)
{
	double ax = fabs(x), p, y, fl, fr;
	unsigned long long n;

	/* round_fast's test, its integer n kept: kp_num_round would give the
	 * double nearest n / 10^prec, and kp_num_short prints that decimal
	 * (at most four places: never below 1e-4 but 0; below 1e9: as
	 * short_decimal takes them) */
	if (prec >= 0 && prec <= 4 && ax < 1e9 && size >= 24) {
		p = pow10_exact[prec];
		y = ax * p;
		fl = floor(y);
		fr = y - fl;
		n = (unsigned long long)(fr > 0.5 ? fl + 1 : fl);
		if (fabs(fr - 0.5) > y * 2e-14 + 1e-300 && (double)n < 1e9 * p) {
			write_scaled(n, prec, x < 0, buf);
			return buf;
		}
	}
	return kp_num_short(kp_num_round(x, prec), buf, size); /* near a half, or out of the fast range */
}

double kp_num_cmp_unit(int prec)
{
	/* Rounding moves each value by at most half a unit of the last place,
	 * and %.15g by at most |v| × 1e-14 more (kp_num_cmp_far adds that). */
	return prec >= 0 && prec <= 15 ? 1.000001 / pow10_exact[prec] : -1;
}

int kp_num_cmp(double a, double b, int prec)
{
	double x, y;
	int c;

	if (a == b)
		return 0;
	/* far apart: the sign of a - b (most comparisons of a ranking and a target) */
	if ((c = kp_num_cmp_far(a, b, kp_num_cmp_unit(prec))))
		return c;
	x = kp_num_round(a, prec);
	y = kp_num_round(b, prec);
	return x < y ? -1 : x > y;
}
