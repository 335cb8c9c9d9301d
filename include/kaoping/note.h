/* note.h — the notes of the scoring, structured (issue 14.8): the engine
 * does not choose their language.  A note is a string of
 *   - text of the rule file's own (names, its `note` words), kept as it is;
 *   - pieces: a catalogue message (kaoping/msg.h, include/kaoping/msg/
 *     note.def: NOTE_*, conversions all %s) by its identifier's name, and
 *     its arguments
 *     as text (numbers already written as the reports print them).
 * The engine writes notes with kp_note_msg and kp_note_text; the store keeps
 * them as they are; a report renders them in its own language with
 * kp_note_render.  A note without pieces (an older database's, a rule's
 * words) renders as itself.  The encoding: a piece is \x01 NAME, then
 * \x02 ARG for each argument, then \x03; a byte \x01-\x04 of text or of an
 * argument is written \x04 and the byte.  Names are stable across releases
 * (a database keeps them); enum values are not and are never stored.
 *
 * Everything is appended to a kp_sb the caller owns. */
#ifndef KAOPING_NOTE_H
#define KAOPING_NOTE_H

#include <stdarg.h>
#include <stddef.h>

#include "kaoping/err.h"
#include "kaoping/msg.h"
#include "kaoping/sb.h"

#define KP_NOTE_ARGS_MAX 8 /* arguments of one piece */
/* The longest note of one item, and veto reason, in bytes: a sentence or a
 * paragraph fits many times over; a rule that writes more (a string of
 * megabytes for every unit) is refused rather than kept a million times. */
#define KP_NOTE_MAX 16384

/* Append a piece: the message and its arguments, each a string (the
 * catalogue entry's conversions are all %s; KP_M_ID in place of id, en). */
void kp_note_msg(kp_sb *b, enum kp_msgid id, const char *en, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;
/* Append text of the rule file's own, as it is. */
void kp_note_text(kp_sb *b, const char *s);
/* The same into a fixed buffer, snprintf-style (for the scorer's inline
 * note buffer: no allocation): writes at most n bytes with the NUL, returns
 * the length the whole would take (without the NUL). */
int kp_note_vformat(char *buf, size_t n, enum kp_msgid id, const char *en, va_list ap);
int kp_note_escape(char *buf, size_t n, const char *s);
/* Does the note hold pieces (is it more than its text)? */
int kp_note_structured(const char *note);
/* Render a note in lang, appended to out.  0, or KP_EDATA when it is not
 * well formed (an unknown name, a piece not closed, too many or too few
 * arguments: a database written by something else) — out then holds
 * nothing of it.  Never reads past the terminating NUL. */
int kp_note_render(const char *note, enum kp_lang lang, kp_sb *out, kp_err *err);

#endif
