/* rw.h — the buffered writer every report format writes through: fast
 * appends, one fwrite per full buffer, the first failed write remembered
 * (errno) and later writes dropped; the escapes of each format; number text
 * by the rounding rule.  The writer owns its buffer and borrows the stream. */
#ifndef KAOPING_RW_H
#define KAOPING_RW_H

#include <stdio.h>
#include <string.h>

#include "kaoping/err.h"
#include "kaoping/num.h"

/* A buffered writer: fast appends, one fwrite per full buffer; the first
 * failed write is remembered (errno) and later writes are dropped. */
typedef struct kp_rw {
	FILE *fp;
	char *buf;
	size_t len, cap;
	int err; /* errno of the first failed write, or 0 */
} kp_rw;

int kp_rw_open(kp_rw *w, FILE *fp, kp_err *err);
/* Flush and free the buffer; returns the sticky errno (0: all written). */
int kp_rw_close(kp_rw *w);
void kp_rw_flush(kp_rw *w);
void kp_rw_printf(kp_rw *w, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

void kp_rw_put_slow(kp_rw *w, const char *s, size_t n);

static inline void kp_rw_put(kp_rw *w, const char *s, size_t n)
{
	if (w->cap - w->len < n) {
		kp_rw_put_slow(w, s, n);
		return;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static inline void kp_rw_puts(kp_rw *w, const char *s)
{
	kp_rw_put(w, s, strlen(s));
}

static inline void kp_rw_putc(kp_rw *w, char c)
{
	if (w->len == w->cap)
		kp_rw_flush(w);
	w->buf[w->len++] = c;
}

/* A decimal integer. */
void kp_rw_int(kp_rw *w, long long v);
/* Spaces up to a display width (Chinese characters count 2). */
void kp_rw_pad(kp_rw *w, size_t n);

/* Escaped text for each format. */
void kp_rw_json_str(kp_rw *w, const char *s);       /* "…" or null */
void kp_rw_csv_cell(kp_rw *w, const char *s);       /* quoted and neutralised */
void kp_rw_html(kp_rw *w, const char *s);           /* & < > " ' */
void kp_rw_md(kp_rw *w, const char *s);             /* | and newlines */

/* Numbers: exactly prec decimals (kp_num_fixed), and the shortest form
 * that reads back (kp_num_short), with a fast path for values that are
 * already rounded at prec.  buf holds at least KP_NUMBUF bytes. */
#define KP_NUMBUF KP_NUM_MAX
char *kp_rw_fixed(double x, int prec, char *buf);
char *kp_rw_short(double x, int prec, char *buf);
/* The same texts written to w (no copy, no strlen: a report's millions). */
void kp_rw_put_fixed(kp_rw *w, double x, int prec);
void kp_rw_put_short(kp_rw *w, double x, int prec);

#endif
