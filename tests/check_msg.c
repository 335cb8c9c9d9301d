/* check_msg.c — the message catalogue: every identifier has a Chinese and
 * an English text, both take the same printf conversions in the same order
 * (so one argument list serves both), the Chinese text is not the English
 * one left untranslated, the language comes from --lang or the locale, and
 * the error record renders in the chosen language. */
#include <string.h>

#include "check_util.h"
#include "kaoping/err.h"
#include "kaoping/msg.h"

/* The conversions of a printf format, one per line ("%zu\n%s\n"), without
 * flags' effect on type kept apart: "%-8s" and "%s" differ in layout only
 * and count as the same argument, so only length and conversion are kept
 * ("*" widths are arguments too and kept). */
static void conversions(const char *f, char *out, size_t n)
{
	size_t k = 0;

	out[0] = '\0';
	for (; *f; f++) {
		const char *p;

		if (*f != '%')
			continue;
		if (f[1] == '%') {
			f++;
			continue;
		}
		for (p = f + 1; *p && strchr("-+ #0123456789.*'", *p); p++)
			if (*p == '*' && k + 3 < n)
				out[k++] = '*', out[k++] = '\n';
		while (*p && strchr("hlLqjzt", *p) && k + 2 < n)
			out[k++] = *p++;
		if (*p && k + 2 < n)
			out[k++] = *p, out[k++] = '\n';
		out[k] = '\0';
		f = *p ? p : p - 1;
	}
}

/* Letters of the English text outside its conversions: a sentence to
 * translate ("%s: %s" has none). */
static int has_words(const char *f)
{
	for (; *f; f++) {
		if (*f == '%') {
			f++;
			while (*f && strchr("-+ #0123456789.*'hlLqjzt", *f))
				f++;
			if (!*f)
				break;
			continue;
		}
		if ((*f >= 'a' && *f <= 'z') || (*f >= 'A' && *f <= 'Z'))
			return 1;
	}
	return 0;
}

START_TEST(test_every_message_both_languages)
{
	enum kp_msgid id = (enum kp_msgid)(_i + 1);
	const char *en = kp_msg_text(id, KP_LANG_EN), *zh = kp_msg_text(id, KP_LANG_ZH);
	char ce[512], cz[512];

	ck_assert_msg(en && *en, "%s: no English text", kp_msg_name(id));
	ck_assert_msg(zh && *zh, "%s: no Chinese text", kp_msg_name(id));
	conversions(en, ce, sizeof ce);
	conversions(zh, cz, sizeof cz);
	ck_assert_msg(!strcmp(ce, cz), "%s: the conversions differ:\n  en \"%s\"\n  zh \"%s\"", kp_msg_name(id), en,
		      zh);
	ck_assert_msg(!has_words(en) || strcmp(en, zh), "%s: the Chinese text is the English one: \"%s\"",
		      kp_msg_name(id), en);
}
END_TEST

START_TEST(test_conversions_parsed)
{
	char out[64];

	conversions("%s:%zu:%-8s %% %.*f %lld %5.2f", out, sizeof out);
	ck_assert_str_eq(out, "s\nzu\ns\n*\nf\nlld\nf\n");
	ck_assert(has_words("column '%s': not a number"));
	ck_assert(!has_words("%s: %s"));
	ck_assert(!has_words("%zu%%"));
}
END_TEST

START_TEST(test_language_from_environment)
{
	enum kp_lang l = KP_LANG_EN;

	ck_assert_int_eq(kp_msg_lang_env(NULL, NULL, NULL, NULL), KP_LANG_ZH);         /* nothing set */
	ck_assert_int_eq(kp_msg_lang_env(NULL, NULL, NULL, "C.UTF-8"), KP_LANG_ZH);    /* the default */
	ck_assert_int_eq(kp_msg_lang_env(NULL, NULL, NULL, "en_US.UTF-8"), KP_LANG_EN);
	ck_assert_int_eq(kp_msg_lang_env(NULL, "", "en_GB", "zh_CN.UTF-8"), KP_LANG_EN); /* empty is unset */
	ck_assert_int_eq(kp_msg_lang_env(NULL, "zh_CN.UTF-8", "en_US", "en_US"), KP_LANG_ZH); /* LC_ALL first */
	ck_assert_int_eq(kp_msg_lang_env("en", "zh_CN.UTF-8", NULL, NULL), KP_LANG_EN);  /* KAOPING_LANG first */
	ck_assert_int_eq(kp_msg_lang_env(NULL, "POSIX", "en_US", NULL), KP_LANG_ZH);     /* C/POSIX: Chinese */
	ck_assert_int_eq(kp_msg_lang_env(NULL, NULL, NULL, "de_DE.UTF-8"), KP_LANG_ZH);
	ck_assert(kp_msg_lang_parse("en", &l) && l == KP_LANG_EN);
	ck_assert(kp_msg_lang_parse("zh_TW.UTF-8", &l) && l == KP_LANG_ZH);
	ck_assert(!kp_msg_lang_parse("english", &l));
	ck_assert(!kp_msg_lang_parse("e", &l));
	ck_assert(!kp_msg_lang_parse(NULL, &l));
}
END_TEST

START_TEST(test_error_record_in_chosen_language)
{
	kp_err err;

	memset(&err, 0, sizeof err);
	kp_msg_set_lang(KP_LANG_EN);
	ck_assert_int_eq(kp_err_oom(&err), KP_EINTERNAL);
	ck_assert_str_eq(err.msg, "out of memory");
	ck_assert_int_eq(err.id, KP_MSG_OOM);
	kp_err_prefix_msg(&err, KP_M_INTERNAL);
	ck_assert_str_eq(err.msg, "internal error: out of memory");
	kp_msg_set_lang(KP_LANG_ZH);
	kp_err_oom(&err);
	ck_assert_str_eq(err.msg, "内存不足");
	kp_err_prefix_msg(&err, KP_M_INTERNAL);
	ck_assert_str_eq(err.msg, "内部错误：内存不足");
	kp_err_prefix(&err, "%s:%d", "a.csv", 3); /* a location: the same in both */
	ck_assert_str_eq(err.msg, "a.csv:3: 内部错误：内存不足");
	kp_err_set(&err, KP_EDATA, "%s", "passed on");
	ck_assert_int_eq(err.id, KP_MSG_NONE);
	kp_msg_set_lang(KP_LANG_ZH);
}
END_TEST

/* A text cut to the buffer never ends in half a character. */
START_TEST(test_format_cut_at_character)
{
	char buf[8];
	int w;

	kp_msg_set_lang(KP_LANG_ZH);
	w = kp_msg_format(buf, sizeof buf, KP_M_INTERNAL); /* 内部错误: 12 bytes */
	ck_assert_int_eq(w, 12);
	ck_assert_str_eq(buf, "内部");
}
END_TEST

/* A message of the commands (cmd.def) in both languages: the bad cell
 * line of "every mistake in one pass", location first and ASCII. */
START_TEST(test_command_message_both_languages)
{
	char buf[256];

	kp_msg_set_lang(KP_LANG_ZH);
	kp_msg_format(buf, sizeof buf, KP_M_CMD_BAD_CELL_NAMED, "shenji.csv", (size_t)4, (size_t)3, "D3", "城关镇",
		      "审计问题数", " (C4)", "not a number", "三");
	ck_assert_str_eq(buf, "shenji.csv:4:3: 单位“D3”（城关镇），列“审计问题数” (C4)：not a number：“三”");
	kp_msg_format(buf, sizeof buf, KP_M_CMD_YEAR_NOT_RULES, 2019, "rules.lua", 2021, 2019, 2021);
	ck_assert_str_eq(buf, "警告：--year 为 2019，但 rules.lua 声明的是 assessment { year = 2021 }：2019 年度的数据将按 "
			      "2021 年度的规则评分");
	kp_msg_set_lang(KP_LANG_EN);
	kp_msg_format(buf, sizeof buf, KP_M_CMD_BAD_CELL_NAMED, "shenji.csv", (size_t)4, (size_t)3, "D3", "城关镇",
		      "审计问题数", " (C4)", "not a number", "三");
	ck_assert_str_eq(buf, "shenji.csv:4:3: unit 'D3' (城关镇), column '审计问题数' (C4): not a number: '三'");
	kp_msg_format(buf, sizeof buf, KP_M_CMD_YEAR_NOT_RULES, 2019, "rules.lua", 2021, 2019, 2021);
	ck_assert_str_eq(buf, "warning: --year 2019, but rules.lua declares assessment { year = 2021 }: scoring the 2019 "
			      "data with the rules of 2021");
	/* the criteria's labels follow the report's language, not the messages' */
	ck_assert_str_eq(kp_msg_text(KP_MSG_CMD_CRITERIA_SECTION, KP_LANG_ZH), "一级指标");
	ck_assert_str_eq(kp_msg_text(KP_MSG_CMD_CRITERIA_SECTION, KP_LANG_EN), "section");
}
END_TEST

static Suite *msg_suite(void)
{
	Suite *s = suite_create("msg");
	TCase *tc = tcase_create("catalogue");

	tcase_add_loop_test(tc, test_every_message_both_languages, 0, KP_MSG_COUNT - 1);
	tcase_add_test(tc, test_conversions_parsed);
	tcase_add_test(tc, test_language_from_environment);
	tcase_add_test(tc, test_error_record_in_chosen_language);
	tcase_add_test(tc, test_format_cut_at_character);
	tcase_add_test(tc, test_command_message_both_languages);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(msg_suite)
