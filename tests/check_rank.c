/* check_rank.c — ranking, grades and commendation (DESIGN §2: 排名, 等次,
 * 表彰): competition ranking on the rounded total, declared tie-breakers
 * and the note naming the one that decided, units still tied sharing a
 * rank in unit-id byte order, grade quotas (ties across the line, vetoed
 * units), commendation quotas per category with boundary ties, shortfalls
 * and eligibility, categories in declared order, vetoed units ranked last
 * (commend { veto_rank = "last" }).  Results are built by
 * kp_score_run on a tiny rule file whose scores are read from the data,
 * so each unit's total is set directly in the CSV text. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_fixture.h"
#include "kaoping/data.h"
#include "kaoping/rank.h"
#include "kaoping/result.h"
#include "kaoping/rules.h"
#include "kaoping/score.h"
#include "kaoping/table.h"

/* Two sections read from s1 and s2, a total deduction d, a bonus b, a
 * veto v; categories, grades and commend are given per test. */
#define RULES(cats, rest)                                                                          \
	"assessment { title = \"r\", unit = { id = \"id\", name = \"name\", category = \"cat\" },\n" \
	"  categories = { " cats " } }\n"                                                            \
	"section \"S1\" { points = 50, indicator \"I1\" { points = 50, score = function(u) return u.s1 end } }\n" \
	"section \"S2\" { points = 50, indicator \"I2\" { points = 50, score = function(u) return u.s2 end } }\n" \
	"deduction \"D\" { per = 1, count = \"d\" }\n"                                                \
	"bonus \"B\" { max = 5, score = function(u) return u.b end }\n"                               \
	"veto \"V\" { when = \"v\", reason = \"否决\" }\n" rest
#define GRADES(q1, ties)                                                                           \
	"grades { {\"优秀\", 90" q1 "}, {\"良好\", 80}, {\"合格\", 60}, {\"不合格\", 0}" ties " }\n"
#define COLS "id,name,cat,s1,s2,d,b,v\n"

/* ---------- fixture (tests/check_fixture.h) ---------- */

static void fx_run(fx *f, const char *src, const char *csv)
{
	kp_score_opts o = {0};

	fx_load(f, src);
	fx_units(f, csv);
	ck_assert_msg(kp_score_run(f->r, f->d, &o, &f->res, &f->err) == 0, "%s", f->err.msg);
	/* the tie and quota notes as a Chinese report shows them */
	ck_assert_int_eq(kp_result_render_notes(f->res, KP_LANG_ZH, &f->err), 0);
}


static const kp_unit_result *unit(const fx *f, const char *id)
{
	size_t i;

	for (i = 0; i < f->res->nunits; i++)
		if (!strcmp(f->res->units[i].id, id))
			return &f->res->units[i];
	ck_abort_msg("no unit %s", id);
	return NULL;
}

static const char *grade(const fx *f, const char *id)
{
	const kp_unit_result *u = unit(f, id);

	return u->grade >= 0 ? f->res->grades[u->grade] : "(none)";
}

/* The report order: "id:rank id:rank ..." */
static void assert_order(const fx *f, const char *want)
{
	char got[1024];
	size_t i, o = 0;

	got[0] = '\0';
	for (i = 0; i < f->res->nunits; i++)
		o += (size_t)snprintf(got + o, sizeof got - o, "%s%s:%d", i ? " " : "", f->res->units[i].id,
				      f->res->units[i].rank);
	ck_assert_str_eq(got, want);
}

/* ---------- ranking ---------- */

START_TEST(test_competition)
{
	fx f;

	/* 90, 80, 80, 80, 70: 1, 2, 2, 2, 5; the tied ones by id bytes:
	 * "u10" < "u9" < "甲" (0xE7) */
	fx_run(&f, RULES("\"A\"", ""),
	       COLS "u9,九,A,40,40,0,0,否\np,p,A,45,45,0,0,否\n甲,甲,A,40,40,0,0,否\nz,z,A,35,35,0,0,否\n"
		    "u10,十,A,40,40,0,0,否\n");
	assert_order(&f, "p:1 u10:2 u9:2 甲:2 z:5");
	ck_assert_ptr_null(KP_MORE(unit(&f, "u9"))->tie_note);
	ck_assert_int_eq(f.res->categories[0].first, 0);
	ck_assert_int_eq(f.res->categories[0].count, 5);
	fx_free(&f);
}
END_TEST

START_TEST(test_rank_on_rounded_total)
{
	fx f;

	/* 80.001 and 80.004 are both 80.00: tied; 80.005 is 80.01 */
	fx_run(&f, "assessment { title = \"r\", round = \"total\", unit = { id = \"id\", name = \"name\", category = \"cat\" },\n"
		   "  categories = { \"A\" } }\n"
		   "section \"S\" { points = 100, indicator \"I\" { points = 100, score = function(u) return u.s end } }\n",
	       "id,name,cat,s\nb,b,A,80.001\na,a,A,80.004\nc,c,A,80.005\n");
	assert_order(&f, "c:1 a:2 b:2");
	ck_assert_double_eq(unit(&f, "a")->total, 80);
	ck_assert_double_eq(unit(&f, "c")->total, 80.01);
	fx_free(&f);
}
END_TEST

START_TEST(test_tie_breakers)
{
	fx f;

	/* all total 80.  By S2, then fewer deductions, then more bonus:
	 * t4 = t5 (S2 40, no deduction, bonus 3) > t1 (40, 0, 0) > t3 (40, 1 taken)
	 * > t2 (S2 35).  t4 and t5 are still tied: one rank, by id. */
	fx_run(&f, RULES("\"A\"", "commend { tie_break = { \"S2\", \"deductions\", \"bonus\" } }\n"),
	       COLS "t1,t1,A,40,40,0,0,否\nt2,t2,A,45,35,0,0,否\nt3,t3,A,41,40,1,0,否\n"
		    "t5,t5,A,37,40,0,3,否\nt4,t4,A,37,40,0,3,否\nt0,t0,A,50,50,0,0,否\n");
	assert_order(&f, "t0:1 t4:2 t5:2 t1:4 t3:5 t2:6");
	ck_assert_double_eq(unit(&f, "t2")->total, 80);
	ck_assert_double_eq(unit(&f, "t3")->total, 80);
	ck_assert_double_eq(unit(&f, "t4")->total, 80);
	/* the note names the tie-breaker that decided */
	ck_assert_str_eq(KP_MORE(unit(&f, "t3"))->tie_note, "总分并列, 按“扣分”(少者优先)排序");
	ck_assert_str_eq(KP_MORE(unit(&f, "t2"))->tie_note, "总分并列, 按“S2”(高者优先)排序");
	ck_assert_str_eq(KP_MORE(unit(&f, "t5"))->tie_note, "总分并列, 按“加分”(高者优先)排序");
	/* t4 was placed above t1 just as t5 was */
	ck_assert_msg(KP_MORE(unit(&f, "t4"))->tie_note && !strcmp(KP_MORE(unit(&f, "t4"))->tie_note, KP_MORE(unit(&f, "t5"))->tie_note), "t4: %s",
		      KP_MORE(unit(&f, "t4"))->tie_note ? KP_MORE(unit(&f, "t4"))->tie_note : "(null)");
	ck_assert_ptr_nonnull(KP_MORE(unit(&f, "t1"))->tie_note);
	ck_assert_ptr_null(KP_MORE(unit(&f, "t0"))->tie_note);
	fx_free(&f);
}
END_TEST

START_TEST(test_tie_break_chinese_names)
{
	fx f;

	/* "扣分" and "加分" are the Chinese names of the two built-ins */
	fx_run(&f, RULES("\"A\"", "commend { tie_break = { \"扣分\", \"加分\" } }\n"),
	       COLS "a,a,A,40,40,1,1,否\nb,b,A,40,40,0,0,否\nc,c,A,38,40,0,2,否\n");
	/* all 80: b and c have no deduction; c has more bonus */
	assert_order(&f, "c:1 b:2 a:3");
	ck_assert_str_eq(KP_MORE(unit(&f, "a"))->tie_note, "总分并列, 按“扣分”(少者优先)排序");
	ck_assert_str_eq(KP_MORE(unit(&f, "c"))->tie_note, "总分并列, 按“加分”(高者优先)排序");
	fx_free(&f);
}
END_TEST

START_TEST(test_categories_in_declared_order)
{
	fx f;

	/* the data lists A first; the rules declare B first */
	fx_run(&f, RULES("{\"B\", commend = 1}, {\"A\", commend = 1}, \"C\"", ""),
	       COLS "a1,a1,A,40,40,0,0,否\na2,a2,A,45,40,0,0,否\nb1,b1,B,10,10,0,0,否\nb2,b2,B,30,30,0,0,否\n");
	assert_order(&f, "b2:1 b1:2 a2:1 a1:2");
	ck_assert_str_eq(f.res->categories[0].name, "B");
	ck_assert_str_eq(f.res->categories[1].name, "A");
	ck_assert_str_eq(f.res->categories[2].name, "C");
	ck_assert_int_eq(f.res->categories[0].first, 0);
	ck_assert_int_eq(f.res->categories[0].count, 2);
	ck_assert_int_eq(f.res->categories[1].first, 2);
	ck_assert_int_eq(f.res->categories[1].count, 2);
	ck_assert_int_eq(f.res->categories[2].count, 0);
	ck_assert_int_eq(unit(&f, "b2")->commended, 1);
	ck_assert_int_eq(unit(&f, "a2")->commended, 1);
	ck_assert_int_eq(unit(&f, "b1")->commended, 0);
	/* the section points moved with their units */
	ck_assert_double_eq(KP_SEC(f.res, 0, 0), 30);
	ck_assert_double_eq(KP_SEC(f.res, 2, 0), 45);
	ck_assert_double_eq(KP_SEC(f.res, 3, 1), 40);
	fx_free(&f);
}
END_TEST

/* ---------- grades and quotas ---------- */

/* ten units of A; s1 + s2 make the totals */
static const char ten[] = COLS
	"k1,k1,A,50,45,0,0,否\nk2,k2,A,50,44,0,0,否\nk3,k3,A,50,43,0,0,否\nk4,k4,A,50,41,0,0,否\n"
	"k5,k5,A,50,35,0,0,否\nk6,k6,A,50,34,0,0,否\nk7,k7,A,50,20,0,0,否\nk8,k8,A,50,15,0,0,否\n"
	"k9,k9,A,40,10,0,0,否\nk10,k10,A,30,10,0,0,否\n";

START_TEST(test_grades_plain)
{
	fx f;

	fx_run(&f, RULES("\"A\"", GRADES("", "")), ten);
	/* 95 94 93 91 → 优秀; 85 84 → 良好; 70 65 → 合格; 50 40 → 不合格 */
	ck_assert_str_eq(grade(&f, "k1"), "优秀");
	ck_assert_str_eq(grade(&f, "k4"), "优秀");
	ck_assert_str_eq(grade(&f, "k5"), "良好");
	ck_assert_str_eq(grade(&f, "k7"), "合格");
	ck_assert_str_eq(grade(&f, "k8"), "合格");
	ck_assert_str_eq(grade(&f, "k9"), "不合格");
	ck_assert_str_eq(grade(&f, "k10"), "不合格");
	ck_assert_int_eq(unit(&f, "k4")->quota_dropped, 0);
	fx_free(&f);
}
END_TEST

START_TEST(test_grade_quota)
{
	fx f;

	/* 20% of 10 → 2: k1 (95), k2 (94) stay; k3 (93) and k4 (91) drop to 良好 */
	fx_run(&f, RULES("\"A\"", GRADES(", quota = 0.2", "")), ten);
	ck_assert_str_eq(grade(&f, "k1"), "优秀");
	ck_assert_str_eq(grade(&f, "k2"), "优秀");
	ck_assert_str_eq(grade(&f, "k3"), "良好");
	ck_assert_str_eq(grade(&f, "k4"), "良好");
	ck_assert_int_eq(unit(&f, "k3")->quota_dropped, 1);
	ck_assert_int_eq(unit(&f, "k4")->quota_dropped, 1);
	ck_assert_int_eq(unit(&f, "k2")->quota_dropped, 0);
	ck_assert_int_eq(unit(&f, "k5")->quota_dropped, 0);
	ck_assert_str_eq(grade(&f, "k5"), "良好");
	ck_assert_str_eq(grade(&f, "k7"), "合格");
	ck_assert_ptr_null(f.res->categories[0].note);
	fx_free(&f);
	/* 25% of 10 → ⌊2.5⌋ = 2 */
	fx_run(&f, RULES("\"A\"", GRADES(", quota = 0.25", "")), ten);
	ck_assert_str_eq(grade(&f, "k2"), "优秀");
	ck_assert_str_eq(grade(&f, "k3"), "良好");
	fx_free(&f);
	/* 5% of 10 → 0: nobody is 优秀 */
	fx_run(&f, RULES("\"A\"", GRADES(", quota = 0.05", "")), ten);
	ck_assert_str_eq(grade(&f, "k1"), "良好");
	ck_assert_int_eq(unit(&f, "k1")->quota_dropped, 1);
	fx_free(&f);
}
END_TEST

/* A tie across the quota line: 95, 93, 93, 91 with room for 2. */
static const char tied[] = COLS
	"k1,k1,A,50,45,0,0,否\nk2,k2,A,50,43,0,0,否\nk3,k3,A,50,43,0,0,否\nk4,k4,A,50,41,0,0,否\n"
	"k5,k5,A,50,35,0,0,否\nk6,k6,A,50,34,0,0,否\nk7,k7,A,50,20,0,0,否\nk8,k8,A,50,15,0,0,否\n"
	"k9,k9,A,40,10,0,0,否\nk10,k10,A,30,10,0,0,否\n";

START_TEST(test_grade_quota_tie_all)
{
	fx f;

	fx_run(&f, RULES("\"A\"", GRADES(", quota = 0.2", "")), tied);
	/* by default the tied units all stay: three 优秀 */
	ck_assert_int_eq(unit(&f, "k2")->rank, 2);
	ck_assert_int_eq(unit(&f, "k3")->rank, 2);
	ck_assert_str_eq(grade(&f, "k1"), "优秀");
	ck_assert_str_eq(grade(&f, "k2"), "优秀");
	ck_assert_str_eq(grade(&f, "k3"), "优秀");
	ck_assert_str_eq(grade(&f, "k4"), "良好");
	ck_assert_int_eq(unit(&f, "k3")->quota_dropped, 0);
	ck_assert_int_eq(unit(&f, "k4")->quota_dropped, 1);
	ck_assert_str_eq(f.res->categories[0].note, "优秀名额2个, 第2名并列于名额线, 并列者均保留");
	fx_free(&f);
}
END_TEST

START_TEST(test_grade_quota_tie_none)
{
	fx f;

	fx_run(&f, RULES("\"A\"", GRADES(", quota = 0.2", ", quota_ties = \"none\"")), tied);
	/* with quota_ties = "none" they all drop: one 优秀 */
	ck_assert_str_eq(grade(&f, "k1"), "优秀");
	ck_assert_str_eq(grade(&f, "k2"), "良好");
	ck_assert_str_eq(grade(&f, "k3"), "良好");
	ck_assert_str_eq(grade(&f, "k4"), "良好");
	ck_assert_int_eq(unit(&f, "k2")->quota_dropped, 1);
	ck_assert_int_eq(unit(&f, "k3")->quota_dropped, 1);
	ck_assert_int_eq(unit(&f, "k1")->quota_dropped, 0);
	ck_assert_str_eq(f.res->categories[0].note, "优秀名额2个, 第2名并列于名额线, 并列者均降一等");
	fx_free(&f);
}
END_TEST

START_TEST(test_grade_quota_veto)
{
	fx f;

	/* k0 (99) is vetoed: it takes no place in the quota and gets 不合格 */
	char csv[1024];

	snprintf(csv, sizeof csv, "%s", ten);
	/* replace k10 by a vetoed 99 so the category still has 10 units */
	strcpy(strstr(csv, "k10,"), "k0,k0,A,50,49,0,0,是\n");
	fx_run(&f, RULES("\"A\"", GRADES(", quota = 0.2", "")), csv);
	ck_assert_int_eq(unit(&f, "k0")->rank, 1);
	ck_assert_int_eq(unit(&f, "k0")->veto, 1);
	ck_assert_str_eq(grade(&f, "k0"), "不合格");
	ck_assert_int_eq(unit(&f, "k0")->quota_dropped, 0);
	ck_assert_str_eq(grade(&f, "k1"), "优秀");
	ck_assert_str_eq(grade(&f, "k2"), "优秀");
	ck_assert_str_eq(grade(&f, "k3"), "良好");
	fx_free(&f);
}
END_TEST

START_TEST(test_grade_quota_cascade)
{
	fx f;

	/* 优秀 2 of 10, 良好 3 of 10: k3 and k4 drop into 良好 and take two of
	 * its three places, k5 the third; k6 (84) drops to 合格 */
	fx_run(&f, RULES("\"A\"", "grades { {\"优秀\", 90, quota = 0.2}, {\"良好\", 80, quota = 0.3}, "
				  "{\"合格\", 60}, {\"不合格\", 0} }\n"), ten);
	ck_assert_str_eq(grade(&f, "k2"), "优秀");
	ck_assert_str_eq(grade(&f, "k3"), "良好");
	ck_assert_str_eq(grade(&f, "k4"), "良好");
	ck_assert_str_eq(grade(&f, "k5"), "良好");
	ck_assert_str_eq(grade(&f, "k6"), "合格");
	ck_assert_int_eq(unit(&f, "k6")->quota_dropped, 1);
	ck_assert_str_eq(grade(&f, "k7"), "合格");
	fx_free(&f);
}
END_TEST

START_TEST(test_grade_quota_floor)
{
	/* 0.57 × 100 is 56.99999999999999 in doubles: the quota is still 57.
	 * Totals 0.5, 1, 1.5 … 50, all different. */
	char *csv = malloc(8192);
	size_t o = (size_t)sprintf(csv, COLS), i;
	int n = 0;
	fx f;

	for (i = 1; i <= 100; i++)
		o += (size_t)sprintf(csv + o, "u%03zu,u,A,%.1f,0,0,0,否\n", i, (double)i / 2);
	fx_run(&f, RULES("\"A\"", "grades { {\"优秀\", 0, quota = 0.57}, {\"其他\", -1} }\n"), csv);
	for (i = 0; i < f.res->nunits; i++)
		n += f.res->units[i].grade == 0;
	ck_assert_int_eq(n, 57);
	ck_assert_int_eq(unit(&f, "u044")->grade, 0);  /* 22: the 57th */
	ck_assert_int_eq(unit(&f, "u043")->grade, 1);
	fx_free(&f);
	free(csv);
}
END_TEST

/* ---------- commendation ---------- */

START_TEST(test_commend)
{
	fx f;

	fx_run(&f, RULES("{\"A\", commend = 2}, {\"B\", commend = 3}", GRADES("", "")),
	       COLS "a1,a1,A,50,45,0,0,是\na2,a2,A,50,40,0,0,否\na3,a3,A,45,40,0,0,否\na4,a4,A,40,45,0,0,否\n"
		    "a5,a5,A,40,40,0,0,否\nb1,b1,B,40,30,0,0,否\nb2,b2,B,30,30,0,0,否\n");
	/* A: a1 vetoed; eligible a2 90, a3 85, a4 85, a5 80 → 1, 2, 2, 4:
	 * a2 in, a3 and a4 tied at the boundary: all in, flagged */
	ck_assert_int_eq(unit(&f, "a1")->eligible, 0);
	ck_assert_int_eq(unit(&f, "a1")->commended, 0);
	ck_assert_int_eq(unit(&f, "a2")->elig_rank, 1);
	ck_assert_int_eq(unit(&f, "a3")->elig_rank, 2);
	ck_assert_int_eq(unit(&f, "a4")->elig_rank, 2);
	ck_assert_int_eq(unit(&f, "a5")->elig_rank, 4);
	ck_assert_int_eq(unit(&f, "a2")->rank, 2);
	ck_assert_int_eq(unit(&f, "a2")->commended, 1);
	ck_assert_int_eq(unit(&f, "a2")->boundary_tie, 0);
	ck_assert_int_eq(unit(&f, "a3")->commended, 1);
	ck_assert_int_eq(unit(&f, "a3")->boundary_tie, 1);
	ck_assert_int_eq(unit(&f, "a4")->commended, 1);
	ck_assert_int_eq(unit(&f, "a4")->boundary_tie, 1);
	ck_assert_int_eq(unit(&f, "a5")->commended, 0);
	ck_assert_int_eq(unit(&f, "a5")->eligible, 1);
	ck_assert_int_eq(f.res->categories[0].commended, 3);
	ck_assert_int_eq(f.res->categories[0].boundary_ties, 2);
	ck_assert_int_eq(f.res->categories[0].shortfall, 0);
	ck_assert_int_eq(f.res->categories[0].quota, 2);
	/* B: 3 places, 2 units: both in, a shortfall of 1 */
	ck_assert_int_eq(unit(&f, "b1")->commended, 1);
	ck_assert_int_eq(unit(&f, "b2")->commended, 1);
	ck_assert_int_eq(f.res->categories[1].commended, 2);
	ck_assert_int_eq(f.res->categories[1].shortfall, 1);
	ck_assert_int_eq(f.res->categories[1].boundary_ties, 0);
	fx_free(&f);
}
END_TEST

START_TEST(test_commend_tie_broken)
{
	fx f;

	/* the same totals, but a tie-breaker splits a3 and a4: no boundary tie */
	fx_run(&f, RULES("{\"A\", commend = 2}", "commend { tie_break = { \"S1\" } }\n"),
	       COLS "a2,a2,A,50,40,0,0,否\na3,a3,A,45,40,0,0,否\na4,a4,A,40,45,0,0,否\n");
	assert_order(&f, "a2:1 a3:2 a4:3");
	ck_assert_int_eq(unit(&f, "a3")->commended, 1);
	ck_assert_int_eq(unit(&f, "a3")->boundary_tie, 0);
	ck_assert_int_eq(unit(&f, "a4")->commended, 0);
	ck_assert_int_eq(f.res->categories[0].commended, 2);
	ck_assert_int_eq(f.res->categories[0].boundary_ties, 0);
	fx_free(&f);
}
END_TEST

START_TEST(test_commend_conditions)
{
	fx f;

	/* min_grade 良好, min_score 82, and the function: no deduction taken and
	 * at least 38 in S2 (the function sees the result record) */
	fx_run(&f, RULES("{\"A\", commend = 3}", GRADES("", "")
			 "commend { min_grade = \"良好\", min_score = 82,\n"
			 "  eligible = function(r) return r.deductions == 0 and r.sections.S2 >= 38\n"
			 "    and r.category == \"A\" and r.veto == false and r.grade ~= nil and r.rank >= 1 end }\n"),
	       COLS "c1,c1,A,50,45,0,0,否\nc2,c2,A,50,40,1,0,否\nc3,c3,A,50,35,0,0,否\nc4,c4,A,43,40,0,0,否\n"
		    "c5,c5,A,41,40,0,0,否\nc6,c6,A,40,30,0,0,否\n");
	/* c1 95 in; c2 89 (a deduction) out; c3 85 (S2 35) out; c4 83 in;
	 * c5 81 < 82 out; c6 70 合格 out: two for three places */
	ck_assert_int_eq(unit(&f, "c1")->commended, 1);
	ck_assert_int_eq(unit(&f, "c2")->eligible, 0);
	ck_assert_int_eq(unit(&f, "c3")->eligible, 0);
	ck_assert_int_eq(unit(&f, "c4")->eligible, 1);
	ck_assert_int_eq(unit(&f, "c4")->elig_rank, 2);
	ck_assert_int_eq(unit(&f, "c4")->commended, 1);
	ck_assert_int_eq(unit(&f, "c5")->eligible, 0);
	ck_assert_int_eq(unit(&f, "c6")->eligible, 0);
	ck_assert_int_eq(f.res->categories[0].commended, 2);
	ck_assert_int_eq(f.res->categories[0].shortfall, 1);
	fx_free(&f);
}
END_TEST

START_TEST(test_commend_min_grade_after_quota)
{
	fx f;

	/* min_grade 优秀 with a 20% quota: only the units that kept 优秀 */
	fx_run(&f, RULES("{\"A\", commend = 5}", GRADES(", quota = 0.2", "") "commend { min_grade = \"优秀\" }\n"), ten);
	ck_assert_int_eq(unit(&f, "k1")->commended, 1);
	ck_assert_int_eq(unit(&f, "k2")->commended, 1);
	ck_assert_int_eq(unit(&f, "k3")->commended, 0);
	ck_assert_int_eq(f.res->categories[0].commended, 2);
	ck_assert_int_eq(f.res->categories[0].shortfall, 3);
	fx_free(&f);
}
END_TEST

START_TEST(test_commend_none)
{
	fx f;

	/* no quota: nobody commended, no shortfall */
	fx_run(&f, RULES("\"A\"", ""), COLS "a,a,A,50,50,0,0,否\n");
	ck_assert_int_eq(unit(&f, "a")->commended, 0);
	ck_assert_int_eq(unit(&f, "a")->eligible, 1);
	ck_assert_int_eq(f.res->categories[0].shortfall, 0);
	ck_assert_int_eq(unit(&f, "a")->grade, -1);
	fx_free(&f);
}
END_TEST

START_TEST(test_commend_error)
{
	fx f;
	kp_score_opts o = {0};

	fx_load(&f, RULES("{\"A\", commend = 1}", "commend { eligible = function(r) return r.nothing.x end }\n"));
	fx_units(&f, COLS "a,a,A,50,50,0,0,否\n");
	ck_assert_int_eq(kp_score_run(f.r, f.d, &o, &f.res, &f.err), KP_ERULE);
	ck_assert_msg(strstr(f.err.msg, "for unit 'a'") && strstr(f.err.msg, "eligible"), "%s", f.err.msg);
	ck_assert_ptr_null(f.res);
	fx_free(&f);
}
END_TEST

/* commend { veto_rank = "last" }: the vetoed units of a category after
 * all the others, ranks going on, competition ranking among them; grades
 * and commendation as before; a tie on the total across the line is no
 * tie (no shared rank, no tie note). */
START_TEST(test_veto_last)
{
	fx f;
	const char *csv = COLS "a1,a1,A,50,45,0,0,是\na2,a2,A,50,40,0,0,否\na3,a3,A,45,40,0,0,是\n"
			       "a4,a4,A,40,45,0,0,是\na5,a5,A,40,40,0,0,否\na6,a6,A,45,40,0,0,否\n"
			       "b1,b1,B,40,40,0,0,是\nb2,b2,B,30,30,0,0,否\n";

	fx_run(&f, RULES("{\"A\", commend = 2}, {\"B\", commend = 1}",
			 GRADES(", quota = 0.2", "") "commend { veto_rank = \"last\", tie_break = { \"S1\" } }\n"), csv);
	/* A: a2 90, a6 85, a5 80; then vetoed a1 95, a3 85 and a4 85 (S1
	 * splits them: a3 45 before a4 40); a6 85 is not tied with a3 */
	assert_order(&f, "a2:1 a6:2 a5:3 a1:4 a3:5 a4:6 b2:1 b1:2");
	ck_assert_ptr_null(KP_MORE(unit(&f, "a6"))->tie_note);
	ck_assert_str_eq(KP_MORE(unit(&f, "a4"))->tie_note, "总分并列, 按“S1”(高者优先)排序");
	/* grades: vetoed units 不合格; the 优秀 quota (20% of 6: 1) holds a2 */
	ck_assert_str_eq(grade(&f, "a1"), "不合格");
	ck_assert_str_eq(grade(&f, "a2"), "优秀");
	ck_assert_str_eq(grade(&f, "a6"), "良好");
	ck_assert_int_eq(unit(&f, "a2")->commended, 1);
	ck_assert_int_eq(unit(&f, "a6")->commended, 1);
	ck_assert_int_eq(unit(&f, "a5")->commended, 0);
	ck_assert_int_eq(unit(&f, "a1")->eligible, 0);
	ck_assert_int_eq(unit(&f, "b2")->commended, 1);
	ck_assert_int_eq(f.res->categories[0].first, 0);
	ck_assert_int_eq(f.res->categories[0].count, 6);
	ck_assert_int_eq(f.res->categories[1].first, 6);
	fx_free(&f);

	/* vetoed units tied among themselves share a rank, by id */
	fx_run(&f, RULES("\"A\"", "commend { veto_rank = \"last\" }\n"),
	       COLS "v2,v2,A,40,40,0,0,是\nv1,v1,A,40,40,0,0,是\nok,ok,A,10,10,0,0,否\nv3,v3,A,50,40,0,0,是\n");
	assert_order(&f, "ok:1 v3:2 v1:3 v2:3");
	fx_free(&f);

	/* the default ("total", or no veto_rank) ranks vetoed units by total */
	fx_run(&f, RULES("{\"A\", commend = 2}, {\"B\", commend = 1}",
			 GRADES(", quota = 0.2", "") "commend { veto_rank = \"total\", tie_break = { \"S1\" } }\n"), csv);
	assert_order(&f, "a1:1 a2:2 a3:3 a6:3 a4:5 a5:6 b1:1 b2:2");
	fx_free(&f);
}
END_TEST

START_TEST(test_veto_rank_error)
{
	fx f;
	char path[64];
	int fd;
	FILE *fp;

	memset(&f, 0, sizeof f);
	snprintf(path, sizeof path, "/tmp/kp_rank_XXXXXX.lua");
	fd = mkstemps(path, 4);
	ck_assert_int_ge(fd, 0);
	fp = fdopen(fd, "w");
	fputs(RULES("\"A\"", "commend { veto_rank = \"first\" }\n"), fp);
	fclose(fp);
	ck_assert_int_eq(kp_rules_load(path, NULL, 0, &f.r, &f.err), KP_ERULE);
	unlink(path);
	ck_assert_msg(strstr(f.err.msg, ":8: commend: veto_rank must be \"last\""), "%s", f.err.msg);
	fx_free(&f);
}
END_TEST

/* kp_rank_run on a result built by hand: the order, ranks and flags. */
START_TEST(test_rank_run_direct)
{
	fx f;
	kp_result *res;
	kp_err err = {0};
	static const struct {
		const char *id;
		int cat;
		double total, s2;
	} in[] = { { "x", 1, 70, 30 }, { "y", 0, 80, 40 }, { "z", 0, 80, 45 }, { "w", 1, 75, 30 }, { "v", 0, 60, 10 } };
	size_t i;

	fx_load(&f, RULES("{\"A\", commend = 1}, {\"B\", commend = 1}",
			  GRADES("", "") "commend { tie_break = { \"S2\" } }\n"));
	ck_assert_int_eq(kp_result_new(&res, &err), 0);
	res->nsections = 2;
	res->ncategories = 2;
	res->categories = calloc(2, sizeof *res->categories);
	res->categories[0].quota = res->categories[1].quota = 1;
	res->nunits = 5;
	res->units = calloc(5, sizeof *res->units);
	res->sec = calloc(10, sizeof *res->sec);
	for (i = 0; i < 5; i++) {
		res->units[i].id = kp_result_str(res, in[i].id, &err);
		res->units[i].name = res->units[i].id;
		res->units[i].category = in[i].cat;
		res->units[i].total = res->units[i].raw = in[i].total;
		KP_SEC(res, i, 1) = in[i].s2;
	}
	ck_assert_int_eq(kp_rank_run(f.r, res, NULL, NULL, &err), 0);
	/* A: z (S2 45) before y, v; B: w, x */
	ck_assert_str_eq(res->units[0].id, "z");
	ck_assert_str_eq(res->units[1].id, "y");
	ck_assert_str_eq(res->units[2].id, "v");
	ck_assert_str_eq(res->units[3].id, "w");
	ck_assert_str_eq(res->units[4].id, "x");
	ck_assert_int_eq(res->units[1].rank, 2);
	ck_assert_double_eq(KP_SEC(res, 0, 1), 45);
	ck_assert_double_eq(KP_SEC(res, 4, 1), 30);
	ck_assert_int_eq(res->units[0].commended, 1);
	ck_assert_int_eq(res->units[1].commended, 0);
	ck_assert_int_eq(res->units[3].commended, 1);
	ck_assert_int_eq(res->units[2].grade, 2); /* 60: 合格 */
	ck_assert_int_eq(res->categories[0].first, 0);
	ck_assert_int_eq(res->categories[0].count, 3);
	ck_assert_int_eq(res->categories[1].first, 3);
	ck_assert_int_eq(res->categories[1].count, 2);
	kp_result_free(res);
	fx_free(&f);
	kp_err_clear(&err);
}
END_TEST

/* The report order of n units built by hand, checked pair by pair:
 * category, then total (best first, -0 as 0), then the tie-breaker S2
 * when declared, then the id in byte order; every unit there once.  The
 * totals are drawn from a few values (most units tie: the sort keeps
 * them by id, not by where they were) including negatives, -0 and 0,
 * and, unless rounded, huge and tiny ones; the ids come in id order or
 * shuffled. */
static void rank_order_case(const char *rules, int tie_s2, int ids_sorted, int rounded, unsigned seed)
{
	/* the first nine are totals rounded at 2 places (ranked by the
	 * integers they stand for), the last three are not (by their bits) */
	static const double totals[] = { 100, 99.99, 80, 0, -0.0, -1.5, 70.01, 70.1, 60, -1e300, 1e300, 5e-324 };
	int ntotals = rounded ? 9 : 12;
	enum { N = 3000 };
	fx f;
	kp_result *res;
	kp_err err = {0};
	unsigned char *seen = calloc(N, 1);
	size_t i;
	char id[16];

	fx_load(&f, rules);
	ck_assert_int_eq(kp_result_new(&res, &err), 0);
	res->nsections = 2;
	res->ncategories = 2;
	res->precision = 2;
	res->categories = calloc(2, sizeof *res->categories);
	res->nunits = N;
	res->units = calloc(N, sizeof *res->units);
	res->sec = calloc(2 * N, sizeof *res->sec);
	ck_assert(seen && res->categories && res->units && res->sec);
	srand(seed);
	for (i = 0; i < N; i++) {
		size_t k = ids_sorted ? i : (i * 7919) % N; /* a permutation of 0..N-1 */
		snprintf(id, sizeof id, "u%05zu", k);
		res->units[i].id = kp_result_str(res, id, &err);
		res->units[i].name = res->units[i].id;
		res->units[i].category = rand() % 2;
		res->units[i].total = res->units[i].raw = totals[rand() % ntotals];
		KP_SEC(res, i, 1) = rand() % 3;
	}
	ck_assert_int_eq(kp_rank_run(f.r, res, NULL, NULL, &err), 0);
	for (i = 0; i < N; i++) {
		unsigned k = (unsigned)strtoul(res->units[i].id + 1, NULL, 10);
		ck_assert_uint_lt(k, N);
		ck_assert_msg(!seen[k], "%s twice", res->units[i].id);
		seen[k] = 1;
	}
	for (i = 1; i < N; i++) {
		const kp_unit_result *a = &res->units[i - 1], *b = &res->units[i];
		int c = strcmp(a->id, b->id);
		ck_assert_int_le(a->category, b->category);
		if (a->category != b->category)
			continue;
		ck_assert_msg(a->total >= b->total, "%s %g before %s %g", a->id, a->total, b->id, b->total);
		if (a->total != b->total)
			continue;
		if (tie_s2 && KP_SEC(res, i - 1, 1) != KP_SEC(res, i, 1)) {
			ck_assert_double_gt(KP_SEC(res, i - 1, 1), KP_SEC(res, i, 1));
			continue;
		}
		ck_assert_msg(c < 0, "%s before %s, tied at %g", a->id, b->id, a->total);
		ck_assert_int_eq(b->rank, a->rank);
	}
	free(seen);
	kp_result_free(res);
	fx_free(&f);
	kp_err_clear(&err);
}

START_TEST(test_rank_order_many)
{
	const char *plain = RULES("{\"A\", commend = 1}, {\"B\", commend = 1}", GRADES("", "") "commend {}\n");
	const char *s2 = RULES("{\"A\", commend = 1}, {\"B\", commend = 1}",
			       GRADES("", "") "commend { tie_break = { \"S2\" } }\n");

	int rounded;

	for (rounded = 0; rounded <= 1; rounded++) {
		rank_order_case(plain, 0, 1, rounded, 1);
		rank_order_case(plain, 0, 0, rounded, 2);
		rank_order_case(s2, 1, 1, rounded, 3);
		rank_order_case(s2, 1, 0, rounded, 4);
	}
}
END_TEST

static Suite *rank_suite(void)
{
	Suite *s = suite_create("rank");
	TCase *tc = tcase_create("rank");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_competition);
	tcase_add_test(tc, test_rank_on_rounded_total);
	tcase_add_test(tc, test_tie_breakers);
	tcase_add_test(tc, test_tie_break_chinese_names);
	tcase_add_test(tc, test_categories_in_declared_order);
	tcase_add_test(tc, test_rank_run_direct);
	tcase_add_test(tc, test_rank_order_many);
	suite_add_tcase(s, tc);
	tc = tcase_create("grades");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_grades_plain);
	tcase_add_test(tc, test_grade_quota);
	tcase_add_test(tc, test_grade_quota_tie_all);
	tcase_add_test(tc, test_grade_quota_tie_none);
	tcase_add_test(tc, test_grade_quota_veto);
	tcase_add_test(tc, test_grade_quota_cascade);
	tcase_add_test(tc, test_grade_quota_floor);
	suite_add_tcase(s, tc);
	tc = tcase_create("commend");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_commend);
	tcase_add_test(tc, test_commend_tie_broken);
	tcase_add_test(tc, test_commend_conditions);
	tcase_add_test(tc, test_commend_min_grade_after_quota);
	tcase_add_test(tc, test_commend_none);
	tcase_add_test(tc, test_commend_error);
	tcase_add_test(tc, test_veto_last);
	tcase_add_test(tc, test_veto_rank_error);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(rank_suite)
