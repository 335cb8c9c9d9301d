/* sb.h — a growable string builder, for text that must never be cut by a
 * fixed-size buffer (the criteria words), and the growth of every array;
 * and below them the hash of every
 * hash table and a set of strings built on it.  Appending never fails loudly: a
 * failed allocation sets the oom flag, later appends do nothing, and the
 * owner checks once at the end with kp_sb_status.
 *
 * Ownership: a kp_sb zero-initialised ({0}) is an empty builder.  The
 * builder owns its buffer until kp_sb_free.  kp_sb_str's pointer is
 * borrowed and valid until the next append, reset or free. */
#ifndef KAOPING_SB_H
#define KAOPING_SB_H

#include <stddef.h>

#include "kaoping/err.h"

typedef struct kp_sb {
	char *s;       /* NUL-terminated once anything was appended, else NULL */
	size_t len, cap;
	int oom;       /* an allocation failed: the text is incomplete */
} kp_sb;

/* Append printf-style text. */
void kp_sb_printf(kp_sb *b, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
/* Append a message of the catalogue in the current language (KP_M_ID in
 * place of id and en; see kaoping/msg.h). */
void kp_sb_msg(kp_sb *b, enum kp_msgid id, const char *en, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;
/* Append a string as it is. */
void kp_sb_puts(kp_sb *b, const char *s);
/* Append s as one line of a list of lines: each line break in s (a unit's
 * name may hold one) as the two characters \n, as the CLI shows a message,
 * then a line break. */
void kp_sb_line(kp_sb *b, const char *s);
/* The text so far ("" when empty); borrowed. */
const char *kp_sb_str(const kp_sb *b);
/* Empty the text, keeping the buffer (and the oom flag). */
void kp_sb_reset(kp_sb *b);
/* 0, or kp_err_oom(err) when an append failed. */
int kp_sb_status(const kp_sb *b, kp_err *err);
void kp_sb_free(kp_sb *b);

/* Room for need elements of size bytes in the array p, which holds *cap:
 * p itself when it does, else p moved by realloc to hold twice as many
 * (at least 16, at least need; need 0 counts as 1), with *cap set.  NULL
 * when the bytes would overflow size_t or realloc fails: p is then
 * unchanged, still the caller's, and *cap too.  The one way kaoping grows
 * an array, so that the overflow check and the order of "allocate, then
 * record the capacity" are written once. */
void *kp_grow(void *p, size_t *cap, size_t need, size_t size);

/* n bytes as lowercase hex (a SHA-256 as its 64 characters): out holds
 * 2n + 1 bytes. */
void kp_sb_hex(const unsigned char *bytes, size_t n, char *out);

/* The hash of kaoping's hash tables (open addressing, keyed by unit ids,
 * column and rule names, note templates: texts from files anyone may
 * send): FNV-1a from a start drawn once per process, then mixed so that
 * every bit reaches the low ones a table uses.  Keys cannot be chosen in
 * advance to fall into one slot, which would turn a table into a list
 * (n² steps: a hang on a million crafted unit ids).  Thread-safe. */
size_t kp_hash(const void *p, size_t n);
size_t kp_hash_str(const char *s);

/* A set of borrowed strings, hashed (open addressing), for the look-ups
 * that a linear search would make quadratic (a column among thousands).
 * Zero-initialised ({0}) is empty.  The set owns its table, never the
 * strings, which must outlive it; free it with kp_strset_free. */
typedef struct kp_strset {
	const char **key;
	size_t *ord;       /* for each slot, the call to kp_strset_add that added its key */
	size_t cap, n;
	size_t calls;      /* calls to kp_strset_add so far */
} kp_strset;

/* 1: added; 0: already there (or k NULL, which is never added); -1: out of
 * memory (the set is unchanged). */
int kp_strset_add(kp_strset *s, const char *k);
int kp_strset_has(const kp_strset *s, const char *k);
/* Which call to kp_strset_add first added k (0 for the first call), or -1:
 * with every element of an array added in order, duplicates and NULLs
 * too, the index of k's first occurrence, as a search from the start. */
long kp_strset_index(const kp_strset *s, const char *k);
void kp_strset_free(kp_strset *s);

#endif
