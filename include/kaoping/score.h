/* score.h — applying compiled rules to bound data: every indicator,
 * deduction, bonus and veto of every unit, with its note, then the ranking
 * (rank.h).  Declarative helpers run natively; Lua is entered only for rules
 * written as functions, through the sandbox.  The result belongs to the
 * caller. */
#ifndef KAOPING_SCORE_H
#define KAOPING_SCORE_H

#include "kaoping/data.h"
#include "kaoping/err.h"
#include "kaoping/result.h"
#include "kaoping/rules.h"
#include "kaoping/sb.h"

/* Called once per unit with its items (valid during the call). */
typedef int (*kp_score_sink)(void *ud, const kp_result *res, size_t unit,
			     const kp_item *items, size_t nitems, kp_err *err);

/* Units that could not be scored for a missing value (or another data
 * error met after one), when the caller asks for all of them: their count
 * and the messages of the first KP_SCORE_MISSING_KEEP, a line each.  The
 * caller owns it ({0} to start; kp_sb_free(&lines) after). */
#define KP_SCORE_MISSING_KEEP 50
typedef struct kp_score_missing {
	size_t n;
	kp_sb lines;
} kp_score_missing;

/* What a run computed over all its units that a unit's points depend on:
 * for each ratio_to_best and minmax method (indicators, then bonuses, in
 * declaration order), the highest value of each category and of all
 * units, then the lowest (2 × (ncat + 1) numbers; -HUGE_VAL and HUGE_VAL
 * when a scope had no value).  With them one unit is scored again alone
 * exactly as it was scored among all (kp_score_derivable).  v is malloc'd
 * by the engine (stats_out) and freed by its owner with kp_score_stats_free. */
typedef struct kp_score_stats {
	size_t n;
	double *v;
} kp_score_stats;
void kp_score_stats_free(kp_score_stats *st);

/* 1 when each unit's items follow from its own row of data and the run's
 * statistics alone, so that they can be derived again from the rules'
 * text, the data and kp_score_stats instead of being stored: no rule is a
 * Lua function (a function may keep state from one unit to the next), no
 * module is used (only the rule file's text is kept), no event list, no
 * rank method (it needs every unit's value); else 0. */
int kp_score_derivable(const kp_rules *r);

typedef struct kp_score_opts {
	int details;            /* keep every unit's items and notes in the result */
	int notes;              /* compute notes (implied by details or a sink) */
	const kp_last *last;    /* may be NULL */
	kp_score_sink sink;     /* may be NULL */
	void *sink_ud;
	int threads;            /* 0: one per core when it helps (rules without Lua,
				   no notes, many units); 1: one */
	void (*progress)(void *ud, size_t done, size_t total); /* may be NULL: called
				   now and then with the units scored so far */
	void *progress_ud;
	int release_numbers;    /* free the data's number columns once scored:
				   the ranking and the reports need only ids and
				   names (saves memory on large runs) */
	kp_score_missing *missing; /* set: a unit with a missing value is noted
				   here and the next unit scored, so every one is
				   found in one pass (one core); the run still
				   fails, KP_EDATA, with the only message or
				   "N units have a missing value" */
	kp_score_stats *stats_out; /* set: receives the run's statistics
				   (kp_score_derivable rules only) */
	const kp_score_stats *stats_in; /* set: used instead of computing them
				   (a derived unit); KP_EDATA when they do
				   not fit the rules */
} kp_score_opts;

/* Score, rank, grade and commend.  Errors: KP_EDATA (a missing or bad
 * value, with file, line, unit, column), KP_ERULE ("rules.lua:LINE: in
 * indicator 'X' for unit 'Y': ..."). */
int kp_score_run(const kp_rules *r, kp_data *d, const kp_score_opts *o,
		 kp_result **out, kp_err *err);

/* Yes/no words: 1 yes (a positive number too), 0 no (0 too), -1 neither
 * (blank, a negative number, any other text). */
int kp_score_yes_no(const char *text);

#endif
