/* check_score.c — the scorer against the conventions of DESIGN §2, one or
 * more tests each: the indicator tree, 扣完为止, bonus caps, 一票否决,
 * every scoring helper, statistics within a category, rounding at the
 * declared precision, missing values (error, default, skip and rescale),
 * event aggregates, last year's results, what rule functions may return,
 * the notes, the yes/no words, and the rule files' own test cases.
 * Each test builds a small dataset in C, loads a small rule file written
 * to a temporary path, runs kp_score_run and checks exact points (worked
 * out by hand in the comments). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_util.h"
#include "kaoping/data.h"
#include "kaoping/result.h"
#include "kaoping/rules.h"
#include "kaoping/ruletest.h"
#include "kaoping/note.h"
#include "kaoping/score.h"
#include "kaoping/table.h"

/* Two categories; extra fields go before the closing brace. */
#define HEAD_WITH(extra)                                                                           \
	"assessment { title = \"t\", year = 2021,\n"                                               \
	"  unit = { id = \"id\", name = \"name\", category = \"cat\" },\n"                          \
	"  categories = { {\"A\", commend = 1}, {\"B\", commend = 1} }" extra " }\n"
#define HEAD HEAD_WITH("")

/* ---------- fixture ---------- */

typedef struct fx {
	kp_rules *r;
	kp_data *d;
	kp_result *res;
	kp_err err;
	char path[64];
} fx;

static void fx_rules(fx *f, const char *src)
{
	int fd;
	FILE *fp;

	memset(f, 0, sizeof *f);
	snprintf(f->path, sizeof f->path, "/tmp/kp_score_XXXXXX.lua");
	fd = mkstemps(f->path, 4);
	ck_assert_int_ge(fd, 0);
	fp = fdopen(fd, "w");
	fputs(src, fp);
	fclose(fp);
	ck_assert_msg(kp_rules_load(f->path, NULL, 0, &f->r, &f->err) == 0, "%s", f->err.msg);
	unlink(f->path);
	f->d = kp_data_new(&f->err);
	ck_assert_ptr_nonnull(f->d);
}

/* A dataset from "h1,h2\nv1,v2\n..." (no quoting; empty cells allowed),
 * numeric columns as the rules say; line numbers as in a CSV file. */
static void fx_table(fx *f, const char *name, const char *file, const char *csv)
{
	char *copy = strdup(csv), *p = copy, *line;
	kp_table *t = kp_table_new(name, file, &f->err);
	size_t lineno = 1;
	int header = 1;

	ck_assert_ptr_nonnull(t);
	while ((line = strsep(&p, "\n")) != NULL) {
		char *fl[40], *q = line;
		unsigned char num[40];
		size_t n = 0, i;
		if (!*line && !p)
			break;
		fl[n++] = q;
		for (; *q; q++)
			if (*q == ',')
				*q = '\0', fl[n++] = q + 1;
		if (header) {
			for (i = 0; i < n; i++)
				num[i] = (unsigned char)kp_rules_is_numeric(f->r, fl[i]);
			ck_assert_int_eq(kp_table_set_columns(t, n, fl, num, &f->err), 0);
			header = 0;
		} else {
			ck_assert_int_eq(n, t->ncols);
			ck_assert_msg(kp_table_add(t, lineno, fl, NULL, &f->err) == 0, "%s", f->err.msg);
		}
		lineno++;
	}
	free(copy);
	ck_assert_int_eq(kp_data_add(f->d, t, &f->err), 0);
}

static int fx_run_opts(fx *f, const kp_score_opts *o)
{
	int rc = kp_data_bind(f->d, f->r, &f->err);

	ck_assert_msg(rc == 0, "bind: %s", f->err.msg);
	rc = kp_score_run(f->r, f->d, o, &f->res, &f->err);
	/* the notes as a Chinese report shows them */
	return rc ? rc : kp_result_render_notes(f->res, KP_LANG_ZH, &f->err);
}

/* Score with every item kept; must succeed. */
static void fx_run(fx *f)
{
	kp_score_opts o = {0};

	o.details = 1;
	ck_assert_msg(fx_run_opts(f, &o) == 0, "%s", f->err.msg);
}

/* Score; must fail with kind, the message saying each of the words. */
static void fx_fail(fx *f, int kind, const char *w1, const char *w2, const char *w3)
{
	kp_score_opts o = {0};
	int rc;

	o.details = 1;
	rc = fx_run_opts(f, &o);
	ck_assert_msg(rc == kind, "expected error %d, got %d: %s", kind, rc, f->err.msg);
	ck_assert_ptr_null(f->res);
	ck_assert_msg(!w1 || strstr(f->err.msg, w1), "'%s' does not say '%s'", f->err.msg, w1);
	ck_assert_msg(!w2 || strstr(f->err.msg, w2), "'%s' does not say '%s'", f->err.msg, w2);
	ck_assert_msg(!w3 || strstr(f->err.msg, w3), "'%s' does not say '%s'", f->err.msg, w3);
}

static void fx_free(fx *f)
{
	kp_result_free(f->res);
	kp_data_free(f->d);
	kp_rules_free(f->r);
	kp_err_clear(&f->err);
}

static size_t U(const fx *f, const char *id)
{
	size_t i;

	for (i = 0; i < f->res->nunits; i++)
		if (!strcmp(f->res->units[i].id, id))
			return i;
	ck_abort_msg("no unit %s", id);
	return 0;
}

static const kp_unit_result *unit(const fx *f, const char *id)
{
	return &f->res->units[U(f, id)];
}

/* The item of unit id called name (any kind), or NULL. */
static const kp_item *item(const fx *f, const char *id, const char *name)
{
	const kp_unit_result *u = unit(f, id);
	size_t i;

	for (i = 0; i < KP_MORE(u)->nitems; i++)
		if (!strcmp(KP_MORE(u)->items[i].name, name))
			return &KP_MORE(u)->items[i];
	return NULL;
}

static double pts(const fx *f, const char *id, const char *name)
{
	const kp_item *it = item(f, id, name);

	ck_assert_msg(it != NULL, "unit %s has no item %s", id, name);
	return it->points;
}

static double sec(const fx *f, const char *id, size_t s)
{
	return KP_SEC(f->res, U(f, id), s);
}

/* Points are compared exactly where the arithmetic is exact, else to 1e-9. */
#define ck_pts(got, want) ck_assert_double_eq_tol((got), (want), 1e-9)

/* ---------- 指标体系: the tree ---------- */

START_TEST(test_tree)
{
	fx f;

	fx_rules(&f, HEAD
		 "section \"S1\" { points = 10,\n"
		 "  indicator \"I1\" { points = 6, score = target(\"x\", 10) },\n"
		 "  indicator \"I2\" { points = 4, score = yes_no(\"y\") } }\n"
		 "section \"S2\" { points = 5,\n"
		 "  indicator \"I3\" { points = 5, score = bands(\"z\", {{90, 5}, {80, 3}}) } }\n");
	fx_table(&f, "units", "units.csv", "id,name,cat,x,y,z\na,甲,A,5,是,85\nb,乙,A,12,否,95\n");
	fx_run(&f);
	ck_assert_double_eq(f.r->full_points, 15);
	ck_assert_int_eq(f.res->nsections, 2);
	ck_assert_str_eq(f.res->sections[0], "S1");
	ck_assert_str_eq(f.res->sections[1], "S2");
	ck_assert_double_eq(f.res->section_points[0], 10);
	ck_assert_double_eq(f.res->section_points[1], 5);
	/* a: 6 × 5/10 = 3, yes 4 → S1 7; 85 ≥ 80 → 3; total 10 */
	ck_pts(pts(&f, "a", "I1"), 3);
	ck_pts(pts(&f, "a", "I2"), 4);
	ck_pts(pts(&f, "a", "I3"), 3);
	ck_pts(sec(&f, "a", 0), 7);
	ck_pts(sec(&f, "a", 1), 3);
	ck_pts(unit(&f, "a")->base, 10);
	ck_pts(unit(&f, "a")->total, 10);
	/* b: 12/10 capped at 1 → 6, no → 0 → S1 6; 95 ≥ 90 → 5; total 11 */
	ck_pts(pts(&f, "b", "I1"), 6);
	ck_pts(pts(&f, "b", "I2"), 0);
	ck_pts(sec(&f, "b", 0), 6);
	ck_pts(sec(&f, "b", 1), 5);
	ck_pts(unit(&f, "b")->total, 11);
	ck_assert_int_eq(KP_MORE(unit(&f, "a"))->nitems, 3);
	ck_assert_int_eq(item(&f, "a", "I3")->kind, KP_ITEM_INDICATOR);
	ck_assert_int_eq(item(&f, "a", "I3")->section, 1);
	ck_assert_double_eq(item(&f, "a", "I1")->max, 6);
	ck_assert_double_eq(item(&f, "a", "I3")->max, 5);
	ck_assert_str_eq(f.res->title, "t");
	ck_assert_int_eq(f.res->year, 2021);
	ck_assert_int_eq(f.res->precision, 2);
	ck_assert_str_eq(unit(&f, "a")->name, "甲");
	fx_free(&f);
}
END_TEST

/* ---------- 扣完为止 ---------- */

START_TEST(test_clamp)
{
	fx f;

	fx_rules(&f, HEAD
		 "section \"S\" { points = 20,\n"
		 "  indicator \"neg\" { points = 5, score = function(u) return u.v - 10 end },\n"
		 "  indicator \"over\" { points = 5, score = function(u) return u.v + 10 end },\n"
		 "  indicator \"free\" { points = 5, clamp = false, score = function(u) return u.v - 10 end },\n"
		 "  indicator \"pi\" { points = 5, score = per_item(\"n\", 2) } }\n");
	fx_table(&f, "units", "units.csv", "id,name,cat,v,n\na,a,A,3,4\nb,b,A,9,1\n");
	fx_run(&f);
	/* a: -7 → 0; 13 → 5; free keeps -7; 5 - 8 → 0; section -2 → 0 */
	ck_pts(pts(&f, "a", "neg"), 0);
	ck_pts(pts(&f, "a", "over"), 5);
	ck_pts(pts(&f, "a", "free"), -7);
	ck_pts(pts(&f, "a", "pi"), 0);
	ck_pts(sec(&f, "a", 0), 0);
	ck_pts(unit(&f, "a")->total, 0);
	/* b: -1 → 0; 19 → 5; free -1; 5 - 2 = 3; section 0 + 5 - 1 + 3 = 7 */
	ck_pts(pts(&f, "b", "neg"), 0);
	ck_pts(pts(&f, "b", "over"), 5);
	ck_pts(pts(&f, "b", "free"), -1);
	ck_pts(pts(&f, "b", "pi"), 3);
	ck_pts(sec(&f, "b", 0), 7);
	ck_pts(unit(&f, "b")->total, 7);
	/* the clamp is said in the note */
	ck_assert_ptr_nonnull(strstr(item(&f, "a", "neg")->note, "按0分计"));
	ck_assert_ptr_nonnull(strstr(item(&f, "a", "over")->note, "按5分计"));
	fx_free(&f);
}
END_TEST

START_TEST(test_deductions)
{
	fx f;

	fx_rules(&f, HEAD
		 "section \"S\" { points = 10,\n"
		 "  indicator \"I\" { points = 10, score = function(u) return u.v end },\n"
		 "  deduction \"D\" { per = 3, count = \"d\" } }\n"
		 "deduction \"T\" { per = 1, max = 2, count = \"t\" }\n"
		 "deduction \"F\" { points = function(u) return u.f, string.format(\"通报批评%d次\", u.f) end, max = 1.5 }\n");
	fx_table(&f, "units", "units.csv",
		 "id,name,cat,v,d,t,f\na,a,A,4,2,0,0\nb,b,A,10,1,5,0\nc,c,A,1,0,3,0\ne,e,A,10,0,0,1\n");
	fx_run(&f);
	/* a: section 4 - 2×3 → 0 (never below 0 inside the section); the
	 * deduction counts (6), and 扣完为止 gives back 2, as a line of its own */
	ck_pts(sec(&f, "a", 0), 0);
	ck_pts(unit(&f, "a")->base, 4);
	ck_pts(unit(&f, "a")->deductions, 6);
	ck_pts(unit(&f, "a")->total, 0);
	ck_pts(pts(&f, "a", "D"), 6);
	ck_assert_int_eq(item(&f, "a", "D")->kind, KP_ITEM_SECTION_DED);
	ck_assert_int_eq(item(&f, "a", "D")->section, 0);
	ck_assert_int_eq(item(&f, "a", "扣完为止")->kind, KP_ITEM_NOTE);
	ck_assert_int_eq(item(&f, "a", "扣完为止")->section, 0);
	ck_pts(pts(&f, "a", "扣完为止"), 2);
	ck_assert_str_eq(item(&f, "a", "扣完为止")->note, "扣分6分超过本部分得分4分, 本部分按0分计(扣完为止)");
	/* b: section 10 - 3 = 7; total deduction min(5 × 1, 2) = 2 → 5;
	 * deductions 3 + 2 wherever taken */
	ck_pts(sec(&f, "b", 0), 7);
	ck_pts(unit(&f, "b")->base, 10);
	ck_pts(unit(&f, "b")->deductions, 5);
	ck_pts(unit(&f, "b")->total, 5);
	ck_assert_ptr_null(item(&f, "b", "扣完为止"));
	ck_assert_int_eq(item(&f, "b", "T")->kind, KP_ITEM_DEDUCTION);
	ck_pts(pts(&f, "b", "T"), 2);
	ck_assert_double_eq(item(&f, "b", "T")->max, 2);
	/* c: 1 - 2 → the total never goes below 0 */
	ck_pts(unit(&f, "c")->base, 1);
	ck_pts(unit(&f, "c")->deductions, 2);
	ck_pts(unit(&f, "c")->total, 0);
	ck_assert_int_eq(item(&f, "c", "扣完为止")->section, -1);
	ck_pts(pts(&f, "c", "扣完为止"), 1);
	ck_assert_str_eq(item(&f, "c", "扣完为止")->note, "扣分2分超过各部分得分合计1分, 总分按0分计(扣完为止)");
	/* e: a function deduction of 1 → 9; no deduction item when nothing taken */
	ck_pts(unit(&f, "e")->total, 9);
	ck_assert_str_eq(item(&f, "e", "F")->note, "通报批评1次, 扣1分");
	ck_assert_ptr_null(item(&f, "e", "T"));
	ck_assert_ptr_null(item(&f, "e", "D"));
	fx_free(&f);
}
END_TEST

/* A deduction's points function below 0: a rule error naming the unit, as
 * a count function's negative count is (the floor at 0 took nothing and
 * dropped its note without a word). */
START_TEST(test_deduction_function_negative)
{
	fx f;

	fx_rules(&f, HEAD
		 "section \"S\" { points = 10, indicator \"I\" { points = 10, score = function(u) return u.v end } }\n"
		 "deduction \"F\" { points = function(u) return u.f, \"通报批评\" end }\n");
	fx_table(&f, "units", "units.csv", "id,name,cat,v,f\ne,e,A,10,1\ng,g,A,10,-3\n");
	fx_fail(&f, KP_ERULE, "in deduction 'F' for unit 'g'", "the points to take came to -3, below 0", NULL);
	fx_free(&f);
}
END_TEST

/* ---------- 加分项 ---------- */

/* Deductions inside a section count for tie_break = { "deductions" },
 * the deductions of the result (扣分, JSON) and the eligible function
 * (issue 15.2): two units tied at 30, one lost 10 inside a section, the
 * other nothing; the quota is 1. */
START_TEST(test_deductions_in_sections_count)
{
	fx f;

	fx_rules(&f, "assessment { title = \"t\", year = 2021,\n"
		 "  unit = { id = \"id\", name = \"name\", category = \"cat\" },\n"
		 "  categories = { {\"A\", commend = 1} } }\n"
		 "section \"S\" { points = 40,\n"
		 "  indicator \"I\" { points = 40, score = function(u) return u.v end },\n"
		 "  deduction \"D\" { per = 5, count = \"d\" } }\n"
		 "commend { tie_break = { \"deductions\" },\n"
		 "  eligible = function(r) return r.deductions < 20 end }\n");
	fx_table(&f, "units", "units.csv", "id,name,cat,v,d\na,a,A,40,2\nb,b,A,30,0\nc,c,A,40,4\n");
	fx_run(&f);
	ck_pts(unit(&f, "a")->total, 30);
	ck_pts(unit(&f, "b")->total, 30);
	ck_pts(unit(&f, "a")->deductions, 10);
	ck_pts(unit(&f, "b")->deductions, 0);
	ck_pts(unit(&f, "c")->deductions, 20);
	ck_assert_int_eq(unit(&f, "b")->rank, 1);
	ck_assert_int_eq(unit(&f, "a")->rank, 2);
	ck_assert_int_eq(unit(&f, "b")->commended, 1);
	ck_assert_int_eq(unit(&f, "a")->commended, 0);
	ck_assert_int_eq(unit(&f, "c")->eligible, 0); /* r.deductions is 20 */
	ck_assert_str_eq(KP_MORE(unit(&f, "a"))->tie_note, "总分并列, 按“扣分”(少者优先)排序");
	fx_free(&f);
}
END_TEST

/* 基础分 / 倒扣分 (issue 15.5): a section of deductions only starts at its
 * points, 扣完为止 at 0, and is never rescaled when another section's
 * indicator is skipped; explain starts it with a 基础分 line. */
START_TEST(test_base_section)
{
	fx f;

	fx_rules(&f, HEAD
		 "section \"一\" { points = 20,\n"
		 "  deduction \"错案\" { per = 2, max = 10, count = \"错案数\" },\n"
		 "  deduction \"通报\" { per = 5, count = \"通报数\" } }\n"
		 "section \"二\" { points = 10,\n"
		 "  indicator \"I\" { points = 5, score = target(\"x\", 1) },\n"
		 "  indicator \"J\" { points = 5, missing = \"skip\", score = target(\"y\", 1) } }\n"
		 "bonus \"示范\" { score = yes_no(\"示范\", 3) }\n");
	fx_table(&f, "units", "units.csv",
		 "id,name,cat,错案数,通报数,x,y,示范\n"
		 "a,a,A,0,0,1,1,是\n"
		 "b,b,A,3,1,1,,否\n"
		 "c,c,A,10,30,0.5,0.5,否\n");
	fx_run(&f);
	/* a: 20 + 5 + 5 + bonus 3 */
	ck_pts(sec(&f, "a", 0), 20);
	ck_pts(unit(&f, "a")->total, 33);
	ck_pts(unit(&f, "a")->bonus, 3);
	ck_pts(pts(&f, "a", "基础分"), 20);
	ck_assert_str_eq(item(&f, "a", "基础分")->note, "以20分为基础, 按扣分标准扣分");
	/* b: 20 − 6 − 5 = 9 (not rescaled); 二: J skipped, I 5 × 10/5 = 10 */
	ck_pts(sec(&f, "b", 0), 9);
	ck_pts(sec(&f, "b", 1), 10);
	ck_pts(unit(&f, "b")->total, 19);
	ck_pts(unit(&f, "b")->deductions, 11);
	ck_pts(unit(&f, "b")->base, 30);
	/* c: 20 − 10 − 150 → 0, 扣完为止 gives back 140; 二 2.5 + 2.5 */
	ck_pts(sec(&f, "c", 0), 0);
	ck_pts(pts(&f, "c", "扣完为止"), 140);
	ck_pts(unit(&f, "c")->total, 5);
	ck_pts(unit(&f, "c")->base, 25);
	ck_pts(unit(&f, "c")->deductions, 160);
	fx_free(&f);
}
END_TEST

START_TEST(test_bonus)
{
	fx f;

	fx_rules(&f, HEAD_WITH(", bonus_max = 4, max_total = 12")
		 "section \"S\" { points = 10, indicator \"I\" { points = 10, score = function(u) return u.v end } }\n"
		 "deduction \"T\" { per = 5, count = \"t\" }\n"
		 "bonus \"B1\" { max = 2, score = function(u) return u.b1 end }\n"
		 "bonus \"B2\" { max = 3, score = yes_no(\"b2\") }\n");
	fx_table(&f, "units", "units.csv",
		 "id,name,cat,v,t,b1,b2\na,a,A,5,0,3,是\nb,b,A,10,0,1,否\nc,c,A,10,0,-2,有\nd,d,A,0,1,2,是\n");
	fx_run(&f);
	/* a: B1 3 → its cap 2; B2 3 but all bonus at most 4 → 2; 5 + 4 = 9 */
	ck_pts(pts(&f, "a", "B1"), 2);
	ck_pts(pts(&f, "a", "B2"), 2);
	ck_assert_int_eq(item(&f, "a", "B2")->kind, KP_ITEM_BONUS);
	ck_assert_ptr_nonnull(strstr(item(&f, "a", "B2")->note, "加分合计最多4分"));
	ck_pts(unit(&f, "a")->bonus, 4);
	ck_pts(unit(&f, "a")->total, 9);
	/* b: 1 + 0 → 11 */
	ck_pts(unit(&f, "b")->bonus, 1);
	ck_pts(unit(&f, "b")->total, 11);
	ck_assert_ptr_null(item(&f, "b", "B2"));
	/* c: -2 → 0, yes → 3; 10 + 3 = 13 → max_total 12 */
	ck_pts(unit(&f, "c")->bonus, 3);
	ck_pts(unit(&f, "c")->raw, 12);
	ck_pts(unit(&f, "c")->total, 12);
	/* the point max_total took is an item of its own, beside 扣完为止, so
	 * explain adds up: 10 + 3 - 1 = 12 (it was taken without a word) */
	ck_pts(pts(&f, "c", KP_ITEM_CAP_NAME), -1);
	ck_assert_int_eq(item(&f, "c", KP_ITEM_CAP_NAME)->kind, KP_ITEM_NOTE);
	ck_assert_ptr_nonnull(strstr(item(&f, "c", KP_ITEM_CAP_NAME)->note, "总分13分超过最高分12分"));
	ck_assert_ptr_null(item(&f, "a", KP_ITEM_CAP_NAME));
	/* d: max(0 - 5, 0) + 2 + 2 = 4: bonus is added after the floor */
	ck_pts(unit(&f, "d")->deductions, 5);
	ck_pts(unit(&f, "d")->bonus, 4);
	ck_pts(unit(&f, "d")->total, 4);
	fx_free(&f);
}
END_TEST

/* ---------- 一票否决 ---------- */

#define GRADES "grades { {\"优秀\", 90}, {\"良好\", 80}, {\"合格\", 60}, {\"不合格\", 0} }\n"

START_TEST(test_veto)
{
	fx f;
	static const struct {
		const char *id;
		int veto;
		const char *reason, *grade;
		int commended, rank;
	} want[] = {
		{ "a", 1, "发生重大执法过错", "不合格", 0, 1 }, /* 95, 是 */
		{ "b", 0, NULL, "优秀", 1, 2 },                /* 90, 否 */
		{ "g", 1, "发生重大执法过错", "不合格", 0, 3 }, /* 88, yes (and the function does not fire) */
		{ "c", 1, "事故2起", "不合格", 0, 4 },          /* 85, 无, 2 accidents */
		{ "h", 0, NULL, "良好", 0, 5 },                /* 82, ×; the quota of A is 1 */
		{ "d", 0, NULL, "合格", 0, 6 },                /* 70, 0 */
		{ "e", 0, NULL, "合格", 0, 7 },                /* 60, blank: default = false, no veto */
		{ "f", 1, "发生重大执法过错", "不合格", 0, 8 }, /* 50, 有, also 1 accident: the first reason */
	};
	size_t i;

	fx_rules(&f, HEAD_WITH("")
		 "section \"S\" { points = 100, indicator \"I\" { points = 100, score = function(u) return u.v end } }\n"
		 "veto \"过错\" { when = \"过错\", reason = \"发生重大执法过错\", default = false }\n"
		 "veto \"事故\" { when = function(u) return u.acc > 0 end,\n"
		 "  reason = function(u) return string.format(\"事故%d起\", u.acc) end }\n"
		 "veto \"计数\" { when = function(u) return u.acc - u.acc end }\n" GRADES);
	fx_table(&f, "units", "units.csv",
		 "id,name,cat,v,过错,acc\n"
		 "a,a,A,95,是,0\nb,b,A,90,否,0\nc,c,A,85,无,2\nd,d,A,70,0,0\n"
		 "e,e,A,60,,0\nf,f,A,50,有,1\ng,g,A,88,yes,0\nh,h,A,82,×,0\n");
	fx_run(&f);
	for (i = 0; i < sizeof want / sizeof *want; i++) {
		const kp_unit_result *u = &f.res->units[i];
		ck_assert_str_eq(u->id, want[i].id);
		ck_assert_msg(u->veto == want[i].veto, "%s veto %d", u->id, u->veto);
		if (want[i].reason)
			ck_assert_str_eq(KP_MORE(u)->veto_reason, want[i].reason);
		ck_assert_str_eq(f.res->grades[u->grade], want[i].grade);
		ck_assert_msg(u->commended == want[i].commended, "%s commended %d", u->id, u->commended);
		ck_assert_int_eq(u->rank, want[i].rank);
		if (u->veto)
			ck_assert_int_eq(u->eligible, 0);
	}
	/* a vetoed unit keeps its score */
	ck_pts(unit(&f, "a")->total, 95);
	/* both vetoes of f are recorded as items, in the rule's words */
	ck_assert_int_eq(item(&f, "f", "过错")->kind, KP_ITEM_VETO);
	ck_assert_str_eq(item(&f, "f", "过错")->note, "发生重大执法过错");
	ck_assert_str_eq(item(&f, "f", "事故")->note, "事故1起");
	ck_assert_str_eq(item(&f, "c", "事故")->note, "事故2起");
	ck_assert_ptr_null(item(&f, "b", "过错"));
	ck_assert_ptr_null(item(&f, "b", "计数"));
	fx_free(&f);
	/* without a default, a blank veto cell is a missing value, not a "no" */
	fx_rules(&f, HEAD_WITH("")
		 "section \"S\" { points = 100, indicator \"I\" { points = 100, score = function(u) return u.v end } }\n"
		 "veto \"过错\" { when = \"过错\" }\n" GRADES);
	fx_table(&f, "units", "units.csv", "id,name,cat,v,过错\na,a,A,95,否\ne,e,A,60,\n");
	fx_fail(&f, KP_EDATA, "units.csv:3:5", "unit 'e'", "'过错'");
	fx_free(&f);
}
END_TEST

START_TEST(test_veto_bad_word)
{
	fx f;

	fx_rules(&f, HEAD
		 "section \"S\" { points = 100, indicator \"I\" { points = 100, score = target(\"v\", 100) } }\n"
		 "veto \"过错\" { when = \"过错\" }\n");
	fx_table(&f, "units", "units.csv", "id,name,cat,v,过错\na,a,A,95,否\nb,b,A,90,也许\n");
	fx_fail(&f, KP_EDATA, "units.csv:3", "'也许' is neither yes nor no", "unit 'b'");
	fx_free(&f);
}
END_TEST

/* ---------- 计分方法: every helper ---------- */

static const char helpers_rules[] = HEAD
	"section \"H\" { points = 120,\n"
	"  indicator \"target\" { points = 10, score = target(\"t\", 8) },\n"
	"  indicator \"ratio\" { points = 10, score = ratio_to_best(\"r\") },\n"
	"  indicator \"ratio_all\" { points = 10, score = ratio_to_best(\"r\", {scope = \"all\"}) },\n"
	"  indicator \"minmax\" { points = 10, score = min_max(\"m\") },\n"
	"  indicator \"rank\" { points = 10, score = rank_points(\"k\", {10, 8, 6}) },\n"
	"  indicator \"rank_asc\" { points = 10, score = rank_points(\"k\", {10, 8, 6}, {order = \"asc\"}) },\n"
	"  indicator \"bands\" { points = 10, score = bands(\"p\", {{0.95, 10}, {0.90, 8}, {0.8, 5}}) },\n"
	"  indicator \"yes\" { points = 10, score = yes_no(\"y\") },\n"
	"  indicator \"yes3\" { points = 10, score = yes_no(\"y\", 3) },\n"
	"  indicator \"lookup\" { points = 10,\n"
	"    score = lookup(\"g\", {[\"优秀\"] = 10, [\"良好\"] = 8, [\"合格\"] = 6}, {default = 1}) },\n"
	"  indicator \"per\" { points = 10, score = per_item(\"n\", 2, 6) },\n"
	"  indicator \"per_nomax\" { points = 10, score = per_item(\"n\", 3) },\n"
	"}\n";

static const char helpers_units[] =
	"id,name,cat,t,r,m,k,p,y,g,n\n"
	"a1,a1,A,4,50,2,9,0.96,是,优秀,0\n"
	"a2,a2,A,8,25,4,9,0.95,否,良好,1\n"
	"a3,a3,A,12,0,6,7,0.92,√,合格,3\n"
	"a4,a4,A,0,10,3,5,0.5,no,其他,5\n"
	"b1,b1,B,6,100,7,3,0.85,TRUE,优秀,2\n"
	"b2,b2,B,2,40,7,1,0.9,2,不合格,10\n";

START_TEST(test_helpers)
{
	static const char *const ind[] = {
		"target", "ratio", "ratio_all", "minmax", "rank", "rank_asc", "bands", "yes", "yes3", "lookup", "per",
		"per_nomax"
	};
	static const struct {
		const char *id;
		double p[12];
	} want[] = {
		/* target: 10 × min(t/8, 1); ratio: A's best is 50, B's 100; ratio_all: 100;
		 * minmax: A from 2 to 6, B all equal → full; rank (desc) A: 9 9 7 5 → 1 1 3 4,
		 * B: 3 1 → 1 2; rank asc A: 5 7 9 9 → 1 2 3 3; bands ≥ 0.95 10, ≥ 0.9 8, ≥ 0.8 5;
		 * lookup default 1; per: 10 - min(2n, 6); per_nomax: 10 - 3n, at least 0 */
		{ "a1", { 5, 10, 5, 0, 10, 6, 10, 10, 3, 10, 10, 10 } },
		{ "a2", { 10, 5, 2.5, 5, 10, 6, 10, 0, 0, 8, 8, 7 } },
		{ "a3", { 10, 0, 0, 10, 6, 8, 8, 10, 3, 6, 4, 1 } },
		{ "a4", { 0, 2, 1, 2.5, 0, 10, 0, 0, 0, 1, 4, 0 } },
		{ "b1", { 7.5, 10, 10, 10, 10, 8, 5, 10, 3, 10, 6, 4 } },
		{ "b2", { 2.5, 4, 4, 10, 8, 10, 8, 10, 3, 1, 4, 0 } },
	};
	fx f;
	size_t i, k;

	fx_rules(&f, helpers_rules);
	fx_table(&f, "units", "units.csv", helpers_units);
	fx_run(&f);
	for (i = 0; i < sizeof want / sizeof *want; i++) {
		double sum = 0;
		for (k = 0; k < 12; k++) {
			double got = pts(&f, want[i].id, ind[k]);
			ck_assert_msg(fabs(got - want[i].p[k]) < 1e-9, "%s %s: expected %g, got %g", want[i].id, ind[k],
				      want[i].p[k], got);
			sum += want[i].p[k];
		}
		ck_pts(unit(&f, want[i].id)->total, sum);
	}
	fx_free(&f);
}
END_TEST

START_TEST(test_ratio_zero_and_single)
{
	fx f;

	/* the best is 0: everyone 0 (no division by zero); a lone unit is its own best */
	fx_rules(&f, HEAD
		 "section \"S\" { points = 20,\n"
		 "  indicator \"R\" { points = 10, score = ratio_to_best(\"r\") },\n"
		 "  indicator \"M\" { points = 10, score = min_max(\"r\", {scope = \"all\"}) } }\n");
	fx_table(&f, "units", "units.csv", "id,name,cat,r\na,a,A,0\nb,b,A,0\nc,c,B,3\n");
	fx_run(&f);
	ck_pts(pts(&f, "a", "R"), 0);
	ck_pts(pts(&f, "b", "R"), 0);
	ck_pts(pts(&f, "c", "R"), 10);
	/* min_max over all: 0 .. 3 */
	ck_pts(pts(&f, "a", "M"), 0);
	ck_pts(pts(&f, "c", "M"), 10);
	fx_free(&f);
}
END_TEST

/* ---------- comparisons at the comparison precision (issue 15.1) ---------- */

/* The issue's cases: growth 2.352 / 2.1 - 1 computes as
 * 0.11999999999999988 and must reach the ≥ 12% band; 0.7 + 0.2
 * (0.8999999999999999) ranks level with 0.4 + 0.5 (0.9). */
START_TEST(test_compare_bands_ranks)
{
	fx f;

	fx_rules(&f, HEAD
		 "section \"S\" { points = 30,\n"
		 "  indicator \"增幅\" { points = 10, score = bands(function(u) return u.now / u.before - 1 end,\n"
		 "      { {0.12, 10}, {0.08, 6} }) },\n"
		 "  indicator \"名次\" { points = 10, score = rank_points(function(u) return u.x + u.y end, {10, 8, 6}) },\n"
		 "  indicator \"极差\" { points = 10, score = min_max(function(u) return u.x + u.y end) } }\n");
	fx_table(&f, "units", "units.csv",
		 "id,name,cat,now,before,x,y\n"
		 "a,a,A,2.352,2.1,0.7,0.2\n"
		 "b,b,A,2.31,2.1,0.4,0.5\n"
		 "c,c,A,2.2,2.1,0.2,0.3\n");
	fx_run(&f);
	ck_pts(pts(&f, "a", "增幅"), 10);                /* 12% ≥ 12% */
	ck_assert_str_eq(item(&f, "a", "增幅")->note, "计算值 0.12 ≥ 0.12, 得10分");
	ck_pts(pts(&f, "b", "增幅"), 6);                 /* 10% */
	ck_pts(pts(&f, "c", "增幅"), 0);                 /* 4.76% */
	ck_pts(pts(&f, "a", "名次"), 10);                /* 0.9 ties 0.9: both first */
	ck_pts(pts(&f, "b", "名次"), 10);
	ck_pts(pts(&f, "c", "名次"), 6);                 /* third, not second */
	ck_pts(pts(&f, "a", "极差"), 10);                /* at the maximum: full points */
	ck_pts(pts(&f, "b", "极差"), 10);
	ck_pts(pts(&f, "c", "极差"), 0);
	fx_free(&f);
}
END_TEST

/* min_max of values that print the same: all tie, full points (not 0 for
 * the one a last bit lower); lookup of a computed number; a computed
 * 0.1 + 0.2 - 0.3 is no. */
START_TEST(test_compare_ties_lookup_yes_no)
{
	fx f;

	fx_rules(&f, HEAD
		 "section \"S\" { points = 30,\n"
		 "  indicator \"M\" { points = 10, score = min_max(function(u) return u.x + u.y end) },\n"
		 "  indicator \"L\" { points = 10, score = lookup(function(u) return u.x + u.y end,\n"
		 "      { [\"0.9\"] = 10, [\"0.5\"] = 5 }) },\n"
		 "  indicator \"Y\" { points = 10, score = yes_no(function(u) return u.x + u.y - 0.9 end) } }\n");
	fx_table(&f, "units", "units.csv", "id,name,cat,x,y\na,a,A,0.7,0.2\nb,b,A,0.4,0.5\n");
	fx_run(&f);
	ck_pts(pts(&f, "a", "M"), 10);
	ck_pts(pts(&f, "b", "M"), 10);
	ck_pts(pts(&f, "a", "L"), 10);
	ck_pts(pts(&f, "b", "L"), 10);
	ck_pts(pts(&f, "a", "Y"), 0);   /* 0.8999999999999999 - 0.9 = -1.1e-16: no */
	ck_pts(pts(&f, "b", "Y"), 0);
	fx_free(&f);
}
END_TEST

/* Tie-breakers on unrounded section sums (round = "total") compare at the
 * comparison precision: S1 = 0.7 + 0.2 and 0.4 + 0.5 are level, so the
 * next tie-breaker (fewer deductions) decides. */
START_TEST(test_compare_tie_break)
{
	fx f;

	fx_rules(&f, "assessment { title = \"t\", year = 2021, round = \"total\",\n"
		 "  unit = { id = \"id\", name = \"name\", category = \"cat\" },\n"
		 "  categories = { {\"A\", commend = 1} } }\n"
		 "section \"S1\" { points = 10,\n"
		 "  indicator \"x\" { points = 5, score = function(u) return u.x end },\n"
		 "  indicator \"y\" { points = 5, score = function(u) return u.y end } }\n"
		 "section \"S2\" { points = 10, indicator \"z\" { points = 10, score = function(u) return u.z end } }\n"
		 "deduction \"D\" { per = 0.1, count = \"d\" }\n"
		 "commend { tie_break = { \"S1\", \"deductions\" } }\n");
	/* a: 0.9 + 0.3 - 0.1 = 1.1; b: 0.8999999999999999 + 0.2 = 1.1 */
	fx_table(&f, "units", "units.csv", "id,name,cat,x,y,z,d\na,a,A,0.4,0.5,0.3,1\nb,b,A,0.7,0.2,0.2,0\n");
	fx_run(&f);
	ck_assert_double_eq(unit(&f, "a")->total, 1.1);
	ck_assert_double_eq(unit(&f, "b")->total, 1.1);
	ck_assert_int_eq(unit(&f, "b")->rank, 1);
	ck_assert_int_eq(unit(&f, "a")->rank, 2);
	ck_assert_str_eq(KP_MORE(unit(&f, "a"))->tie_note, "总分并列, 按“扣分”(少者优先)排序");
	ck_assert_int_eq(unit(&f, "b")->commended, 1);
	ck_assert_int_eq(unit(&f, "a")->commended, 0);
	fx_free(&f);
}
END_TEST

/* ---------- checklists (issue 15.4) ---------- */

#define CHECKLIST_RULES                                                                            \
	HEAD "section \"一\" { points = 3,\n"                                                       \
	"  indicator \"组织领导\" { points = 3, checklist = {\n"                                    \
	"    {\"没有总体方案\", 3, when = \"有总体方案\", is = false},\n"                            \
	"    {\"未及时备案\", 1, when = \"备案及时\", is = false},\n"                                \
	"    {\"迟报\", 0.5, per = \"迟报次数\"},\n"                                                 \
	"    {\"漏报\", 1, per = \"漏报次数\", max = 2, unit = \"项\"},\n"                           \
	"    {\"发生泄密\", 2, when = \"泄密\"} } } }\n"

START_TEST(test_checklist)
{
	fx f;

	fx_rules(&f, CHECKLIST_RULES);
	fx_table(&f, "units", "units.csv",
		 "id,name,cat,有总体方案,备案及时,迟报次数,漏报次数,泄密\n"
		 "a,a,A,是,是,0,0,否\n"
		 "b,b,A,有,否,1,0,无\n"
		 "c,c,A,否,是,0,0,否\n"
		 "d,d,A,是,是,1,5,否\n"
		 "e,e,A,否,否,3,1,是\n");
	fx_run(&f);
	/* a: nothing taken → 3 */
	ck_pts(pts(&f, "a", "组织领导"), 3);
	ck_assert_str_eq(item(&f, "a", "组织领导")->note, "无扣分情形, 得3分");
	/* b: 未及时备案 1 + 迟报 1 × 0.5 → 1.5 */
	ck_pts(pts(&f, "b", "组织领导"), 1.5);
	ck_assert_str_eq(item(&f, "b", "组织领导")->note, "未及时备案扣1分; 迟报1次扣0.5分, 得1.5分");
	/* c: no overall plan: all 3 */
	ck_pts(pts(&f, "c", "组织领导"), 0);
	ck_assert_str_eq(item(&f, "c", "组织领导")->note, "没有总体方案扣3分, 得0分");
	/* d: 迟报 0.5 + 漏报 min(5 × 1, 2) = 2 → 0.5 */
	ck_pts(pts(&f, "d", "组织领导"), 0.5);
	ck_assert_str_eq(item(&f, "d", "组织领导")->note, "迟报1次扣0.5分; 漏报5项扣2分(最多扣2分), 得0.5分");
	/* e: 3 + 1 + 1.5 + 1 + 2 = 8.5 taken from 3: 扣完为止 → 0 */
	ck_pts(pts(&f, "e", "组织领导"), 0);
	ck_pts(unit(&f, "e")->total, 0);
	ck_assert_ptr_nonnull(strstr(item(&f, "e", "组织领导")->note, "发生泄密扣2分, 共扣8.5分, 扣完为止, 得0分"));
	fx_free(&f);
}
END_TEST

/* The engine does not choose the notes' language (issue 14.8): a note is
 * kept structured and a report renders it in Chinese or English. */
START_TEST(test_note_languages)
{
	kp_score_opts o = {0};
	kp_sb zh = {0}, en = {0};
	const char *raw = NULL;
	fx f;
	size_t i;

	fx_rules(&f, CHECKLIST_RULES);
	fx_table(&f, "units", "units.csv",
		 "id,name,cat,有总体方案,备案及时,迟报次数,漏报次数,泄密\n"
		 "d,d,A,是,是,1,5,否\n");
	o.details = 1;
	ck_assert_int_eq(kp_data_bind(f.d, f.r, &f.err), 0);
	ck_assert_msg(kp_score_run(f.r, f.d, &o, &f.res, &f.err) == 0, "%s", f.err.msg);
	for (i = 0; i < KP_MORE(&f.res->units[0])->nitems; i++)
		if (!strcmp(KP_MORE(&f.res->units[0])->items[i].name, "组织领导"))
			raw = KP_MORE(&f.res->units[0])->items[i].note;
	ck_assert_ptr_nonnull(raw);
	ck_assert(kp_note_structured(raw));
	ck_assert_int_eq(kp_note_render(raw, KP_LANG_ZH, &zh, &f.err), 0);
	ck_assert_int_eq(kp_note_render(raw, KP_LANG_EN, &en, &f.err), 0);
	ck_assert_str_eq(kp_sb_str(&zh), "迟报1次扣0.5分; 漏报5项扣2分(最多扣2分), 得0.5分");
	ck_assert_str_eq(kp_sb_str(&en), "迟报 1 times, 0.5 points off; 漏报 5 项, 2 points off"
			 " (at most 2 points off), 0.5 points");
	/* the whole result, in place */
	ck_assert_int_eq(kp_result_render_notes(f.res, KP_LANG_EN, &f.err), 0);
	ck_assert_str_eq(item(&f, "d", "组织领导")->note, kp_sb_str(&en));
	kp_sb_free(&zh), kp_sb_free(&en);
	fx_free(&f);
}
END_TEST

/* A blank condition cell is a missing value like any other: an error
 * naming unit, column and file, unless the indicator says default. */
START_TEST(test_checklist_missing)
{
	fx f;

	fx_rules(&f, CHECKLIST_RULES);
	fx_table(&f, "units", "units.csv",
		 "id,name,cat,有总体方案,备案及时,迟报次数,漏报次数,泄密\n"
		 "a,a,A,是,,0,0,否\n");
	fx_fail(&f, KP_EDATA, "units.csv:2", "no value in column '备案及时'", "indicator '组织领导'");
	fx_free(&f);
	fx_rules(&f, CHECKLIST_RULES);
	fx_table(&f, "units", "units.csv",
		 "id,name,cat,有总体方案,备案及时,迟报次数,漏报次数,泄密\n"
		 "a,a,A,是,也许,0,0,否\n");
	fx_fail(&f, KP_EDATA, "'也许' is neither yes nor no", "checklist condition '未及时备案'", "unit 'a'");
	fx_free(&f);
}
END_TEST

/* ---------- per-unit targets, two-valued scoring (issue 15.6) ---------- */

START_TEST(test_goal_bands_done)
{
	fx f;

	fx_rules(&f, HEAD
		 "section \"S\" { points = 30,\n"
		 "  indicator \"任务\" { points = 10, score = target(\"完成数\", \"任务数\") },\n"
		 "  indicator \"增幅\" { points = 10, score = bands(\"增幅\", { {gt = 0.12, 10}, {0.12, 8}, {0.08, 6} },\n"
		 "      { otherwise = 2 }) },\n"
		 "  indicator \"完成\" { points = 10, score = done(\"完成情况\", 4) } }\n");
	fx_table(&f, "units", "units.csv",
		 "id,name,cat,完成数,任务数,增幅,完成情况\n"
		 "a,a,A,8,10,13%,完成\n"
		 "b,b,A,12,10,12%,未完成\n"
		 "c,c,A,3,6,5%,已完成\n");
	fx_run(&f);
	/* each town its own task: 8/10, 12/10 capped, 3/6 */
	ck_pts(pts(&f, "a", "任务"), 8);
	ck_assert_str_eq(item(&f, "a", "任务")->note, "完成数 8, 任务数10, 完成率80%, 得8分");
	ck_pts(pts(&f, "b", "任务"), 10);
	ck_pts(pts(&f, "c", "任务"), 5);
	/* > 12% 10, exactly 12% 8, ≥ 8% 6, else 2 */
	ck_pts(pts(&f, "a", "增幅"), 10);
	ck_assert_str_eq(item(&f, "a", "增幅")->note, "增幅 0.13 > 0.12, 得10分");
	ck_pts(pts(&f, "b", "增幅"), 8);
	ck_pts(pts(&f, "c", "增幅"), 2);
	ck_assert_str_eq(item(&f, "c", "增幅")->note, "增幅 0.05, 未达最低档0.08, 得2分");
	/* 完成 10, 未完成 4 */
	ck_pts(pts(&f, "a", "完成"), 10);
	ck_pts(pts(&f, "b", "完成"), 4);
	ck_pts(pts(&f, "c", "完成"), 10);
	fx_free(&f);
}
END_TEST

/* A goal of 0 or a blank goal is an error naming the unit and the file. */
START_TEST(test_goal_bad)
{
	fx f;

	fx_rules(&f, HEAD "section \"S\" { points = 10, indicator \"任务\" { points = 10, score = target(\"n\", \"goal\") } }\n");
	fx_table(&f, "units", "units.csv", "id,name,cat,n,goal\na,a,A,3,0\n");
	fx_fail(&f, KP_EDATA, "units.csv:2", "the goal 0 in 'goal' is not above 0", "indicator '任务'");
	fx_free(&f);
	fx_rules(&f, HEAD "section \"S\" { points = 10, indicator \"任务\" { points = 10, score = target(\"n\", \"goal\") } }\n");
	fx_table(&f, "units", "units.csv", "id,name,cat,n,goal\na,a,A,3,\n");
	fx_fail(&f, KP_EDATA, "units.csv:2", "no value in column 'goal'", NULL);
	fx_free(&f);
}
END_TEST

/* ---------- items of some categories, per-category grades (issue 15.7) ---------- */

#define CATEGORY_RULES                                                                             \
	HEAD "section \"一\" { points = 50, indicator \"学法\" { points = 50, score = target(\"n\", 5) } }\n" \
	"section \"二\" { points = 50,\n"                                                             \
	"  indicator \"案卷\" { points = 50, categories = {\"B\"}, score = target(\"case\", 100) } }\n"   \
	"grades { {\"一等\", 90, count = 1, by_category = { B = 85 } }, {\"二等\", 0} }\n"               \
	"commend { min_score = 95, by_category = { B = { min_grade = \"一等\" } } }\n"

START_TEST(test_categories)
{
	fx f;

	fx_rules(&f, CATEGORY_RULES);
	fx_table(&f, "units", "units.csv", "id,name,cat,n,case\na1,a,A,5,\na2,a,A,4.6,\nb1,b,B,5,70\nb2,b,B,4,60\n");
	fx_run(&f);
	/* A: 案卷 not assessed, 一 × 100/50; B: both */
	ck_pts(unit(&f, "a1")->total, 100);
	ck_pts(unit(&f, "a2")->total, 92);
	ck_assert_int_eq(item(&f, "a1", "案卷")->skipped, 1);
	ck_assert_str_eq(item(&f, "a1", "案卷")->note, "本类单位不考核此项, 其余得分按比例折算");
	ck_pts(unit(&f, "b1")->total, 85);
	ck_pts(unit(&f, "b2")->total, 70);
	/* 一等: ≥ 90 (B ≥ 85), one per category */
	ck_assert_str_eq(f.res->grades[unit(&f, "a1")->grade], "一等");
	ck_assert_str_eq(f.res->grades[unit(&f, "a2")->grade], "二等");
	ck_assert_int_eq(unit(&f, "a2")->quota_dropped, 1);
	ck_assert_str_eq(f.res->grades[unit(&f, "b1")->grade], "一等");
	/* commendation: A needs 95; B needs 一等 */
	ck_assert_int_eq(unit(&f, "a1")->commended, 1);
	ck_assert_int_eq(unit(&f, "a2")->eligible, 0);
	ck_assert_int_eq(unit(&f, "b1")->commended, 1);
	ck_assert_int_eq(unit(&f, "b2")->eligible, 0);
	fx_free(&f);
}
END_TEST

/* A forgotten cell in a category assessed on the item is still an error,
 * not a silent rescale. */
START_TEST(test_categories_missing)
{
	fx f;

	fx_rules(&f, CATEGORY_RULES);
	fx_table(&f, "units", "units.csv", "id,name,cat,n,case\na1,a,A,5,\nb1,b,B,5,\n");
	fx_fail(&f, KP_EDATA, "units.csv:3", "unit 'b1'", "no value in column 'case'");
	fx_free(&f);
}
END_TEST

/* ---------- deadlines and dated logs (issue 15.8) ---------- */

#define DEADLINE_RULES(dflt)                                                                       \
	HEAD "section \"S\" { points = 10,\n"                                                      \
	"  indicator \"年报\" { points = 10" dflt ",\n"                                             \
	"    score = deadline(\"报送日期\", { {\"2024-03-31\", 10}, {\"2024-04-15\", 6} }, { otherwise = 2 }) } }\n"

START_TEST(test_deadline)
{
	fx f;

	fx_rules(&f, DEADLINE_RULES(", default = \"未报送\""));
	fx_table(&f, "units", "units.csv",
		 "id,name,cat,报送日期\n"
		 "a,a,A,2024/3/31\n"
		 "b,b,A,2024年4月1日\n"
		 "c,c,A,45397 \n"
		 "d,d,A,2024-04-16 08:00\n"
		 "e,e,A,\n"
		 "g,g,A,未报\n"
		 "h,h,A,2024-04-15T23:59\n");
	fx_run(&f);
	/* on the day is on time: 前(含) */
	ck_pts(pts(&f, "a", "年报"), 10);
	ck_assert_str_eq(item(&f, "a", "年报")->note, "报送日期 2024/3/31 (2024-03-31), 2024年3月31日前(含), 得10分");
	ck_pts(pts(&f, "b", "年报"), 6);
	/* 45397 is 2024-04-15 */
	ck_pts(pts(&f, "c", "年报"), 6);
	ck_assert_str_eq(item(&f, "c", "年报")->note, "报送日期 45397 (2024-04-15), 2024年4月15日前(含), 得6分");
	ck_pts(pts(&f, "d", "年报"), 2);
	ck_assert_str_eq(item(&f, "d", "年报")->note, "报送日期 2024-04-16 08:00 (2024-04-16), 晚于2024年4月15日, 得2分");
	/* blank: the default 未报送, otherwise */
	ck_pts(pts(&f, "e", "年报"), 2);
	ck_assert_str_eq(item(&f, "e", "年报")->note, "报送日期 未报送, 得2分 (缺数据, 按默认值计)");
	ck_pts(pts(&f, "g", "年报"), 2);
	ck_assert_str_eq(item(&f, "g", "年报")->note, "报送日期 未报, 得2分");
	/* a time on the last day is still that day */
	ck_pts(pts(&f, "h", "年报"), 6);
	fx_free(&f);
}
END_TEST

/* No such day in the data, a blank without a default, a default that is
 * not a date: errors naming the cell or the default. */
START_TEST(test_deadline_bad)
{
	fx f;

	fx_rules(&f, DEADLINE_RULES(""));
	fx_table(&f, "units", "units.csv", "id,name,cat,报送日期\na,a,A,2024-03-31\nb,b,A,2023-02-29\n");
	fx_fail(&f, KP_EDATA, "units.csv:3", "'2023-02-29' is not a date", "February has 28 days");
	fx_free(&f);
	fx_rules(&f, DEADLINE_RULES(""));
	fx_table(&f, "units", "units.csv", "id,name,cat,报送日期\na,a,A,2024-13-01\n");
	fx_fail(&f, KP_EDATA, "column '报送日期' of unit 'a'", "no such month", NULL);
	fx_free(&f);
	fx_rules(&f, DEADLINE_RULES(""));
	fx_table(&f, "units", "units.csv", "id,name,cat,报送日期\na,a,A,\n");
	fx_fail(&f, KP_EDATA, "no value in column '报送日期'", "declare default", NULL);
	fx_free(&f);
	fx_rules(&f, DEADLINE_RULES(", default = 0"));
	fx_table(&f, "units", "units.csv", "id,name,cat,报送日期\na,a,A,\n");
	fx_fail(&f, KP_ERULE, "the default '0' of indicator '年报' is not a date", "Excel date number", NULL);
	fx_free(&f);
	/* missing = "skip" skips the indicator */
	fx_rules(&f, DEADLINE_RULES(", missing = \"skip\"")
		 "section \"T\" { points = 5, indicator \"其他\" { points = 5, score = function(u) return 5 end } }\n");
	fx_table(&f, "units", "units.csv", "id,name,cat,报送日期\na,a,A,\nb,b,A,2024-03-01\n");
	fx_run(&f);
	ck_assert_int_eq(item(&f, "a", "年报")->skipped, 1);
	ck_pts(pts(&f, "b", "年报"), 10);
	fx_free(&f);
	/* a unit whose every indicator is skipped has nothing to rescale */
	fx_rules(&f, DEADLINE_RULES(", missing = \"skip\""));
	fx_table(&f, "units", "units.csv", "id,name,cat,报送日期\na,a,A,\nb,b,A,2024-03-01\n");
	fx_fail(&f, KP_EDATA, "unit 'a' (a)", "every indicator was left out", NULL);
	fx_free(&f);
}
END_TEST

static const char dated_rules[] = HEAD
	"events \"报送记录\" { data = \"log\", unit = \"id\" }\n"
	"section \"S\" { points = 20,\n"
	"  indicator \"按时\" { points = 10, score = per_item(agg.late(\"报送记录\", \"应报日期\", \"实报日期\"), 2) },\n"
	"  indicator \"齐全\" { points = 10, checklist = {\n"
	"    {\"缺报\", 3, per = agg.missing(\"报送记录\", \"实报日期\"), unit = \"次\"},\n"
	"    {\"季报逾期\", 1, per = agg.late(\"报送记录\", \"应报日期\", \"实报日期\", {[\"类别\"] = \"季报\"})} } } }\n"
	"deduction \"通报\" { per = 0.5, count = agg.missing(\"报送记录\", \"实报日期\", function(r) return r[\"类别\"] == \"季报\" end) }\n";

START_TEST(test_late_missing)
{
	fx f;

	fx_rules(&f, dated_rules);
	fx_table(&f, "units", "units.csv", "id,name,cat\na,a,A\nb,b,A\nc,c,B\n");
	fx_table(&f, "log", "log.csv",
		 "id,类别,应报日期,实报日期\n"
		 "a,月报,2024-01-10,2024-01-10\n"     /* on the day: on time */
		 "a,月报,2024/2/10,2024年2月11日\n"  /* late */
		 "a,季报,45382,2024-04-01 09:00\n"   /* late (45382 is 03-31) */
		 "b,月报,2024-01-10,\n"               /* missing */
		 "b,季报,2024-03-31,未报送\n"         /* missing */
		 "b,月报,2024-02-10,2024-02-09\n");
	fx_run(&f);
	ck_pts(pts(&f, "a", "按时"), 6);
	ck_assert_str_eq(item(&f, "a", "按时")->note, "逾期报送 2件, 每件扣2分, 扣4分");
	ck_pts(pts(&f, "a", "齐全"), 9);
	ck_assert_str_eq(item(&f, "a", "齐全")->note, "季报逾期1次扣1分, 得9分");
	ck_pts(pts(&f, "b", "按时"), 10);
	ck_pts(pts(&f, "b", "齐全"), 4);
	ck_assert_str_eq(item(&f, "b", "齐全")->note, "缺报2次扣6分, 得4分");
	ck_pts(pts(&f, "b", "通报"), 0.5);
	/* no rows: nothing late, nothing missing */
	ck_pts(pts(&f, "c", "按时"), 10);
	ck_pts(pts(&f, "c", "齐全"), 10);
	fx_free(&f);
}
END_TEST

/* A log cell that is not a date, a late row with no due date, a missing
 * column: errors naming the file, line and column. */
START_TEST(test_late_missing_bad)
{
	fx f;

	fx_rules(&f, dated_rules);
	fx_table(&f, "units", "units.csv", "id,name,cat\na,a,A\n");
	fx_table(&f, "log", "log.csv", "id,类别,应报日期,实报日期\na,月报,2024-01-10,2024-01-09\na,月报,2024-02-10,2024-02-30\n");
	fx_fail(&f, KP_EDATA, "log.csv:3:4: column '实报日期': '2024-02-30' is not a date", "February has 29 days", NULL);
	fx_free(&f);
	fx_rules(&f, dated_rules);
	fx_table(&f, "units", "units.csv", "id,name,cat\na,a,A\n");
	fx_table(&f, "log", "log.csv", "id,类别,应报日期,实报日期\na,月报,,2024-01-09\n");
	fx_fail(&f, KP_EDATA, "log.csv:2:3: column '应报日期': no due date", NULL, NULL);
	fx_free(&f);
	fx_rules(&f, dated_rules);
	fx_table(&f, "units", "units.csv", "id,name,cat\na,a,A\n");
	fx_table(&f, "log", "log.csv", "id,类别,应报时间,实报日期\na,月报,2024-01-10,2024-01-09\n");
	fx_fail(&f, KP_EDATA, "log.csv: no column '应报日期'", NULL, NULL);
	fx_free(&f);
}
END_TEST

/* ---------- scores sent in, blends, the trimmed mean (issue 15.9) ---------- */

START_TEST(test_given_blend)
{
	fx f;

	fx_rules(&f, HEAD
		 "section \"S\" { points = 30,\n"
		 "  indicator \"评议\" { points = 10, score = given(\"x\") },\n"
		 "  indicator \"综合\" { points = 10, score = blend { {given(\"k\"), 0.85}, {given(\"p\"), 0.15} } },\n"
		 "  indicator \"free\" { points = 10, clamp = false, score = given(\"x\") } }\n"
		 "section \"T\" { points = 10,\n"
		 "  indicator \"ten\" { points = 10, score = blend { {\"k\", 0.5}, {\"x\", 0.5, scale = 10} } } }\n");
	fx_table(&f, "units", "units.csv",
		 "id,name,cat,k,p,x\n"
		 "a,a,A,92,88,8.5\n"
		 "b,b,A,100,100,12\n"
		 "c,c,A,110,100,-2\n");
	fx_run(&f);
	/* a: as sent in; 10 × (92 × 0.85 + 88 × 0.15) / 100 = 9.14;
	 * 10 × (92 × 0.5 + 85 × 0.5) / 100 = 8.85 (8.5 of 10 is 85 of 100) */
	ck_pts(pts(&f, "a", "评议"), 8.5);
	ck_assert_str_eq(item(&f, "a", "评议")->note, "x 8.5 (由报送单位评定)");
	ck_pts(pts(&f, "a", "综合"), 9.14);
	ck_assert_str_eq(item(&f, "a", "综合")->note, "k 92×85% + p 88×15% = 91.4, 折算为9.14分");
	ck_pts(pts(&f, "a", "ten"), 8.85);
	ck_assert_str_eq(item(&f, "a", "ten")->note, "k 92×50% + x 8.5(满分10分)×50% = 88.5, 折算为8.85分");
	/* b: 12 is above the item's 10 → 10, said; 100 → 10 */
	ck_pts(pts(&f, "b", "评议"), 10);
	ck_assert_str_eq(item(&f, "b", "评议")->note, "x 12 (由报送单位评定), 高于满分10分, 按10分计");
	ck_pts(pts(&f, "b", "综合"), 10);
	ck_pts(pts(&f, "b", "free"), 12);
	ck_assert_str_eq(item(&f, "b", "free")->note, "x 12 (由报送单位评定)");
	/* c: −2 → 0, said; 110 × 0.85 + 15 = 108.5 → 10.85, kept at 10 */
	ck_pts(pts(&f, "c", "评议"), 0);
	ck_assert_str_eq(item(&f, "c", "评议")->note, "x -2 (由报送单位评定), 低于0分, 按0分计");
	ck_pts(pts(&f, "c", "综合"), 10);
	ck_assert_ptr_nonnull(strstr(item(&f, "c", "综合")->note, "折算为10.85分 (按10分计)"));
	ck_pts(pts(&f, "c", "free"), -2);
	fx_free(&f);
}
END_TEST

/* A blank part is a missing value, as everywhere: an error naming the
 * cell, unless default or missing says otherwise. */
START_TEST(test_blend_missing)
{
	fx f;

	fx_rules(&f, HEAD "section \"S\" { points = 10, indicator \"综合\" { points = 10,\n"
		 "  score = blend { {given(\"k\"), 0.85}, {given(\"p\"), 0.15} } } }\n");
	fx_table(&f, "units", "units.csv", "id,name,cat,k,p\na,a,A,90,\n");
	fx_fail(&f, KP_EDATA, "units.csv:2", "no value in column 'p'", "indicator '综合'");
	fx_free(&f);
	fx_rules(&f, HEAD "section \"S\" { points = 10, indicator \"综合\" { points = 10, default = 0,\n"
		 "  score = blend { {given(\"k\"), 0.85}, {given(\"p\"), 0.15} } } }\n");
	fx_table(&f, "units", "units.csv", "id,name,cat,k,p\na,a,A,90,\n");
	fx_run(&f);
	ck_pts(pts(&f, "a", "综合"), 7.65); /* 10 × (90 × 0.85 + 0) / 100 */
	ck_assert_ptr_nonnull(strstr(item(&f, "a", "综合")->note, "缺数据, 按默认值计"));
	fx_free(&f);
}
END_TEST

/* An event cell that is not a number, met from Lua: a data error naming
 * the cell, as from agg.sum. */
START_TEST(test_lua_event_bad_number)
{
	fx f;

	fx_rules(&f, HEAD
		 "events \"E\" { data = \"ev\", unit = \"id\" }\n"
		 "section \"S\" { points = 10,\n"
		 "  indicator \"fn\" { points = 10, score = function(u) return u.events[\"E\"]:sum(\"score\") end } }\n");
	fx_table(&f, "units", "units.csv", "id,name,cat\na,a,A\n");
	fx_table(&f, "ev", "ev.csv", "id,score\na,9\na,9x\n");
	fx_fail(&f, KP_EDATA, "ev.csv:3:2: column 'score': ", NULL, NULL);
	fx_free(&f);
}
END_TEST

/* 去掉一个最高分和一个最低分: exactly one of each even when others tie;
 * fewer than 3 scores: their plain average, said in the note; none: a
 * missing value.  The same from Lua as u.events[...]:trimmed_avg(col). */
START_TEST(test_trimmed_avg)
{
	fx f;

	fx_rules(&f, HEAD
		 "events \"E\" { data = \"ev\", unit = \"id\" }\n"
		 "section \"S\" { points = 40,\n"
		 "  indicator \"g\" { points = 10, default = 0, score = given(agg.trimmed_avg(\"E\", \"score\")) },\n"
		 "  indicator \"t\" { points = 10, default = 0, score = target(agg.trimmed_avg(\"E\", \"score\"), 10) },\n"
		 "  indicator \"kind\" { points = 10, default = 0, score = given(agg.trimmed_avg(\"E\", \"score\", {kind = \"x\"})) },\n"
		 "  indicator \"fn\" { points = 10, score = function(u)\n"
		 "    return u.events[\"E\"]:trimmed_avg(\"score\") or 0 end } }\n");
	fx_table(&f, "units", "units.csv", "id,name,cat\na,a,A\nb,b,A\nc,c,A\nd,d,A\n");
	fx_table(&f, "ev", "ev.csv",
		 "id,kind,score\n"
		 "a,x,9\na,x,9\na,y,7\na,x,9\na,x,10\na,x,\n"
		 "b,x,8\nb,x,7\n"
		 "d,x,8\nd,x,8\nd,x,8\n");
	fx_run(&f);
	/* a: 9 9 7 9 10 (the blank is no score): drop 10 and 7, (9+9+9)/3 */
	ck_pts(pts(&f, "a", "g"), 9);
	ck_assert_str_eq(item(&f, "a", "g")->note, "E平均score 9 (5个评分, 去掉最高10、最低7)");
	ck_pts(pts(&f, "a", "t"), 9);
	ck_assert_str_eq(item(&f, "a", "t")->note, "统计值 9, 目标10, 完成率90%, 得9分 (5个评分, 去掉最高10、最低7)");
	ck_pts(pts(&f, "a", "fn"), 9);
	/* a, kind x: 9 9 9 10: drop one 10 and one of the tied 9s, (9+9)/2 */
	ck_pts(pts(&f, "a", "kind"), 9);
	ck_assert_str_eq(item(&f, "a", "kind")->note, "E(筛选)平均score 9 (4个评分, 去掉最高10、最低9)");
	/* b: 2 scores, nothing dropped: 7.5 */
	ck_pts(pts(&f, "b", "g"), 7.5);
	ck_assert_str_eq(item(&f, "b", "g")->note, "E平均score 7.5 (2个评分, 不足3个, 未去掉最高分和最低分)");
	ck_pts(pts(&f, "b", "fn"), 7.5);
	/* c: no scores: a missing value (default 0; nil in Lua) */
	ck_pts(pts(&f, "c", "g"), 0);
	ck_assert_ptr_nonnull(strstr(item(&f, "c", "g")->note, "缺数据, 按默认值计"));
	ck_assert_ptr_null(strstr(item(&f, "c", "g")->note, "评分"));
	ck_pts(pts(&f, "c", "fn"), 0);
	/* d: all tied: one 8 each way dropped, 8 */
	ck_pts(pts(&f, "d", "g"), 8);
	ck_pts(pts(&f, "d", "fn"), 8);
	fx_free(&f);
}
END_TEST

/* With no rows and no default the trimmed mean is missing: an error. */
START_TEST(test_trimmed_avg_none)
{
	fx f;

	fx_rules(&f, HEAD
		 "events \"E\" { data = \"ev\", unit = \"id\" }\n"
		 "section \"S\" { points = 10, indicator \"评议\" { points = 10, score = given(agg.trimmed_avg(\"E\", \"score\")) } }\n");
	fx_table(&f, "units", "units.csv", "id,name,cat\na,甲,A\nb,乙,A\n");
	fx_table(&f, "ev", "ev.csv", "id,score\na,90\n");
	fx_fail(&f, KP_EDATA, "unit 'b' (乙)", "indicator '评议'", "no matching events");
	fx_free(&f);
}
END_TEST

START_TEST(test_lookup_missing_key)
{
	fx f;

	fx_rules(&f, HEAD
		 "section \"S\" { points = 10,\n"
		 "  indicator \"等次\" { points = 10, score = lookup(\"g\", {[\"优秀\"] = 10, [\"合格\"] = 6}) } }\n");
	fx_table(&f, "units", "units.csv", "id,name,cat,g\na,a,A,优秀\nb,b,A,差\n");
	fx_fail(&f, KP_EDATA, "'差' is not in the lookup table", "unit 'b'", "indicator '等次'");
	ck_assert_ptr_nonnull(strstr(f.err.msg, "units.csv:3"));
	fx_free(&f);
}
END_TEST

START_TEST(test_lookup_numbers)
{
	fx f;

	/* numeric keys match numbers however they are written */
	fx_rules(&f, HEAD
		 "section \"S\" { points = 10,\n"
		 "  indicator \"L\" { points = 10, score = lookup(\"g\", {[1] = 10, [2] = 5}, {default = 0}) } }\n");
	fx_table(&f, "units", "units.csv", "id,name,cat,g\na,a,A,1\nb,b,A,2.0\nc,c,A,3\n");
	fx_run(&f);
	ck_pts(pts(&f, "a", "L"), 10);
	ck_pts(pts(&f, "b", "L"), 5);
	ck_pts(pts(&f, "c", "L"), 0);
	fx_free(&f);
}
END_TEST

START_TEST(test_yes_no_bad)
{
	fx f;

	fx_rules(&f, HEAD "section \"S\" { points = 10, indicator \"Y\" { points = 10, score = yes_no(\"y\") } }\n");
	fx_table(&f, "units", "units.csv", "id,name,cat,y\na,a,A,是\nb,b,A,不清楚\n");
	fx_fail(&f, KP_EDATA, "'不清楚' is neither yes nor no", "unit 'b'", "units.csv:3");
	fx_free(&f);
	/* a negative number is neither yes nor no either, not a silent no */
	fx_rules(&f, HEAD "section \"S\" { points = 10, indicator \"Y\" { points = 10, score = yes_no(\"y\") } }\n");
	fx_table(&f, "units", "units.csv", "id,name,cat,y\na,a,A,2\nb,b,A,0\nc,c,A,-0.5\n");
	fx_fail(&f, KP_EDATA, "'-0.5' is neither yes nor no", "unit 'c'", "units.csv:4");
	fx_free(&f);
}
END_TEST

/* A helper's source may be a function of the unit. */
START_TEST(test_function_source)
{
	fx f;

	fx_rules(&f, HEAD
		 "section \"S\" { points = 20,\n"
		 "  indicator \"T\" { points = 10, score = target(function(u) return u.a + u.b end, 10) },\n"
		 "  indicator \"R\" { points = 10, score = ratio_to_best(function(u) return u.a * 2 end) } }\n");
	fx_table(&f, "units", "units.csv", "id,name,cat,a,b\nx,x,A,2,3\ny,y,A,4,4\n");
	fx_run(&f);
	/* x: 5/10 → 5; 4 of best 8 → 5.  y: 8/10 → 8; best → 10 */
	ck_pts(pts(&f, "x", "T"), 5);
	ck_pts(pts(&f, "x", "R"), 5);
	ck_pts(pts(&f, "y", "T"), 8);
	ck_pts(pts(&f, "y", "R"), 10);
	fx_free(&f);
}
END_TEST

/* ---------- 分类考核 ---------- */

START_TEST(test_within_category)
{
	fx f;

	/* the same values in two categories: the best of each gets full points,
	 * each category is ranked on its own, ctx statistics stay in the category */
	fx_rules(&f, HEAD
		 "section \"S\" { points = 30,\n"
		 "  indicator \"R\" { points = 10, score = ratio_to_best(\"r\") },\n"
		 "  indicator \"K\" { points = 10, score = rank_points(\"r\", {10, 5}) },\n"
		 "  indicator \"C\" { points = 10, score = function(u, ctx)\n"
		 "    return ctx:count() + ctx:max(\"r\") / 100 + ctx:count(\"all\") / 1000, ctx.category end } }\n");
	fx_table(&f, "units", "units.csv", "id,name,cat,r\na1,a1,A,40\na2,a2,A,20\nb1,b1,B,10\nb2,b2,B,5\nb3,b3,B,1\n");
	fx_run(&f);
	ck_pts(pts(&f, "a1", "R"), 10);
	ck_pts(pts(&f, "a2", "R"), 5);
	ck_pts(pts(&f, "b1", "R"), 10);
	ck_pts(pts(&f, "b2", "R"), 5);
	ck_pts(pts(&f, "b3", "R"), 1);
	ck_pts(pts(&f, "a1", "K"), 10);
	ck_pts(pts(&f, "a2", "K"), 5);
	ck_pts(pts(&f, "b1", "K"), 10);
	ck_pts(pts(&f, "b3", "K"), 0);
	/* A: 2 units, max 40, 5 in all → 2.405 → 2.41; B: 3 + 0.1 + 0.005 → 3.11 */
	ck_pts(pts(&f, "a1", "C"), 2.41);
	ck_pts(pts(&f, "b2", "C"), 3.11);
	ck_assert_str_eq(item(&f, "b2", "C")->note, "B");
	ck_assert_int_eq(unit(&f, "a1")->rank, 1);
	ck_assert_int_eq(unit(&f, "b1")->rank, 1);
	ck_assert_int_eq(unit(&f, "b3")->rank, 3);
	fx_free(&f);
}
END_TEST

/* ---------- rounding ---------- */

START_TEST(test_round_items)
{
	fx f;

	fx_rules(&f, HEAD GRADES
		 "section \"S\" { points = 120,\n"
		 "  indicator \"a\" { points = 5, score = function(u) return u.a end },\n"
		 "  indicator \"b\" { points = 5, score = function(u) return u.b end },\n"
		 "  indicator \"t\" { points = 10, score = target(\"t\", 8) },\n"
		 "  indicator \"big\" { points = 70, score = function(u) return u.big end },\n"
		 "  indicator \"rest\" { points = 30, score = function(u) return u.rest end } }\n");
	/* x: 2.675 → 2.68 and 1.005 → 1.01 (the raw doubles are below: 2.67, 1.00);
	 *    10 × 2.14 / 8 = 2.6750000000000003 → 2.68; total 6.37.
	 * y: 64.005 → 64.01 (raw 64.00499…), 25.99 → 90.00 */
	fx_table(&f, "units", "units.csv",
		 "id,name,cat,a,b,t,big,rest\nx,x,A,2.675,1.005,2.14,0,0\ny,y,A,0,0,0,64.005,25.99\n");
	fx_run(&f);
	ck_assert_double_eq(pts(&f, "x", "a"), 2.68);
	ck_assert_double_eq(pts(&f, "x", "b"), 1.01);
	ck_assert_double_eq(pts(&f, "x", "t"), 2.68);
	ck_assert_double_eq(unit(&f, "x")->total, 6.37);
	ck_assert_double_eq(pts(&f, "y", "big"), 64.01);
	ck_assert_double_eq(unit(&f, "y")->total, 90);
	ck_assert_str_eq(f.res->grades[unit(&f, "y")->grade], "优秀");
	fx_free(&f);
}
END_TEST

START_TEST(test_round_total)
{
	fx f;

	fx_rules(&f, HEAD_WITH(", round = \"total\"") GRADES
		 "section \"S\" { points = 100,\n"
		 "  indicator \"big\" { points = 70, score = function(u) return u.big end },\n"
		 "  indicator \"rest\" { points = 30, score = function(u) return u.rest end } }\n");
	/* y: 64.005 + 25.99 = 89.99499999999999 in doubles, 89.995 as a person
	 *    writes it → 90.00, and 优秀 (floor(x*100+0.5) would give 89.99).
	 * z: 1.004 + 1.004 = 2.008 → 2.01 (rounding each first would give 2.00) */
	fx_table(&f, "units", "units.csv", "id,name,cat,big,rest\ny,y,A,64.005,25.99\nz,z,A,1.004,1.004\n");
	fx_run(&f);
	ck_assert_double_eq(pts(&f, "y", "big"), 64.005);
	ck_assert_double_eq(unit(&f, "y")->raw, 64.005 + 25.99);
	ck_assert_double_eq(unit(&f, "y")->total, 90);
	ck_assert_str_eq(f.res->grades[unit(&f, "y")->grade], "优秀");
	ck_assert_double_eq(unit(&f, "z")->total, 2.01);
	ck_assert_double_eq(pts(&f, "z", "big"), 1.004);
	fx_free(&f);
}
END_TEST

START_TEST(test_round_precision)
{
	fx f;

	fx_rules(&f, "assessment { title = \"t\", precision = 1,\n"
		     "  unit = { id = \"id\", name = \"name\", category = \"cat\" }, categories = { \"A\" } }\n"
		     "section \"S\" { points = 10,\n"
		     "  indicator \"a\" { points = 5, clamp = false, score = function(u) return u.a end },\n"
		     "  indicator \"b\" { points = 5, score = function(u) return u.b end } }\n");
	/* x: 0.15 → 0.2 (the double is 0.1499…), 2.25 → 2.3: total 2.5.
	 * y: -2.675 → -2.7 (half away from zero), 4.25 → 4.3: section 1.6 */
	fx_table(&f, "units", "units.csv", "id,name,cat,a,b\nx,x,A,0.15,2.25\ny,y,A,-2.675,4.25\n");
	fx_run(&f);
	ck_assert_double_eq(pts(&f, "x", "a"), 0.2);
	ck_assert_double_eq(pts(&f, "x", "b"), 2.3);
	ck_assert_double_eq(unit(&f, "x")->total, 2.5);
	ck_assert_double_eq(pts(&f, "y", "a"), -2.7);
	ck_assert_double_eq(pts(&f, "y", "b"), 4.3);
	ck_assert_double_eq(unit(&f, "y")->total, 1.6);
	ck_assert_int_eq(f.res->precision, 1);
	fx_free(&f);
}
END_TEST

START_TEST(test_round_precision0)
{
	fx f;

	fx_rules(&f, "assessment { title = \"t\", precision = 0, round = \"total\",\n"
		     "  unit = { id = \"id\", name = \"name\", category = \"cat\" }, categories = { \"A\" } }\n"
		     "section \"S\" { points = 100, indicator \"a\" { points = 100, score = function(u) return u.a end } }\n");
	fx_table(&f, "units", "units.csv", "id,name,cat,a\nx,x,A,89.5\ny,y,A,89.49\n");
	fx_run(&f);
	ck_assert_double_eq(unit(&f, "x")->total, 90);
	ck_assert_double_eq(unit(&f, "y")->total, 89);
	fx_free(&f);
}
END_TEST

/* ---------- 缺项: missing values ---------- */

static const char missing_rules[] = HEAD
	"section \"S\" { points = 10,\n"
	"  indicator \"I1\" { points = 6, score = target(\"x\", 6) },\n"
	"  indicator \"I2\" { points = 4%s, score = target(\"w\", 4) } }\n";

/* units.csv holds x, extra.csv holds w: c has 2, d a blank, others no row */
static void missing_fx(fx *f, const char *decl, const char *units)
{
	char src[1024];

	snprintf(src, sizeof src, missing_rules, decl);
	fx_rules(f, src);
	fx_table(f, "units", "units.csv", units);
	fx_table(f, "extra", "extra.csv", strstr(units, "\nd,") ? "id,w\nc,2\nd,\n" : "id,w\nc,2\n");
}

START_TEST(test_missing_blank_cell)
{
	fx f;

	missing_fx(&f, "", "id,name,cat,x\na,甲,A,\nc,丙,A,6\n");
	fx_fail(&f, KP_EDATA, "units.csv:2:4: unit 'a' (甲) has no value in column 'x'", "indicator 'I1'", NULL);
	fx_free(&f);
	/* a blank in the other file */
	missing_fx(&f, "", "id,name,cat,x\nc,丙,A,6\nd,丁,A,6\n");
	fx_fail(&f, KP_EDATA, "extra.csv:3:2: unit 'd' (丁) has no value in column 'w'", "indicator 'I2'", NULL);
	fx_free(&f);
}
END_TEST

/* Every unit with a missing value in one pass (kp_score_opts.missing):
 * each noted with its message, the run fails with their count; a word for
 * "no value" counts as missing and is named as such; one alone is the
 * error itself. */
START_TEST(test_missing_all_units)
{
	kp_score_missing m = {0};
	kp_score_opts o = {0};
	fx f;

	missing_fx(&f, "", "id,name,cat,x\na,甲,A,\nc,丙,A,6\nd,丁,A,N/A\n");
	o.missing = &m;
	ck_assert_int_eq(fx_run_opts(&f, &o), KP_EDATA);
	ck_assert_ptr_null(f.res);
	ck_assert_uint_eq(m.n, 2); /* a, and d (its first missing value: a unit stops at one) */
	ck_assert_str_eq(f.err.msg, "2 units have a missing value (listed above): fill them in, or declare default = … "
				    "or missing = \"skip\" where a value may be missing");
	ck_assert_msg(strstr(kp_sb_str(&m.lines), "units.csv:2:4: unit 'a' (甲) has no value in column 'x'") &&
		      !strstr(kp_sb_str(&m.lines), "extra.csv") &&
		      strstr(kp_sb_str(&m.lines), "units.csv:4:4: unit 'd' (丁), column 'x' holds a word for \"no value\""),
		      "%s", kp_sb_str(&m.lines));
	kp_sb_free(&m.lines);
	fx_free(&f);
	memset(&m, 0, sizeof m);
	missing_fx(&f, "", "id,name,cat,x\na,甲,A,\nc,丙,A,6\n");
	ck_assert_int_eq(fx_run_opts(&f, &o), KP_EDATA);
	ck_assert_uint_eq(m.n, 1);
	ck_assert_msg(strstr(f.err.msg, "units.csv:2:4: unit 'a' (甲) has no value in column 'x'") &&
		      !strchr(f.err.msg, '\n'), "%s", f.err.msg);
	kp_sb_free(&m.lines);
	fx_free(&f);
}
END_TEST

/* The error of a missing value in both languages, whole. */
START_TEST(test_missing_message_zh_en)
{
	fx f;

	kp_msg_set_lang(KP_LANG_ZH);
	missing_fx(&f, "", "id,name,cat,x\na,甲,A,\nc,丙,A,6\n");
	fx_fail(&f, KP_EDATA, NULL, NULL, NULL);
	ck_assert_str_eq(f.err.msg, "units.csv:2:4: 单位“a”（甲）在列“x”中没有值"
				    "（indicator“I1”；如允许缺失，请声明 default = … 或 missing = \"skip\"）");
	fx_free(&f);
	kp_msg_set_lang(KP_LANG_EN);
	missing_fx(&f, "", "id,name,cat,x\na,甲,A,\nc,丙,A,6\n");
	fx_fail(&f, KP_EDATA, NULL, NULL, NULL);
	ck_assert_str_eq(f.err.msg, "units.csv:2:4: unit 'a' (甲) has no value in column 'x' "
				    "(indicator 'I1'; declare default = … or missing = \"skip\" to allow it)");
	fx_free(&f);
}
END_TEST

START_TEST(test_missing_row)
{
	fx f;

	missing_fx(&f, "", "id,name,cat,x\nc,丙,A,6\nb,乙,A,3\n");
	fx_fail(&f, KP_EDATA, "extra.csv: no row for unit 'b' (乙)", "column 'w'", "indicator 'I2'");
	fx_free(&f);
}
END_TEST

START_TEST(test_missing_default)
{
	fx f;

	missing_fx(&f, ", default = 0", "id,name,cat,x\nb,乙,A,3\nc,丙,A,6\nd,丁,A,6\n");
	fx_run(&f);
	/* b: 3 + 0 (no row); c: 6 + 2; d: 6 + 0 (blank) */
	ck_pts(unit(&f, "b")->total, 3);
	ck_pts(pts(&f, "b", "I2"), 0);
	ck_assert_ptr_nonnull(strstr(item(&f, "b", "I2")->note, "按默认值计"));
	ck_pts(unit(&f, "c")->total, 8);
	ck_assert_ptr_null(strstr(item(&f, "c", "I2")->note, "默认"));
	ck_pts(unit(&f, "d")->total, 6);
	fx_free(&f);
	/* a default that scores: 2 of 4 → 2 points */
	missing_fx(&f, ", default = 2", "id,name,cat,x\nb,乙,A,3\nc,丙,A,6\n");
	fx_run(&f);
	ck_pts(pts(&f, "b", "I2"), 2);
	ck_pts(unit(&f, "b")->total, 5);
	fx_free(&f);
}
END_TEST

START_TEST(test_missing_skip)
{
	fx f;

	missing_fx(&f, ", missing = \"skip\"", "id,name,cat,x\nb,乙,A,3\nc,丙,A,6\ne,戊,A,4\n");
	fx_run(&f);
	/* b: I2 skipped, 3 of the 6 points scored → 3 × 10 / 6 = 5; the
	 * section shows the rescaled points, so sections add up to the total */
	ck_assert_int_eq(item(&f, "b", "I2")->skipped, 1);
	ck_pts(pts(&f, "b", "I2"), 0);
	ck_pts(sec(&f, "b", 0), 5);
	ck_pts(unit(&f, "b")->base, 5);
	ck_pts(unit(&f, "b")->total, 5);
	ck_assert_int_eq(item(&f, "b", "缺项折算")->kind, KP_ITEM_NOTE);
	ck_assert_ptr_nonnull(strstr(item(&f, "b", "缺项折算")->note, "10/6"));
	/* c: nothing missing: 6 + 2, no rescaling */
	ck_pts(unit(&f, "c")->total, 8);
	ck_assert_ptr_null(item(&f, "c", "缺项折算"));
	ck_assert_int_eq(item(&f, "c", "I2")->skipped, 0);
	/* e: 4 × 10 / 6 = 6.666… → 6.67 */
	ck_assert_double_eq(unit(&f, "e")->total, 6.67);
	fx_free(&f);
}
END_TEST

/* 折算尾差 (issue 15.3): rescaled sections, each printed rounded, miss the
 * total (rounded once from their unrounded sum) by a cent; the total
 * stays, the difference is an item of its own. */
START_TEST(test_rescale_residue)
{
	fx f;

	fx_rules(&f, HEAD
		 "section \"A\" { points = 10,\n"
		 "  indicator \"a1\" { points = 5, missing = \"skip\", score = target(\"s\", 1) },\n"
		 "  indicator \"a2\" { points = 5, clamp = false, score = function(u) return u.x end } }\n"
		 "section \"B\" { points = 10, indicator \"b1\" { points = 10, score = function(u) return u.y end } }\n");
	fx_table(&f, "units", "units.csv", "id,name,cat,s,x,y\na,a,A,,1.01,1.01\nb,b,A,1,1.01,1.01\n");
	fx_run(&f);
	/* a: 20/15 × 1.01 = 1.34666… → A 1.35, B 1.35 (printed 2.70); the total
	 * is 2.69333… → 2.69 */
	ck_pts(sec(&f, "a", 0), 1.35);
	ck_pts(sec(&f, "a", 1), 1.35);
	ck_pts(unit(&f, "a")->total, 2.69);
	ck_pts(pts(&f, "a", "折算尾差"), -0.01);
	ck_assert_int_eq(item(&f, "a", "折算尾差")->kind, KP_ITEM_NOTE);
	ck_assert_str_eq(item(&f, "a", "折算尾差")->note,
			 "各部分按比例折算后分别四舍五入, 与扣分、加分合计2.70分; 总分按未四舍五入的得分计算, 相差-0.01分");
	/* b: nothing rescaled, nothing to reconcile */
	ck_pts(unit(&f, "b")->total, 7.02);
	ck_assert_ptr_null(item(&f, "b", "折算尾差"));
	fx_free(&f);
}
END_TEST

START_TEST(test_missing_skip_in_function)
{
	fx f;

	/* a function reading a blank cell of a skip indicator skips it too */
	fx_rules(&f, HEAD
		 "section \"S\" { points = 10,\n"
		 "  indicator \"I1\" { points = 5, score = function(u) return u.x end },\n"
		 "  indicator \"I2\" { points = 5, missing = \"skip\", score = function(u) return u.w end } }\n"
		 "section \"T\" { points = 10,\n"
		 "  indicator \"I3\" { points = 10, default = 4, score = function(u) return u.v end } }\n");
	fx_table(&f, "units", "units.csv", "id,name,cat,x,w,v\na,a,A,4,,\nb,b,A,4,5,10\n");
	fx_run(&f);
	/* a: 4 + (skip) + 4 (default) = 8 of 15 scored → 8 × 20 / 15 = 10.666… → 10.67 */
	ck_assert_int_eq(item(&f, "a", "I2")->skipped, 1);
	ck_pts(pts(&f, "a", "I3"), 4);
	ck_assert_double_eq(unit(&f, "a")->total, 10.67);
	ck_pts(unit(&f, "b")->total, 19);
	fx_free(&f);
	/* without a declaration the function's read is an error naming the cell */
	fx_rules(&f, HEAD
		 "section \"S\" { points = 5, indicator \"I1\" { points = 5, score = function(u) return u.x end } }\n");
	fx_table(&f, "units", "units.csv", "id,name,cat,x\na,a,A,3\nb,b,A,\n");
	fx_fail(&f, KP_EDATA, "units.csv:3:4: unit 'b' (b) has no value in column 'x'", "indicator 'I1'", NULL);
	fx_free(&f);
}
END_TEST

START_TEST(test_missing_deduction)
{
	fx f;

	fx_rules(&f, HEAD
		 "section \"S\" { points = 10, indicator \"I\" { points = 10, score = target(\"x\", 1) } }\n"
		 "deduction \"D\" { per = 1, count = \"d\" }\n");
	fx_table(&f, "units", "units.csv", "id,name,cat,x,d\na,a,A,1,0\nb,b,A,1,\n");
	fx_fail(&f, KP_EDATA, "units.csv:3:5: unit 'b' (b) has no value in column 'd'", "deduction 'D'", NULL);
	fx_free(&f);
}
END_TEST

START_TEST(test_unknown_column)
{
	fx f;

	fx_rules(&f, HEAD "section \"S\" { points = 10, indicator \"I\" { points = 10, score = target(\"xx\", 1) } }\n");
	fx_table(&f, "units", "units.csv", "id,name,cat,x\na,a,A,1\n");
	fx_fail(&f, KP_EDATA, "indicator 'I' reads the column 'xx', which no imported file has", NULL, NULL);
	fx_free(&f);
}
END_TEST

/* ---------- 事件数据 ---------- */

static const char events_rules[] = HEAD
	"events \"E\" { data = \"ev\", unit = \"id\" }\n"
	"section \"S\" { points = 12000,\n"
	"  indicator \"count\" { points = 1000, score = target(agg.count(\"E\"), 1000) },\n"
	"  indicator \"count_x\" { points = 1000, score = target(agg.count(\"E\", {kind = \"x\"}), 1000) },\n"
	"  indicator \"sum\" { points = 1000, score = target(agg.sum(\"E\", \"score\"), 1000) },\n"
	"  indicator \"avg\" { points = 1000, default = 0, score = target(agg.avg(\"E\", \"score\"), 1000) },\n"
	"  indicator \"min\" { points = 1000, default = 0, score = target(agg.min(\"E\", \"score\"), 1000) },\n"
	"  indicator \"max\" { points = 1000, default = 0, score = target(agg.max(\"E\", \"score\"), 1000) },\n"
	"  indicator \"avg_f\" { points = 1000, default = 0,\n"
	"    score = target(agg.avg(\"E\", \"score\", function(r) return r.kind == \"x\" end), 1000) },\n"
	"  indicator \"fn_count\" { points = 1000, score = function(u)\n"
	"    local e = u.events[\"E\"] return e:count({kind = \"x\"}) + 10 * e:count() end },\n"
	"  indicator \"fn_sum\" { points = 1000, score = function(u)\n"
	"    return u.events[\"E\"]:sum(\"score\", function(r) return r.score and r.score > 75 end) end },\n"
	"  indicator \"fn_avg\" { points = 1000, score = function(u)\n"
	"    return u.events[\"E\"]:avg(\"score\") or 0 end },\n"
	"  indicator \"fn_minmax\" { points = 1000, score = function(u)\n"
	"    local e = u.events[\"E\"] return (e:min(\"score\", {kind = \"x\"}) or 0) + (e:max(\"score\", {kind = \"x\"}) or 0) end },\n"
	"  indicator \"fn_rows\" { points = 1000, score = function(u)\n"
	"    local n = 0 for r in u.events[\"E\"]:rows() do n = n + 1 end return n end },\n"
	"}\n"
	"deduction \"y\" { per = 1, count = agg.count(\"E\", {kind = \"y\"}) }\n";

START_TEST(test_events)
{
	static const char *const ind[] = {
		"count", "count_x", "sum", "avg", "min", "max", "avg_f", "fn_count", "fn_sum", "fn_avg", "fn_minmax", "fn_rows"
	};
	/* a: rows x 80, y 90, x 70, z (blank score): count 4, x 2, sum 240,
	 * avg 240/3 = 80, min 70, max 90, avg of x 75; 2 + 10×4 = 42; > 75: 170;
	 * x min + max 70 + 80 = 150; 4 rows.  b: no rows; c: one row x 100. */
	static const double want_a[] = { 4, 2, 240, 80, 70, 90, 75, 42, 170, 80, 150, 4 };
	static const double want_b[] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	static const double want_c[] = { 1, 1, 100, 100, 100, 100, 100, 11, 100, 100, 200, 1 };
	fx f;
	size_t k;

	fx_rules(&f, events_rules);
	fx_table(&f, "units", "units.csv", "id,name,cat\na,a,A\nb,b,A\nc,c,B\n");
	fx_table(&f, "ev", "ev.csv", "id,kind,score\na,x,80\nc,x,100\na,y,90\na,x,70\na,z,\n");
	fx_run(&f);
	for (k = 0; k < 12; k++) {
		ck_assert_msg(pts(&f, "a", ind[k]) == want_a[k], "a %s: %g", ind[k], pts(&f, "a", ind[k]));
		ck_assert_msg(pts(&f, "b", ind[k]) == want_b[k], "b %s: %g", ind[k], pts(&f, "b", ind[k]));
		ck_assert_msg(pts(&f, "c", ind[k]) == want_c[k], "c %s: %g", ind[k], pts(&f, "c", ind[k]));
	}
	/* the y row is deducted */
	ck_pts(unit(&f, "a")->deductions, 1);
	ck_pts(unit(&f, "a")->total, 4 + 2 + 240 + 80 + 70 + 90 + 75 + 42 + 170 + 80 + 150 + 4 - 1);
	ck_pts(unit(&f, "c")->deductions, 0);
	fx_free(&f);
}
END_TEST

START_TEST(test_events_missing)
{
	fx f;

	/* avg of no rows is a missing value: an error without a default */
	fx_rules(&f, HEAD
		 "events \"E\" { data = \"ev\", unit = \"id\" }\n"
		 "section \"S\" { points = 100, indicator \"评查\" { points = 100, score = target(agg.avg(\"E\", \"score\"), 100) } }\n");
	fx_table(&f, "units", "units.csv", "id,name,cat\na,甲,A\nb,乙,A\n");
	fx_table(&f, "ev", "ev.csv", "id,score\na,90\n");
	fx_fail(&f, KP_EDATA, "unit 'b' (乙)", "indicator '评查'", "no matching events");
	ck_assert_ptr_nonnull(strstr(f.err.msg, f.path));
	fx_free(&f);
}
END_TEST

/* ---------- 年度对比: last year ---------- */

START_TEST(test_last_year)
{
	static const char *secnames[] = { "S" };
	static double secpts[] = { 60, 50 };
	/* b was ranked in category B last year, and is in A now */
	kp_last_unit lu[] = { { "a", 95, 1, "优秀", 0, "A" }, { "b", 80, 2, "良好", 1, "B" } };
	kp_last last = { 2020, 2, lu, 1, secnames, secpts };
	kp_score_opts o = {0};
	fx f;

	fx_rules(&f, HEAD
		 "section \"S\" { points = 500,\n"
		 "  indicator \"total\" { points = 100, score = function(u) return u.last and u.last.total or 0 end },\n"
		 "  indicator \"rank\" { points = 100, score = function(u) return u.last and u.last.rank or 0 end },\n"
		 "  indicator \"sec\" { points = 100, score = function(u) return u.last and u.last.sections.S or 0 end },\n"
		 "  indicator \"grade\" { points = 100, score = function(u) return u.last and u.last.grade == \"良好\" and 1 or 0 end },\n"
		 "  indicator \"year\" { points = 100, score = function(u) return u.last and u.last.year - 2000 or 0 end } }\n"
		 "bonus \"进步\" { max = 3, score = function(u) return u.last and u.last.rank > 1 and 3 or 0 end }\n");
	fx_table(&f, "units", "units.csv", "id,name,cat\na,a,A\nb,b,A\nc,c,A\n");
	o.details = 1;
	o.last = &last;
	ck_assert_msg(fx_run_opts(&f, &o) == 0, "%s", f.err.msg);
	ck_assert_int_eq(f.res->last_year, 2020);
	ck_pts(pts(&f, "a", "total"), 95);
	ck_pts(pts(&f, "a", "rank"), 1);
	ck_pts(pts(&f, "a", "sec"), 60);
	ck_pts(pts(&f, "a", "grade"), 0);
	ck_pts(pts(&f, "a", "year"), 20);
	ck_pts(unit(&f, "a")->bonus, 0);
	ck_pts(pts(&f, "b", "total"), 80);
	ck_pts(pts(&f, "b", "sec"), 50);
	ck_pts(pts(&f, "b", "grade"), 1);
	ck_pts(unit(&f, "b")->bonus, 3);
	ck_pts(pts(&f, "c", "total"), 0);
	ck_pts(unit(&f, "c")->total, 0);
	ck_assert(KP_MORE(unit(&f, "a"))->has_last && KP_MORE(unit(&f, "a"))->last_rank == 1 && KP_MORE(unit(&f, "a"))->last_total == 95);
	ck_assert(KP_MORE(unit(&f, "a"))->has_last_rank);
	/* b changed category: last year's total, but no rank to compare
	 * (its rank among B says nothing against one among A); the rules'
	 * u.last.rank is still last year's rank */
	ck_assert(KP_MORE(unit(&f, "b"))->has_last && KP_MORE(unit(&f, "b"))->last_total == 80);
	ck_assert_int_eq(KP_MORE(unit(&f, "b"))->has_last_rank, 0);
	ck_assert_int_eq(KP_MORE(unit(&f, "c"))->has_last, 0);
	fx_free(&f);
	/* without last year's results u.last is nil */
	fx_rules(&f, HEAD
		 "section \"S\" { points = 10, indicator \"I\" { points = 10, score = function(u)\n"
		 "  return u.last == nil and 10 or 0 end } }\n");
	fx_table(&f, "units", "units.csv", "id,name,cat\na,a,A\n");
	fx_run(&f);
	ck_pts(unit(&f, "a")->total, 10);
	ck_assert_int_eq(KP_MORE(unit(&f, "a"))->has_last, 0);
	ck_assert_int_eq(f.res->last_year, 0);
	fx_free(&f);
}
END_TEST

/* ---------- what a rule function may return ---------- */

static const struct {
	const char *ret, *want;
} bad_returns[] = {
	{ "nil", "returned nil" },
	{ "0/0", "NaN or infinity" },
	{ "math.huge", "NaN or infinity" },
	{ "-math.huge", "NaN or infinity" },
	{ "'5'", "returned string" },
	{ "{}", "returned table" },
	{ "true", "returned boolean" },
	{ "", "returned nil" },
};

START_TEST(test_bad_return)
{
	char src[1024];
	fx f;

	snprintf(src, sizeof src, HEAD
		 "section \"S\" { points = 10,\n"
		 "  indicator \"X\" { points = 10, score = function(u) if u.id == 'bad' then return %s end return 1 end } }\n",
		 bad_returns[_i].ret);
	fx_rules(&f, src);
	fx_table(&f, "units", "units.csv", "id,name,cat\nok,ok,A\nbad,bad,A\n");
	fx_fail(&f, KP_ERULE, "in indicator 'X' for unit 'bad'", bad_returns[_i].want, f.path);
	ck_assert_ptr_nonnull(strstr(f.err.msg, ":5:"));
	fx_free(&f);
}
END_TEST

/* A rule that computes with a cell of text fails in Lua's words.  When
 * other rows of the column hold numbers the text is the data's mistake
 * (KP_EDATA naming file, line, column, unit and cell; in an event row
 * too, and in an order as in arithmetic); a column of words only computed
 * with is the rule's (KP_ERULE). */
START_TEST(test_text_computed_with)
{
	static const char *const bodies[] = {
		"return u.n * 2", "return u.n / 2 + 1", "if u.n > 3 then return 1 end return 0", "return math.floor(u.n)",
	};
	char src[1024];
	fx f;
	size_t i;

	for (i = 0; i < sizeof bodies / sizeof *bodies; i++) {
		snprintf(src, sizeof src, HEAD
			 "section \"S\" { points = 10,\n"
			 "  indicator \"X\" { points = 10, score = function(u) %s end } }\n", bodies[i]);
		fx_rules(&f, src);
		fx_table(&f, "units", "units.csv", "id,name,cat,n\nok,ok,A,4\nbad,坏,A,待补\n");
		fx_fail(&f, KP_EDATA, "units.csv:3:4: unit 'bad' (坏), column 'n' holds '待补', not a number",
			"(indicator 'X': ", ":5: ");
		fx_free(&f);
	}
	fx_rules(&f, HEAD
		 "events \"cases\" { data = \"cases\", unit = \"id\" }\n"
		 "section \"S\" { points = 10,\n"
		 "  indicator \"X\" { points = 10, score = function(u) local t = 0\n"
		 "    for r in u.events.cases:rows() do t = t + r.amount end return t end } }\n");
	fx_table(&f, "units", "units.csv", "id,name,cat\nu,u,A\n");
	fx_table(&f, "cases", "cases.csv", "id,amount\nu,2\nu,3 件\n");
	fx_fail(&f, KP_EDATA, "cases.csv:3:2: unit 'u' (u), column 'amount' holds '3 件', not a number", ":7: ", NULL);
	fx_free(&f);
	fx_rules(&f, HEAD
		 "section \"S\" { points = 10,\n"
		 "  indicator \"X\" { points = 10, score = function(u) return u.yes * 10 end } }\n");
	fx_table(&f, "units", "units.csv", "id,name,cat,yes\nok,ok,A,是\nno,no,A,否\n");
	fx_fail(&f, KP_ERULE, "in indicator 'X' for unit 'ok'", "arithmetic on a string value (field 'yes')", NULL);
	fx_free(&f);
}
END_TEST

START_TEST(test_bad_return_elsewhere)
{
	fx f;

	fx_rules(&f, HEAD
		 "section \"S\" { points = 10, indicator \"I\" { points = 10, score = target(function(u) return 'many' end, 1) } }\n");
	fx_table(&f, "units", "units.csv", "id,name,cat\nu,u,A\n");
	fx_fail(&f, KP_ERULE, "in indicator 'I' for unit 'u'", "value function returned string", NULL);
	fx_free(&f);
	fx_rules(&f, HEAD
		 "section \"S\" { points = 10, indicator \"I\" { points = 10, score = function(u) return 1 end } }\n"
		 "deduction \"D\" { points = function(u) return nil end }\n");
	fx_table(&f, "units", "units.csv", "id,name,cat\nu,u,A\n");
	fx_fail(&f, KP_ERULE, "in deduction 'D' for unit 'u'", "returned nil", NULL);
	fx_free(&f);
	fx_rules(&f, HEAD
		 "section \"S\" { points = 10, indicator \"I\" { points = 10, score = function(u) return 1 end } }\n"
		 "bonus \"B\" { max = 1, score = function(u) return 0/0 end }\n");
	fx_table(&f, "units", "units.csv", "id,name,cat\nu,u,A\n");
	fx_fail(&f, KP_ERULE, "in bonus 'B' for unit 'u'", "NaN", NULL);
	fx_free(&f);
	/* a runtime error in a rule names file, line, indicator and unit */
	fx_rules(&f, HEAD
		 "section \"S\" { points = 10, indicator \"I\" { points = 10, score = function(u)\n"
		 "  return u.x + nil end } }\n");
	fx_table(&f, "units", "units.csv", "id,name,cat,x\nu,u,A,1\n");
	fx_fail(&f, KP_ERULE, ":5: in indicator 'I' for unit 'u'", "arithmetic", f.path);
	fx_free(&f);
	/* reading a column no file has */
	fx_rules(&f, HEAD
		 "section \"S\" { points = 10, indicator \"I\" { points = 10, score = function(u)\n"
		 "  return u[\"不存在\"] end } }\n");
	fx_table(&f, "units", "units.csv", "id,name,cat,x\nu,u,A,1\n");
	fx_fail(&f, KP_ERULE, "in indicator 'I' for unit 'u'", "no column '不存在'", NULL);
	fx_free(&f);
}
END_TEST

/* ---------- notes, in the rule's words ---------- */

START_TEST(test_notes)
{
	fx f;

	fx_rules(&f, HEAD
		 "section \"S\" { points = 40,\n"
		 "  indicator \"目标\" { points = 10, score = target(\"学法次数\", 8) },\n"
		 "  indicator \"每件\" { points = 10, score = per_item(\"问题数\", 2, 6) },\n"
		 "  indicator \"分档\" { points = 5, score = bands(\"持证率\", {{0.95, 5}, {0.9, 3}}) },\n"
		 "  indicator \"未达\" { points = 5, score = bands(\"持证率2\", {{0.95, 5}, {0.9, 3}}) },\n"
		 "  indicator \"是否\" { points = 5, score = yes_no(\"印发\") },\n"
		 "  indicator \"函数\" { points = 5, score = function(u)\n"
		 "    return 3, string.format(\"未整改%d项\", u[\"问题数\"]) end } }\n"
		 "deduction \"复议\" { per = 2, max = 3, count = \"复议纠错数\" }\n");
	fx_table(&f, "units", "units.csv",
		 "id,name,cat,学法次数,问题数,持证率,持证率2,印发,复议纠错数\na,a,A,4,2,0.964,0.5,是,2\n");
	fx_run(&f);
	ck_assert_str_eq(item(&f, "a", "目标")->note, "学法次数 4, 目标8, 完成率50%, 得5分");
	ck_assert_str_eq(item(&f, "a", "每件")->note, "问题数 2件, 每件扣2分, 扣4分");
	ck_pts(pts(&f, "a", "每件"), 6);
	ck_assert_str_eq(item(&f, "a", "分档")->note, "持证率 0.964 ≥ 0.95, 得5分");
	ck_assert_ptr_nonnull(strstr(item(&f, "a", "未达")->note, "未达最低档"));
	ck_assert_str_eq(item(&f, "a", "是否")->note, "印发: 是, 得5分");
	ck_assert_str_eq(item(&f, "a", "函数")->note, "未整改2项");
	ck_assert_str_eq(item(&f, "a", "复议")->note, "复议纠错数2件, 每件扣2分, 最多扣3分, 扣3分");
	ck_pts(unit(&f, "a")->total, 5 + 6 + 5 + 0 + 5 + 3 - 3);
	fx_free(&f);
}
END_TEST

START_TEST(test_no_details)
{
	kp_score_opts o = {0};
	fx f;

	fx_rules(&f, helpers_rules);
	fx_table(&f, "units", "units.csv", helpers_units);
	ck_assert_msg(fx_run_opts(&f, &o) == 0, "%s", f.err.msg);
	ck_assert_ptr_null(KP_MORE(unit(&f, "a1"))->items);
	ck_assert_int_eq(KP_MORE(unit(&f, "a1"))->nitems, 0);
	ck_pts(unit(&f, "a1")->total, 5 + 10 + 5 + 0 + 10 + 6 + 10 + 10 + 3 + 10 + 10 + 10);
	fx_free(&f);
}
END_TEST

/* ---------- yes/no words ---------- */

START_TEST(test_yes_no_words)
{
	static const char *const yes[] = { "是", "有", "yes", "YES", "Y", "y", "true", "True", "√", "✓", "1", "2", "0.5",
					   " 是 ", "100%" };
	static const char *const no[] = { "否", "无", "no", "No", "n", "N", "false", "FALSE", "×", "0", "0.0", "-0", " 否" };
	/* RULES.md: yes is a positive number, no is 0; a negative one is neither */
	static const char *const neither[] = { "", " ", "也许", "yes!", "maybe", "是否", "abc", "-1", "-0.5", "-1e-9" };
	size_t i;

	for (i = 0; i < sizeof yes / sizeof *yes; i++)
		ck_assert_msg(kp_score_yes_no(yes[i]) == 1, "'%s' should be yes", yes[i]);
	for (i = 0; i < sizeof no / sizeof *no; i++)
		ck_assert_msg(kp_score_yes_no(no[i]) == 0, "'%s' should be no", no[i]);
	for (i = 0; i < sizeof neither / sizeof *neither; i++)
		ck_assert_msg(kp_score_yes_no(neither[i]) == -1, "'%s' should be neither", neither[i]);
}
END_TEST

/* ---------- kaoping test: a rule file's own cases ---------- */

START_TEST(test_ruletest)
{
	kp_rules *r = NULL;
	kp_case_result *cr = NULL;
	kp_err err = {0};
	size_t n = 0, i;

	ck_assert_msg(kp_rules_load("tests/rules/cases.lua", NULL, 1, &r, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(r->ncase, 4);
	ck_assert_int_eq(kp_ruletest_run(r, &cr, &n, &err), 0);
	ck_assert_int_eq(n, 4);
	for (i = 0; i < n; i++)
		if (!strcmp(cr[i].name, "算错了"))
			break;
	ck_assert_int_lt(i, n);
	ck_assert_int_eq(cr[i].passed, 0);
	ck_assert_str_eq(cr[i].where, "tests/rules/cases.lua:29");
	ck_assert_msg(strstr(cr[i].detail, "  total: expected 9.00, got 4.00\n"), "%s", cr[i].detail);
	ck_assert_msg(strstr(cr[i].detail, "  学法: expected 4.00, got 3.00\n"), "%s", cr[i].detail);
	ck_assert_msg(strstr(cr[i].detail, "  grade: expected 优秀, got 合格\n"), "%s", cr[i].detail);
	ck_assert_msg(strstr(cr[i].detail, "  不存在: expected 1.00, got no such indicator"), "%s", cr[i].detail);
	for (i = 0; i < n; i++) {
		if (!strcmp(cr[i].name, "算错了"))
			continue;
		ck_assert_msg(cr[i].passed, "%s (%s):\n%s", cr[i].name, cr[i].where, cr[i].detail ? cr[i].detail : "");
		ck_assert_ptr_null(cr[i].detail);
	}
	ck_assert_str_eq(cr[3].name, "旁边的用例");
	ck_assert_str_eq(cr[3].where, "tests/rules/cases_test.lua:3");
	kp_ruletest_free(cr, n);
	kp_rules_free(r);
	kp_err_clear(&err);
}
END_TEST

/* "(none)" is the rule file's word for no grade in both languages of
 * messages (it once had to be （无） when kaoping spoke Chinese). */
START_TEST(test_ruletest_no_grade_any_language)
{
	kp_rules *r = NULL;
	kp_case_result *cr = NULL;
	kp_err err = {0};
	size_t n = 0;

	kp_msg_set_lang(_i ? KP_LANG_ZH : KP_LANG_EN);
	ck_assert_msg(kp_rules_load("tests/rules/nograde.lua", NULL, 1, &r, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(kp_ruletest_run(r, &cr, &n, &err), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_msg(cr[0].passed, "%s", cr[0].detail ? cr[0].detail : "");
	kp_ruletest_free(cr, n);
	kp_rules_free(r);
	kp_err_clear(&err);
}
END_TEST

START_TEST(test_ruletest_error)
{
	kp_rules *r = NULL;
	kp_case_result *cr = NULL;
	kp_err err = {0};
	size_t n = 0;
	fx f;

	/* a case whose rule raises: it fails with the error as its detail */
	fx_rules(&f, HEAD
		 "section \"S\" { points = 10, indicator \"I\" { points = 10, score = function(u) return u.x / u.y end } }\n"
		 "case \"除零\" { unit = { x = 1 }, expect = { total = 10 } }\n");
	r = f.r;
	ck_assert_int_eq(kp_ruletest_run(r, &cr, &n, &err), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(cr[0].passed, 0);
	ck_assert_msg(strstr(cr[0].detail, "no column 'y'") || strstr(cr[0].detail, "'y'"), "%s", cr[0].detail);
	kp_ruletest_free(cr, n);
	fx_free(&f);
	kp_err_clear(&err);
}
END_TEST

/* ---------- both cores with notes: batches, handed on in order ---------- */

#define MANY_RULES                                                                                  \
	HEAD "section \"S\" { points = 100,\n"                                                      \
	"  indicator \"r\" { points = 60, score = target(\"x\", 0.95) },\n"                          \
	"  indicator \"b\" { points = 40, score = ratio_to_best(\"y\", { scope = \"all\" }) },\n"    \
	"  deduction \"d\" { per = 2, max = 10, count = \"z\" } }\n"                                 \
	"bonus \"big\" { max = 3, score = bands(\"y\", { {400, 3} }) }\n"                           \
	"veto \"v\" { when = \"w\", reason = \"w = 1\" }\n"

static void fx_many(fx *f, size_t n, size_t bad)
{
	size_t cap = n * 64 + 64, len, u;
	char *csv = malloc(cap);

	ck_assert_ptr_nonnull(csv);
	fx_rules(f, MANY_RULES);
	len = (size_t)snprintf(csv, cap, "id,name,cat,x,y,z,w\n");
	for (u = 0; u < n; u++)
		if (u == bad) /* a blank: a data error while scoring */
			len += (size_t)snprintf(csv + len, cap - len, "U%06zu,n%zu,A,,1,1,0\n", u, u);
		else
			len += (size_t)snprintf(csv + len, cap - len, "U%06zu,n%zu,%s,%.4f,%zu,%zu,%d\n", u, u,
						u % 3 ? "A" : "B", (double)(u * 7919 % 10000) / 10000,
						u * 104729 % 500, u % 7, u % 101 == 0);
	fx_table(f, "units", "units.csv", csv);
	free(csv);
}

typedef struct seen { size_t next; int out_of_order; size_t items; } seen;

static int count_sink(void *ud, const kp_result *res, size_t unit, const kp_item *items, size_t n, kp_err *err)
{
	seen *s = ud;

	(void)res, (void)items, (void)err;
	if (unit != s->next)
		s->out_of_order = 1;
	s->next = unit + 1, s->items += n;
	return 0;
}

/* 30,000 units scored with notes on both cores equal one thread's unit
 * for unit, item for item, note for note, and the sink sees them in
 * order; a bad value deep in the data is reported as one thread does. */
START_TEST(test_batched_equals_serial)
{
	fx one, two;
	kp_score_opts o1 = {0}, o2 = {0};
	seen seen2 = {0};
	size_t u, i, n = 30000, total = 0;

	fx_many(&one, n, (size_t)-1), fx_many(&two, n, (size_t)-1);
	o1.details = 1, o1.threads = 1;
	o2.details = 1, o2.threads = 2, o2.sink = count_sink, o2.sink_ud = &seen2;
	ck_assert_msg(fx_run_opts(&one, &o1) == 0, "%s", one.err.msg);
	ck_assert_msg(fx_run_opts(&two, &o2) == 0, "%s", two.err.msg);
	ck_assert_int_eq(seen2.next, n);
	ck_assert_int_eq(seen2.out_of_order, 0);
	for (u = 0; u < n; u++) {
		const kp_unit_result *a = &one.res->units[u], *b = &two.res->units[u];
		ck_assert_str_eq(a->id, b->id);
		ck_assert(a->total == b->total && a->raw == b->raw && a->rank == b->rank);
		ck_assert_int_eq(KP_MORE(a)->nitems, KP_MORE(b)->nitems);
		total += KP_MORE(a)->nitems;
		for (i = 0; i < KP_MORE(a)->nitems; i++) {
			ck_assert(KP_MORE(a)->items[i].points == KP_MORE(b)->items[i].points);
			ck_assert_str_eq(KP_MORE(a)->items[i].note ? KP_MORE(a)->items[i].note : "-", KP_MORE(b)->items[i].note ? KP_MORE(b)->items[i].note : "-");
		}
	}
	ck_assert_int_eq(seen2.items, total); /* the sink saw every item */
	ck_assert(total >= 3 * n);
	kp_result_free(one.res), kp_result_free(two.res);
	kp_data_free(one.d), kp_data_free(two.d);
	kp_rules_free(one.r), kp_rules_free(two.r);
	kp_err_clear(&one.err), kp_err_clear(&two.err);

	fx_many(&one, n, 25000), fx_many(&two, n, 25000);
	ck_assert_int_ne(fx_run_opts(&one, &o1), 0);
	ck_assert_int_ne(fx_run_opts(&two, &o2), 0);
	ck_assert_str_eq(one.err.msg, two.err.msg);
	ck_assert_msg(strstr(two.err.msg, "U025000") != NULL, "%s", two.err.msg);
	kp_data_free(one.d), kp_data_free(two.d);
	kp_rules_free(one.r), kp_rules_free(two.r);
	kp_err_clear(&one.err), kp_err_clear(&two.err);
}
END_TEST

static Suite *score_suite(void)
{
	Suite *s = suite_create("score");
	TCase *tc = tcase_create("conventions");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_tree);
	tcase_add_test(tc, test_clamp);
	tcase_add_test(tc, test_deductions);
	tcase_add_test(tc, test_deduction_function_negative);
	tcase_add_test(tc, test_deductions_in_sections_count);
	tcase_add_test(tc, test_base_section);
	tcase_add_test(tc, test_bonus);
	tcase_add_test(tc, test_veto);
	tcase_add_test(tc, test_veto_bad_word);
	tcase_add_test(tc, test_helpers);
	tcase_add_test(tc, test_ratio_zero_and_single);
	tcase_add_test(tc, test_lookup_missing_key);
	tcase_add_test(tc, test_lookup_numbers);
	tcase_add_test(tc, test_checklist);
	tcase_add_test(tc, test_note_languages);
	tcase_add_test(tc, test_checklist_missing);
	tcase_add_test(tc, test_goal_bands_done);
	tcase_add_test(tc, test_goal_bad);
	tcase_add_test(tc, test_deadline);
	tcase_add_test(tc, test_deadline_bad);
	tcase_add_test(tc, test_batched_equals_serial);
	tcase_add_test(tc, test_late_missing);
	tcase_add_test(tc, test_late_missing_bad);
	tcase_add_test(tc, test_given_blend);
	tcase_add_test(tc, test_blend_missing);
	tcase_add_test(tc, test_trimmed_avg);
	tcase_add_test(tc, test_lua_event_bad_number);
	tcase_add_test(tc, test_trimmed_avg_none);
	tcase_add_test(tc, test_categories);
	tcase_add_test(tc, test_categories_missing);
	tcase_add_test(tc, test_compare_bands_ranks);
	tcase_add_test(tc, test_compare_ties_lookup_yes_no);
	tcase_add_test(tc, test_compare_tie_break);
	tcase_add_test(tc, test_yes_no_bad);
	tcase_add_test(tc, test_function_source);
	tcase_add_test(tc, test_within_category);
	tcase_add_test(tc, test_round_items);
	tcase_add_test(tc, test_round_total);
	tcase_add_test(tc, test_round_precision);
	tcase_add_test(tc, test_round_precision0);
	tcase_add_test(tc, test_missing_blank_cell);
	tcase_add_test(tc, test_missing_message_zh_en);
	tcase_add_test(tc, test_missing_row);
	tcase_add_test(tc, test_missing_all_units);
	tcase_add_test(tc, test_missing_default);
	tcase_add_test(tc, test_missing_skip);
	tcase_add_test(tc, test_missing_skip_in_function);
	tcase_add_test(tc, test_rescale_residue);
	tcase_add_test(tc, test_missing_deduction);
	tcase_add_test(tc, test_unknown_column);
	tcase_add_test(tc, test_events);
	tcase_add_test(tc, test_events_missing);
	tcase_add_test(tc, test_last_year);
	tcase_add_loop_test(tc, test_bad_return, 0, sizeof bad_returns / sizeof *bad_returns);
	tcase_add_test(tc, test_bad_return_elsewhere);
	tcase_add_test(tc, test_text_computed_with);
	tcase_add_test(tc, test_notes);
	tcase_add_test(tc, test_no_details);
	tcase_add_test(tc, test_yes_no_words);
	tcase_add_test(tc, test_ruletest);
	tcase_add_loop_test(tc, test_ruletest_no_grade_any_language, 0, 2);
	tcase_add_test(tc, test_ruletest_error);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(score_suite)
