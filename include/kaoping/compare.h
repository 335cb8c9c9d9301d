/* compare.h — two results of the same units side by side (`kaoping
 * compare`): units matched by id, each one's rank, total, grade and
 * commendation in both, the deltas, and per category who moved up or
 * down, whose grade changed, whose commendation was gained or lost, and
 * who is in one result only (listed, never dropped).  A kp_compare
 * borrows both results (they must outlive it) and owns its rows and
 * categories; free it with kp_compare_free. */
#ifndef KAOPING_COMPARE_H
#define KAOPING_COMPARE_H

#include <stddef.h>

#include "kaoping/err.h"
#include "kaoping/result.h"

typedef struct kp_compare_row {
	const char *id, *name;        /* borrowed from b (or a when only in a) */
	const kp_unit_result *a, *b;  /* the unit in each result; NULL: absent */
	int rank_change;              /* a's rank − b's rank: > 0 moved up (0 when
					 absent from one side or the category changed) */
	double total_change;          /* b's total − a's total (0 when absent) */
	unsigned category_changed : 1;/* in different categories (by name) */
	unsigned grade_changed : 1;   /* both graded, and differently */
	unsigned gained : 1;          /* commended in b, not in a (b-only units too) */
	unsigned lost : 1;            /* commended in a, not in b (a-only units too) */
} kp_compare_row;

typedef struct kp_compare_cat {
	const char *name;             /* borrowed from a result */
	size_t first, count;          /* rows[first .. first+count) */
	size_t up, down, grade_changed, gained, lost, only_a, only_b;
} kp_compare_cat;

typedef struct kp_compare {
	const kp_result *a, *b;       /* borrowed */
	int precision;                /* the finer of the two, for deltas */
	size_t nrows;
	kp_compare_row *rows;         /* by category (b's order, then categories
					 only a has), in b's report order, then
					 a-only units in a's order */
	size_t ncats;
	kp_compare_cat *cats;
} kp_compare;

/* Compare a (before) with b (after).  Units are matched by id; an id twice
 * in one result is KP_EDATA. */
int kp_compare_run(const kp_result *a, const kp_result *b, kp_compare **out, kp_err *err);
void kp_compare_free(kp_compare *c);

#endif
