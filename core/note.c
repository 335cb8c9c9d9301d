/* note.c — structured notes (see include/kaoping/note.h): writing pieces
 * and text, and rendering them in a language.  Owns nothing: it appends to
 * the caller's builders. */
#include "kaoping/note.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "kaoping/date.h"

enum { PIECE = 1, ARG = 2, END = 3, ESC = 4 };

/* s, with the bytes that mean something in a note escaped. */
static void put_escaped(kp_sb *b, const char *s)
{
	const char *p;

	for (p = s; *p; ) {
		size_t n = strcspn(p, "\x01\x02\x03\x04");
		char esc[3] = {ESC, 0, 0};

		if (n) {
			kp_sb_printf(b, "%.*s", (int)n, p);
			p += n;
		}
		if (*p) {
			esc[1] = *p++;
			kp_sb_puts(b, esc);
		}
	}
}

void kp_note_text(kp_sb *b, const char *s)
{
	put_escaped(b, s ? s : "");
}

/* How many arguments a format takes (all %s in a note's message). */
static int count_args(const char *fmt)
{
	int n = 0;

	for (; (fmt = strchr(fmt, '%')) != NULL && fmt[1]; fmt += 2)
		if (fmt[1] != '%')
			n++;
	return n;
}

void kp_note_msg(kp_sb *b, enum kp_msgid id, const char *en, ...)
{
	va_list ap;
	int i, n = count_args(en);
	const char piece[2] = {PIECE, 0}, arg[2] = {ARG, 0}, end[2] = {END, 0};

	kp_sb_puts(b, piece);
	kp_sb_puts(b, kp_msg_name(id));
	va_start(ap, en);
	for (i = 0; i < n; i++) {
		const char *a = va_arg(ap, const char *);
		kp_sb_puts(b, arg);
		put_escaped(b, a ? a : "");
	}
	va_end(ap);
	kp_sb_puts(b, end);
}

/* A fixed buffer written snprintf-style: len counts everything. */
struct fixed {
	char *buf;
	size_t n, len;
};

static void fixed_byte(struct fixed *f, char c)
{
	if (f->len + 1 < f->n)
		f->buf[f->len] = c;
	f->len++;
}

static void fixed_escaped(struct fixed *f, const char *s)
{
	while (*s) {
		size_t n = strcspn(s, "\x01\x02\x03\x04");
		size_t room = f->len + 1 < f->n ? f->n - 1 - f->len : 0;

		if (room) /* a run of text at once */
			memcpy(f->buf + f->len, s, n < room ? n : room);
		f->len += n;
		s += n;
		if (*s) {
			fixed_byte(f, ESC);
			fixed_byte(f, *s++);
		}
	}
}

static int fixed_end(struct fixed *f)
{
	if (f->n)
		f->buf[f->len < f->n ? f->len : f->n - 1] = '\0';
	return (int)f->len;
}

int kp_note_escape(char *buf, size_t n, const char *s)
{
	struct fixed f = {buf, n, 0};

	fixed_escaped(&f, s ? s : "");
	return fixed_end(&f);
}

int kp_note_vformat(char *buf, size_t n, enum kp_msgid id, const char *en, va_list ap)
{
	struct fixed f = {buf, n, 0};
	const char *name = kp_msg_name(id);
	int i, k = count_args(en);

	fixed_byte(&f, PIECE);
	for (; *name; name++)
		fixed_byte(&f, *name);
	for (i = 0; i < k; i++) {
		const char *a = va_arg(ap, const char *);
		fixed_byte(&f, ARG);
		fixed_escaped(&f, a ? a : "");
	}
	fixed_byte(&f, END);
	return fixed_end(&f);
}

int kp_note_structured(const char *note)
{
	return note && strchr(note, PIECE) != NULL;
}

/* Append n bytes to out without a format pass (the render is on the path
 * of every item of a report: millions of notes). */
static void put_n(kp_sb *out, const char *p, size_t n)
{
	if (out->oom || n == 0)
		return;
	if (out->len + n + 1 > out->cap) {
		size_t cap = (out->len + n + 1) * 2;
		char *q = realloc(out->s, cap);
		if (!q) {
			out->oom = 1;
			return;
		}
		out->s = q, out->cap = cap;
	}
	memcpy(out->s + out->len, p, n);
	out->len += n;
	out->s[out->len] = '\0';
}

/* The end of the run of text or argument at s: the first structural byte
 * that is not escaped, or the NUL. */
static const char *span_end(const char *s)
{
	for (;;) {
		s += strcspn(s, "\x01\x02\x03\x04");
		if (*s != ESC)
			return s;
		s += s[1] ? 2 : 1;
	}
}

/* The text of [s, e) unescaped into out. */
static void put_unescaped(kp_sb *out, const char *s, const char *e)
{
	while (s < e) {
		const char *esc = memchr(s, ESC, (size_t)(e - s));
		const char *stop = esc ? esc : e;
		put_n(out, s, (size_t)(stop - s));
		if (!esc)
			return;
		if (esc + 1 < e)
			put_n(out, esc + 1, 1);
		s = esc + 2;
	}
}

/* The words of kaoping's own that notes carry as arguments, in Chinese
 * (score.c: the name of a value that is not a column, always a piece's
 * first argument, or NOTE_TARGET_OF's third).  Such an argument that is
 * exactly one (a column of that name too: the same word) shows in lang;
 * a cell's text, in other places, stays as it was read. */
static const enum kp_msgid arg_words[] = {
	KP_MSG_NOTE_WORD_COMPUTED, KP_MSG_NOTE_WORD_AGGREGATE, KP_MSG_NOTE_WORD_LATE, KP_MSG_NOTE_WORD_MISSING,
};

/* Argument k of piece id, [s, e), in lang: the name of a value that is
 * one of arg_words, or a deadline (NOTE_DATE_BY and _LATE: kp_date_words
 * wrote it, 2024年3月31日) read back by kp_date_parse and written in ISO
 * 8601 outside Chinese; anything else as it is. */
static void put_arg(kp_sb *out, const char *s, const char *e, enum kp_msgid id, int k, enum kp_lang lang)
{
	char day[KP_DATE_MAX], iso[KP_DATE_MAX];
	size_t i, n = (size_t)(e - s);
	int days, label = k == 0 || (id == KP_MSG_NOTE_TARGET_OF && k == 2);
	int deadline = k == 0 && (id == KP_MSG_NOTE_DATE_BY || id == KP_MSG_NOTE_DATE_LATE);

	if (lang == KP_LANG_ZH || n == 0 || !(label || deadline)) {
		put_unescaped(out, s, e);
		return;
	}
	for (i = 0; label && i < sizeof arg_words / sizeof *arg_words; i++) {
		const char *zh = kp_msg_text(arg_words[i], KP_LANG_ZH);
		if (strlen(zh) == n && !memcmp(zh, s, n)) {
			const char *w = kp_msg_text(arg_words[i], lang);
			put_n(out, w, strlen(w));
			return;
		}
	}
	if (deadline && n < sizeof day) {
		memcpy(day, s, n), day[n] = '\0';
		if (kp_date_parse(day, &days, NULL) == KP_DATE_OK && kp_date_iso(days, iso, sizeof iso)) {
			put_n(out, iso, strlen(iso));
			return;
		}
	}
	put_unescaped(out, s, e);
}

/* Piece id in lang with its arguments: every %s of its format takes the
 * next, %% is %. */
static void fill(enum kp_msgid id, const char *const *as, const char *const *ae, int nargs, enum kp_lang lang,
		 kp_sb *out)
{
	const char *fmt = kp_msg_text(id, lang);
	int k = 0;

	while (*fmt) {
		size_t n = strcspn(fmt, "%");
		if (n) {
			put_n(out, fmt, n);
			fmt += n;
			continue;
		}
		if (fmt[1] == '%') {
			put_n(out, "%", 1);
			fmt += 2;
		} else {
			if (k < nargs)
				put_arg(out, as[k], ae[k], id, k, lang);
			k++;
			fmt += fmt[1] ? 2 : 1;
		}
	}
}

/* Render the piece at *p (just past its \x01). */
static int render_piece(const char **p, enum kp_lang lang, kp_sb *out, kp_err *err)
{
	char name[64];
	const char *as[KP_NOTE_ARGS_MAX], *ae[KP_NOTE_ARGS_MAX];
	const char *s = *p;
	size_t len = strcspn(s, "\x01\x02\x03\x04");
	enum kp_msgid id;
	int n = 0, rc = 0;

	if (len == 0 || len >= sizeof name || s[len] == ESC)
		return kp_err_msg(err, KP_EDATA, KP_M_NOTE_BAD_NAME);
	memcpy(name, s, len);
	name[len] = '\0';
	if (s[len] != ARG && s[len] != END)
		return kp_err_msg(err, KP_EDATA, KP_M_NOTE_BAD_OPEN, name);
	if (strncmp(name, "NOTE_", 5) || !strncmp(name, "NOTE_BAD_", 9) || !kp_msg_lookup(name, &id))
		return kp_err_msg(err, KP_EDATA, KP_M_NOTE_BAD_UNKNOWN, name);
	for (s += len; *s == ARG && n < KP_NOTE_ARGS_MAX; n++) {
		as[n] = s + 1;
		s = ae[n] = span_end(s + 1);
	}
	if (*s != END)
		rc = kp_err_msg(err, KP_EDATA, KP_M_NOTE_BAD_OPEN, name);
	else if (n != count_args(kp_msg_text(id, KP_LANG_EN)))
		rc = kp_err_msg(err, KP_EDATA, KP_M_NOTE_BAD_ARGS, name, n);
	else
		fill(id, as, ae, n, lang, out);
	*p = *s ? s + 1 : s;
	return rc;
}

int kp_note_render(const char *note, enum kp_lang lang, kp_sb *out, kp_err *err)
{
	const char *p = note ? note : "";
	size_t start = out->len;
	int rc = 0;

	while (*p && !rc) {
		if (*p == PIECE) {
			p++;
			rc = render_piece(&p, lang, out, err);
		} else if (*p == ARG || *p == END) {
			rc = kp_err_msg(err, KP_EDATA, KP_M_NOTE_BAD_STRAY);
		} else {
			const char *e = span_end(p);
			put_unescaped(out, p, e);
			p = e;
		}
	}
	if (rc && out->s) { /* nothing of a bad note */
		out->len = start;
		out->s[start] = '\0';
	}
	return rc ? rc : kp_sb_status(out, err);
}
