/* near.c — edit distance over UTF-8 characters and the nearest name, for
 * "did you mean …?" (see include/kaoping/near.h).  Owns nothing: the
 * distance works in two fixed rows of KP_NEAR_MAX + 1 on the stack, and
 * longer names are refused, never cut. */
#include "kaoping/near.h"

#include <string.h>

/* The code points of s into cp; their count, or -1 when s is longer than
 * KP_NEAR_MAX characters or not UTF-8. */
static int decode(const char *s, unsigned long *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	int n = 0, k, i;

	while (*p) {
		unsigned long c = *p;
		if (n == KP_NEAR_MAX)
			return -1;
		k = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
		if (k < 0)
			return -1;
		if (k)
			c &= 0x3Fu >> k;
		for (i = 1; i <= k; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return -1;
			c = c << 6 | (p[i] & 0x3Fu);
		}
		cp[n++] = c;
		p += k + 1;
	}
	return n;
}

static size_t min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;

	return m < c ? m : c;
}

/* Optimal string alignment distance of a[0..na) and b[0..nb), three rows. */
static size_t osa(const unsigned long *a, int na, const unsigned long *b, int nb)
{
	size_t rows[3][KP_NEAR_MAX + 1], *pp, *prev, *cur;
	int i, j;

	for (j = 0; j <= nb; j++)
		rows[1][j] = (size_t)j;
	pp = rows[0], prev = rows[1], cur = rows[2];
	for (i = 1; i <= na; i++) {
		cur[0] = (size_t)i;
		for (j = 1; j <= nb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && pp[j - 2] + 1 < cur[j])
				cur[j] = pp[j - 2] + 1;
		}
		{
			size_t *t = pp;
			pp = prev, prev = cur, cur = t;
		}
	}
	return prev[nb];
}

size_t kp_near_distance(const char *a, const char *b)
{
	unsigned long ca[KP_NEAR_MAX], cb[KP_NEAR_MAX];
	int na = decode(a, ca), nb = decode(b, cb);

	if (na < 0 || nb < 0)
		return (size_t)-1;
	return osa(ca, na, cb, nb);
}

/* How many edits still count as close for names of these lengths. */
static size_t allowed(size_t la, size_t lb)
{
	size_t longer = la > lb ? la : lb, shorter = la < lb ? la : lb, k = longer / 3;

	if (k < 1)
		k = 1;
	return k < shorter ? k : shorter ? shorter - 1 : 0;
}

int kp_near_close(const char *a, const char *b)
{
	unsigned long ca[KP_NEAR_MAX], cb[KP_NEAR_MAX];
	int na = decode(a, ca), nb = decode(b, cb);
	size_t d;

	if (na < 0 || nb < 0)
		return 0;
	d = osa(ca, na, cb, nb);
	return d > 0 && d <= allowed((size_t)na, (size_t)nb);
}

const char *kp_near_best(const char *word, const char *const *names, size_t n)
{
	unsigned long cw[KP_NEAR_MAX], cn[KP_NEAR_MAX];
	const char *best = NULL;
	size_t i, bd = (size_t)-1;
	int nw = decode(word, cw), nn;

	if (nw < 0)
		return NULL;
	for (i = 0; i < n; i++) {
		size_t d, k, gap;
		if (!names[i] || !*names[i] || (nn = decode(names[i], cn)) < 0)
			continue;
		k = allowed((size_t)nw, (size_t)nn);
		gap = nw > nn ? (size_t)(nw - nn) : (size_t)(nn - nw);
		if (gap > k || gap >= bd) /* at least gap edits: not close, or no nearer */
			continue;
		if ((d = osa(cw, nw, cn, nn)) == 0) /* it is there: nothing to suggest */
			return NULL;
		if (d <= k && d < bd)
			best = names[i], bd = d;
	}
	return best;
}
