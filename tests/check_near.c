/* check_near.c — "did you mean …?": the edit distance counts characters,
 * not bytes (学法次数 and 学法册数 are one apart), a swap of neighbours is
 * one edit, and a name is suggested only when it is close. */
#include <string.h>

#include "check_util.h"
#include "kaoping/near.h"

struct dist_case {
	const char *a, *b;
	size_t want;
};

static const struct dist_case dist_cases[] = {
	{ "", "", 0 },
	{ "abc", "abc", 0 },
	{ "", "abc", 3 },
	{ "kitten", "sitting", 3 },
	{ "year", "yaer", 1 },               /* a swap is one edit */
	{ "score", "scroe", 1 },
	{ "ca", "abc", 3 },                  /* optimal string alignment: no edit of a swapped pair */
	{ "学法次数", "学法册数", 1 },        /* one character, three bytes */
	{ "学法次数", "学法数次", 1 },
	{ "学法次数", "学法", 2 },
	{ "城关镇", "城关", 1 },
	{ "B03", "B3", 1 },
	{ "审计问题数", "审计问题束", 1 },
	{ "a\xC3\xA9", "ae", 1 },            /* é is one character */
};

START_TEST(test_distance_table)
{
	const struct dist_case *c = &dist_cases[_i];

	ck_assert_msg(kp_near_distance(c->a, c->b) == c->want, "'%s' to '%s': %zu, want %zu", c->a, c->b,
		      kp_near_distance(c->a, c->b), c->want);
	ck_assert_msg(kp_near_distance(c->b, c->a) == c->want, "'%s' to '%s' is not symmetric", c->b, c->a);
}
END_TEST

/* Too long or not UTF-8: never compared, never cut. */
START_TEST(test_distance_refused)
{
	char longer[KP_NEAR_MAX + 2];

	memset(longer, 'x', sizeof longer - 1);
	longer[sizeof longer - 1] = '\0';
	ck_assert(kp_near_distance(longer, "x") == (size_t)-1);
	longer[KP_NEAR_MAX] = '\0'; /* exactly KP_NEAR_MAX characters */
	ck_assert_uint_eq(kp_near_distance(longer, ""), KP_NEAR_MAX);
	ck_assert(kp_near_distance("\xFF", "a") == (size_t)-1);
	ck_assert(kp_near_distance("\xE5\xAD", "a") == (size_t)-1); /* cut inside a character */
	ck_assert(!kp_near_close("\xFF", "a"));
}
END_TEST

START_TEST(test_close)
{
	ck_assert(kp_near_close("学法册数", "学法次数"));
	ck_assert(kp_near_close("yaer", "year"));
	ck_assert(kp_near_close("B3", "B03"));
	ck_assert(!kp_near_close("year", "year"));       /* the same name is no suggestion */
	ck_assert(!kp_near_close("a", "b"));             /* one character: nothing left in common */
	ck_assert(!kp_near_close("学法", "年度"));
	ck_assert(!kp_near_close("format", "year"));
	ck_assert(!kp_near_close("学法次数", "会前学法"));
	ck_assert(kp_near_close("replcae", "replace"));
	ck_assert(!kp_near_close("xyz", "replace"));
}
END_TEST

START_TEST(test_best)
{
	static const char *const cols[] = { "单位代码", "学法次数", NULL, "学法人数", "", "印发工作要点" };
	static const char *const verbs[] = { "run", "import", "imports", "score", "report", "explain", "runs" };

	ck_assert_str_eq(kp_near_best("学法册数", cols, 6), "学法次数");   /* the first of equals */
	ck_assert_str_eq(kp_near_best("学法人数x", cols, 6), "学法人数");
	ck_assert_ptr_null(kp_near_best("完全不同的名字", cols, 6));
	ck_assert_ptr_null(kp_near_best("学法次数", cols, 6));           /* there already */
	ck_assert_str_eq(kp_near_best("scroe", verbs, 7), "score");
	ck_assert_str_eq(kp_near_best("imprt", verbs, 7), "import");
	ck_assert_str_eq(kp_near_best("rnus", verbs, 7), "runs");
	ck_assert_ptr_null(kp_near_best("frobnicate", verbs, 7));
	ck_assert_ptr_null(kp_near_best("x", verbs, 0));
}
END_TEST

static Suite *near_suite(void)
{
	Suite *s = suite_create("near");
	TCase *tc = tcase_create("distance");

	tcase_add_loop_test(tc, test_distance_table, 0, (int)(sizeof dist_cases / sizeof dist_cases[0]));
	tcase_add_test(tc, test_distance_refused);
	tcase_add_test(tc, test_close);
	tcase_add_test(tc, test_best);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(near_suite)
