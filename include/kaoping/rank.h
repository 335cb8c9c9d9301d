/* rank.h — ranking within categories (competition ranking on the rounded
 * total, declared tie-breakers), grades with quotas, and the commendation
 * lists with boundary ties and shortfalls.  Works in place on a result. */
#ifndef KAOPING_RANK_H
#define KAOPING_RANK_H

#include "kaoping/err.h"
#include "kaoping/result.h"
#include "kaoping/rules.h"

/* Decide whether unit (an index into res->units, already ranked and
 * graded) may be commended beyond the built-in conditions. */
typedef int (*kp_rank_eligible_fn)(void *ud, const kp_result *res, size_t unit, int *ok, kp_err *err);

/* Sort res->units into report order (categories in the rules' order, rank,
 * unit id by bytes), and fill rank, grade, eligible, commended and the
 * category summaries.  fn may be NULL. */
int kp_rank_run(const kp_rules *r, kp_result *res, kp_rank_eligible_fn fn, void *ud, kp_err *err);

/* Does a stored run agree with the rule file it was scored with (the same
 * SHA-256)?  Its categories and their quotas, its grades, and each unit's
 * grade: never better than its total earns under those rules, the lowest
 * when vetoed, lower only when a grade quota moved it.  A disagreement is
 * KP_EDATA naming the unit (db: the database, for the message): the
 * database was changed outside kaoping. */
int kp_rank_agrees(const kp_rules *r, const kp_result *res, const char *db, kp_err *err);

#endif
