/* criteria.h — the criteria table (考核细则) a rule file encodes, built from
 * the same declarations that score: section, points, indicator, points,
 * method in words.  kp_criteria owns its cells; the rules are borrowed. */
#ifndef KAOPING_CRITERIA_H
#define KAOPING_CRITERIA_H

#include <stddef.h>

#include "kaoping/err.h"
#include "kaoping/msg.h"
#include "kaoping/rules.h"

#define KP_CRITERIA_COLS 5  /* the columns every table has */

/* n cells, row after row of ncols; each cell malloc'd.  The columns are
 * the five, then 依据 when has_basis, then 考核科室 when has_office. */
typedef struct kp_criteria {
	char **cells;
	size_t n, cap;
	size_t ncols;
	int has_basis, has_office;
	enum kp_lang lang;  /* the words' language: the report's (--lang), set by
			       the caller; zero-initialised, Chinese */
} kp_criteria;

/* Append the rows of r to g (zero-initialised by the caller); on failure
 * g holds what was built so far and must still be freed. */
int kp_criteria_build(const kp_rules *r, kp_criteria *g, kp_err *err);
void kp_criteria_free(kp_criteria *g);

#endif
