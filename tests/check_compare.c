/* check_compare.c — two results side by side (compare.h): units matched
 * by id, rows grouped by category in the second result's order with the
 * units only the first has after them, rank and total changes, grade
 * changes, commendations gained and lost, a unit that changed category,
 * the counts per category, and an id twice in one result refused.
 * Results come from kp_score_run on a tiny rule file whose points are
 * read from the data. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_fixture.h"
#include "kaoping/compare.h"
#include "kaoping/data.h"
#include "kaoping/result.h"
#include "kaoping/rules.h"
#include "kaoping/score.h"
#include "kaoping/table.h"

#define RULES                                                                                      \
	"assessment { title = \"r\", unit = { id = \"id\", name = \"name\", category = \"cat\" },\n" \
	"  categories = { {\"A\", commend = 2}, {\"B\", commend = 1} } }\n"                          \
	"section \"S1\" { points = 50, indicator \"I1\" { points = 50, score = function(u) return u.s1 end } }\n" \
	"section \"S2\" { points = 50, indicator \"I2\" { points = 50, score = function(u) return u.s2 end } }\n" \
	"grades { {\"优秀\", 85}, {\"良好\", 75}, {\"合格\", 0} }\n"
#define COLS "id,name,cat,s1,s2\n"
#define DATA_A COLS "x,x,A,45,45\ny,y,A,40,40\nz,z,A,35,35\nv,v,A,30,30\nk,k,A,20,20\n"
#define DATA_B COLS "w,w,A,48,47\ny,y,A,42,43\nz,z,A,38,37\nx,x,A,35,35\nk,k,B,20,20\n"

/* ---------- fixture (tests/check_fixture.h) ---------- */

static void fx_run(fx *f, const char *src, const char *csv)
{
	kp_score_opts o = {0};


	fx_load(f, src);
	fx_units(f, csv);
	ck_assert_msg(kp_score_run(f->r, f->d, &o, &f->res, &f->err) == 0, "%s", f->err.msg);
}





static const kp_compare_row *row(const kp_compare *c, size_t i, const char *id)
{
	ck_assert_uint_lt(i, c->nrows);
	ck_assert_str_eq(c->rows[i].id, id);
	return &c->rows[i];
}

START_TEST(test_compare)
{
	fx a, b;
	kp_compare *c = NULL;
	const kp_compare_row *w;
	kp_err err = { 0 };

	fx_run(&a, RULES, DATA_A);
	fx_run(&b, RULES, DATA_B);
	ck_assert_int_eq(kp_compare_run(a.res, b.res, &c, &err), 0);
	ck_assert_uint_eq(c->ncats, 2);
	ck_assert_str_eq(c->cats[0].name, "A");
	ck_assert_str_eq(c->cats[1].name, "B");
	ck_assert_uint_eq(c->nrows, 6); /* w..x, v (only in a), k */
	ck_assert_uint_eq(c->cats[0].first, 0);
	ck_assert_uint_eq(c->cats[0].count, 5);
	/* w: only in b, commended there */
	w = row(c, 0, "w");
	ck_assert_ptr_null(w->a);
	ck_assert(w->gained && !w->lost);
	ck_assert_int_eq(w->rank_change, 0);
	/* y: second both times, 80 -> 85, 良好 -> 优秀, commended both times */
	w = row(c, 1, "y");
	ck_assert_int_eq(w->rank_change, 0);
	ck_assert_double_eq_tol(w->total_change, 5, 1e-9);
	ck_assert(w->grade_changed && !w->gained && !w->lost);
	w = row(c, 2, "z");
	ck_assert(w->grade_changed);
	/* x: first to fourth, 90 -> 70, commendation lost */
	w = row(c, 3, "x");
	ck_assert_int_eq(w->rank_change, -3);
	ck_assert_double_eq_tol(w->total_change, -20, 1e-9);
	ck_assert(w->lost && w->grade_changed);
	/* v: only in a, after b's units of its category */
	w = row(c, 4, "v");
	ck_assert_ptr_null(w->b);
	ck_assert_ptr_nonnull(w->a);
	ck_assert(!w->lost && !w->gained);
	/* k: moved from A to B; its ranks are not compared */
	w = row(c, 5, "k");
	ck_assert(w->category_changed);
	ck_assert_int_eq(w->rank_change, 0);
	ck_assert_int_eq(w->b->rank, 1);
	ck_assert(w->gained); /* the only one in B, commended there */
	ck_assert_uint_eq(c->cats[0].up, 0);
	ck_assert_uint_eq(c->cats[0].down, 1);
	ck_assert_uint_eq(c->cats[0].grade_changed, 3);
	ck_assert_uint_eq(c->cats[0].gained, 1);
	ck_assert_uint_eq(c->cats[0].lost, 1);
	ck_assert_uint_eq(c->cats[0].only_a, 1);
	ck_assert_uint_eq(c->cats[0].only_b, 1);
	ck_assert_uint_eq(c->cats[1].count, 1);
	kp_compare_free(c);
	fx_free(&a);
	fx_free(&b);
}
END_TEST

/* The same result twice: nothing moves. */
START_TEST(test_compare_same)
{
	fx a;
	kp_compare *c = NULL;
	kp_err err = { 0 };
	size_t i;

	fx_run(&a, RULES, DATA_A);
	ck_assert_int_eq(kp_compare_run(a.res, a.res, &c, &err), 0);
	ck_assert_uint_eq(c->nrows, a.res->nunits);
	for (i = 0; i < c->nrows; i++) {
		const kp_compare_row *w = &c->rows[i];
		ck_assert(w->a == w->b);
		ck_assert(!w->rank_change && w->total_change == 0 && !w->grade_changed && !w->gained && !w->lost);
	}
	ck_assert_uint_eq(c->cats[0].up + c->cats[0].down + c->cats[0].only_a + c->cats[0].only_b, 0);
	kp_compare_free(c);
	fx_free(&a);
}
END_TEST

START_TEST(test_compare_duplicate_id)
{
	fx a;
	kp_result *dup = ck_result();
	kp_compare *c = NULL;
	kp_err err = { 0 };

	fx_run(&a, RULES, DATA_A);
	ck_assert_ptr_nonnull(dup);
	dup->units = calloc(2, sizeof *dup->units);
	dup->categories = calloc(1, sizeof *dup->categories);
	dup->nunits = 2, dup->ncategories = 1;
	dup->categories[0].name = "A", dup->categories[0].count = 2;
	dup->units[0].id = dup->units[1].id = "x";
	dup->units[0].grade = dup->units[1].grade = -1;
	ck_assert_int_eq(kp_compare_run(a.res, dup, &c, &err), KP_EDATA);
	ck_assert_ptr_null(c);
	ck_assert_ptr_nonnull(strstr(err.msg, "'x' appears twice"));
	kp_result_free(dup);
	fx_free(&a);
}
END_TEST

static Suite *compare_suite(void)
{
	Suite *s = suite_create("compare");
	TCase *tc = tcase_create("compare");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_compare);
	tcase_add_test(tc, test_compare_same);
	tcase_add_test(tc, test_compare_duplicate_id);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(compare_suite)
