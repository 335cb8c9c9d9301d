/* err.c — the error record (see include/kaoping/err.h). */
#include "kaoping/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t kp_err_utf8_cut(const char *s, size_t n)
{
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

/* A message that did not fit: end it in "…" at a character boundary. */
static void mark_cut(char *msg, size_t size)
{
	size_t n = kp_err_utf8_cut(msg, size - sizeof "…");

	memcpy(msg + n, "…", sizeof "…");
}

int kp_err_set(kp_err *err, int kind, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (!err)
		return kind;
	err->kind = kind;
	err->id = KP_MSG_NONE;
	va_start(ap, fmt);
	w = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	if (w >= (int)sizeof err->msg)
		mark_cut(err->msg, sizeof err->msg);
	return kind;
}

const char *kp_err_quote(const char *s, char *buf)
{
	size_t n = strlen(s);

	if (n > 60) {
		n = kp_err_utf8_cut(s, 60);
		memcpy(buf, s, n);
		memcpy(buf + n, "…", sizeof "…");
	} else {
		memcpy(buf, s, n + 1);
	}
	return buf;
}

const char *kp_err_a1(size_t col, size_t row, char *buf)
{
	char letters[16];
	size_t n = 0, i, c = col + 1;

	while (c > 0 && n < sizeof letters) {
		letters[n++] = (char)('A' + (c - 1) % 26);
		c = (c - 1) / 26;
	}
	for (i = 0; i < n; i++)
		buf[i] = letters[n - 1 - i];
	if (row)
		snprintf(buf + n, KP_ERR_A1 - n, "%zu", row);
	else
		buf[n] = '\0';
	return buf;
}

/* Put head and sep before the message. */
static int put_before(kp_err *err, const char *head, const char *sep)
{
	char old[KP_ERR_MAX];

	memcpy(old, err->msg, sizeof old);
	if (snprintf(err->msg, sizeof err->msg, "%s%s%s", head, sep, old) >= (int)sizeof err->msg)
		mark_cut(err->msg, sizeof err->msg); /* cut: say so */
	return err->kind;
}

int kp_err_prefix(kp_err *err, const char *fmt, ...)
{
	char head[KP_ERR_MAX];
	va_list ap;

	if (!err)
		return KP_EINTERNAL;
	va_start(ap, fmt);
	vsnprintf(head, sizeof head, fmt, ap);
	va_end(ap);
	return put_before(err, head, ": ");
}

void kp_err_trace(kp_err *err, const char *trace)
{
	if (!err)
		return;
	free(err->trace);
	err->trace = trace ? strdup(trace) : NULL;
}

int kp_err_move(kp_err *dst, kp_err *src)
{
	if (!dst || !src || dst == src)
		return dst ? dst->kind : KP_EINTERNAL;
	free(dst->trace);
	memcpy(dst, src, sizeof *dst);
	memset(src, 0, sizeof *src);
	return dst->kind;
}

void kp_err_clear(kp_err *err)
{
	if (!err)
		return;
	free(err->trace);
	memset(err, 0, sizeof *err);
}

int kp_err_oom(kp_err *err)
{
	return kp_err_msg(err, KP_EINTERNAL, KP_M_OOM);
}

int kp_err_msg(kp_err *err, int kind, enum kp_msgid id, const char *en, ...)
{
	va_list ap;

	(void)en; /* the catalogue's English text; there for the compiler */
	if (!err)
		return kind;
	err->kind = kind;
	err->id = id;
	va_start(ap, en);
	if (kp_msg_vformat(err->msg, sizeof err->msg, id, ap) >= (int)sizeof err->msg)
		mark_cut(err->msg, sizeof err->msg);
	va_end(ap);
	return kind;
}

int kp_err_prefix_msg(kp_err *err, enum kp_msgid id, const char *en, ...)
{
	char head[KP_ERR_MAX];
	va_list ap;

	(void)en;
	if (!err)
		return KP_EINTERNAL;
	va_start(ap, en);
	kp_msg_vformat(head, sizeof head, id, ap);
	va_end(ap);
	return put_before(err, head, kp_msg_lang() == KP_LANG_EN ? ": " : "：");
}
