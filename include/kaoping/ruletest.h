/* ruletest.h — a rule file's own test cases (`case "name" { ... }`, in the
 * file or in RULES_test.lua beside it): a fictive unit's data, optional
 * peers and events, and the points expected.  Results are owned by the
 * caller and freed with kp_ruletest_free. */
#ifndef KAOPING_RULETEST_H
#define KAOPING_RULETEST_H

#include <stddef.h>

#include "kaoping/err.h"
#include "kaoping/rules.h"

typedef struct kp_case_result {
	char *name;
	char *where;       /* "rules/x_test.lua:12" */
	int passed;
	char *detail;      /* what differed, one line each ("total: expected 95.00, got 93.50") */
} kp_case_result;

/* Run every case; *out receives n results.  A case that cannot run (its
 * rule raised an error) fails with the error as its detail. */
int kp_ruletest_run(const kp_rules *r, kp_case_result **out, size_t *n, kp_err *err);
void kp_ruletest_free(kp_case_result *c, size_t n);

#endif
