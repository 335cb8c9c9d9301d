/* check_notice.c — the notice template (core/notice.c): placeholders and
 * their values, blocks per category and unit, conditionals, standalone
 * tags, what makes a title or a heading, the Markdown escapes of values,
 * the table of commended units, and the errors a bad template gets. */
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "kaoping/notice.h"

static const char *grades_fix[] = {"优秀", "良好"};

/* Two categories: 镇 (3 units, 2 commended, ranks 1 and 2), 部门 (1 unit,
 * not commended); a unit name with Markdown in it. */
static kp_result *fixture(void)
{
	static const struct { const char *id, *name; int cat, rank, commended; double total; } u[] = {
		{"Z1", "东镇", 0, 1, 1, 95.5}, {"Z2", "西*镇|#", 0, 2, 1, 90}, {"Z3", "南镇", 0, 3, 0, 80},
		{"B1", "司法局", 1, 1, 0, 70},
	};
	kp_result *r = ck_result();
	size_t i;

	ck_assert_ptr_nonnull(r);
	r->title = "某县考核", r->year = 2021, r->precision = 2, r->run_id = 3;
	r->ngrades = 2, r->grades = grades_fix;
	r->ncategories = 2;
	r->categories = calloc(2, sizeof *r->categories);
	r->categories[0] = (kp_category_result){ "镇", 2, 0, 3, 2, 0, 0, NULL };
	r->categories[1] = (kp_category_result){ "部门", 1, 3, 1, 0, 0, 0, NULL };
	r->nunits = 4;
	r->units = calloc(4, sizeof *r->units);
	for (i = 0; i < 4; i++) {
		kp_unit_result *x = &r->units[i];
		x->id = u[i].id, x->name = u[i].name, x->category = u[i].cat, x->rank = u[i].rank;
		x->commended = (unsigned)u[i].commended, x->total = u[i].total, x->grade = u[i].total >= 90 ? 0 : 1;
	}
	return r;
}

/* Render text with the fixture; the lines in *n. */
static int render(const char *tmpl, const kp_rules *rules, kp_notice *n, kp_err *err)
{
	kp_result *res = fixture();
	int rc;

	memset(n, 0, sizeof *n);
	rc = kp_notice_render(tmpl, strlen(tmpl), "t.tmpl", rules, res, n, err);
	kp_result_free(res);
	return rc;
}

START_TEST(test_values_and_blocks)
{
	kp_rules rules = {0};
	kp_notice n;
	kp_err err = {0};

	rules.office = "县政府";
	ck_assert_int_eq(render("# {{title}}\n{{#basis}}依据{{basis}}{{/basis}}{{^basis}}无依据{{/basis}}\n"
				"{{#categories}}\n## {{category}}{{count}}/{{quota}}\n{{#units}}\n{{rank}} {{name}} {{total}} {{grade}} {{id}}\n"
				"{{/units}}\n{{/categories}}\n{{office}}{{year}}{{run}} {{commended}} {{count_by_category}}\n",
				&rules, &n, &err), 0);
	ck_assert_uint_eq(n.n, 6);
	ck_assert_int_eq(n.line[0].kind, KP_NOTICE_TITLE);
	ck_assert_str_eq(n.line[0].text, "某县考核");
	ck_assert_str_eq(n.line[1].text, "无依据");
	ck_assert_int_eq(n.line[2].kind, KP_NOTICE_HEADING);
	ck_assert_str_eq(n.line[2].text, "镇2/2");  /* 部门 has no commended unit: no block */
	ck_assert_str_eq(n.line[3].text, "1 东镇 95.50 优秀 Z1");
	ck_assert_str_eq(n.line[4].text, "2 西*镇|# 90.00 优秀 Z2");
	ck_assert_str_eq(n.line[4].md, "2 西\\*镇\\|\\# 90.00 优秀 Z2");
	ck_assert_str_eq(n.line[5].text, "县政府20213 2 2个镇");
	kp_notice_free(&n);
}
END_TEST

/* A value at the start of a line never makes a title; a value's line
 * break and control characters become spaces. */
START_TEST(test_value_first)
{
	kp_rules rules = {0};
	kp_notice n;
	kp_err err = {0};

	rules.basis = "# 不是标题\n\x1b[2J";
	ck_assert_int_eq(render("{{basis}}", &rules, &n, &err), 0);
	ck_assert_uint_eq(n.n, 1);
	ck_assert_int_eq(n.line[0].kind, KP_NOTICE_PARA);
	ck_assert_str_eq(n.line[0].text, "# 不是标题  [2J");
	ck_assert_str_eq(n.line[0].md, "\\# 不是标题  \\[2J");
	kp_notice_free(&n);
}
END_TEST

/* A template saved by Notepad: a BOM, CRLF line ends. */
START_TEST(test_crlf)
{
	kp_rules rules = {0};
	kp_notice n;
	kp_err err = {0};

	ck_assert_int_eq(render("\xEF\xBB\xBF# {{year}}\r\n\r\nb\r\n>> {{year}}年\r\n", &rules, &n, &err), 0);
	ck_assert_uint_eq(n.n, 4);
	ck_assert_int_eq(n.line[3].kind, KP_NOTICE_RIGHT);
	ck_assert_str_eq(n.line[3].text, "2021年");
	ck_assert_str_eq(n.line[3].md, "2021年");
	ck_assert_int_eq(n.line[0].kind, KP_NOTICE_TITLE);
	ck_assert_str_eq(n.line[0].text, "2021");
	ck_assert_int_eq(n.line[1].kind, KP_NOTICE_BLANK);
	ck_assert_str_eq(n.line[2].md, "b");
	kp_notice_free(&n);
}
END_TEST

/* The table: header, then the commended units in category and rank order. */
START_TEST(test_table)
{
	kp_rules rules = {0};
	kp_notice n;
	kp_err err = {0};

	ck_assert_int_eq(render("a\n  {{table}}  \nb\n", &rules, &n, &err), 0);
	ck_assert_uint_eq(n.n, 3);
	ck_assert_int_eq(n.line[1].kind, KP_NOTICE_TABLE);
	ck_assert_uint_eq(n.ncols, 5);
	ck_assert_uint_eq(n.nrows, 3);
	ck_assert_str_eq(n.cells[5 + 2], "东镇");
	ck_assert_str_eq(n.cells[10 + 1], "2");
	ck_assert_str_eq(n.cells[10 + 3], "90.00");
	kp_notice_free(&n);
}
END_TEST

static const struct { const char *tmpl, *msg; } bad[] = {
	{"x\n{{nope}}", "t.tmpl:2: unknown placeholder {{nope}}"},
	{"{{#office}}\nx\n", "t.tmpl:1: {{#office}} is not closed ({{/office}})"},
	{"{{^categories}}\n{{name}}\n{{/categories}}", "t.tmpl:2: {{name}} means something only inside {{#units}}"},
	{"{{#categories}}{{#units}}{{#units}}", "t.tmpl:1: {{#units}} inside {{#units}}"},
	{"{{#table}}{{/table}}", "t.tmpl:1: {{table}} is not a block"},
	{"a\n\nb {{title", "t.tmpl:3: '{{' is not closed by '}}'"},
	{"{{#office}}{{/basis}}", "t.tmpl:1: {{/basis}} closes {{#office}} of line 1"},
	{"{{table}}\nx\n{{table}}\n", "t.tmpl:3: {{table}} a second time"},
	{"{{#categories}}\n{{table}}\n{{/categories}}\n", "t.tmpl:2: {{table}} inside {{#categories}}"},
};

START_TEST(test_bad)
{
	kp_rules rules = {0};
	kp_notice n;
	kp_err err = {0};

	ck_assert_int_eq(render(bad[_i].tmpl, &rules, &n, &err), KP_EDATA);
	ck_assert_msg(strstr(err.msg, bad[_i].msg), "%s: got %s", bad[_i].tmpl, err.msg);
	kp_notice_free(&n);
}
END_TEST

/* A template's error in each language of messages, whole; the notice's
 * words stay Chinese whatever the messages speak. */
START_TEST(test_bad_languages)
{
	kp_rules rules = {0};
	kp_notice n;
	kp_err err = {0};

	kp_msg_set_lang(KP_LANG_ZH);
	ck_assert_int_eq(render("{{#office}}{{/basis}}", &rules, &n, &err), KP_EDATA);
	ck_assert_str_eq(err.msg, "t.tmpl:1: {{/basis}} 要关闭的是 {{#office}}（第 1 行）；请先关闭它");
	kp_notice_free(&n);
	ck_assert_int_eq(render("{{table}}\nx\n{{table}}\n", &rules, &n, &err), KP_EDATA);
	ck_assert_str_eq(err.msg, "t.tmpl:3: {{table}} 出现了第二次");
	kp_notice_free(&n);
	kp_msg_set_lang(KP_LANG_EN);
	ck_assert_int_eq(render("{{#office}}{{/basis}}", &rules, &n, &err), KP_EDATA);
	ck_assert_str_eq(err.msg, "t.tmpl:1: {{/basis}} closes {{#office}} of line 1; close that first");
	kp_notice_free(&n);
	ck_assert_int_eq(render("{{table}}\n", &rules, &n, &err), 0);
	ck_assert_str_eq(n.cells[0], "类别"); /* the notice is a Chinese document */
	ck_assert_str_eq(n.cells[2], "单位");
	kp_notice_free(&n);
}
END_TEST

START_TEST(test_formats)
{
	ck_assert_int_eq(kp_notice_format("md"), KP_NOTICE_MD);
	ck_assert_int_eq(kp_notice_format("html"), KP_NOTICE_HTML);
	ck_assert_int_eq(kp_notice_format("docx"), KP_NOTICE_DOCX);
	ck_assert_int_eq(kp_notice_format("pdf"), 0);
	ck_assert_int_eq(kp_notice_format(NULL), 0);
}
END_TEST

/* The built-in template renders without error. */
START_TEST(test_builtin)
{
	kp_rules rules = {0};
	kp_result *res = fixture();
	kp_notice n = {0};
	kp_err err = {0};

	ck_assert_int_eq(kp_notice_render(kp_notice_tmpl, kp_notice_tmpl_len, "builtin", &rules, res, &n, &err), 0);
	ck_assert_int_eq(n.line[0].kind, KP_NOTICE_TITLE);
	kp_notice_free(&n);
	kp_result_free(res);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("notice");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_values_and_blocks);
	tcase_add_test(tc, test_value_first);
	tcase_add_test(tc, test_table);
	tcase_add_test(tc, test_crlf);
	tcase_add_loop_test(tc, test_bad, 0, (int)(sizeof bad / sizeof bad[0]));
	tcase_add_test(tc, test_formats);
	tcase_add_test(tc, test_bad_languages);
	tcase_add_test(tc, test_builtin);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(suite)
