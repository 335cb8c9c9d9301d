/* check_robust.c — the ranking under perturbed weights (robust.h): the
 * generator's factors (in range, full points kept, one draw the same
 * every time), spread 0 giving back the real run exactly, results that do
 * not depend on the threads, a commendation decided by the weights
 * flagged as not robust while clear ones are not, deductions, bonus and
 * caps kept as they are, per-indicator weights, and a result without its
 * items refused.  Results come from kp_score_run on tiny rule files whose
 * points are read from the data. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_fixture.h"
#include "kaoping/data.h"
#include "kaoping/result.h"
#include "kaoping/robust.h"
#include "kaoping/rules.h"
#include "kaoping/score.h"
#include "kaoping/table.h"

/* Two sections of 50 read from s1 and s2, a deduction d from the total, a
 * bonus b (at most 5), a veto v; one category with a quota of q. */
#define HEAD(q, extra)                                                                             \
	"assessment { title = \"r\", unit = { id = \"id\", name = \"name\", category = \"cat\" },\n" \
	"  categories = { {\"A\", commend = " q "} }" extra " }\n"
#define BODY                                                                                       \
	"section \"S1\" { points = 50, indicator \"I1\" { points = 50, score = function(u) return u.s1 end } }\n" \
	"section \"S2\" { points = 50, indicator \"I2\" { points = 30, score = function(u) return u.s2 * 0.6 end },\n" \
	"  indicator \"I3\" { points = 20, score = function(u) return u.s2 * 0.4 end } }\n"       \
	"deduction \"D\" { per = 1, count = \"d\" }\n"                                                \
	"bonus \"B\" { max = 5, score = function(u) return u.b end }\n"                               \
	"veto \"V\" { when = \"v\", reason = \"否决\" }\n"
#define RULES(q, rest) HEAD(q, "") BODY rest
#define COLS "id,name,cat,s1,s2,d,b,v\n"

/* ---------- fixture (tests/check_fixture.h) ---------- */

static void fx_run(fx *f, const char *src, const char *csv)
{
	kp_score_opts o = {0};

	o.details = 1; /* robust needs every unit's items */
	fx_load(f, src);
	fx_units(f, csv);
	ck_assert_msg(kp_score_run(f->r, f->d, &o, &f->res, &f->err) == 0, "%s", f->err.msg);
}




static size_t index_of(const fx *f, const char *id)
{
	size_t i;

	for (i = 0; i < f->res->nunits; i++)
		if (!strcmp(f->res->units[i].id, id))
			return i;
	ck_abort_msg("no unit %s", id);
	return 0;
}

static kp_robust *robust(fx *f, unsigned draws, double spread, int by, int threads)
{
	kp_robust_opts o = { draws, spread, 42, by, threads, NULL, NULL };
	kp_robust *rb = NULL;

	ck_assert_msg(kp_robust_run(f->r, f->res, &o, &rb, &f->err) == 0, "%s", f->err.msg);
	return rb;
}

/* Ten units, two clearly first, two tied for the last place of a quota
 * of 3 with opposite strengths, the rest clearly behind. */
#define TEN COLS "a,a,A,50,50,0,0,否\nb,b,A,48,49,0,0,否\nc,c,A,45,25,0,0,否\nd,d,A,25,45,0,0,否\n" \
	"e,e,A,30,30,0,0,否\nf,f,A,28,28,0,0,否\ng,g,A,26,26,0,0,否\nh,h,A,24,24,2,0,否\n" \
	"i,i,A,22,22,0,3,否\nj,j,A,20,20,0,0,是\n"

/* ---------- the generator ---------- */

START_TEST(test_factors)
{
	const double pts[4] = { 15, 15, 40, 30 };
	double g[4], h[4], sum;
	unsigned d;
	size_t i;

	kp_robust_factors(7, 3, 0, pts, 4, g);
	for (i = 0; i < 4; i++)
		ck_assert(g[i] == 1.0); /* spread 0: exactly 1 */
	for (d = 0; d < 200; d++) {
		kp_robust_factors(7, d, 0.2, pts, 4, g);
		for (i = 0, sum = 0; i < 4; i++) {
			/* within ±20%, then scaled by at most 1.2/0.8 either way */
			ck_assert(g[i] > 0.8 * 0.8 / 1.2 - 1e-12 && g[i] < 1.2 * 1.2 / 0.8 + 1e-12);
			sum += pts[i] * g[i];
		}
		ck_assert_double_eq_tol(sum, 100, 1e-9); /* the full points stay */
	}
	kp_robust_factors(7, 5, 0.2, pts, 4, g);
	kp_robust_factors(7, 5, 0.2, pts, 4, h);
	ck_assert(!memcmp(g, h, sizeof g)); /* a draw is a function of (seed, d) */
	kp_robust_factors(8, 5, 0.2, pts, 4, h);
	ck_assert(memcmp(g, h, sizeof g) != 0);
	kp_robust_factors(7, 6, 0.2, pts, 4, h);
	ck_assert(memcmp(g, h, sizeof g) != 0);
}
END_TEST

/* ---------- the draws ---------- */

START_TEST(test_spread_zero_is_the_run)
{
	fx f;
	kp_robust *rb;
	size_t i;

	fx_run(&f, RULES("3", ""), TEN);
	rb = robust(&f, 50, 0, KP_ROBUST_SECTION, 0);
	ck_assert_int_eq(rb->nweights, 2);
	for (i = 0; i < f.res->nunits; i++) {
		const kp_unit_result *u = &f.res->units[i];
		const kp_robust_unit *s = &rb->units[i];
		ck_assert_int_eq(s->rank_lo, u->rank);
		ck_assert_int_eq(s->rank_hi, u->rank);
		ck_assert_int_eq(s->rank_median, u->rank);
		ck_assert_int_eq(s->rank_min, u->rank);
		ck_assert_int_eq(s->rank_max, u->rank);
		ck_assert_uint_eq(s->commended, u->commended ? 50u : 0u);
		ck_assert(!s->fragile);
	}
	ck_assert_uint_eq(rb->nfragile, 0);
	kp_robust_free(rb);
	fx_free(&f);
}
END_TEST

START_TEST(test_boundary_flagged)
{
	fx f;
	kp_robust *rb;
	size_t c, d;

	fx_run(&f, RULES("3", ""), TEN);
	c = index_of(&f, "c"), d = index_of(&f, "d");
	/* c and d both have 70: tied, third by id; the weights decide */
	ck_assert_int_eq(f.res->units[c].rank, 3);
	ck_assert_int_eq(f.res->units[d].rank, 3);
	rb = robust(&f, 400, 0.2, KP_ROBUST_SECTION, 0);
	ck_assert_uint_gt(rb->units[c].commended, 40);
	ck_assert_uint_lt(rb->units[c].commended, 360);
	ck_assert(rb->units[c].fragile && rb->units[d].fragile);
	ck_assert_int_eq(rb->units[c].rank_lo, 3);
	ck_assert_int_eq(rb->units[c].rank_hi, 4);
	/* a and b always commended; the rest never; j is vetoed */
	ck_assert_uint_eq(rb->units[index_of(&f, "a")].commended, 400);
	ck_assert_uint_eq(rb->units[index_of(&f, "b")].commended, 400);
	ck_assert_uint_eq(rb->units[index_of(&f, "e")].commended, 0);
	ck_assert_uint_eq(rb->units[index_of(&f, "j")].commended, 0);
	ck_assert(!rb->units[index_of(&f, "a")].fragile && !rb->units[index_of(&f, "e")].fragile);
	ck_assert_uint_eq(rb->nfragile, 2);
	kp_robust_free(rb);
	fx_free(&f);
}
END_TEST

START_TEST(test_threads_do_not_matter)
{
	fx f;
	kp_robust *one, *two;

	fx_run(&f, RULES("3", ""), TEN);
	one = robust(&f, 301, 0.3, KP_ROBUST_SECTION, 1);
	two = robust(&f, 301, 0.3, KP_ROBUST_SECTION, 2);
	ck_assert(!memcmp(one->units, two->units, f.res->nunits * sizeof *one->units));
	kp_robust_free(two);
	two = robust(&f, 301, 0.3, KP_ROBUST_SECTION, 7);
	ck_assert(!memcmp(one->units, two->units, f.res->nunits * sizeof *one->units));
	kp_robust_free(one);
	kp_robust_free(two);
	fx_free(&f);
}
END_TEST

/* Progress: called from the calling thread only, never backwards, never
 * past the draws, and last with every draw done, whatever the threads. */
typedef struct ticks { pthread_t self; size_t calls, last, total; int backwards, other_thread; } ticks;
static void on_tick(void *ud, size_t done, size_t total)
{
	ticks *t = ud;

	t->backwards |= done < t->last || done > total;
	t->other_thread |= !pthread_equal(pthread_self(), t->self);
	t->calls++, t->last = done, t->total = total;
}

START_TEST(test_progress)
{
	int threads[] = { 1, 2, 7 };
	size_t k;
	fx f;

	fx_run(&f, RULES("3", ""), TEN);
	for (k = 0; k < sizeof threads / sizeof *threads; k++) {
		ticks t = { pthread_self(), 0, 0, 0, 0, 0 };
		kp_robust_opts o = { 301, 0.3, 42, KP_ROBUST_SECTION, threads[k], on_tick, &t };
		kp_robust *rb = NULL;

		ck_assert_msg(kp_robust_run(f.r, f.res, &o, &rb, &f.err) == 0, "%s", f.err.msg);
		ck_assert(t.calls > 0 && !t.backwards && !t.other_thread);
		ck_assert_uint_eq(t.last, 301);
		ck_assert_uint_eq(t.total, 301);
		kp_robust_free(rb);
	}
	fx_free(&f);
}
END_TEST

/* Deductions and bonus are not weights: h (48 − 2) and i (44 + 3) keep
 * them in every draw, and a unit's perturbed total is its sections
 * rescaled: with S1 and S2 equal for e..i their order never changes. */
START_TEST(test_deductions_and_bonus_kept)
{
	fx f;
	kp_robust *rb;
	const char *ids[] = { "e", "f", "g", "i", "h" };
	size_t k;

	fx_run(&f, RULES("3", ""), TEN);
	ck_assert_double_eq(f.res->units[index_of(&f, "h")].total, 46);
	ck_assert_double_eq(f.res->units[index_of(&f, "i")].total, 47);
	rb = robust(&f, 200, 0.25, KP_ROBUST_SECTION, 0);
	for (k = 0; k < 5; k++) {
		const kp_robust_unit *s = &rb->units[index_of(&f, ids[k])];
		ck_assert_int_eq(s->rank_min, f.res->units[index_of(&f, ids[k])].rank);
		ck_assert_int_eq(s->rank_max, f.res->units[index_of(&f, ids[k])].rank);
	}
	kp_robust_free(rb);
	fx_free(&f);
}
END_TEST

START_TEST(test_by_indicator)
{
	fx f;
	kp_robust *rb;

	fx_run(&f, RULES("3", ""), TEN);
	rb = robust(&f, 100, 0, KP_ROBUST_INDICATOR, 0);
	ck_assert_int_eq(rb->nweights, 3);
	ck_assert_int_eq(rb->units[index_of(&f, "c")].rank_hi, 3);
	kp_robust_free(rb);
	rb = robust(&f, 300, 0.2, KP_ROBUST_INDICATOR, 0);
	ck_assert(rb->units[index_of(&f, "c")].fragile);
	kp_robust_free(rb);
	fx_free(&f);
}
END_TEST

/* max_total caps every draw: a (105) and b (104) stay tied at 100,
 * first and both commended, in every draw. */
START_TEST(test_max_total)
{
	fx f;
	kp_robust *rb;
	size_t a, b;

	fx_run(&f, HEAD("1", ", max_total = 100") BODY,
	       COLS "a,a,A,50,50,0,5,否\nb,b,A,49,50,0,5,否\nc,c,A,10,10,0,0,否\n");
	a = index_of(&f, "a"), b = index_of(&f, "b");
	ck_assert_double_eq(f.res->units[b].total, 100);
	rb = robust(&f, 100, 0.1, KP_ROBUST_SECTION, 0);
	ck_assert_int_eq(rb->units[a].rank_max, 1);
	ck_assert_int_eq(rb->units[b].rank_max, 1);
	ck_assert_uint_eq(rb->units[a].commended, 100);
	ck_assert_uint_eq(rb->units[b].commended, 100);
	kp_robust_free(rb);
	fx_free(&f);
}
END_TEST

/* commend { eligible = function } is not called per draw: each unit keeps
 * the real run's verdict.  c (deducted) is never eligible, so d, tied
 * with it, is commended in every draw. */
START_TEST(test_eligible_function_kept)
{
	fx f;
	kp_robust *rb;

	fx_run(&f, RULES("3", "commend { eligible = function(r) return r.deductions == 0 end }\n"),
	       COLS "a,a,A,50,50,0,0,否\nb,b,A,48,49,0,0,否\nc,c,A,46,26,1,0,否\nd,d,A,25,45,0,0,否\n"
		    "e,e,A,30,30,0,0,否\n");
	ck_assert(!f.res->units[index_of(&f, "c")].eligible);
	rb = robust(&f, 200, 0.2, KP_ROBUST_SECTION, 0);
	ck_assert_uint_eq(rb->units[index_of(&f, "c")].commended, 0);
	ck_assert_uint_eq(rb->units[index_of(&f, "d")].commended, 200);
	ck_assert_uint_gt(rb->units[index_of(&f, "c")].rank_max, rb->units[index_of(&f, "c")].rank_min);
	kp_robust_free(rb);
	fx_free(&f);
}
END_TEST

START_TEST(test_needs_items)
{
	fx f;
	kp_score_opts o = {0};
	kp_robust_opts ro = { 10, 0.2, 1, KP_ROBUST_SECTION, 0, NULL, NULL };
	kp_robust *rb = NULL;

	fx_load(&f, RULES("3", ""));
	fx_units(&f, TEN);
	ck_assert_int_eq(kp_score_run(f.r, f.d, &o, &f.res, &f.err), 0); /* no details */
	ck_assert_int_eq(kp_robust_run(f.r, f.res, &ro, &rb, &f.err), KP_EINTERNAL);
	ck_assert_ptr_null(rb);
	ck_assert_ptr_nonnull(strstr(f.err.msg, "items"));
	ro.draws = 0;
	ck_assert_int_eq(kp_robust_run(f.r, f.res, &ro, &rb, &f.err), KP_EUSAGE);
	ro.draws = 10, ro.spread = 1;
	ck_assert_int_eq(kp_robust_run(f.r, f.res, &ro, &rb, &f.err), KP_EUSAGE);
	fx_free(&f);
}
END_TEST

static Suite *robust_suite(void)
{
	Suite *s = suite_create("robust");
	TCase *tc = tcase_create("robust");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_factors);
	tcase_add_test(tc, test_spread_zero_is_the_run);
	tcase_add_test(tc, test_boundary_flagged);
	tcase_add_test(tc, test_threads_do_not_matter);
	tcase_add_test(tc, test_progress);
	tcase_add_test(tc, test_deductions_and_bonus_kept);
	tcase_add_test(tc, test_by_indicator);
	tcase_add_test(tc, test_max_total);
	tcase_add_test(tc, test_eligible_function_kept);
	tcase_add_test(tc, test_needs_items);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(robust_suite)
