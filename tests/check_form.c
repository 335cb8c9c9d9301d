/* check_form.c — the forms of kaoping template (core/form.c, form_write.c):
 * which form each column goes on, in which order, with which guidance; the
 * data and events { columns } declarations as the compiler checks them;
 * the CSV form and its notes as written. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_util.h"
#include "kaoping/form.h"
#include "kaoping/rules.h"

#define HEAD "assessment { title = \"表\", year = 2024, unit = { id = \"代码\", name = \"名称\", category = \"类别\", " \
	     "office = \"考核办\" }, categories = { \"镇\", \"部门\" } }\n"

/* Load src as a rule file: 0 or the error kind (err filled). */
static int load(const char *src, kp_rules **r, kp_err *err)
{
	char path[64];
	FILE *fp;
	int fd, rc;

	memset(err, 0, sizeof *err);
	snprintf(path, sizeof path, "/tmp/kp_form_XXXXXX.lua");
	fd = mkstemps(path, 4);
	ck_assert_int_ge(fd, 0);
	fp = fdopen(fd, "w");
	fputs(src, fp);
	fclose(fp);
	rc = kp_rules_load(path, NULL, 0, r, err);
	unlink(path);
	return rc;
}

static const kp_form_col *col(const kp_form *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->ncol; i++)
		if (!strcmp(f->col[i].name, name))
			return &f->col[i];
	ck_abort_msg("no column %s on form %s", name, f->name);
	return NULL;
}

static const char RULES[] = HEAD
	"events \"月报\" { file = \"monthly.csv\", unit = \"代码\", office = \"办公室\" }\n"
	"data \"普法\" { office = \"普法办\", columns = { \"活动\", \"学法次数\", \"函数列\" } }\n"
	"section \"一\" { points = 45,\n"
	"  indicator \"学法\" { points = 10, score = target(\"学法次数\", 6) },\n"
	"  indicator \"持证\" { points = 10, missing = \"skip\", score = bands(\"持证率\", { {1.0, 10}, {0.9, 5} }) },\n"
	"  indicator \"年报\" { points = 5, default = \"未报送\", score = deadline(\"报送日期\", { {\"2024-03-31\", 5} }) },\n"
	"  indicator \"月报\" { points = 5, score = per_item(agg.late(\"月报\", \"应报日期\", \"实报日期\", { [\"类型\"] = \"月报\" }), 1) },\n"
	"  indicator \"活动\" { points = 5, score = yes_no(\"活动\") },\n"
	"  indicator \"参考率\" { points = 5, score = target(\"参考率\", 0.95) },\n"
	"  indicator \"函数\" { points = 5, score = function(u) return u[\"函数列\"] end },\n"
	"}\n"
	"deduction \"事故\" { per = 5, count = \"事故数\", unit = \"起\" }\n"
	"veto \"否决\" { when = \"重大过错\", default = false }\n";

START_TEST(plan_places_columns)
{
	kp_rules *r = NULL;
	kp_forms *f = NULL;
	kp_err err;
	const kp_form *u, *d, *e;

	ck_assert_msg(load(RULES, &r, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(kp_forms_plan(r, 2024, NULL, &f, &err), 0);
	ck_assert_uint_eq(f->n, 3);
	u = &f->form[0], d = &f->form[1], e = &f->form[2];
	ck_assert_str_eq(u->name, "units");
	ck_assert_str_eq(u->office, "考核办");
	/* the unit columns, then what no data lists, in declaration order */
	ck_assert_uint_eq(u->ncol, 8);
	ck_assert_str_eq(u->col[3].name, "持证率");
	ck_assert_str_eq(u->col[4].name, "报送日期");
	ck_assert_str_eq(u->col[5].name, "参考率");
	ck_assert_str_eq(u->col[6].name, "事故数");
	ck_assert_str_eq(u->col[7].name, "重大过错");
	ck_assert_str_eq(col(u, "参考率")->what, "百分数（如 96.4% 或 0.964）");
	ck_assert_str_eq(col(u, "类别")->what, "镇/部门");
	ck_assert_str_eq(col(u, "持证率")->what, "百分数（如 96.4% 或 0.964）");
	ck_assert_int_eq(col(u, "持证率")->blank_ok, 1);              /* missing = "skip" */
	ck_assert_int_eq(col(u, "报送日期")->blank_ok, 1);            /* default */
	ck_assert_str_eq(col(u, "报送日期")->example, "2024-03-31");
	ck_assert_str_eq(col(u, "事故数")->what, "数量（起）");
	ck_assert_int_eq(col(u, "事故数")->blank_ok, 0);
	ck_assert_str_eq(col(u, "重大过错")->readers, "否决");
	ck_assert_int_eq(col(u, "重大过错")->blank_ok, 1);            /* default = false */
	/* the data form: in the order listed */
	ck_assert_str_eq(d->name, "普法");
	ck_assert_uint_eq(d->ncol, 4);
	ck_assert_str_eq(d->col[0].name, "代码");
	ck_assert_str_eq(d->col[1].name, "活动");
	ck_assert_str_eq(d->col[2].name, "学法次数");
	ck_assert_str_eq(col(d, "学法次数")->readers, "学法");
	ck_assert_str_eq(col(d, "函数列")->readers, "函数");          /* its function names it */
	ck_assert_int_eq(col(d, "函数列")->blank_ok, 0);
	/* the event form: the unit column, due date, submitted date, filter */
	ck_assert_str_eq(e->name, "monthly");
	ck_assert_str_eq(e->event, "月报");
	ck_assert_uint_eq(e->ncol, 4);
	ck_assert_str_eq(e->col[1].name, "应报日期");
	ck_assert_int_eq(col(e, "应报日期")->blank_ok, 0);
	ck_assert_int_eq(col(e, "实报日期")->blank_ok, 1);            /* not submitted yet */
	ck_assert_str_eq(col(e, "类型")->example, "月报");
	kp_forms_free(f);
	kp_rules_free(r);
}
END_TEST

START_TEST(readers_join_and_blank_needs_all)
{
	kp_rules *r = NULL;
	kp_forms *f = NULL;
	kp_err err;

	ck_assert_msg(load(HEAD "section \"一\" { points = 20,\n"
			   "  indicator \"案卷\" { points = 10, default = 0, score = target(\"件数\", 6) },\n"
			   "  indicator \"案卷评查\" { points = 10, score = min_max(\"件数\") } }\n", &r, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(kp_forms_plan(r, 2024, NULL, &f, &err), 0);
	ck_assert_str_eq(col(&f->form[0], "件数")->readers, "案卷、案卷评查");
	ck_assert_int_eq(col(&f->form[0], "件数")->blank_ok, 0);
	kp_forms_free(f);
	kp_rules_free(r);
}
END_TEST

START_TEST(declarations_checked)
{
	static const char *const bad[][2] = {
		{"data \"d\" { columns = { \"没有\" } }\n", "data 'd': the rules do not read a column '没有'"},
		{"data \"d\" { columns = { \"a\" } }\ndata \"e\" { columns = { \"a\" } }\n", "is also listed by data"},
		{"data \"d\" { columns = { \"名称\" } }\n", "is a column of the unit table"},
		{"data \"d\" { columns = { \"a\", \"a\" } }\n", "column 'a' is listed twice"},
		{"data \"d\" { colums = { \"a\" } }\n", "unknown field 'colums'"},
		{"data \"d\" { columns = {} }\n", "is a list of column names"},
		{"events \"e\" { data = \"d\", unit = \"代码\" }\ndata \"d\" { columns = { \"a\" } }\n", "read a dataset of that name"},
		{"events \"e\" { data = \"x\", unit = \"代码\", columns = { \"zz\" } }\n", "events 'e': the rules do not read a column 'zz'"},
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof *bad; i++) {
		kp_rules *r = NULL;
		kp_err err;
		char src[1024];
		snprintf(src, sizeof src, "%s%ssection \"一\" { points = 10, indicator \"i\" { points = 10, "
			 "score = function(u) return u[\"a\"] end } }\n", HEAD, bad[i][0]);
		ck_assert_int_eq(load(src, &r, &err), KP_ERULE);
		ck_assert_msg(strstr(err.msg, bad[i][1]) != NULL, "case %zu: %s", i, err.msg);
		ck_assert_msg(strstr(err.msg, ":2:") || strstr(err.msg, ":3:"), "case %zu names no line: %s", i, err.msg);
		kp_err_clear(&err);
	}
}
END_TEST

START_TEST(csv_written)
{
	const char *const id[] = {"Z01", "Z02"}, *const name[] = {"城关镇", "东,风"}, *const cat[] = {"镇", "镇"};
	const char *const formula_id[] = {"Z01", "=Z02"};
	kp_form_units units = {2, id, name, cat}, formula = {2, formula_id, name, cat};
	char dir[] = "/tmp/kp_formdir_XXXXXX", path[256], buf[512], want[512];
	kp_rules *r = NULL;
	kp_forms *f = NULL;
	kp_err err;
	FILE *fp;
	size_t n;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_msg(load(RULES, &r, &err) == 0, "%s", err.msg);
	/* a unit that starts like a formula: a CSV form would carry it as
	 * '=Z02, which its import keeps; refused, nothing written */
	ck_assert_int_eq(kp_forms_plan(r, 2024, &formula, &f, &err), 0);
	ck_assert_int_eq(kp_forms_write(f, dir, KP_FORM_CSV, 0, &err), KP_EDATA);
	ck_assert_msg(strstr(err.msg, "unit '=Z02': '=Z02' starts like a spreadsheet formula") != NULL, "%s", err.msg);
	kp_err_clear(&err);
	snprintf(path, sizeof path, "%s/考核办", dir);
	ck_assert_int_ne(access(path, F_OK), 0);
	kp_forms_free(f);
	ck_assert_int_eq(kp_forms_plan(r, 2024, &units, &f, &err), 0);
	ck_assert_msg(kp_forms_write(f, dir, KP_FORM_CSV, 0, &err) == 0, "%s", err.msg);
	snprintf(path, sizeof path, "%s/考核办/units.csv", dir);
	fp = fopen(path, "rb");
	ck_assert_ptr_nonnull(fp);
	n = fread(buf, 1, sizeof buf - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	ck_assert_str_eq(buf, "\xEF\xBB\xBF代码,名称,类别,持证率,报送日期,参考率,事故数,重大过错\r\n"
			      "Z01,城关镇,镇,,,,,\r\nZ02,\"东,风\",镇,,,,,\r\n");
	snprintf(path, sizeof path, "%s/办公室/monthly.说明.txt", dir);
	ck_assert_int_eq(access(path, R_OK), 0);
	/* again: refused (in English and in Chinese), the form kept; --replace writes over it */
	ck_assert_int_eq(kp_forms_write(f, dir, KP_FORM_CSV, 0, &err), KP_ECREATE);
	snprintf(want, sizeof want, "%s/考核办/units.csv: a form is already there (perhaps filled in): "
		 "--replace writes over it", dir);
	ck_assert_str_eq(err.msg, want);
	kp_msg_set_lang(KP_LANG_ZH);
	ck_assert_int_eq(kp_forms_write(f, dir, KP_FORM_CSV, 0, &err), KP_ECREATE);
	snprintf(want, sizeof want, "%s/考核办/units.csv: 这里已有填报表（可能已经填写）：用 --replace 覆盖它", dir);
	ck_assert_str_eq(err.msg, want);
	kp_msg_set_lang(KP_LANG_EN);
	ck_assert_int_eq(kp_forms_write(f, dir, KP_FORM_CSV, 1, &err), 0);
	ck_assert_int_eq(kp_forms_write(f, dir, KP_FORM_XLSX, 0, &err), 0);
	snprintf(path, sizeof path, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(path), 0);
	kp_forms_free(f);
	kp_rules_free(r);
}
END_TEST

static Suite *form_suite(void)
{
	Suite *s = suite_create("form");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, plan_places_columns);
	tcase_add_test(tc, readers_join_and_blank_needs_all);
	tcase_add_test(tc, declarations_checked);
	tcase_add_test(tc, csv_written);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(form_suite)
