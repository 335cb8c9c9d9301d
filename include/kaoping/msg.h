/* msg.h — the message catalogue: every sentence kaoping says to a person,
 * in Chinese and in English, under one identifier.
 *
 * The messages live in include/kaoping/msg/, one .def file per area, as
 *     KP_MSG(ID, "English format", "中文格式")
 * Both texts take the same printf conversions in the same order (a unit
 * test checks every entry).  The build turns each entry into a macro
 * KP_M_ID that expands to the identifier followed by the English format, so
 * a call such as
 *     kp_err_msg(err, KP_EDATA, KP_M_CSV_NOT_NUMBER, file, line, col)
 * is type-checked by the compiler against the English text, and the text
 * printed is the one of the chosen language.
 *
 * The language is the command line's choice (kp_msg_set_lang, once, before
 * any work); below the command line nothing chooses it.  Chinese is the
 * default.  The catalogue owns all its strings; they are static. */
#ifndef KAOPING_MSG_H
#define KAOPING_MSG_H

#include <stdarg.h>
#include <stddef.h>

enum kp_lang { KP_LANG_ZH = 0, KP_LANG_EN };

#define KP_MSG(id, en, zh) KP_MSG_##id,
enum kp_msgid {
	KP_MSG_NONE = 0, /* a message from outside the catalogue (Lua's own) */
#include "kaoping/msg/all.def"
	KP_MSG_COUNT
};
#undef KP_MSG

/* KP_M_ID: "KP_MSG_ID, English format", built from the .def files. */
#include "kp_msg_en.h"

/* The language of every message from now on (the command line's choice). */
void kp_msg_set_lang(enum kp_lang lang);
enum kp_lang kp_msg_lang(void);
/* The language a name asks for: "zh…" or "en…" (zh_CN.UTF-8, en_US, en)
 * set *out and return 1; anything else returns 0. */
int kp_msg_lang_parse(const char *name, enum kp_lang *out);
/* The language of the environment: the first of KAOPING_LANG, LC_ALL,
 * LC_MESSAGES and LANG that is set and not empty decides; English only
 * when it names English ("en", "en_US.UTF-8"), else Chinese (C, POSIX,
 * C.UTF-8 and every other locale included).  Arguments may be NULL. */
enum kp_lang kp_msg_lang_env(const char *kaoping_lang, const char *lc_all, const char *lc_messages,
			     const char *lang);

/* The format of a message in a language, or in the current one. */
const char *kp_msg_text(enum kp_msgid id, enum kp_lang lang);
const char *kp_msg_fmt(enum kp_msgid id);
/* The identifier's name ("CSV_NOT_NUMBER"), for tests and stored notes. */
const char *kp_msg_name(enum kp_msgid id);
/* The identifier of a name: 1 and *out, or 0 when no message has it. */
int kp_msg_lookup(const char *name, enum kp_msgid *out);

/* Format a message in the current language into buf (size n, n > 0).
 * Returns what vsnprintf returns: >= n means the text was cut (at a
 * UTF-8 character boundary).  en is the English format KP_M_ID carries. */
int kp_msg_format(char *buf, size_t n, enum kp_msgid id, const char *en, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;
int kp_msg_vformat(char *buf, size_t n, enum kp_msgid id, va_list ap);

#endif
