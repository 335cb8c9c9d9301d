/* derive.h — the items and notes of a run stored without them (store.h:
 * "runs whose items are derived again"), scored again from the run's rule
 * text, its import's rows and its statistics, and checked against what
 * the run stored: a unit whose points do not come out exactly as stored
 * is an error, never a different explanation. */
#ifndef KAOPING_DERIVE_H
#define KAOPING_DERIVE_H

#include "kaoping/result.h"
#include "kaoping/rules.h"
#include "kaoping/store.h"

/* dv->rules_text is the rule file res recorded (its SHA-256), checked
 * before any of it runs; else KP_EDATA. */
int kp_derive_check_text(const kp_store_derived *dv, const kp_result *res, kp_err *err);

/* r, loaded from dv->rules_text (kp_rules_load_text), is the rule file the
 * run recorded: the same SHA-256, rules whose items can be derived.
 * KP_EDATA otherwise. */
int kp_derive_check_rules(const kp_store_derived *dv, const kp_result *res, const kp_rules *r, kp_err *err);

/* The items of the one unit of res (kp_store_load_unit of a derived run):
 * its row read alone, scored with the run's statistics.  The items join
 * res (its pool); their notes are structured, as the store's are. */
int kp_derive_unit(kp_store *s, const kp_store_derived *dv, const kp_rules *r, kp_result *res, kp_err *err);

/* The items of every unit of res (kp_store_load_run of a derived run, with
 * details): the import read whole and scored again; the statistics must
 * come out as stored. */
int kp_derive_run(kp_store *s, const kp_store_derived *dv, const kp_rules *r, kp_result *res, kp_err *err);

#endif
