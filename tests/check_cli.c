/* check_cli.c — the command line's catalogue (include/kaoping/msg/cli.def):
 * its errors render whole in Chinese and in English, every command's help
 * has the same examples in both languages, and the option lines of
 * COMMAND --help keep their option column, so the Chinese help lines up as
 * the English does.  (The command line itself is tested through the
 * binary: tests/messages, case help-languages.) */
#include <string.h>

#include "check_util.h"
#include "kaoping/err.h"
#include "kaoping/msg.h"

START_TEST(test_option_errors_both_languages)
{
	kp_err err;

	memset(&err, 0, sizeof err);
	kp_msg_set_lang(KP_LANG_ZH);
	ck_assert_int_eq(kp_err_msg(&err, KP_EUSAGE, KP_M_CLI_OPT_UNKNOWN_NEAR, "import", "--yaer", "year", "import"),
			 KP_EUSAGE);
	ck_assert_str_eq(err.msg, "import：未知选项“--yaer”；是否是 --year？（kaoping import --help 列出全部选项）");
	kp_err_msg(&err, KP_EUSAGE, KP_M_CLI_YEAR_BAD, "二〇二一");
	ck_assert_str_eq(err.msg, "--year：“二〇二一”不是年度");
	kp_err_msg(&err, KP_ECREATE, KP_M_CLI_CREATE, "out/r.html", "No such file or directory");
	ck_assert_str_eq(err.msg, "out/r.html: 无法创建：No such file or directory");
	kp_msg_set_lang(KP_LANG_EN);
	kp_err_msg(&err, KP_EUSAGE, KP_M_CLI_OPT_UNKNOWN_NEAR, "import", "--yaer", "year", "import");
	ck_assert_str_eq(err.msg, "import: unknown option '--yaer'; did you mean --year? (kaoping import --help lists them)");
	kp_err_msg(&err, KP_EUSAGE, KP_M_CLI_YEAR_BAD, "2o21");
	ck_assert_str_eq(err.msg, "--year: '2o21' is not a year");
	kp_err_clear(&err);
}
END_TEST

START_TEST(test_command_error_both_languages)
{
	char buf[256];

	kp_msg_set_lang(KP_LANG_ZH);
	kp_msg_format(buf, sizeof buf, KP_M_CLI_CMD_UNKNOWN_NEAR, "reprot", "report");
	ck_assert_str_eq(buf, "未知命令“reprot”；是否是“report”？（kaoping --help 列出全部命令）");
	kp_msg_format(buf, sizeof buf, KP_M_CLI_LOCK_WAIT_PID, "kaoping.db", 42L, 5);
	ck_assert_str_eq(buf, "数据库 kaoping.db 被另一个进程（pid 42）锁定；最多等待 5 秒……");
	kp_msg_set_lang(KP_LANG_EN);
	kp_msg_format(buf, sizeof buf, KP_M_CLI_CMD_UNKNOWN_NEAR, "reprot", "report");
	ck_assert_str_eq(buf, "unknown command 'reprot'; did you mean 'report'? (kaoping --help lists the commands)");
	kp_msg_format(buf, sizeof buf, KP_M_CLI_LOCK_WAIT_PID, "kaoping.db", 42L, 5);
	ck_assert_str_eq(buf, "the database kaoping.db is locked by another process (pid 42); waiting up to 5 s...");
}
END_TEST

/* The lines of text that start with prefix, joined. */
static void lines_starting(const char *text, const char *prefix, char *out, size_t n)
{
	const char *p = text, *nl;
	size_t k = 0, len;

	out[0] = '\0';
	for (; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		len = (size_t)(nl - p) + 1;
		if (!strncmp(p, prefix, strlen(prefix)) && k + len < n) {
			memcpy(out + k, p, len);
			k += len;
			out[k] = '\0';
		}
		if (!*nl)
			break;
	}
}

static const enum kp_msgid helps[] = {
	KP_MSG_CLI_HELP_RUN, KP_MSG_CLI_HELP_IMPORT, KP_MSG_CLI_HELP_SCORE, KP_MSG_CLI_HELP_REPORT,
	KP_MSG_CLI_HELP_EXPLAIN, KP_MSG_CLI_HELP_CHECK, KP_MSG_CLI_HELP_CRITERIA, KP_MSG_CLI_HELP_TEMPLATE,
	KP_MSG_CLI_HELP_TEST, KP_MSG_CLI_HELP_COMPARE, KP_MSG_CLI_HELP_ROBUST, KP_MSG_CLI_HELP_NOTICE,
	KP_MSG_CLI_HELP_IMPORTS, KP_MSG_CLI_HELP_RUNS, KP_MSG_CLI_HELP_DROP,
};

/* Each command's help: the same examples, ending as the English ends
 * (a blank line before the examples, a newline last). */
START_TEST(test_help_same_examples)
{
	const char *en = kp_msg_text(helps[_i], KP_LANG_EN), *zh = kp_msg_text(helps[_i], KP_LANG_ZH);
	char ex_en[1024], ex_zh[1024];

	lines_starting(en, "  kaoping ", ex_en, sizeof ex_en);
	lines_starting(zh, "  kaoping ", ex_zh, sizeof ex_zh);
	ck_assert_str_eq(ex_zh, ex_en);
	ck_assert(zh[strlen(zh) - 1] == '\n');
	ck_assert_int_eq(strstr(en, "\n\n") != NULL, strstr(zh, "\n\n") != NULL);
	ck_assert(strcmp(en, zh));
}
END_TEST

static const enum kp_msgid opt_lines[] = {
	KP_MSG_CLI_OPT_DB, KP_MSG_CLI_OPT_YEAR, KP_MSG_CLI_OPT_RUN, KP_MSG_CLI_OPT_OUTPUT_FORMS,
	KP_MSG_CLI_OPT_OUTPUT_ALL, KP_MSG_CLI_OPT_OUTPUT, KP_MSG_CLI_OPT_LANG, KP_MSG_CLI_OPT_BOM,
	KP_MSG_CLI_OPT_ITEMS, KP_MSG_CLI_OPT_TERM, KP_MSG_CLI_OPT_SUMMARY, KP_MSG_CLI_OPT_AS, KP_MSG_CLI_OPT_ALL,
	KP_MSG_CLI_OPT_REPLACE_FORMS, KP_MSG_CLI_OPT_REPLACE_SHEETS, KP_MSG_CLI_OPT_REPLACE,
	KP_MSG_CLI_OPT_ENCODING, KP_MSG_CLI_OPT_ROBUST, KP_MSG_CLI_OPT_TEMPLATE, KP_MSG_CLI_OPT_SHEET,
	KP_MSG_CLI_OPT_LIMITS,
};

/* "  --db FILE          " of each option line: the same in both. */
static void option_column(const char *text, char *out, size_t n)
{
	const char *p = text, *nl;
	size_t k = 0, len;

	out[0] = '\0';
	for (; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			break;
		if (!strncmp(p, "  -", 3)) {
			const char *gap = strstr(p + 3, "  ");
			len = gap && gap < nl ? (size_t)(gap - p) + strspn(gap, " ") : (size_t)(nl - p);
			if (k + len + 2 < n) {
				memcpy(out + k, p, len);
				k += len;
				out[k++] = '|', out[k] = '\0';
			}
		}
	}
}

START_TEST(test_option_lines_line_up)
{
	char col_en[1024], col_zh[1024];
	const char *en = kp_msg_text(opt_lines[_i], KP_LANG_EN), *zh = kp_msg_text(opt_lines[_i], KP_LANG_ZH);
	size_t i, nl_en = 0, nl_zh = 0;

	option_column(en, col_en, sizeof col_en);
	option_column(zh, col_zh, sizeof col_zh);
	ck_assert_str_eq(col_zh, col_en);
	for (i = 0; en[i]; i++)
		nl_en += en[i] == '\n';
	for (i = 0; zh[i]; i++)
		nl_zh += zh[i] == '\n';
	ck_assert_int_eq(nl_zh, nl_en);
}
END_TEST

static Suite *cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("catalogue");

	tcase_add_test(tc, test_option_errors_both_languages);
	tcase_add_test(tc, test_command_error_both_languages);
	tcase_add_loop_test(tc, test_help_same_examples, 0, (int)(sizeof helps / sizeof helps[0]));
	tcase_add_loop_test(tc, test_option_lines_line_up, 0, (int)(sizeof opt_lines / sizeof opt_lines[0]));
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(cli_suite)
