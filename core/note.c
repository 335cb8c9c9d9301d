/* note.c — structured notes (see include/kaoping/note.h): writing pieces
 * and text, and rendering them in a language.  Owns nothing: it appends to
 * the caller's builders. */
#include "kaoping/note.h"

#include <stdarg.h>
#include <string.h>

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

	for (; *fmt; fmt++)
		if (*fmt == '%' && fmt[1]) {
			if (fmt[1] != '%')
				n++;
			fmt++;
		}
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
	for (; *s; s++) {
		if (*s >= PIECE && *s <= ESC)
			fixed_byte(f, ESC);
		fixed_byte(f, *s);
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

/* One argument or run of text from *p up to a byte of stop (unescaped)
 * into out; *p is left on the stop byte (or the NUL). */
static void take_text(const char **p, const char *stop, kp_sb *out)
{
	const char *s = *p;

	while (*s && !strchr(stop, *s)) {
		size_t n = strcspn(s, "\x01\x02\x03\x04");
		if (n) {
			kp_sb_printf(out, "%.*s", (int)n, s);
			s += n;
			continue;
		}
		if (*s == ESC && s[1]) {
			char c[2] = {s[1], 0};
			kp_sb_puts(out, c);
			s += 2;
		} else if (*s == ESC) {
			s++; /* an escape at the end: nothing follows */
		} else {
			break; /* a structural byte */
		}
	}
	*p = s;
}

/* The format with its arguments: every %s takes the next, %% is %. */
static void fill(const char *fmt, char *const *args, int nargs, kp_sb *out)
{
	int k = 0;

	while (*fmt) {
		size_t n = strcspn(fmt, "%");
		if (n) {
			kp_sb_printf(out, "%.*s", (int)n, fmt);
			fmt += n;
			continue;
		}
		if (fmt[1] == '%') {
			kp_sb_puts(out, "%");
			fmt += 2;
		} else {
			kp_sb_puts(out, k < nargs ? args[k] : "");
			k++;
			fmt += fmt[1] ? 2 : 1;
		}
	}
}

/* Render the piece at *p (just past its \x01). */
static int render_piece(const char **p, enum kp_lang lang, kp_sb *out, kp_err *err)
{
	char name[64], *args[KP_NOTE_ARGS_MAX];
	kp_sb abuf[KP_NOTE_ARGS_MAX];
	const char *s = *p, *fmt;
	size_t len = strcspn(s, "\x01\x02\x03\x04");
	enum kp_msgid id;
	int n = 0, i, rc = 0;

	if (len == 0 || len >= sizeof name || s[len] == ESC)
		return kp_err_msg(err, KP_EDATA, KP_M_NOTE_BAD_NAME);
	memcpy(name, s, len);
	name[len] = '\0';
	if (s[len] != ARG && s[len] != END)
		return kp_err_msg(err, KP_EDATA, KP_M_NOTE_BAD_OPEN, name);
	if (!kp_msg_lookup(name, &id) || strncmp(name, "NOTE_", 5) || !strncmp(name, "NOTE_BAD_", 9))
		return kp_err_msg(err, KP_EDATA, KP_M_NOTE_BAD_UNKNOWN, name);
	fmt = kp_msg_text(id, lang);
	memset(abuf, 0, sizeof abuf);
	for (s += len; *s == ARG && n < KP_NOTE_ARGS_MAX; n++) {
		s++;
		take_text(&s, "\x01\x02\x03", &abuf[n]);
	}
	for (i = 0; i < n; i++)
		args[i] = (char *)kp_sb_str(&abuf[i]);
	if (*s != END)
		rc = kp_err_msg(err, KP_EDATA, KP_M_NOTE_BAD_OPEN, name);
	else if (n != count_args(kp_msg_text(id, KP_LANG_EN)))
		rc = kp_err_msg(err, KP_EDATA, KP_M_NOTE_BAD_ARGS, name, n);
	else
		fill(fmt, args, n, out);
	for (i = 0; i < KP_NOTE_ARGS_MAX; i++) {
		if (!rc && kp_sb_status(&abuf[i], err))
			rc = KP_EINTERNAL;
		kp_sb_free(&abuf[i]);
	}
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
			take_text(&p, "\x01\x02\x03", out);
		}
	}
	if (rc && out->s) { /* nothing of a bad note */
		out->len = start;
		out->s[start] = '\0';
	}
	return rc ? rc : kp_sb_status(out, err);
}
