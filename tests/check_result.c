/* check_result.c — the result's string pool: strings packed without
 * padding, memory for records aligned and zeroed after strings of any
 * length, sizes past a chunk, and everything intact until the free. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check_util.h"
#include "kaoping/result.h"

/* Strings of every length from 0 to 99 and records of doubles between
 * them: each record aligned for any type and zeroed, each string as it
 * was, all of them still intact at the end (no allocation overlaps). */
START_TEST(test_pool_mixed)
{
	kp_result *r = ck_result();
	const char *str[300];
	double *rec[300];
	char want[128];
	size_t i, k;

	ck_assert_ptr_nonnull(r);
	for (i = 0; i < 300; i++) {
		memset(want, 'a' + (int)(i % 26), i % 100);
		want[i % 100] = '\0';
		str[i] = kp_result_str(r, want, NULL);
		ck_assert_ptr_nonnull(str[i]);
		rec[i] = kp_result_alloc(r, (i % 7 + 1) * sizeof(double), NULL);
		ck_assert_ptr_nonnull(rec[i]);
		ck_assert_uint_eq((uintptr_t)rec[i] % _Alignof(max_align_t), 0);
		for (k = 0; k < i % 7 + 1; k++) {
			ck_assert(rec[i][k] == 0.0);
			rec[i][k] = (double)i;
		}
	}
	for (i = 0; i < 300; i++) {
		ck_assert_uint_eq(strlen(str[i]), i % 100);
		for (k = 0; k < i % 100; k++)
			ck_assert_int_eq(str[i][k], 'a' + (int)(i % 26));
		for (k = 0; k < i % 7 + 1; k++)
			ck_assert(rec[i][k] == (double)i);
	}
	ck_assert_ptr_null(kp_result_str(r, NULL, NULL));
	kp_result_free(r);
}
END_TEST

/* Strings take their own bytes: a thousand 9-byte ids fill 9,000 bytes
 * of one chunk, not a thousand padded slots; a string longer than a
 * chunk gets one of its own. */
START_TEST(test_pool_packed)
{
	kp_result *r = ck_result();
	const char *first, *last = NULL;
	static char big[200000];
	const char *b;
	size_t i;

	ck_assert_ptr_nonnull(r);
	first = kp_result_str(r, "U0000001", NULL);
	for (i = 1; i < 1000; i++)
		last = kp_result_str(r, "U0000002", NULL);
	ck_assert_ptr_eq(last, first + 999 * 9);
	memset(big, 'x', sizeof big - 1);
	b = kp_result_str(r, big, NULL);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(strlen(b), sizeof big - 1);
	ck_assert_str_eq(kp_result_str(r, "after", NULL), "after");
	ck_assert_str_eq(first, "U0000001");
	kp_result_free(r);
}
END_TEST

/* What one result's pool holds lives on in another that adopted it: the
 * strings and records of many chunks, both lists (the pool's and the
 * kp_unit_more records'), after the first is freed; the adopter goes on
 * taking from its own chunk. */
START_TEST(test_pool_adopt)
{
	kp_result *to = NULL, *from = NULL;
	const char *s[3000], *mine;
	kp_unit_result u = {0};
	kp_unit_more *m;
	char text[32];
	kp_err err = {0};
	size_t i;

	ck_assert_int_eq(kp_result_new(&to, &err), 0);
	ck_assert_int_eq(kp_result_new(&from, &err), 0);
	mine = kp_result_str(to, "before", &err);
	for (i = 0; i < 3000; i++) { /* more than one chunk of 64 KiB */
		snprintf(text, sizeof text, "string %zu of many", i);
		ck_assert_ptr_nonnull(s[i] = kp_result_str(from, text, &err));
	}
	ck_assert_ptr_nonnull(m = kp_result_more(from, &u, &err));
	m->nitems = 7;
	kp_result_adopt(to, from);
	kp_result_free(from);
	for (i = 0; i < 3000; i++) {
		snprintf(text, sizeof text, "string %zu of many", i);
		ck_assert_str_eq(s[i], text);
	}
	ck_assert_uint_eq(KP_MORE(&u)->nitems, 7);
	ck_assert_str_eq(mine, "before");
	ck_assert_str_eq(kp_result_str(to, "after", &err), "after");
	kp_result_free(to);
}
END_TEST

static Suite *result_suite(void)
{
	Suite *s = suite_create("result");
	TCase *tc = tcase_create("result");

	tcase_add_test(tc, test_pool_mixed);
	tcase_add_test(tc, test_pool_packed);
	tcase_add_test(tc, test_pool_adopt);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(result_suite)
