/* near.h — "did you mean …?": how far apart two names are, counted in
 * characters (UTF-8 code points, so 学法次数 and 学法册数 are one apart, not
 * three bytes), and the nearest of a list when it is close enough to be
 * worth suggesting.  No allocation; strings are borrowed. */
#ifndef KAOPING_NEAR_H
#define KAOPING_NEAR_H

#include <stddef.h>

/* Names longer than this many characters are never compared (no
 * suggestion is made for them). */
#define KP_NEAR_MAX 64

/* Edits (insert, delete, replace a character, or swap two neighbours)
 * that turn a into b; (size_t)-1 when either is longer than KP_NEAR_MAX
 * characters or is not valid UTF-8. */
size_t kp_near_distance(const char *a, const char *b);

/* Is b close enough to a to suggest it?  Not equal, and at most one edit
 * per three characters of the longer name (at least one edit), and fewer
 * edits than the shorter name has characters (so "ab" never suggests "x"). */
int kp_near_close(const char *a, const char *b);

/* The nearest of the n names close to word (the first of equals), or
 * NULL (also when word is one of them): borrowed from names.  NULL and
 * empty entries are skipped. */
const char *kp_near_best(const char *word, const char *const *names, size_t n);

#endif
