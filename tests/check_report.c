/* check_report.c — the reports: every format against reviewed golden files
 * (tests/golden/report/, regenerate with KP_UPDATE_GOLDEN=1), the XLSX
 * workbook read back with unzip, escaping, and the atomic writer under
 * failure (missing folder, full disk, file size limit).  Run from the
 * repository root. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_util.h"
#include "kaoping/outfile.h"
#include "kaoping/num.h"
#include "kaoping/report.h"
#include "kaoping/result.h"
#include "../core/report_int.h"

#define GOLDEN "tests/golden/report/"

/* ---------- the fixture: 2 categories, 3 sections, 7 units ---------- */

struct ufix {
	const char *id, *name;
	int cat;
	double sec[3], ded, bonus, total;
	int rank, grade, veto, eligible, commended, tie, has_last, last_rank;
	double last_total;
	const char *veto_reason, *tie_note;
};

static const struct ufix units_fix[] = {
	{ "T01", "城关镇", 0, { 14, 23.5, 59 }, 2, 1, 95.5, 1, 0, 0, 1, 1, 0, 1, 3, 90.1, NULL, NULL },
	{ "T02", "东风镇, \"新区\"", 0, { 15, 22, 55 }, 0, 0, 92, 2, 0, 0, 1, 1, 1, 1, 2, 91, NULL,
	  "按“三、严格执法”得分仍并列" },
	{ "T03", "=SUM(A1)", 0, { 13, 24, 56 }, 1, 0, 92, 2, 0, 0, 1, 1, 1, 0, 0, 0, NULL,
	  "按“三、严格执法”得分仍并列" },
	{ "T04", "八渡镇", 0, { 12, 20, 56.4 }, 0, 0, 88.4, 4, 3, 1, 0, 0, 0, 1, 1, 93.2,
	  "发生重大执法过错", NULL },
	{ "D01", "<script>alert(1)</script>", 1, { 14.25, 21, 55 }, 0, 0, 90.25, 1, 0, 0, 1, 1, 0, 1,
	  3, 88, NULL, NULL },
	{ "D02", "-县公安局", 1, { 13, 20, 52 }, 0, 0, 85, 2, 1, 0, 1, 1, 0, 1, 1, 86.5, NULL, NULL },
	{ "D03", "县林业局|林草中心", 1, { 10, 15, 34.5 }, 0, 0, 59.5, 3, 3, 0, 0, 0, 0, 0, 0, 0, NULL,
	  NULL },
};
#define NFIX (sizeof units_fix / sizeof units_fix[0])

static const char *sections_fix[] = { "一、履行第一责任人职责", "二、制度建设", "三、严格执法" };
static const double points_fix[] = { 15, 25, 60 };
static const char *grades_fix[] = { "优秀", "良好", "合格", "不合格" };

static kp_item *items_for(kp_result *r, size_t u, size_t *n)
{
	kp_item *it;

	if (u == 0) {
		it = kp_result_alloc(r, 6 * sizeof *it, NULL);
		it[0] = (kp_item){ KP_ITEM_INDICATOR, 0, "会前学法", 5, 5, "学法6次，达到目标6次", 0 };
		it[1] = (kp_item){ KP_ITEM_INDICATOR, 1, "规范性文件备案", 23.5, 25,
				   "备案率 94%，按比例得23.5分", 0 };
		it[2] = (kp_item){ KP_ITEM_INDICATOR, 2, "持证上岗", 8, 10, "持证率 96.4% ≥ 95%，得8分", 0 };
		it[3] = (kp_item){ KP_ITEM_DEDUCTION, -1, "复议被纠错", 2, 6, "复议被纠错1件，扣2分", 0 };
		it[4] = (kp_item){ KP_ITEM_BONUS, -1, "示范创建", 1, 3, "市级示范, \"加1分\"", 0 };
		it[5] = (kp_item){ KP_ITEM_NOTE, 2, "案卷评查", 0, 0, "缺数据，按其余指标折算", 1 };
		*n = 6;
		return it;
	}
	if (u == 3) {
		it = kp_result_alloc(r, 2 * sizeof *it, NULL);
		it[0] = (kp_item){ KP_ITEM_INDICATOR, 0, "会前学法", 4, 5, "学法4次", 0 };
		it[1] = (kp_item){ KP_ITEM_VETO, -1, "重大执法过错", 0, 0, "发生重大执法过错1起", 0 };
		*n = 2;
		return it;
	}
	*n = 0;
	return NULL;
}

static kp_result *fixture(void)
{
	kp_result *r = ck_result();
	kp_item *it;
	size_t i, s, nitems;

	ck_assert_ptr_nonnull(r);
	r->title = kp_result_str(r, "陇县2021年度依法行政工作目标责任考核", NULL);
	r->year = 2021;
	r->precision = 2;
	r->rules_file = "rules/longxian.lua";
	r->rules_sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
	r->run_id = 7;
	r->last_year = 2020;
	r->nsections = 3;
	r->sections = sections_fix;
	r->section_points = (double *)points_fix;
	r->ngrades = 4;
	r->grades = grades_fix;
	r->ncategories = 2;
	r->categories = calloc(2, sizeof *r->categories);
	r->categories[0] = (kp_category_result){ "镇", 2, 0, 4, 3, 0, 2,
						 "第2名并列，按规定一并列入拟表彰名单" };
	r->categories[1] = (kp_category_result){ "部门", 3, 4, 3, 2, 1, 0, NULL };
	r->nunits = NFIX;
	r->units = calloc(NFIX, sizeof *r->units);
	r->sec = calloc(NFIX * 3, sizeof *r->sec);
	for (i = 0; i < NFIX; i++) {
		const struct ufix *f = &units_fix[i];
		kp_unit_result *u = &r->units[i];
		u->id = f->id, u->name = f->name, u->category = f->cat;
		u->base = f->sec[0] + f->sec[1] + f->sec[2];
		u->deductions = f->ded, u->bonus = f->bonus;
		u->raw = u->total = f->total;
		u->veto = f->veto, u->grade = f->grade;
		u->rank = f->rank, u->eligible = f->eligible, u->elig_rank = f->rank;
		u->commended = f->commended, u->boundary_tie = f->tie;
		if (f->veto_reason || f->tie_note || f->has_last) {
			kp_unit_more *m = kp_result_more(r, u, NULL);
			ck_assert_ptr_nonnull(m);
			m->veto_reason = f->veto_reason, m->tie_note = f->tie_note;
			m->has_last = m->has_last_rank = f->has_last, m->last_rank = f->last_rank, m->last_total = f->last_total;
		}
		it = items_for(r, i, &nitems);
		if (it) {
			kp_unit_more *m = kp_result_more(r, u, NULL);
			ck_assert_ptr_nonnull(m);
			m->items = it, m->nitems = nitems;
		}
		for (s = 0; s < 3; s++)
			KP_SEC(r, i, s) = f->sec[s];
	}
	return r;
}

/* n units in one category, no details. */
static kp_result *big_fixture(size_t n)
{
	kp_result *r = ck_result();
	size_t i;

	r->title = "big";
	r->precision = 2;
	r->nsections = 1;
	r->sections = sections_fix;
	r->ngrades = 4;
	r->grades = grades_fix;
	r->ncategories = 1;
	r->categories = calloc(1, sizeof *r->categories);
	r->categories[0] = (kp_category_result){ "town", 2, 0, n, 2, 0, 0, NULL };
	r->nunits = n;
	r->units = calloc(n, sizeof *r->units);
	r->sec = calloc(n, sizeof *r->sec);
	for (i = 0; i < n; i++) {
		char id[32];
		kp_unit_result *u = &r->units[i];
		snprintf(id, sizeof id, "U%07zu", i);
		u->id = u->name = kp_result_str(r, id, NULL);
		u->total = u->raw = u->base = kp_num_round(100.0 - (double)i * 0.01, 2);
		r->sec[i] = u->total;
		u->rank = (int)i + 1;
		u->grade = u->total >= 90 ? 0 : 1;
		u->eligible = 1;
		u->commended = i < 2;
	}
	return r;
}

/* ---------- files ---------- */

static char tmpdir[64];

static void setup(void)
{
	strcpy(tmpdir, "/tmp/kp-report-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void rm_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];

	if (!d)
		return;
	while ((e = readdir(d))) {
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			rm_tree(path);
		else
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static void teardown(void)
{
	rm_tree(tmpdir);
}

static char *tpath(const char *name)
{
	static char buf[4][512];
	static int k;
	char *p = buf[k++ % 4];

	snprintf(p, 512, "%s/%s", tmpdir, name);
	return p;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

static size_t count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	while ((hay = strstr(hay, needle))) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

/* Compare a written file with its golden copy, or refresh the golden copy. */
static void golden(const char *written, const char *name)
{
	char gpath[256];
	size_t n, gn;
	char *got = slurp(written, &n), *want;

	ck_assert_msg(got != NULL, "%s was not written", written);
	snprintf(gpath, sizeof gpath, GOLDEN "%s", name);
	if (getenv("KP_UPDATE_GOLDEN") && !strcmp(getenv("KP_UPDATE_GOLDEN"), "1")) {
		FILE *f = fopen(gpath, "wb");
		ck_assert_msg(f != NULL, "cannot write %s (run from the repository root)", gpath);
		fwrite(got, 1, n, f);
		fclose(f);
		free(got);
		return;
	}
	want = slurp(gpath, &gn);
	ck_assert_msg(want != NULL, "%s missing (run from the repository root; KP_UPDATE_GOLDEN=1 makes it)",
		      gpath);
	if (gn != n || memcmp(got, want, n)) {
		size_t i = 0;
		while (i < n && i < gn && got[i] == want[i])
			i++;
		ck_abort_msg("%s differs from %s at byte %zu (got %zu bytes, want %zu)", written, gpath, i, n, gn);
	}
	free(got);
	free(want);
}

static int write_fmt(const kp_result *r, int fmt, int lang, int bom, const char *file, kp_err *err)
{
	kp_report_opts o = { fmt, lang, bom, tpath(file), 0, 0, 0, NULL, 0, NULL };

	return kp_report_write(r, &o, NULL, err);
}

static void check_golden(int fmt, int lang, const char *name)
{
	kp_result *r = fixture();
	kp_err err = { 0 };
	int rc = write_fmt(r, fmt, lang, -1, name, &err);

	ck_assert_msg(rc == 0, "%s: %s", name, err.msg);
	golden(tpath(name), name);
	kp_result_free(r);
}

/* ---------- formats ---------- */

/* The items kaoping adds itself are named in Chinese in a run (the names
 * result.h defines, kept in databases): a report shows them in its
 * language, a rule's own item of the same name only when it is of kind
 * note; the floor adjustment is found by kind, points and name. */
START_TEST(test_own_item_names)
{
	const kp_labels *zh = kp_report_labels(KP_LANG_ZH), *en = kp_report_labels(KP_LANG_EN);
	kp_item floor = { KP_ITEM_NOTE, 0, KP_ITEM_FLOOR_NAME, 2, 0, NULL, 0 };
	kp_item residue = { KP_ITEM_NOTE, -1, KP_ITEM_RESIDUE_NAME, 0.01, 0, NULL, 0 };
	kp_item base = { KP_ITEM_NOTE, 1, KP_ITEM_BASE_NAME, 10, 10, NULL, 0 };
	kp_item rescale = { KP_ITEM_NOTE, -1, KP_ITEM_RESCALE_NAME, 0, 0, NULL, 0 };
	kp_item rule = { KP_ITEM_INDICATOR, 1, KP_ITEM_BASE_NAME, 10, 10, NULL, 0 };
	kp_item unnamed = { KP_ITEM_NOTE, 1, NULL, 0, 0, NULL, 0 };

	ck_assert_str_eq(kp_report_item_name(&floor, zh), KP_ITEM_FLOOR_NAME);
	ck_assert_str_eq(kp_report_item_name(&residue, zh), KP_ITEM_RESIDUE_NAME);
	ck_assert_str_eq(kp_report_item_name(&base, zh), KP_ITEM_BASE_NAME);
	ck_assert_str_eq(kp_report_item_name(&floor, en), "No lower than 0");
	ck_assert_str_eq(kp_report_item_name(&residue, en), "Rounding residue");
	ck_assert_str_eq(kp_report_item_name(&base, en), "Base");
	ck_assert_str_eq(kp_report_item_name(&rescale, zh), KP_ITEM_RESCALE_NAME);
	ck_assert_str_eq(kp_report_item_name(&rescale, en), "Missing items rescaled");
	ck_assert_str_eq(kp_report_item_name(&rule, en), KP_ITEM_BASE_NAME);
	ck_assert_str_eq(kp_report_item_name(&unnamed, en), "");
	ck_assert(kp_report_item_floor(&floor));
	floor.points = 0;
	ck_assert(!kp_report_item_floor(&floor) && !kp_report_item_floor(&residue) && !kp_report_item_floor(&unnamed));
}
END_TEST

START_TEST(test_format_names)
{
	static const char *names[] = { "table", "csv", "xlsx", "md", "json", "html" };
	int i;

	for (i = 0; i < 6; i++) {
		ck_assert_int_eq(kp_report_format(names[i]), i);
		ck_assert_str_eq(kp_report_format_name(i), names[i]);
	}
	ck_assert_int_eq(kp_report_format("pdf"), -1);
	ck_assert_int_eq(kp_report_format(NULL), -1);
	ck_assert_int_eq(kp_report_format("JSON"), -1);
	ck_assert_str_eq(kp_report_format_name(99), "unknown");
}
END_TEST

static const struct {
	int fmt, lang;
	const char *name;
} goldens[] = {
	{ KP_FMT_JSON, KP_LANG_ZH, "report.json" },
	{ KP_FMT_CSV, KP_LANG_ZH, "report.csv" },
	{ KP_FMT_CSV, KP_LANG_EN, "report_en.csv" },
	{ KP_FMT_MD, KP_LANG_ZH, "report.md" },
	{ KP_FMT_MD, KP_LANG_EN, "report_en.md" },
	{ KP_FMT_TABLE, KP_LANG_ZH, "report.txt" },
	{ KP_FMT_TABLE, KP_LANG_EN, "report_en.txt" },
	{ KP_FMT_HTML, KP_LANG_ZH, "report.html" },
	{ KP_FMT_HTML, KP_LANG_EN, "report_en.html" },
};

START_TEST(test_golden)
{
	check_golden(goldens[_i].fmt, goldens[_i].lang, goldens[_i].name);
}
END_TEST

START_TEST(test_csv_cells)
{
	kp_result *r = fixture();
	kp_err err = { 0 };
	char *csv, *body;
	FILE *f;
	size_t n;

	ck_assert_int_eq(write_fmt(r, KP_FMT_CSV, KP_LANG_EN, -1, "a.csv", &err), 0);
	csv = slurp(tpath("a.csv"), &n);
	/* --lang en heads the columns with words (issue 12) */
	ck_assert(!memcmp(csv, "\xEF\xBB\xBF" "Category,Rank,Unit ID,Unit,", 30));
	ck_assert_ptr_nonnull(strstr(csv, ",Deductions,Bonus,Total,Grade,Commended,Veto,Veto reason,Rank change\r\n"));
	ck_assert_ptr_nonnull(strstr(csv, ",T03,'=SUM(A1),"));
	ck_assert_ptr_nonnull(strstr(csv, ",T02,\"东风镇, \"\"新区\"\"\","));
	ck_assert_ptr_nonnull(strstr(csv, ",D02,'-县公安局,"));
	ck_assert_ptr_nonnull(strstr(csv, "镇,1,T01,城关镇,14.00,23.50,59.00,2.00,1.00,95.50,优秀,yes,no,,2\r\n"));
	ck_assert_ptr_nonnull(strstr(csv, ",no,yes,发生重大执法过错,-3\r\n"));
	ck_assert_ptr_null(strstr(csv + 3, "\n\n"));
	ck_assert_uint_eq(count(csv, "\r\n"), NFIX + 1);
	free(csv);
	/* to a stream: no BOM by default; bom=1 forces one */
	f = tmpfile();
	{
		kp_report_opts o = { KP_FMT_CSV, KP_LANG_ZH, -1, NULL, 0, 0, 0, NULL, 0, NULL };
		ck_assert_int_eq(kp_report_write(r, &o, f, &err), 0);
		o.bom = 1;
		ck_assert_int_eq(kp_report_write(r, &o, f, &err), 0);
	}
	n = (size_t)ftell(f);
	rewind(f);
	body = calloc(1, n + 1);
	ck_assert_uint_eq(fread(body, 1, n, f), n);
	ck_assert(!memcmp(body, "类别,排名,单位代码,单位名称,", strlen("类别,排名,单位代码,单位名称,")));
	ck_assert_ptr_nonnull(strstr(body, "\r\n\xEF\xBB\xBF类别,"));
	free(body);
	fclose(f);
	kp_result_free(r);
}
END_TEST

START_TEST(test_json_shape)
{
	kp_result *r = fixture();
	kp_err err = { 0 };
	char *js;

	ck_assert_int_eq(write_fmt(r, KP_FMT_JSON, KP_LANG_EN, -1, "a.json", &err), 0);
	js = slurp(tpath("a.json"), NULL);
	ck_assert(js[0] == '[');
	ck_assert_uint_eq(count(js, "{\"category\":"), NFIX);
	ck_assert_ptr_nonnull(strstr(js, "\"unit_id\":\"T01\",\"name\":\"城关镇\",\"total\":95.50,"
					 "\"grade\":\"优秀\",\"commended\":true,\"veto\":false,"));
	ck_assert_ptr_nonnull(strstr(js, "\"name\":\"东风镇, \\\"新区\\\"\""));
	ck_assert_ptr_nonnull(strstr(js, "\"total\":92.00,"));
	ck_assert_ptr_nonnull(strstr(js, "\"sections\":{\"一、履行第一责任人职责\":14,\"二、制度建设\":23.5,"
					 "\"三、严格执法\":59}"));
	ck_assert_ptr_nonnull(strstr(js, "\"veto\":true,\"veto_reason\":\"发生重大执法过错\""));
	ck_assert_ptr_nonnull(strstr(js, "\"rank_change\":null,\"last_total\":null"));
	ck_assert_ptr_nonnull(strstr(js, "\"rank_change\":-3,\"last_total\":93.2"));
	free(js);
	kp_result_free(r);
}
END_TEST

START_TEST(test_json_escape)
{
	kp_result *r = big_fixture(1);
	kp_err err = { 0 };
	char *js;

	r->units[0].name = "a\"b\\c\n\t\x01\x1f/é中";
	ck_assert_int_eq(write_fmt(r, KP_FMT_JSON, KP_LANG_EN, -1, "e.json", &err), 0);
	js = slurp(tpath("e.json"), NULL);
	ck_assert_ptr_nonnull(strstr(js, "\"name\":\"a\\\"b\\\\c\\n\\t\\u0001\\u001f/é中\""));
	ck_assert_ptr_nonnull(strstr(js, "\"grade\":\"优秀\""));
	r->units[0].grade = -1;
	ck_assert_int_eq(write_fmt(r, KP_FMT_JSON, KP_LANG_EN, -1, "e.json", &err), 0);
	free(js);
	js = slurp(tpath("e.json"), NULL);
	ck_assert_ptr_nonnull(strstr(js, "\"grade\":null"));
	free(js);
	kp_result_free(r);
	/* no units at all */
	r = big_fixture(0);
	ck_assert_int_eq(write_fmt(r, KP_FMT_JSON, KP_LANG_EN, -1, "z.json", &err), 0);
	js = slurp(tpath("z.json"), NULL);
	ck_assert_str_eq(js, "[]\n");
	free(js);
	kp_result_free(r);
}
END_TEST

START_TEST(test_html_escape)
{
	kp_result *r = fixture();
	kp_err err = { 0 };
	char *h;

	ck_assert_int_eq(write_fmt(r, KP_FMT_HTML, KP_LANG_ZH, -1, "a.html", &err), 0);
	h = slurp(tpath("a.html"), NULL);
	ck_assert_ptr_null(strstr(h, "<script"));
	ck_assert_ptr_nonnull(strstr(h, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	ck_assert_ptr_nonnull(strstr(h, "东风镇, &quot;新区&quot;"));
	ck_assert_ptr_nonnull(strstr(h, "<meta charset=\"utf-8\">"));
	ck_assert_ptr_nonnull(strstr(h, "\"Noto Sans CJK SC\", \"WenQuanYi Zen Hei\", \"Microsoft YaHei\", sans-serif"));
	ck_assert_ptr_nonnull(strstr(h, "@page { size: A4"));
	ck_assert_uint_eq(count(h, "<table class=\"ranking\""), 2);
	ck_assert_ptr_nonnull(strstr(h, "<table class=\"ranking\" data-category=\"镇\">"));
	ck_assert_uint_eq(count(h, "<svg class=\"chart\""), 2);
	ck_assert_uint_eq(count(h, "<article class=\"unit\">"), NFIX);
	ck_assert_uint_eq(count(h, "http"), count(h, "http://www.w3.org/2000/svg"));
	ck_assert_ptr_null(strstr(h, "src="));
	ck_assert_ptr_null(strstr(h, "<link"));
	free(h);
	kp_result_free(r);
}
END_TEST

START_TEST(test_html_big)
{
	kp_result *r = big_fixture(5001);
	kp_err err = { 0 };
	char *h;

	ck_assert_int_eq(write_fmt(r, KP_FMT_HTML, KP_LANG_ZH, -1, "big.html", &err), 0);
	h = slurp(tpath("big.html"), NULL);
	ck_assert_ptr_nonnull(strstr(h, "<p class=\"notice\">单位数超过5000个"));
	ck_assert_ptr_null(strstr(h, "<svg class=\"chart\""));
	ck_assert_uint_eq(count(h, "<td class=\"id\">U"), 5001 + 2);
	free(h);
	kp_result_free(r);
	r = big_fixture(1000);
	ck_assert_int_eq(write_fmt(r, KP_FMT_HTML, KP_LANG_ZH, -1, "k.html", &err), 0);
	h = slurp(tpath("k.html"), NULL);
	ck_assert_ptr_null(strstr(h, "class=\"notice\""));
	ck_assert_uint_eq(count(h, "<svg class=\"chart\""), 25);
	free(h);
	kp_result_free(r);
}
END_TEST

/* A finite total near DBL_MAX: the chart's bars and axis stay numbers
 * (CH_BAR × total overflowed to width="inf", the axis end to "-nan"). */
START_TEST(test_html_huge_total)
{
	static const double top[] = { 1e306, 1.7976931348623157e308 };
	kp_err err = { 0 };
	size_t k;

	for (k = 0; k < sizeof top / sizeof *top; k++) {
		kp_result *r = big_fixture(3);
		char *h;
		r->units[0].total = r->units[0].raw = r->units[0].base = r->sec[0] = top[k];
		ck_assert_msg(write_fmt(r, KP_FMT_HTML, KP_LANG_EN, -1, "huge.html", &err) == 0, "%s", err.msg);
		h = slurp(tpath("huge.html"), NULL);
		ck_assert_ptr_nonnull(strstr(h, "<svg class=\"chart\""));
		ck_assert_ptr_null(strstr(h, "inf\""));
		ck_assert_ptr_null(strstr(h, "nan\""));
		ck_assert_ptr_nonnull(strstr(h, "width=\"470.0\""));
		free(h);
		kp_result_free(r);
	}
}
END_TEST

START_TEST(test_table_color)
{
	kp_result *r = fixture();
	kp_err err = { 0 };
	kp_report_opts o = { KP_FMT_TABLE, KP_LANG_ZH, -1, NULL, 1, 0, 0, NULL, 0, NULL };
	FILE *f = tmpfile();
	char buf[1 << 16];
	size_t n;

	ck_assert_int_eq(kp_report_write(r, &o, f, &err), 0);
	n = (size_t)ftell(f);
	rewind(f);
	ck_assert_uint_lt(n, sizeof buf);
	ck_assert_uint_eq(fread(buf, 1, n, f), n);
	buf[n] = '\0';
	ck_assert_uint_eq(count(buf, "\033[1m"), 5);
	ck_assert_uint_eq(count(buf, "\033[0m"), 5);
	fclose(f);
	kp_result_free(r);
}
END_TEST

/* ---------- explain and grid ---------- */

static const struct {
	int fmt, lang;
	size_t unit;
	const char *name;
} explains[] = {
	{ KP_FMT_TABLE, KP_LANG_ZH, 0, "explain.txt" },
	{ KP_FMT_TABLE, KP_LANG_EN, 0, "explain_en.txt" },
	{ KP_FMT_MD, KP_LANG_ZH, 0, "explain.md" },
	{ KP_FMT_JSON, KP_LANG_ZH, 0, "explain.json" },
	{ KP_FMT_TABLE, KP_LANG_ZH, 3, "explain_veto.txt" },
	{ KP_FMT_TABLE, KP_LANG_ZH, 4, "explain_noitems.txt" },
	{ KP_FMT_JSON, KP_LANG_ZH, 4, "explain_noitems.json" },
};

START_TEST(test_explain)
{
	kp_result *r = fixture();
	kp_err err = { 0 };
	kp_report_opts o = { explains[_i].fmt, explains[_i].lang, -1, tpath(explains[_i].name), 0, 0, 0, NULL, 0, NULL };

	ck_assert_msg(kp_report_explain(r, explains[_i].unit, &o, NULL, &err) == 0, "%s", err.msg);
	golden(o.output, explains[_i].name);
	kp_result_free(r);
}
END_TEST

START_TEST(test_explain_bad)
{
	kp_result *r = fixture();
	kp_err err = { 0 };
	kp_report_opts o = { KP_FMT_HTML, KP_LANG_ZH, -1, NULL, 0, 0, 0, NULL, 0, NULL };

	ck_assert_int_eq(kp_report_explain(r, 0, &o, stdout, &err), KP_EUSAGE);
	o.format = KP_FMT_TABLE;
	ck_assert_int_eq(kp_report_explain(r, NFIX, &o, stdout, &err), KP_EINTERNAL);
	kp_result_free(r);
}
END_TEST

/* The column model: a column's key, its head in each language from the
 * catalogue (a report speaks its --lang, whatever the messages speak), the
 * columns each writer shows. */
START_TEST(test_column_model)
{
	kp_result *r = fixture();
	const kp_column *id = kp_report_col(KP_COL_ID), *ch = kp_report_col(KP_COL_CHANGE);

	ck_assert_ptr_nonnull(id);
	ck_assert_ptr_nonnull(ch);
	ck_assert_str_eq(id->key, "unit_id");
	ck_assert_str_eq(kp_report_col_label(id, KP_LANG_ZH), "单位代码");
	ck_assert_str_eq(kp_report_col_label(id, KP_LANG_EN), "Unit ID");
	ck_assert_str_eq(kp_report_col_label(ch, KP_LANG_EN), "Rank change");
	ck_assert_ptr_eq(kp_report_labels(KP_LANG_EN)->unit_id, kp_report_col_label(id, KP_LANG_EN));
	kp_msg_set_lang(KP_LANG_ZH); /* the messages' language does not move the labels */
	ck_assert_str_eq(kp_report_labels(KP_LANG_EN)->total, "Total");
	ck_assert_str_eq(kp_report_labels(KP_LANG_ZH)->total, "总分");
	kp_msg_set_lang(KP_LANG_EN);
	/* 3 sections; CSV adds the category and the veto's reason, the table
	 * shows the rank change only when last year is known (it is) */
	ck_assert(kp_report_has_change(r));
	ck_assert_uint_eq(kp_report_col_count(r, KP_COLS_CSV, 1), 15);
	ck_assert_uint_eq(kp_report_col_count(r, KP_COLS_TABLE, 1), 13);
	ck_assert(!kp_report_col_shown(kp_report_col(KP_COL_CATEGORY), KP_COLS_TABLE, 1));
	ck_assert(kp_report_col_shown(ch, KP_COLS_TABLE, 1));
	/* without last year the table drops the change; CSV keeps its column */
	ck_assert(!kp_report_col_shown(ch, KP_COLS_TABLE, 0));
	ck_assert_uint_eq(kp_report_col_count(r, KP_COLS_TABLE, 0), 12);
	ck_assert_uint_eq(kp_report_col_count(r, KP_COLS_CSV, 0), 15);
	kp_result_free(r);
}
END_TEST

/* Which reports show each unit's items, up to how many units: what the
 * store loads and the scorer notes for them. */
START_TEST(test_detail_limit)
{
	kp_report_opts o = { KP_FMT_HTML, KP_LANG_EN, -1, NULL, 0, 0, 0, NULL, 0, NULL };

	ck_assert_uint_eq(kp_report_detail_limit(&o), KP_REPORT_HTML_DETAILS);
	o.summary = 1;
	ck_assert_uint_eq(kp_report_detail_limit(&o), 0);
	o.summary = 0, o.format = KP_FMT_XLSX;
	ck_assert_uint_eq(kp_report_detail_limit(&o), KP_REPORT_XLSX_DETAILS);
	o.format = KP_FMT_JSON;
	ck_assert_uint_eq(kp_report_detail_limit(&o), 0);
	o.items = 1;
	ck_assert_uint_eq(kp_report_detail_limit(&o), SIZE_MAX);
	o.format = KP_FMT_CSV;
	ck_assert_uint_eq(kp_report_detail_limit(&o), 0);
	o.format = KP_FMT_TABLE;
	ck_assert_uint_eq(kp_report_detail_limit(&o), 0);
	o.format = KP_FMT_MD;
	ck_assert_uint_eq(kp_report_detail_limit(&o), 0);
}
END_TEST

/* An error of the reports in each language of messages, whole. */
START_TEST(test_error_languages)
{
	kp_result *r = fixture();
	kp_err err = { 0 };
	kp_report_opts o = { KP_FMT_HTML, KP_LANG_EN, -1, NULL, 0, 0, 0, NULL, 0, NULL };

	ck_assert_uint_eq(NFIX, 7);
	kp_msg_set_lang(KP_LANG_ZH);
	ck_assert_int_eq(kp_report_explain(r, 0, &o, stdout, &err), KP_EUSAGE);
	ck_assert_str_eq(err.msg, "explain：不支持格式“html”（可用 table、md、json）");
	ck_assert_int_eq(err.id, KP_MSG_REP_EXPLAIN_FORMAT);
	o.format = KP_FMT_TABLE;
	ck_assert_int_eq(kp_report_explain(r, NFIX, &o, stdout, &err), KP_EINTERNAL);
	ck_assert_str_eq(err.msg, "explain：单位序号 7 超出范围");
	kp_msg_set_lang(KP_LANG_EN);
	ck_assert_int_eq(kp_report_explain(r, NFIX, &o, stdout, &err), KP_EINTERNAL);
	ck_assert_str_eq(err.msg, "explain: unit index 7 out of range");
	o.format = KP_FMT_HTML;
	ck_assert_int_eq(kp_report_explain(r, 0, &o, stdout, &err), KP_EUSAGE);
	ck_assert_str_eq(err.msg, "explain: format 'html' is not supported (table, md, json)");
	kp_result_free(r);
}
END_TEST

static const char *grid_head[] = { "一级指标", "指标", "分值", "计分方法" };
static const char *grid_cells[] = {
	"一、履行第一责任人职责", "会前学法", "5", "学法次数/6，最高5分",
	"一、履行第一责任人职责", "工作要点", "5", "印发得5分, 否则0分",
	"四、执法", "持证上岗", "10", "=持证率 ≥ 95% 得8分 | ≥ 90% 得5分",
};

START_TEST(test_grid)
{
	static const struct {
		int fmt;
		const char *name;
	} g[] = { { KP_FMT_TABLE, "grid.txt" }, { KP_FMT_CSV, "grid.csv" }, { KP_FMT_MD, "grid.md" },
		  { KP_FMT_JSON, "grid.json" } };
	kp_err err = { 0 };
	size_t i;

	for (i = 0; i < 4; i++) {
		kp_report_opts o = { g[i].fmt, KP_LANG_ZH, -1, tpath(g[i].name), 0, 0, 0, NULL, 0, NULL };
		ck_assert_msg(kp_report_grid(grid_head, 4, grid_cells, 3, &o, NULL, &err) == 0, "%s", err.msg);
		golden(o.output, g[i].name);
	}
	{
		kp_report_opts o = { KP_FMT_XLSX, KP_LANG_ZH, -1, NULL, 0, 0, 0, NULL, 0, NULL };
		ck_assert_int_eq(kp_report_grid(grid_head, 4, grid_cells, 3, &o, stdout, &err), KP_EUSAGE);
	}
}
END_TEST

/* ---------- XLSX ---------- */

static char *unzip(const char *file, const char *member)
{
	char cmd[1024], *buf = NULL;
	size_t n = 0, cap = 0, k;
	FILE *p;

	snprintf(cmd, sizeof cmd, "unzip -p '%s' '%s' 2>/dev/null", file, member);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	do {
		if (cap - n < 4096) {
			cap = cap * 2 + 8192;
			buf = realloc(buf, cap);
		}
		k = fread(buf + n, 1, cap - n - 1, p);
		n += k;
	} while (k > 0);
	buf[n] = '\0';
	pclose(p);
	return buf;
}

static int have_unzip(void)
{
	return system("unzip -v >/dev/null 2>&1") == 0;
}

START_TEST(test_xlsx)
{
	kp_result *r = fixture();
	kp_err err = { 0 };
	char *x;

	ck_assert_msg(write_fmt(r, KP_FMT_XLSX, KP_LANG_ZH, -1, "a.xlsx", &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(count_entries(tmpdir), 1);
	x = slurp(tpath("a.xlsx"), NULL);
	ck_assert(x[0] == 'P' && x[1] == 'K');
	free(x);
	if (!have_unzip()) {
		fprintf(stderr, "SKIP: unzip not available, XLSX contents not checked\n");
		kp_result_free(r);
		return;
	}
	x = unzip(tpath("a.xlsx"), "xl/worksheets/sheet1.xml");
	ck_assert_ptr_nonnull(strstr(x, "<v>95.5</v>"));
	ck_assert_ptr_nonnull(strstr(x, "<v>23.5</v>"));
	ck_assert_ptr_nonnull(strstr(x, "<v>88.4")); /* %.16G: 88.40000000000001 */
	ck_assert_ptr_nonnull(strstr(x, "<pane xSplit=\"3\" ySplit=\"2\""));
	ck_assert_ptr_nonnull(strstr(x, "orientation=\"landscape\""));
	ck_assert_ptr_nonnull(strstr(x, "<autoFilter"));
	free(x);
	x = unzip(tpath("a.xlsx"), "xl/sharedStrings.xml");
	ck_assert_ptr_nonnull(strstr(x, "城关镇"));
	ck_assert_ptr_nonnull(strstr(x, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	ck_assert_ptr_nonnull(strstr(x, "发生重大执法过错"));
	ck_assert_ptr_nonnull(strstr(x, "持证率 96.4% ≥ 95%，得8分"));
	free(x);
	x = unzip(tpath("a.xlsx"), "xl/workbook.xml");
	ck_assert_ptr_nonnull(strstr(x, "name=\"镇\""));
	ck_assert_ptr_nonnull(strstr(x, "name=\"部门\""));
	ck_assert_ptr_nonnull(strstr(x, "name=\"拟表彰名单\""));
	ck_assert_ptr_nonnull(strstr(x, "name=\"得分明细\""));
	free(x);
	x = unzip(tpath("a.xlsx"), "xl/styles.xml");
	ck_assert_ptr_nonnull(strstr(x, "formatCode=\"0.00\""));
	free(x);
	x = unzip(tpath("a.xlsx"), "xl/worksheets/sheet4.xml"); /* 得分明细 */
	ck_assert_ptr_nonnull(strstr(x, "<v>-2</v>"));
	free(x);
	kp_result_free(r);
}
END_TEST

START_TEST(test_xlsx_sheet_names)
{
	kp_result *r = fixture();
	kp_err err = { 0 };
	char *x;

	r->categories[0].name = "a/b:c*d?[e]\\f 一二三四五六七八九十一二三四五六七八九十";
	r->categories[1].name = "A/B:C*D?[E]\\F 一二三四五六七八九十一二三四五六七八九十x";
	ck_assert_msg(write_fmt(r, KP_FMT_XLSX, KP_LANG_EN, -1, "n.xlsx", &err) == 0, "%s", err.msg);
	if (!have_unzip()) {
		kp_result_free(r);
		return;
	}
	x = unzip(tpath("n.xlsx"), "xl/workbook.xml");
	ck_assert_msg(strstr(x, "name=\"a_b_c_d__e__f 一二三四五六七八九十一二三四五六七\"") != NULL, "%s", x);
	ck_assert_msg(strstr(x, "name=\"A_B_C_D__E__F 一二三四五六七八九十一二三四(2)\"") != NULL, "%s", x);
	ck_assert_ptr_nonnull(strstr(x, "name=\"Proposed for commendation\""));
	free(x);
	kp_result_free(r);
}
END_TEST

START_TEST(test_xlsx_stdout)
{
	kp_result *r = fixture();
	kp_err err = { 0 };
	kp_report_opts o = { KP_FMT_XLSX, KP_LANG_ZH, -1, NULL, 0, 0, 0, NULL, 0, NULL };
	FILE *f = tmpfile();
	char head[4];

	ck_assert_msg(kp_report_write(r, &o, f, &err) == 0, "%s", err.msg);
	ck_assert_int_gt(ftell(f), 1000);
	rewind(f);
	ck_assert_uint_eq(fread(head, 1, 4, f), 4);
	ck_assert(!memcmp(head, "PK\x03\x04", 4));
	fclose(f);
	kp_result_free(r);
}
END_TEST

/* ---------- the atomic writer ---------- */

START_TEST(test_outfile_missing_dir)
{
	kp_result *r = fixture();
	kp_err err = { 0 };
	char want[600];
	int fmt;

	for (fmt = 0; fmt <= KP_FMT_HTML; fmt++) {
		kp_report_opts o = { fmt, KP_LANG_ZH, -1, tpath("nodir/out.x"), 0, 0, 0, NULL, 0, NULL };
		ck_assert_int_eq(kp_report_write(r, &o, NULL, &err), KP_ECREATE);
		snprintf(want, sizeof want, "%s: cannot create: No such file or directory", o.output);
		ck_assert_str_eq(err.msg, want);
	}
	ck_assert_uint_eq(count_entries(tmpdir), 0);
	{
		kp_report_opts o = { KP_FMT_JSON, KP_LANG_ZH, -1, tmpdir, 0, 0, 0, NULL, 0, NULL };
		ck_assert_int_eq(kp_report_write(r, &o, NULL, &err), KP_ECREATE);
		ck_assert_ptr_nonnull(strstr(err.msg, ": cannot create: "));
		ck_assert_uint_eq(count_entries(tmpdir), 0);
	}
	kp_result_free(r);
}
END_TEST

/* template makes every form before it puts any in place: each written
 * file given back with kp_outfile_done holds no descriptor past the first
 * 128, so thousands fit under the usual limit of 1,024 descriptors. */
START_TEST(test_outfile_done_many)
{
	enum { N = 400 };
	kp_err err = { 0 };
	kp_outfile **f = calloc(N, sizeof *f);
	char name[32];
	size_t i, before = count_entries("/proc/self/fd");

	ck_assert_ptr_nonnull(f);
	for (i = 0; i < N; i++) {
		snprintf(name, sizeof name, "d%03zu.txt", i);
		ck_assert_int_eq(kp_outfile_open(tpath(name), &f[i], &err), 0);
		fprintf(kp_outfile_fp(f[i]), "file %zu\n", i);
		ck_assert_int_eq(kp_outfile_done(f[i], &err), 0);
	}
	ck_assert_uint_le(count_entries("/proc/self/fd"), before + 128);
	ck_assert_int_eq(kp_outfile_commit_all(f, N, &err), 0);
	ck_assert_uint_eq(count_entries(tmpdir), N);
	ck_assert_uint_eq(count_entries("/proc/self/fd"), before);
	for (i = 0; i < N; i += 97) {
		char line[32], want[32];
		FILE *in;
		snprintf(name, sizeof name, "d%03zu.txt", i);
		ck_assert_ptr_nonnull(in = fopen(tpath(name), "r"));
		ck_assert_ptr_nonnull(fgets(line, sizeof line, in));
		fclose(in);
		snprintf(want, sizeof want, "file %zu\n", i);
		ck_assert_str_eq(line, want);
	}
	free(f);
}
END_TEST

/* A signal's cleanup (kp_outfile_remove_open) removes the temporary file
 * of every open outfile, however many are open: template keeps every form
 * open until all are written, and 72 was once the most it knew of. */
START_TEST(test_outfile_remove_open_many)
{
	enum { N = 150 };
	kp_err err = { 0 };
	kp_outfile *f[N];
	char name[32];
	size_t i, named;

	for (i = 0; i < N; i++) {
		snprintf(name, sizeof name, "f%03zu.txt", i);
		ck_assert_int_eq(kp_outfile_open(tpath(name), &f[i], &err), 0);
		fputs("x", kp_outfile_fp(f[i]));
		fflush(kp_outfile_fp(f[i]));
	}
	kp_outfile_abort(f[7]); /* one gone from the middle, one from each end */
	kp_outfile_abort(f[0]);
	kp_outfile_abort(f[N - 1]);
	/* unnamed temporaries (O_TMPFILE) are in no folder at all; past 128
	 * open at once they are named (a descriptor each is held otherwise) */
	for (i = 1, named = 0; i < N - 1; i++)
		named += i != 7 && strncmp(kp_outfile_tmpname(f[i]), "/proc/self/fd/", 14) != 0;
	ck_assert_uint_ge(named, N - 128 - 2);
	ck_assert_uint_eq(count_entries(tmpdir), named);
	kp_outfile_remove_open();
	ck_assert_uint_eq(count_entries(tmpdir), 0);
	for (i = 1; i < N - 1; i++)
		if (i != 7)
			kp_outfile_abort(f[i]); /* its file already gone */
	ck_assert_uint_eq(count_entries(tmpdir), 0);
}
END_TEST

/* The folders made for files not yet in place go with them (template's
 * office folders, should SIGTERM come while its forms are written), inner
 * first; once done, a folder is the caller's and stays. */
START_TEST(test_outfile_remove_made_dirs)
{
	kp_err err = { 0 };
	kp_outfile *f;
	char inner[4096];

	snprintf(inner, sizeof inner, "%s", tpath("forms/office"));
	ck_assert_int_eq(mkdir(tpath("forms"), 0777), 0);
	ck_assert_int_eq(kp_outfile_made_dir(tpath("forms"), &err), 0);
	ck_assert_int_eq(mkdir(inner, 0777), 0);
	ck_assert_int_eq(kp_outfile_made_dir(inner, &err), 0);
	ck_assert_int_eq(kp_outfile_open(tpath("forms/office/a.csv"), &f, &err), 0);
	kp_outfile_remove_open();
	ck_assert_uint_eq(count_entries(tmpdir), 0);
	kp_outfile_abort(f);
	kp_outfile_dirs_done();

	ck_assert_int_eq(mkdir(tpath("kept"), 0777), 0);
	ck_assert_int_eq(kp_outfile_made_dir(tpath("kept"), &err), 0);
	kp_outfile_dirs_done();
	kp_outfile_remove_open();
	ck_assert_uint_eq(count_entries(tmpdir), 1);
	ck_assert_int_eq(rmdir(tpath("kept")), 0);
}
END_TEST

START_TEST(test_outfile_commit_abort)
{
	kp_err err = { 0 };
	kp_outfile *f;
	struct stat st;
	char *s;
	mode_t old = umask(022);
	char cwd[4096];

	ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));

	ck_assert_int_eq(kp_outfile_open(tpath("x.txt"), &f, &err), 0);
	ck_assert_ptr_nonnull(f);
	/* a temporary beside it, or an unnamed one (O_TMPFILE) */
	ck_assert(strstr(kp_outfile_tmpname(f), "/.x.txt.") || !strncmp(kp_outfile_tmpname(f), "/proc/self/fd/", 14));
	ck_assert_uint_eq(count_entries(tmpdir), strstr(kp_outfile_tmpname(f), "/.x.txt.") ? 1 : 0);
	fputs("half a report", kp_outfile_fp(f));
	kp_outfile_abort(f);
	ck_assert_uint_eq(count_entries(tmpdir), 0);

	ck_assert_int_eq(kp_outfile_open(tpath("x.txt"), &f, &err), 0);
	fputs("whole", kp_outfile_fp(f));
	ck_assert_int_eq(access(tpath("x.txt"), F_OK), -1);
	ck_assert_int_eq(kp_outfile_commit(f, &err), 0);
	s = slurp(tpath("x.txt"), NULL);
	ck_assert_str_eq(s, "whole");
	free(s);
	ck_assert_int_eq(stat(tpath("x.txt"), &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0644);
	ck_assert_uint_eq(count_entries(tmpdir), 1);
	/* a relative name works too (temporary beside it in ".") */
	ck_assert_int_eq(chdir(tmpdir), 0);
	ck_assert_int_eq(kp_outfile_open("rel.txt", &f, &err), 0);
	ck_assert_ptr_nonnull(f);
	ck_assert(!strncmp(kp_outfile_tmpname(f), ".rel.txt.", 9) || !strncmp(kp_outfile_tmpname(f), "/proc/self/fd/", 14));
	ck_assert_int_eq(kp_outfile_commit(f, &err), 0);
	ck_assert_uint_eq(count_entries(tmpdir), 2);
	/* over a file that is there: replaced whole, nothing else left */
	ck_assert_int_eq(kp_outfile_open("rel.txt", &f, &err), 0);
	fputs("again", kp_outfile_fp(f));
	ck_assert_int_eq(kp_outfile_commit(f, &err), 0);
	s = slurp("rel.txt", NULL);
	ck_assert_str_eq(s, "again");
	free(s);
	ck_assert_uint_eq(count_entries(tmpdir), 2);
	ck_assert_int_eq(chdir(cwd), 0);
	umask(old);
}
END_TEST

/* -o through a chain of symbolic links writes the file at its end and
 * keeps every link (l1 -> sub/l2 -> ../real, relative to each link's
 * folder); 40 links are followed, 41 and a loop are refused. */
START_TEST(test_outfile_symlinks)
{
	kp_err err = { 0 };
	kp_outfile *f;
	struct stat st;
	char name[32], to[32], want[600];
	char *s;
	int i;

	ck_assert_int_eq(mkdir(tpath("sub"), 0755), 0);
	ck_assert_int_eq(symlink("../real.txt", tpath("sub/l2.txt")), 0);
	ck_assert_int_eq(symlink("sub/l2.txt", tpath("l1.txt")), 0);
	ck_assert_int_eq(kp_outfile_open(tpath("l1.txt"), &f, &err), 0);
	fputs("through two links", kp_outfile_fp(f));
	ck_assert_int_eq(kp_outfile_commit(f, &err), 0);
	ck_assert_int_eq(lstat(tpath("l1.txt"), &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_int_eq(lstat(tpath("sub/l2.txt"), &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	s = slurp(tpath("real.txt"), NULL);
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, "through two links");
	free(s);

	/* c0 -> c1 -> ... -> c40 -> end: 40 links to follow, the kernel's limit */
	for (i = 0; i <= 40; i++) {
		snprintf(name, sizeof name, "c%d", i);
		snprintf(to, sizeof to, i == 40 ? "end" : "c%d", i + 1);
		ck_assert_int_eq(symlink(to, tpath(name)), 0);
	}
	ck_assert_int_eq(kp_outfile_open(tpath("c1"), &f, &err), 0);
	ck_assert_int_eq(kp_outfile_commit(f, &err), 0);
	ck_assert_int_eq(lstat(tpath("end"), &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq(unlink(tpath("end")), 0);
	ck_assert_int_eq(kp_outfile_open(tpath("c0"), &f, &err), KP_ECREATE);
	ck_assert_ptr_null(f);
	snprintf(want, sizeof want,
		 "%s: cannot create: its symbolic links go round in a loop, or more than 40 follow one another", tpath("c0"));
	ck_assert_str_eq(err.msg, want);
	kp_err_clear(&err);

	ck_assert_int_eq(symlink("loop-b", tpath("loop-a")), 0);
	ck_assert_int_eq(symlink("loop-a", tpath("loop-b")), 0);
	ck_assert_int_eq(kp_outfile_open(tpath("loop-a"), &f, &err), KP_ECREATE);
	ck_assert_ptr_nonnull(strstr(err.msg, "symbolic links go round in a loop"));
	kp_err_clear(&err);
	ck_assert_int_eq(lstat(tpath("loop-a"), &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_uint_eq(count_entries(tmpdir), 3 + 41 + 2); /* no temporary file left */
}
END_TEST

START_TEST(test_stdout_full)
{
	kp_result *r = fixture();
	kp_err err = { 0 };
	FILE *f = fopen("/dev/full", "w");
	int fmt;

	if (!f) {
		fprintf(stderr, "SKIP: /dev/full not available\n");
		kp_result_free(r);
		return;
	}
	for (fmt = 0; fmt <= KP_FMT_HTML; fmt++) {
		kp_report_opts o = { fmt, KP_LANG_ZH, -1, NULL, 0, 0, 0, NULL, 0, NULL };
		ck_assert_int_eq(kp_report_write(r, &o, f, &err), KP_EIO);
		ck_assert_str_eq(err.msg, "standard output: cannot write: No space left on device");
		clearerr(f);
	}
	fclose(f);
	kp_result_free(r);
}
END_TEST

/* In a child with a file size limit: the write fails mid-way; the old
 * report stays as it was and no temporary file is left behind. */
START_TEST(test_outfile_fsize)
{
	static const int fmts[] = { KP_FMT_JSON, KP_FMT_CSV, KP_FMT_HTML, KP_FMT_TABLE, KP_FMT_XLSX };
	size_t k;

	for (k = 0; k < sizeof fmts / sizeof fmts[0]; k++) {
		const char *target = tpath("report.out");
		FILE *f = fopen(target, "w");
		pid_t pid;
		int status;
		char *s;

		fputs("last year's report", f);
		fclose(f);
		/* valgrind does not let the child ignore SIGXFSZ inside
		 * libxlsxwriter's temporary files: that case runs without it */
		if (fmts[k] == KP_FMT_XLSX && getenv("KP_VALGRIND"))
			continue;
		pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			kp_result *r = big_fixture(20000);
			struct rlimit rl = { 4096, 4096 };
			kp_report_opts o = { fmts[k], KP_LANG_ZH, -1, target, 0, 0, 0, NULL, 0, NULL };
			kp_err err = { 0 };
			int rc;
			signal(SIGXFSZ, SIG_IGN);
			setrlimit(RLIMIT_FSIZE, &rl);
			rc = kp_report_write(r, &o, NULL, &err);
			kp_result_free(r);
			if (rc == KP_EIO && strstr(err.msg, target) == err.msg &&
			    !strcmp(err.msg + strlen(target), ": cannot write: File too large"))
				_exit(0);
			fprintf(stderr, "format %d: rc %d: %s\n", fmts[k], rc, err.msg);
			_exit(1);
		}
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "format %d", fmts[k]);
		s = slurp(target, NULL);
		ck_assert_str_eq(s, "last year's report");
		free(s);
		ck_assert_uint_eq(count_entries(tmpdir), 1);
	}
}
END_TEST


/* The page for the meeting: the issuing office (escaped) and the date of
 * the run in local time; --summary leaves out charts and details; a
 * section past its full points is marked and explained. */
START_TEST(test_html_print)
{
	kp_result *r = fixture();
	kp_report_opts o = { KP_FMT_HTML, KP_LANG_ZH, -1, NULL, 0, 0, 0, NULL, 0, NULL };
	kp_err err = { 0 };
	double pts[16];
	char *x, *tz = getenv("TZ") ? strdup(getenv("TZ")) : NULL;

	setenv("TZ", "CST-8", 1); /* Beijing, without tzdata */
	tzset();
	r->office = "陇县<司法局>";
	r->scored_at = "2021-12-31T17:30:00Z"; /* 2022-01-01 01:30 in Beijing */
	ck_assert_uint_le(r->nsections, sizeof pts / sizeof pts[0]);
	memcpy(pts, r->section_points, r->nsections * sizeof *pts);
	pts[0] = 10; /* a unit has more: rescaled */
	r->section_points = pts;
	o.output = tpath("p.html");
	ck_assert_msg(kp_report_write(r, &o, NULL, &err) == 0, "%s", err.msg);
	x = slurp(tpath("p.html"), NULL);
	ck_assert_ptr_nonnull(strstr(x, "<span class=\"office\">发文单位：陇县&lt;司法局&gt;</span>"));
	ck_assert_ptr_nonnull(strstr(x, "<span class=\"date\">评分日期：2022年1月1日</span>"));
	ck_assert_ptr_nonnull(strstr(x, "（10分）</th>"));
	ck_assert_ptr_nonnull(strstr(x, "<td class=\"num over\">"));
	ck_assert_ptr_nonnull(strstr(x, "<p class=\"note rescaled\">"));
	ck_assert_ptr_nonnull(strstr(x, "SHA-256 "));
	ck_assert_ptr_nonnull(strstr(x, "<svg"));
	ck_assert_ptr_nonnull(strstr(x, "<section class=\"details\">"));
	free(x);
	o.summary = 1;
	ck_assert_msg(kp_report_write(r, &o, NULL, &err) == 0, "%s", err.msg);
	x = slurp(tpath("p.html"), NULL);
	ck_assert_ptr_null(strstr(x, "<svg"));
	ck_assert_ptr_null(strstr(x, "<section class=\"details\">"));
	ck_assert_ptr_nonnull(strstr(x, "<table class=\"commend\">"));
	ck_assert_ptr_nonnull(strstr(x, "<table class=\"grades\">"));
	ck_assert_ptr_nonnull(strstr(x, "<table class=\"ranking\""));
	free(x);
	r->scored_at = "2021-13-45T99:00:00Z"; /* not a time: no date, no harm */
	o.summary = 0;
	ck_assert_msg(kp_report_write(r, &o, NULL, &err) == 0, "%s", err.msg);
	x = slurp(tpath("p.html"), NULL);
	ck_assert_ptr_null(strstr(x, "评分日期"));
	free(x);
	if (tz)
		setenv("TZ", tz, 1);
	else
		unsetenv("TZ");
	free(tz);
	tzset();
	kp_result_free(r);
}
END_TEST

/* ---------- numbers ---------- */

START_TEST(test_numbers)
{
	char a[KP_NUMBUF], b[KP_NUMBUF];
	unsigned seed = 12345;
	int i, p;

	for (i = 0; i < 200000; i++) {
		double x;
		seed = seed * 1103515245u + 12345u;
		p = (int)(seed >> 8) % 7;
		x = ((double)(seed >> 4) / 1048576.0 - 2000.0) * ((seed & 8) ? 1 : 0.001);
		if (i & 1)
			x = kp_num_round(x, p);
		/* a value prints as the rounding rule (DESIGN §2) rounds it */
		ck_assert_str_eq(kp_rw_fixed(x, p, a), kp_num_fixed(kp_num_round(x, p), p, b, sizeof b));
		ck_assert_str_eq(kp_rw_short(x, p, a), kp_num_short(x, b, sizeof b));
	}
	/* not C's printf rounding of the binary value: 2.675 is 2.67499999… */
	ck_assert_str_eq(kp_rw_fixed(2.675, 2, a), "2.68");
	ck_assert_str_eq(kp_rw_fixed(0.125, 2, a), "0.13");
	{
		static const double xs[] = { 0.0, -0.0, 0.1, 0.125, 2.675, 1e-5, 123456789012.5, 1e15, -1e-300,
					     99.995, 0.30000000000000004, 5e-324, 1.7976931348623157e308 };
		for (i = 0; i < (int)(sizeof xs / sizeof xs[0]); i++)
			for (p = 0; p <= 15; p++) {
				ck_assert_str_eq(kp_rw_fixed(xs[i], p, a),
						 kp_num_fixed(kp_num_round(xs[i], p), p, b, sizeof b));
				ck_assert_str_eq(kp_rw_short(xs[i], p, a), kp_num_short(xs[i], b, sizeof b));
			}
	}
}
END_TEST

/* kp_rw_put_fixed and kp_rw_put_short write the texts kp_rw_fixed and
 * kp_rw_short give, without a copy: the same bytes for the values of
 * test_numbers and the extremes (the longest, 1.8e308 at 15 places, 325
 * bytes), also where the writer's buffer is nearly full (1 MiB less 0
 * to 400 bytes before it: it is flushed first, never cut). */
START_TEST(test_numbers_put)
{
	static const double xs[] = { 0.0, -0.0, 0.1, 0.125, 2.675, 1e-5, 123456789012.5, 1e15, -1e-300, 99.995,
				     0.30000000000000004, 5e-324, 1.7976931348623157e308, -1.7976931348623157e308,
				     59.88821052631579, 29.422133333333335 };
	char a[KP_NUMBUF], *got = NULL, *want = NULL, *fill = malloc(1u << 20);
	size_t glen, wlen, k, i;
	unsigned seed = 777;
	kp_err err = { 0 };
	int p;

	ck_assert_ptr_nonnull(fill);
	memset(fill, 'x', 1u << 20);
	for (k = 0; k <= 400; k += (k < 8 || k > 300) ? 1 : 37) {
		FILE *g = open_memstream(&got, &glen), *f = open_memstream(&want, &wlen);
		kp_rw w;
		ck_assert(g && f);
		ck_assert_int_eq(kp_rw_open(&w, g, &err), 0);
		kp_rw_put(&w, fill, (1u << 20) - k);
		fwrite(fill, 1, (1u << 20) - k, f);
		for (i = 0; i < 20000; i++) {
			double x;
			seed = seed * 1103515245u + 12345u;
			p = (int)(seed >> 8) % 16;
			if (i < sizeof xs / sizeof xs[0])
				x = xs[i];
			else
				x = ((double)(seed >> 4) / 1048576.0 - 2000.0) * ((seed & 8) ? 1 : 0.001);
			if (i & 1)
				kp_rw_put_fixed(&w, x, p), fputs(kp_rw_fixed(x, p, a), f);
			else
				kp_rw_put_short(&w, x, p), fputs(kp_rw_short(x, p, a), f);
			kp_rw_putc(&w, ','), fputc(',', f);
		}
		ck_assert_int_eq(kp_rw_close(&w), 0);
		fclose(g), fclose(f);
		ck_assert_uint_eq(glen, wlen);
		ck_assert_msg(!memcmp(got, want, glen), "%zu bytes short of a full buffer: the texts differ", k);
		free(got), free(want);
		got = want = NULL;
	}
	free(fill);
}
END_TEST

/* kp_rw_json_str, which looks at eight bytes at a time, escapes what a
 * byte-by-byte reference escapes: each byte that matters (controls, '"',
 * '\\', and their neighbours 0x20, '#', '[', ']', 0x7f, UTF-8) at every
 * place of strings of 0 to 40 bytes, alone and beside a second one. */
static void json_ref(const char *s, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	out[o++] = '"';
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			out[o++] = '\\', out[o++] = (char)c;
		else if (c == '\n')
			out[o++] = '\\', out[o++] = 'n';
		else if (c == '\r')
			out[o++] = '\\', out[o++] = 'r';
		else if (c == '\t')
			out[o++] = '\\', out[o++] = 't';
		else if (c == '\b')
			out[o++] = '\\', out[o++] = 'b';
		else if (c == '\f')
			out[o++] = '\\', out[o++] = 'f';
		else if (c < 0x20)
			memcpy(out + o, "\\u00", 4), o += 4, out[o++] = hex[c >> 4], out[o++] = hex[c & 15];
		else
			out[o++] = (char)c;
	}
	out[o++] = '"';
	out[o] = '\0';
}

START_TEST(test_json_str)
{
	static const unsigned char bytes[] = { 0x01, 0x08, 0x09, 0x0a, 0x0c, 0x0d, 0x1f, 0x20, '"', '#', '\\', '[', ']',
					       0x7f, 0x80, 0xe4, 0xff, '!', 'A' };
	char in[48], want[400], *got = NULL;
	size_t len, n, i, j, a, b, cases = 0;
	kp_rw w;
	kp_err err = { 0 };

	for (n = 0; n <= 40; n++)
		for (i = 0; i < n || (n == 0 && i == 0); i++)
			for (a = 0; a < sizeof bytes; a++)
				for (j = i; j < n || (n == 0 && j == 0); j += 7)
					for (b = 0; b < sizeof bytes; b += 5) {
						FILE *f = open_memstream(&got, &len);
						memset(in, 'x', n);
						in[n] = '\0';
						if (n) {
							in[j] = (char)bytes[b];
							in[i] = (char)bytes[a];
						}
						ck_assert_ptr_nonnull(f);
						ck_assert_int_eq(kp_rw_open(&w, f, &err), 0);
						kp_rw_json_str(&w, in);
						ck_assert_int_eq(kp_rw_close(&w), 0);
						fclose(f);
						json_ref(in, want);
						ck_assert_msg(!strcmp(got, want), "n %zu, byte %02x at %zu, %02x at %zu: %s, want %s",
							      n, bytes[a], i, bytes[b], j, got, want);
						free(got);
						got = NULL;
						cases++;
					}
	ck_assert_uint_gt(cases, 10000);
}
END_TEST

START_TEST(test_bad_input)
{
	kp_result *r = fixture();
	kp_err err = { 0 };
	kp_report_opts o = { 42, KP_LANG_ZH, -1, NULL, 0, 0, 0, NULL, 0, NULL };

	ck_assert_int_eq(kp_report_write(r, &o, stdout, &err), KP_EUSAGE);
	o.format = KP_FMT_JSON;
	r->units[2].category = 9;
	ck_assert_int_eq(kp_report_write(r, &o, stdout, &err), KP_EINTERNAL);
	ck_assert_int_eq(kp_report_write(r, &o, stdout, NULL), KP_EINTERNAL);
	kp_result_free(r);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("report");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_format_names);
	tcase_add_test(tc, test_own_item_names);
	tcase_add_loop_test(tc, test_golden, 0, (int)(sizeof goldens / sizeof goldens[0]));
	tcase_add_test(tc, test_csv_cells);
	tcase_add_test(tc, test_json_shape);
	tcase_add_test(tc, test_json_escape);
	tcase_add_test(tc, test_html_escape);
	tcase_add_test(tc, test_html_big);
	tcase_add_test(tc, test_html_huge_total);
	tcase_add_test(tc, test_html_print);
	tcase_add_test(tc, test_table_color);
	tcase_add_loop_test(tc, test_explain, 0, (int)(sizeof explains / sizeof explains[0]));
	tcase_add_test(tc, test_explain_bad);
	tcase_add_test(tc, test_column_model);
	tcase_add_test(tc, test_detail_limit);
	tcase_add_test(tc, test_error_languages);
	tcase_add_test(tc, test_grid);
	tcase_add_test(tc, test_xlsx);
	tcase_add_test(tc, test_xlsx_sheet_names);
	tcase_add_test(tc, test_xlsx_stdout);
	tcase_add_test(tc, test_outfile_missing_dir);
	tcase_add_test(tc, test_outfile_commit_abort);
	tcase_add_test(tc, test_outfile_symlinks);
	tcase_add_test(tc, test_stdout_full);
	tcase_add_test(tc, test_outfile_fsize);
	tcase_add_test(tc, test_outfile_remove_open_many);
	tcase_add_test(tc, test_outfile_done_many);
	tcase_add_test(tc, test_outfile_remove_made_dirs);
	tcase_add_test(tc, test_numbers);
	tcase_add_test(tc, test_numbers_put);
	tcase_add_test(tc, test_bad_input);
	tcase_add_test(tc, test_json_str);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(suite)
