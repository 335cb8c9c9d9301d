/* check_sheet.c — the file names of the unit sheets (kp_sheet_filename):
 * what no filesystem takes, controls and invisible characters dropped,
 * leading and trailing dots, Windows device names, the byte caps cut at a
 * character, names that are not UTF-8, and two units that map to one name
 * (also by case only) never given the same file; and the rows a sheet
 * copies (kp_sheet_rows_add). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "kaoping/enc.h"
#include "kaoping/report.h"
#include "kaoping/result.h"
#include "kaoping/sheet.h"
#include "../core/sheet_int.h" /* the labels */

struct name_case {
	const char *id, *name, *want;
};

static const struct name_case name_cases[] = {
	{ "U001", "城关镇", "U001-城关镇.html" },
	{ "U001", "", "U001.html" },
	{ "U001", NULL, "U001.html" },
	{ "", "", "unit.html" },
	{ "U01", "../../etc/x", "U01-etcx.html" },
	{ "../U02", "a/b", "U02-ab.html" },
	{ "U03", "a\\b:c*d?e\"f<g>h|i", "U03-abcdefghi.html" },
	{ "U04", "\x1b[31mred\x07\x7f", "U04-[31mred.html" },
	{ "U05", "\xc2\x9b" "csi", "U05-csi.html" },           /* C1 control U+009B */
	{ "U06", "\xe2\x80\xae" "exe.txt", "U06-exe.txt.html" }, /* right-to-left override */
	{ "U07", "\xef\xbb\xbf" "bom\xe2\x80\x8b", "U07-bom.html" }, /* BOM, zero-width space */
	{ "U08", "...hidden. . ", "U08-hidden.html" },
	{ "U09", "tab\there\nline", "U09-tabhereline.html" },
	{ "U10", "bad\xff\xfe" "bytes\xc3", "U10-badbytes.html" },  /* not UTF-8 */
	{ "U11", "\xed\xa0\x80" "sur", "U11-sur.html" },          /* a surrogate */
	{ "U12", "\xe0\x80\xaf" "over", "U12-over.html" },        /* overlong */
	{ "CON", "", "_CON.html" },
	{ "nul", "", "_nul.html" },
	{ "COM1", "", "_COM1.html" },
	{ "LPT9", "", "_LPT9.html" },
	{ "COM0", "", "_COM0.html" },                               /* Microsoft lists COM0 and LPT0 too */
	{ "LPT\xc2\xb9", "", "_LPT\xc2\xb9.html" },                   /* LPT¹ */
	{ "conout$", "", "_conout$.html" },
	{ "NUL .x", "", "_NUL .x.html" },                           /* spaces before the dot: still NUL */
	{ "COM10", "", "COM10.html" },
	{ "COM\xc2\xb4", "", "COM\xc2\xb4.html" },                  /* an acute accent, no superscript */
	{ "CON", "x", "CON-x.html" },
	{ ".", ".", "unit.html" },
	{ "...", "rf", "rf.html" },                                 /* no "-rf": the id left nothing */
	{ "\xe2\x80\x8b", "x", "x.html" },
	{ "-n", "", "_-n.html" },                                   /* no name that starts like an option */
	{ "--help", "x", "_--help-x.html" },
	{ "a b ", " c ", "a b-c.html" },
	{ "全角：", "名", "全角：-名.html" },                      /* full-width colon is fine */
};

START_TEST(test_name_table)
{
	const struct name_case *c = &name_cases[_i];
	kp_err err = { 0 };
	char *got = kp_sheet_filename(NULL, c->id, c->name, "html", &err);

	ck_assert_ptr_nonnull(got);
	ck_assert_msg(!strcmp(got, c->want), "case %d: got '%s', want '%s'", _i, got, c->want);
	free(got);
}
END_TEST

/* A long name is cut at a character, the stem within KP_SHEET_STEM_MAX
 * bytes and the id within KP_SHEET_ID_MAX. */
START_TEST(test_name_caps)
{
	char id[300], name[1200];
	kp_err err = { 0 };
	char *got;
	size_t i, n;

	for (i = 0; i < 100; i++)
		memcpy(name + 3 * i, "甲", 3);
	name[300] = 'x', name[301] = '\0'; /* 100 characters of 3 bytes, then one of 1 */
	memset(id, 'A', 200), id[200] = '\0';
	got = kp_sheet_filename(NULL, "U1", name, "xlsx", &err);
	ck_assert_ptr_nonnull(got);
	n = strlen(got) - strlen(".xlsx");
	ck_assert_uint_le(n, KP_SHEET_STEM_MAX);
	ck_assert_uint_eq(kp_enc_utf8_valid((const unsigned char *)got, strlen(got)), strlen(got));
	ck_assert_uint_eq((n - 3) % 3, 0); /* "U1-" and whole characters */
	ck_assert_uint_gt(n, KP_SHEET_STEM_MAX - 3);
	free(got);
	got = kp_sheet_filename(NULL, id, name, "md", &err);
	ck_assert_ptr_nonnull(got);
	ck_assert_uint_eq(strspn(got, "A"), KP_SHEET_ID_MAX);
	ck_assert_uint_le(strlen(got) - 3, KP_SHEET_STEM_MAX);
	ck_assert_uint_eq(kp_enc_utf8_valid((const unsigned char *)got, strlen(got)), strlen(got));
	free(got);
}
END_TEST

/* Units that map to one name, or to names that differ only in case, get
 * different files; the names given are stable in order. */
START_TEST(test_name_unique)
{
	static const char *const ids[] = { "a/b", "a\\b", "ab", "AB", "ab~2", "x" };
	static const char *const want[] = { "ab-n.md", "ab-n~2.md", "ab-n~3.md", "AB-n~4.md", "ab~2-n.md", "x-n.md" };
	kp_err err = { 0 };
	kp_sheet_names *seen = kp_sheet_names_new(&err);
	size_t i;

	ck_assert_ptr_nonnull(seen);
	for (i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		char *got = kp_sheet_filename(seen, ids[i], "n", "md", &err);
		ck_assert_ptr_nonnull(got);
		ck_assert_msg(!strcmp(got, want[i]), "%s: got '%s', want '%s'", ids[i], got, want[i]);
		free(got);
	}
	kp_sheet_names_free(seen);
}
END_TEST

/* Names a case-insensitive filesystem (Windows, macOS) takes for one
 * beyond ASCII: full-width, Latin-1, Greek, Cyrillic, Roman numerals, é
 * precomposed and decomposed. */
START_TEST(test_name_unique_unicode)
{
	static const char *const ids[] = { "\xef\xbc\xa1", "\xef\xbd\x81", "\xc3\x84", "\xc3\xa4", "\xc3\xa9",
					   "e\xcc\x81", "\xce\xa3", "\xcf\x83", "\xd0\x96", "\xd0\xb6",
					   "\xe2\x85\xab", "\xe2\x85\xbb", "\xc5\x81", "\xc5\x82", "\xe7\x94\xb2" };
	static const int twice[] = { 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0 };
	kp_err err = { 0 };
	kp_sheet_names *seen = kp_sheet_names_new(&err);
	size_t i;

	ck_assert_ptr_nonnull(seen);
	for (i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		char *got = kp_sheet_filename(seen, ids[i], "n", "md", &err);
		ck_assert_ptr_nonnull(got);
		ck_assert_msg((strstr(got, "~2.md") != NULL) == twice[i], "%zu: got '%s'", i, got);
		free(got);
	}
	kp_sheet_names_free(seen);
}
END_TEST

/* Many names (the table grows): all distinct. */
START_TEST(test_name_many)
{
	kp_err err = { 0 };
	kp_sheet_names *seen = kp_sheet_names_new(&err);
	char id[32], *got;
	int i;

	ck_assert_ptr_nonnull(seen);
	for (i = 0; i < 5000; i++) {
		snprintf(id, sizeof id, "%s%d", i % 2 ? "U" : "u", i / 2); /* u0 and U0 collide */
		got = kp_sheet_filename(seen, id, "同名", "json", &err);
		ck_assert_ptr_nonnull(got);
		if (i % 2)
			ck_assert_msg(strstr(got, "~2.json") != NULL, "%s", got);
		free(got);
	}
	kp_sheet_names_free(seen);
}
END_TEST

static int keep_ab(void *ud, const char *col)
{
	(void)ud;
	return !strcmp(col, "a") || !strcmp(col, "b");
}

/* A row keeps only the columns asked for, in order, blanks as ""; a row
 * with none of them is left out. */
/* A sheet's labels follow its language; its errors the language of
 * messages, whole. */
START_TEST(test_languages)
{
	kp_result *r = ck_result();
	kp_sheet sh = { r, 0, NULL, NULL, KP_LANG_EN, NULL };
	kp_err err = { 0 };

	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(sheet_labels_of(KP_LANG_EN)->sums, "Sums");
	ck_assert_str_eq(sheet_labels_of(KP_LANG_ZH)->sums, "得分合计");
	kp_msg_set_lang(KP_LANG_ZH);
	ck_assert_int_eq(kp_sheet_write(&sh, KP_FMT_CSV, "never.csv", &err), KP_EUSAGE);
	ck_assert_str_eq(err.msg, "sheets：格式“csv”不是 md、html、json、xlsx 之一");
	ck_assert_int_eq(kp_sheet_write(&sh, KP_FMT_MD, "never.md", &err), KP_EINTERNAL);
	ck_assert_str_eq(err.msg, "sheets：单位序号 0 超出范围");
	kp_msg_set_lang(KP_LANG_EN);
	ck_assert_int_eq(kp_sheet_write(&sh, KP_FMT_CSV, "never.csv", &err), KP_EUSAGE);
	ck_assert_str_eq(err.msg, "sheets: format 'csv' is not one of md, html, json, xlsx");
	ck_assert_int_eq(kp_sheet_write(&sh, KP_FMT_MD, "never.md", &err), KP_EINTERNAL);
	ck_assert_str_eq(err.msg, "sheets: unit 0 out of range");
	kp_result_free(r);
}
END_TEST

START_TEST(test_rows_add)
{
	const char *cols[] = { "id", "a", "z", "b" }, *vals[] = { "U1", "1", "9", NULL };
	kp_store_row row = { "units", "units.csv", 7, 4, cols, vals, NULL, 0 };
	kp_store_row none = { "other", "o.csv", 2, 1, cols, vals, NULL, 0 };
	kp_sheet_rows l = { 0 };
	kp_err err = { 0 };
	int i;

	for (i = 0; i < 20; i++)
		ck_assert_int_eq(kp_sheet_rows_add(&l, &row, keep_ab, NULL, &err), 0);
	ck_assert_int_eq(kp_sheet_rows_add(&l, &none, keep_ab, NULL, &err), 0);
	ck_assert_uint_eq(l.n, 20);
	ck_assert_str_eq(l.row[19].file, "units.csv");
	ck_assert_str_eq(l.row[19].dataset, "units");
	ck_assert_int_eq(l.row[19].line, 7);
	ck_assert_uint_eq(l.row[19].ncols, 2);
	ck_assert_str_eq(l.row[19].cols[0], "a");
	ck_assert_str_eq(l.row[19].vals[0], "1");
	ck_assert_str_eq(l.row[19].cols[1], "b");
	ck_assert_str_eq(l.row[19].vals[1], "");
	kp_sheet_rows_clear(&l);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_int_eq(kp_sheet_rows_add(&l, &row, keep_ab, NULL, &err), 0);
	kp_sheet_rows_free(&l);
	ck_assert_ptr_null(l.row);
}
END_TEST

static Suite *sheet_suite(void)
{
	Suite *s = suite_create("sheet");
	TCase *tc = tcase_create("filename");

	tcase_add_loop_test(tc, test_name_table, 0, (int)(sizeof name_cases / sizeof name_cases[0]));
	tcase_add_test(tc, test_name_caps);
	tcase_add_test(tc, test_name_unique);
	tcase_add_test(tc, test_name_unique_unicode);
	tcase_add_test(tc, test_name_many);
	suite_add_tcase(s, tc);
	tc = tcase_create("rows");
	tcase_add_test(tc, test_rows_add);
	tcase_add_test(tc, test_languages);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(sheet_suite)
