/* err.h — the error record every core function fills.
 * A core function returns 0 on success or a KP_E* kind; the record holds a
 * message that already says where ("file:line[:col]: what").  Only the CLI
 * prints it and maps the kind to an exit code.  Messages come from the
 * catalogue (kaoping/msg.h) in the language the command line chose; the
 * record keeps the identifier of the message that set it.  The record owns
 * no memory but the optional traceback. */
#ifndef KAOPING_ERR_H
#define KAOPING_ERR_H

#include <stddef.h>

#include "kaoping/msg.h"

enum kp_errkind {
	KP_OK = 0,
	KP_EUSAGE,   /* bad command line                       -> EX_USAGE    */
	KP_EDATA,    /* bad CSV, validation, missing value     -> EX_DATAERR  */
	KP_ENOINPUT, /* input file missing or unreadable       -> EX_NOINPUT  */
	KP_ERULE,    /* rule file: syntax, runtime, sandbox    -> EX_CONFIG   */
	KP_ECREATE,  /* cannot create an output or database    -> EX_CANTCREAT*/
	KP_EIO,      /* cannot write output or database, or an
	                input changed while read           -> EX_IOERR    */
	KP_EINTERNAL,/* out of memory, bug                     -> EX_SOFTWARE */
	KP_ETEST,    /* rule test cases failed                 -> 1           */
	KP_ETEMP     /* the database locked by another process -> EX_TEMPFAIL */
};

#define KP_ERR_MAX 2048

typedef struct kp_err {
	int kind;
	int id;      /* enum kp_msgid of the message that set it (NONE: kp_err_set) */
	char msg[KP_ERR_MAX];
	char *trace; /* optional Lua traceback, malloc'd; freed by kp_err_clear */
} kp_err;

/* Set kind and a message of the catalogue with its arguments; returns kind.
 * err may be NULL.  Call it with the KP_M_ID macro in place of id and en:
 *     kp_err_msg(err, KP_EDATA, KP_M_CSV_NOT_NUMBER, file, line, col);
 * A message longer than the record ends in "…" at a character boundary. */
int kp_err_msg(kp_err *err, int kind, enum kp_msgid id, const char *en, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;
/* Prefix the current message with a message of the catalogue and ": "
 * (or "：" in Chinese); returns err->kind. */
int kp_err_prefix_msg(kp_err *err, enum kp_msgid id, const char *en, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;
/* Set kind and a printf-style text that is not a sentence of kaoping's own
 * (a path, a message of Lua or of a library passed on): "%s" and
 * "%s:%zu: %s" style formats only; words come from the catalogue. */
int kp_err_set(kp_err *err, int kind, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;
/* Prefix the current message with "prefix: " (a location, "file:line");
 * returns err->kind.  Words come from the catalogue (kp_err_prefix_msg). */
int kp_err_prefix(kp_err *err, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
/* Move a record filled in another thread (a worker's) into dst: kind,
 * message and identifier; the traceback changes owner.  src is left
 * empty.  Returns dst->kind. */
int kp_err_move(kp_err *dst, kp_err *src);
/* Attach a copy of a traceback (may be NULL). */
void kp_err_trace(kp_err *err, const char *trace);
void kp_err_clear(kp_err *err);
/* Out of memory shorthand. */
int kp_err_oom(kp_err *err);

/* A cell as a message quotes it: whole up to 60 bytes, else its first
 * characters (never part of one) and "…".  buf holds KP_ERR_QUOTE bytes;
 * returns it. */
#define KP_ERR_QUOTE 68
const char *kp_err_quote(const char *s, char *buf);
/* A cell as a workbook names it: column index (0-based) and row (1-based)
 * as "C7" ("XFD1048576" at most); row 0 gives the letters alone.  buf
 * holds KP_ERR_A1 bytes; returns it. */
#define KP_ERR_A1 24
const char *kp_err_a1(size_t col, size_t row, char *buf);
/* The length of s[0..n) cut back to a UTF-8 character boundary (at most n,
 * so that s[len] does not continue a character). */
size_t kp_err_utf8_cut(const char *s, size_t n);

#endif
