/* robust.h — how robust a ranking is to the weights (`kaoping robust`):
 * the run is scored once with every item kept; each draw then scales
 * every section's (or every indicator's) points by its own factor, drawn
 * uniformly from [1 − spread, 1 + spread] and renormalised so the full
 * points stay the same, recomputes each unit's sections and total from
 * its kept points exactly as scoring does (missing-value rescaling,
 * section deductions floored at 0, deductions, bonus, max_total, rounding
 * at the precision), and ranks, grades and commends with the ranking code
 * of a real run (rank.h).  Deductions, bonuses, vetoes and caps are not
 * weights and stay as they are.  Draw d uses a xoshiro256** generator
 * seeded by splitmix64 from (seed, d), so the result depends only on the
 * seed, never on the threads.  A kp_robust borrows the result it was made
 * from (it must outlive it) and owns its unit array; free it with
 * kp_robust_free. */
#ifndef KAOPING_ROBUST_H
#define KAOPING_ROBUST_H

#include <stddef.h>
#include <stdint.h>

#include "kaoping/err.h"
#include "kaoping/result.h"
#include "kaoping/rules.h"

enum { KP_ROBUST_SECTION = 0, KP_ROBUST_INDICATOR = 1 };

#define KP_ROBUST_MAX_DRAWS 1000000

typedef struct kp_robust_opts {
	unsigned draws;      /* 1 .. KP_ROBUST_MAX_DRAWS */
	double spread;       /* the most a weight moves, as a fraction: 0 ≤ spread < 1 */
	uint64_t seed;
	int by;              /* KP_ROBUST_SECTION or KP_ROBUST_INDICATOR */
	int threads;         /* 0: one per core (at most 8) */
	void (*progress)(void *ud, size_t done, size_t total); /* may be NULL: the
				draws done of all, called from the calling
				thread only, after every draw of its share */
	void *progress_ud;
} kp_robust_opts;

typedef struct kp_robust_unit {
	int rank_lo, rank_median, rank_hi; /* 5th, 50th and 95th percentile
					      (nearest rank) of its rank */
	int rank_min, rank_max;
	unsigned commended;   /* draws in which it was commended */
	unsigned fragile : 1; /* commended in more than 10% and less than 90% */
} kp_robust_unit;

typedef struct kp_robust {
	const kp_result *res;  /* borrowed: the real run */
	kp_robust_opts opts;
	size_t nweights;       /* sections or indicators perturbed */
	kp_robust_unit *units; /* res->nunits, in res's order */
	size_t nfragile;
} kp_robust;

/* The draw's factors, one per weight (sections or indicators), as draw d
 * of seed makes them: uniform in [1 − spread, 1 + spread], then scaled so
 * that Σ points × factor = Σ points.  points has n entries. */
void kp_robust_factors(uint64_t seed, unsigned d, double spread, const double *points, size_t n, double *factor);

/* res must come from kp_score_run with details (every unit's items) on r.
 * A result whose items do not add up to its totals (not scored with
 * details, or by other rules) is KP_EINTERNAL naming the unit. */
int kp_robust_run(const kp_rules *r, const kp_result *res, const kp_robust_opts *o, kp_robust **out,
		  kp_err *err);
void kp_robust_free(kp_robust *rb);

#endif
