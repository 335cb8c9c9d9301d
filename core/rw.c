/* rw.c — the buffered writer every report format writes through (one
 * fwrite per full buffer, the first failed write remembered), the escapes
 * of each format, and number text by the rounding rule.  Owns the
 * writer's buffer; borrows the stream.  See include/kaoping/rw.h. */
#include "kaoping/rw.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kaoping/num.h"

#define RW_CAP (1u << 20)

int kp_rw_open(kp_rw *w, FILE *fp, kp_err *err)
{
	w->fp = fp;
	w->len = 0;
	w->err = 0;
	w->cap = RW_CAP;
	w->buf = malloc(w->cap);
	if (!w->buf)
		return kp_err_oom(err);
	return 0;
}

void kp_rw_flush(kp_rw *w)
{
	if (w->len && !w->err) {
		errno = 0;
		if (fwrite(w->buf, 1, w->len, w->fp) != w->len)
			w->err = errno ? errno : EIO;
	}
	w->len = 0;
}

int kp_rw_close(kp_rw *w)
{
	kp_rw_flush(w);
	free(w->buf);
	w->buf = NULL;
	w->cap = 0;
	return w->err;
}

void kp_rw_put_slow(kp_rw *w, const char *s, size_t n)
{
	kp_rw_flush(w);
	if (n <= w->cap) {
		memcpy(w->buf, s, n);
		w->len = n;
		return;
	}
	if (!w->err) {
		errno = 0;
		if (fwrite(s, 1, n, w->fp) != n)
			w->err = errno ? errno : EIO;
	}
}

void kp_rw_printf(kp_rw *w, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *big;

	if (w->cap - w->len < 512)
		kp_rw_flush(w);
	va_start(ap, fmt);
	n = vsnprintf(w->buf + w->len, w->cap - w->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < w->cap - w->len) {
		w->len += (size_t)n;
		return;
	}
	big = malloc((size_t)n + 1);
	if (!big) {
		w->err = w->err ? w->err : ENOMEM;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	kp_rw_put(w, big, (size_t)n);
	free(big);
}

void kp_rw_int(kp_rw *w, long long v)
{
	char tmp[24], *p = tmp + sizeof tmp;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	kp_rw_put(w, p, (size_t)(tmp + sizeof tmp - p));
}

void kp_rw_pad(kp_rw *w, size_t n)
{
	static const char spaces[] = "                                ";

	while (n > 0) {
		size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
		kp_rw_put(w, spaces, k);
		n -= k;
	}
}

/* ---------- escapes ---------- */

/* Does a JSON string need c escaped: a control character, '"' or '\\'? */
static int json_special(unsigned char c)
{
	return c < 0x20 || c == '"' || c == '\\';
}

/* How many of the n bytes at s a JSON string holds as they are, eight at
 * a time while none of the eight is special (a byte below 0x20, '"' or
 * '\\': each test the "has a zero byte" one of x - 0x01…01 & ~x & 0x80…80,
 * exact for "any"), then byte by byte. */
static size_t json_plain(const char *s, size_t n)
{
	const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t v, q, b;
		memcpy(&v, s + i, 8);
		q = v ^ (ones * '"'), b = v ^ (ones * '\\');
		if ((((v - ones * 0x20) & ~v) | ((q - ones) & ~q) | ((b - ones) & ~b)) & high)
			break;
	}
	while (i < n && !json_special((unsigned char)s[i]))
		i++;
	return i;
}

void kp_rw_json_str(kp_rw *w, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t n, k;

	if (!s) {
		kp_rw_put(w, "null", 4);
		return;
	}
	kp_rw_putc(w, '"');
	for (n = strlen(s); n > 0; s++, n--) {
		unsigned char c;
		const char *esc;
		char u[7];

		k = json_plain(s, n);
		kp_rw_put(w, s, k);
		if ((s += k, n -= k) == 0)
			break;
		switch (c = (unsigned char)*s) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		default:
			memcpy(u, "\\u00", 4);
			u[4] = hex[c >> 4], u[5] = hex[c & 15], u[6] = '\0';
			esc = u;
		}
		kp_rw_puts(w, esc);
	}
	kp_rw_putc(w, '"');
}

void kp_rw_csv_cell(kp_rw *w, const char *s)
{
	const char *p;
	int quote = 0, neutral;

	if (!s || !*s)
		return;
	neutral = strchr("=+-@\t\r", *s) != NULL;
	for (p = s; *p; p++)
		if (*p == ',' || *p == '"' || *p == '\r' || *p == '\n') {
			quote = 1;
			break;
		}
	if (!quote && !neutral) {
		kp_rw_put(w, s, (size_t)(p - s));
		return;
	}
	if (quote)
		kp_rw_putc(w, '"');
	if (neutral)
		kp_rw_putc(w, '\'');
	for (p = s; *p; p++) {
		if (*p == '"') {
			kp_rw_put(w, s, (size_t)(p - s + 1));
			s = p; /* the quote again, doubled */
		}
	}
	kp_rw_put(w, s, (size_t)(p - s));
	if (quote)
		kp_rw_putc(w, '"');
}

/* Write s with each character esc() maps to a replacement replaced. */
static void put_escaped(kp_rw *w, const char *s, const char *(*esc)(char))
{
	const char *run, *e;

	if (!s)
		return;
	for (run = s; *s; s++) {
		if (!(e = esc(*s)))
			continue;
		kp_rw_put(w, run, (size_t)(s - run));
		kp_rw_puts(w, e);
		run = s + 1;
	}
	kp_rw_put(w, run, (size_t)(s - run));
}

static const char *html_esc(char c)
{
	switch (c) {
	case '&': return "&amp;";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '"': return "&quot;";
	case '\'': return "&#39;";
	case '\t': case '\n': case '\r': return NULL;
	default: return (unsigned char)c < 0x20 || c == 0x7f ? "" : NULL; /* no terminal escapes */
	}
}

static const char *md_esc(char c)
{
	switch (c) {
	case '|': return "\\|";
	case '\\': return "\\\\";
	case '*': return "\\*";
	case '_': return "\\_";
	case '`': return "\\`";
	case '[': return "\\[";
	case ']': return "\\]";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '&': return "&amp;";
	case '\n': return "<br>";
	case '\r': return "";
	default: return (unsigned char)c < 0x20 || c == 0x7f ? "" : NULL; /* no terminal escapes */
	}
}

void kp_rw_html(kp_rw *w, const char *s)
{
	put_escaped(w, s, html_esc);
}

void kp_rw_md(kp_rw *w, const char *s)
{
	put_escaped(w, s, md_esc);
}

/* ---------- numbers ---------- */

static const double pow10_tab[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
				    1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15 };

/* x is the double nearest to k / 10^prec, with k small enough that both
 * "%.*f" and "%.15g" print exactly that decimal. */
static int scaled(double x, int prec, long long *k)
{
	double s;

	if (prec < 0 || prec > 15)
		return 0;
	s = x * pow10_tab[prec];
	if (!(s > -1e14 && s < 1e14))
		return 0;
	*k = llround(s);
	return (double)*k / pow10_tab[prec] == x;
}

/* k / 10^prec as text; trim drops trailing zeros of the fraction.  Its
 * length. */
static size_t decimal_n(long long k, int prec, int trim, char *buf)
{
	char dig[24];
	unsigned long long u = k < 0 ? 0ULL - (unsigned long long)k : (unsigned long long)k;
	int nd = 0, i, frac = prec;
	char *p = buf;

	do {
		dig[nd++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	while (nd <= prec)
		dig[nd++] = '0';
	if (trim)
		while (frac > 0 && dig[prec - frac] == '0')
			frac--;
	if (k < 0)
		*p++ = '-';
	for (i = nd - 1; i >= prec; i--)
		*p++ = dig[i];
	if (frac > 0) {
		*p++ = '.';
		for (i = prec - 1; i >= prec - frac; i--)
			*p++ = dig[i];
	}
	*p = '\0';
	return (size_t)(p - buf);
}


/* kp_rw_fixed's text in buf: its length (0: kp_num_fixed had no room,
 * which KP_NUMBUF bytes never lack). */
static size_t fixed_n(double x, int prec, char *buf)
{
	long long k;

	/* an unrounded value prints as the rounding rule rounds it; a huge one
	 * whole, from its %.15g digits (KP_NUMBUF holds any double) */
	if (scaled(x, prec, &k) || scaled(kp_num_round(x, prec), prec, &k))
		return decimal_n(k, prec, 0, buf);
	return kp_num_fixed(x, prec, buf, KP_NUMBUF) ? strlen(buf) : 0;
}

char *kp_rw_fixed(double x, int prec, char *buf)
{
	return fixed_n(x, prec, buf) ? buf : NULL;
}

/* kp_rw_short's text in buf: its length. */
static size_t short_n(double x, int prec, char *buf)
{
	long long k;

	if (scaled(x, prec, &k) && (k == 0 || prec <= 4 || fabs(x) >= 1e-4))
		return decimal_n(k, prec, 1, buf);
	return kp_num_short_n(x, buf, KP_NUMBUF);
}

char *kp_rw_short(double x, int prec, char *buf)
{
	short_n(x, prec, buf);
	return buf;
}

/* Room for a number's text at the end of w's buffer: NULL when the
 * writer failed (its later writes are dropped). */
static char *num_room(kp_rw *w)
{
	if (w->cap - w->len < KP_NUMBUF)
		kp_rw_flush(w);
	return w->cap - w->len < KP_NUMBUF ? NULL : w->buf + w->len;
}

void kp_rw_put_short(kp_rw *w, double x, int prec)
{
	char *p = num_room(w);

	if (p)
		w->len += short_n(x, prec, p);
}

void kp_rw_put_fixed(kp_rw *w, double x, int prec)
{
	char *p = num_room(w);

	if (p)
		w->len += fixed_n(x, prec, p);
}

