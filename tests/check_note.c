/* check_note.c — structured notes: a note written in pieces renders in
 * either language byte for byte, the rule file's own text passes through
 * whatever bytes it holds, an older database's plain note renders as
 * itself, and every malformed note read back is refused, never read past
 * its end. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "kaoping/note.h"

static char *render(const char *note, enum kp_lang lang, int *rc)
{
	static char out[KP_ERR_MAX + 512];
	kp_sb b = {0};
	kp_err err;

	memset(&err, 0, sizeof err);
	*rc = kp_note_render(note, lang, &b, &err);
	snprintf(out, sizeof out, "%s", *rc ? err.msg : kp_sb_str(&b));
	kp_sb_free(&b);
	return out;
}

START_TEST(test_pieces_in_both_languages)
{
	kp_sb b = {0};
	int rc;

	kp_note_text(&b, "学法次数");
	kp_note_msg(&b, KP_M_NOTE_GOT, "3.00");
	ck_assert(kp_note_structured(kp_sb_str(&b)));
	ck_assert_str_eq(render(kp_sb_str(&b), KP_LANG_ZH, &rc), "学法次数, 得3.00分");
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(render(kp_sb_str(&b), KP_LANG_EN, &rc), "学法次数, 3.00 points");
	kp_sb_reset(&b);
	kp_note_msg(&b, KP_M_NOTE_NO_DEDUCTION_GOT, "10");
	ck_assert_str_eq(render(kp_sb_str(&b), KP_LANG_ZH, &rc), "无扣分情形, 得10分");
	ck_assert_str_eq(render(kp_sb_str(&b), KP_LANG_EN, &rc), "no deductions, 10 points");
	kp_sb_free(&b);
}
END_TEST

/* kaoping's words for a value that is not a column (计算值, 逾期报送...)
 * and a deadline written in Chinese are shown in English in an English
 * note, where they stand as those (a piece's first argument, the goal of
 * NOTE_TARGET_OF, the day of NOTE_DATE_BY and _LATE); a cell's text in
 * other places is shown as it was read; the Chinese note is unchanged. */
START_TEST(test_own_words_in_english)
{
	static const struct { const char *zh, *en; } words[] = {
		{ "计算值", "computed value" }, { "统计值", "aggregate" },
		{ "逾期报送", "submitted late" }, { "未报送", "not submitted" },
	};
	char want[128];
	kp_sb b = {0};
	size_t i;
	int rc;

	for (i = 0; i < sizeof words / sizeof words[0]; i++) {
		kp_sb_reset(&b);
		kp_note_msg(&b, KP_M_NOTE_LABEL_VALUE_COMMA, words[i].zh, "3");
		snprintf(want, sizeof want, "%s 3, ", words[i].zh);
		ck_assert_str_eq(render(kp_sb_str(&b), KP_LANG_ZH, &rc), want);
		snprintf(want, sizeof want, "%s 3, ", words[i].en);
		ck_assert_str_eq(render(kp_sb_str(&b), KP_LANG_EN, &rc), want);
		ck_assert_int_eq(rc, 0);
	}
	kp_sb_reset(&b); /* the goal's name too */
	kp_note_msg(&b, KP_M_NOTE_TARGET_OF, "学法次数", "3", "计算值", "6", "50", "2");
	ck_assert_str_eq(render(kp_sb_str(&b), KP_LANG_EN, &rc), "学法次数 3, computed value 6, 50% reached, 2 points");
	kp_sb_reset(&b); /* a cell read as 未报送 stays as read; a label-like word elsewhere too */
	kp_note_msg(&b, KP_M_NOTE_DATE_READ, "报送日期", "未报送", "计算值");
	ck_assert_str_eq(render(kp_sb_str(&b), KP_LANG_EN, &rc), "报送日期 未报送 (计算值)");
	kp_sb_reset(&b);
	kp_note_msg(&b, KP_M_NOTE_DATE_BY, "2024年3月31日", "10");
	ck_assert_str_eq(render(kp_sb_str(&b), KP_LANG_EN, &rc), ", by 2024-03-31 (inclusive), 10 points");
	ck_assert_str_eq(render(kp_sb_str(&b), KP_LANG_ZH, &rc), ", 2024年3月31日前(含), 得10分");
	kp_sb_reset(&b);
	kp_note_msg(&b, KP_M_NOTE_DATE_LATE, "2024年12月1日", "0");
	ck_assert_str_eq(render(kp_sb_str(&b), KP_LANG_EN, &rc), ", later than 2024-12-01, 0 points");
	for (i = 0; i < 5; i++) { /* not a day: as it is */
		static const char *const odd[] = { "2024年13月1日", "2024年3月32日", "2024年3月31日前", "年3月1日", "2024年3月" };
		kp_sb_reset(&b);
		kp_note_msg(&b, KP_M_NOTE_DATE_BY, odd[i], "1");
		snprintf(want, sizeof want, ", by %s (inclusive), 1 points", odd[i]);
		ck_assert_str_eq(render(kp_sb_str(&b), KP_LANG_EN, &rc), want);
	}
	kp_sb_free(&b);
}
END_TEST

/* A rule's words may hold any byte, the note's own separators included. */
START_TEST(test_text_with_separator_bytes)
{
	const char odd[] = "a\x01" "b\x02" "c\x03" "d\x04" "e";
	kp_sb b = {0};
	int rc;

	kp_note_text(&b, odd);
	kp_note_msg(&b, KP_M_NOTE_GOT, odd);
	ck_assert_str_eq(render(kp_sb_str(&b), KP_LANG_EN, &rc), "a\x01" "b\x02" "c\x03" "d\x04" "e, a\x01" "b\x02" "c\x03" "d\x04" "e points");
	ck_assert_int_eq(rc, 0);
	kp_sb_free(&b);
}
END_TEST

/* The fixed-buffer encoders (the scorer's inline note buffer) write what
 * kp_note_msg and kp_note_text write, and say the whole length when the
 * buffer is too small, which then holds a NUL-terminated prefix. */
static int vformat(char *buf, size_t n, enum kp_msgid id, const char *en, ...)
{
	va_list ap;
	int w;

	va_start(ap, en);
	w = kp_note_vformat(buf, n, id, en, ap);
	va_end(ap);
	return w;
}

START_TEST(test_fixed_buffer_encoders)
{
	const char odd[] = "a\x01" "b\x04";
	char buf[64], tiny[8];
	kp_sb b = {0};
	int w, rc;

	kp_note_msg(&b, KP_M_NOTE_TRIM, "5", odd, "6");
	w = vformat(buf, sizeof buf, KP_M_NOTE_TRIM, "5", odd, "6");
	ck_assert_int_eq(w, (int)b.len);
	ck_assert_str_eq(buf, kp_sb_str(&b));
	ck_assert_str_eq(render(buf, KP_LANG_ZH, &rc), " (5个评分, 去掉最高a\x01" "b\x04、最低6)");
	ck_assert_int_eq(vformat(tiny, sizeof tiny, KP_M_NOTE_TRIM, "5", odd, "6"), w);
	ck_assert_uint_eq(strlen(tiny), sizeof tiny - 1);
	ck_assert(!memcmp(tiny, buf, sizeof tiny - 1));
	kp_sb_reset(&b);
	kp_note_text(&b, odd);
	ck_assert_int_eq(kp_note_escape(buf, sizeof buf, odd), (int)b.len);
	ck_assert_str_eq(buf, kp_sb_str(&b));
	ck_assert_int_eq(kp_note_escape(tiny, 3, odd), (int)b.len);
	ck_assert_uint_eq(strlen(tiny), 2);
	kp_sb_free(&b);
}
END_TEST

START_TEST(test_plain_note_as_itself)
{
	int rc;

	ck_assert(!kp_note_structured("3次×1分"));
	ck_assert_str_eq(render("3次×1分", KP_LANG_EN, &rc), "3次×1分");
	ck_assert_str_eq(render("", KP_LANG_ZH, &rc), "");
	ck_assert_int_eq(rc, 0);
}
END_TEST

/* What a database from elsewhere may hold instead of a note. */
static const struct {
	const char *note, *why;
} bad[] = {
	{"\x01", "without a message name"},
	{"\x01\x03", "without a message name"},
	{"\x01NOTE_GOT", "is not closed"},
	{"\x01NOTE_GOT\x02" "3", "is not closed"},
	{"\x01NOTE_GOT\x03", "has 0 arguments"},
	{"\x01NOTE_GOT\x02" "1\x02" "2\x03", "has 2 arguments"},
	{"\x01NOTE_NOPE\x02" "1\x03", "is not a note message"},
	{"\x01OOM\x03", "is not a note message"},            /* a message, not a note's */
	{"\x01NOTE_BAD_NAME\x03", "is not a note message"},  /* an error, not a piece */
	{"x\x02y", "a separator outside a piece"},
	{"x\x03", "a separator outside a piece"},
	{"\x01NOTE_GOT\x01NOTE_GOT\x02" "1\x03", "is not closed"},
	{"\x01" "0123456789012345678901234567890123456789012345678901234567890123456789\x03", "without a message name"},
};

START_TEST(test_malformed_refused)
{
	int rc;
	const char *got = render(bad[_i].note, KP_LANG_EN, &rc);

	ck_assert_int_eq(rc, KP_EDATA);
	ck_assert_msg(strstr(got, bad[_i].why), "case %d: '%s' does not say '%s'", _i, got, bad[_i].why);
}
END_TEST

/* A malformed note leaves nothing of itself in the output. */
START_TEST(test_malformed_leaves_nothing)
{
	kp_sb b = {0};
	kp_err err;

	memset(&err, 0, sizeof err);
	kp_sb_puts(&b, "before|");
	ck_assert_int_eq(kp_note_render("text\x01NOTE_GOT\x02" "1", KP_LANG_ZH, &b, &err), KP_EDATA);
	ck_assert_str_eq(kp_sb_str(&b), "before|");
	kp_sb_free(&b);
}
END_TEST

START_TEST(test_escape_at_end)
{
	int rc;

	ck_assert_str_eq(render("ab\x04", KP_LANG_ZH, &rc), "ab");
	ck_assert_int_eq(rc, 0);
}
END_TEST

/* kp_grow (sb.h): the one way arrays grow.  It keeps what was there, and
 * a size that would overflow is refused with the array and its capacity
 * left as they were (the callers' old hand-written doublings recorded the
 * new capacity before realloc could fail). */
START_TEST(test_grow_keeps_and_refuses)
{
	size_t cap = 0, i;
	int *a = kp_grow(NULL, &cap, 0, sizeof *a), *b;

	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(cap, 16); /* need 0 counts as 1; the first room is 16 */
	for (i = 0; i < 16; i++)
		a[i] = (int)i;
	ck_assert_ptr_eq(kp_grow(a, &cap, 16, sizeof *a), a); /* room enough: not moved */
	ck_assert_ptr_nonnull(b = kp_grow(a, &cap, 17, sizeof *a));
	a = b;
	ck_assert_uint_eq(cap, 32);
	for (i = 0; i < 16; i++)
		ck_assert_int_eq(a[i], (int)i);
	ck_assert_ptr_nonnull(b = kp_grow(a, &cap, 1000, sizeof *a));
	a = b;
	ck_assert_uint_eq(cap, 1024);
	ck_assert_int_eq(a[15], 15);
	ck_assert_ptr_null(kp_grow(a, &cap, SIZE_MAX / sizeof *a + 1, sizeof *a));
	ck_assert_ptr_null(kp_grow(a, &cap, SIZE_MAX, 2));
	ck_assert_ptr_null(kp_grow(a, &cap, 2000, 0));
	ck_assert_uint_eq(cap, 1024); /* unchanged, and a still the caller's */
	ck_assert_int_eq(a[15], 15);
	free(a);
}
END_TEST

static Suite *note_suite(void)
{
	Suite *s = suite_create("note");
	TCase *tc = tcase_create("note");

	tcase_add_test(tc, test_pieces_in_both_languages);
	tcase_add_test(tc, test_own_words_in_english);
	tcase_add_test(tc, test_text_with_separator_bytes);
	tcase_add_test(tc, test_fixed_buffer_encoders);
	tcase_add_test(tc, test_plain_note_as_itself);
	tcase_add_loop_test(tc, test_malformed_refused, 0, (int)(sizeof bad / sizeof bad[0]));
	tcase_add_test(tc, test_malformed_leaves_nothing);
	tcase_add_test(tc, test_escape_at_end);
	tcase_add_test(tc, test_grow_keeps_and_refuses);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(note_suite)
