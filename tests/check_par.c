/* check_par.c — work spread over threads: every worker runs exactly once,
 * with kp_par_run and with kp_par_start/kp_par_join, for any number of
 * workers up to KP_PAR_MAX and past it (the rest run in the caller); and a
 * worker's error moves to the caller whole, traceback included. */
#include <string.h>

#include "check_util.h"
#include "kaoping/err.h"
#include "kaoping/par.h"

typedef struct job {
	int runs;
	pthread_t who;
} job;

static void *count(void *arg)
{
	job *j = arg;

	j->runs++;
	j->who = pthread_self();
	return NULL;
}

START_TEST(test_run_each_once)
{
	job jobs[KP_PAR_MAX + 4];
	size_t n = (size_t)_i, i;

	memset(jobs, 0, sizeof jobs);
	kp_par_run(jobs, n, sizeof jobs[0], count);
	for (i = 0; i < n; i++)
		ck_assert_msg(jobs[i].runs == 1, "%zu workers: worker %zu ran %d times", n, i, jobs[i].runs);
	for (; i < sizeof jobs / sizeof jobs[0]; i++)
		ck_assert_int_eq(jobs[i].runs, 0);
	if (n > 0) /* worker 0 is the caller's own */
		ck_assert(pthread_equal(jobs[0].who, pthread_self()));
}
END_TEST

START_TEST(test_start_join_each_once)
{
	job jobs[KP_PAR_MAX + 4];
	size_t n = (size_t)_i, i;
	kp_par p;

	memset(jobs, 0, sizeof jobs);
	kp_par_start(&p, jobs, n, sizeof jobs[0], count);
	kp_par_join(&p);
	for (i = 0; i < n; i++)
		ck_assert_msg(jobs[i].runs == 1, "%zu workers: worker %zu ran %d times", n, i, jobs[i].runs);
	ck_assert_uint_eq(p.started, 0);
}
END_TEST

START_TEST(test_err_move)
{
	kp_err dst, src;

	memset(&dst, 0, sizeof dst);
	memset(&src, 0, sizeof src);
	kp_err_oom(&dst);
	kp_err_trace(&dst, "old trace");
	kp_err_msg(&src, KP_EDATA, KP_M_INTERNAL);
	kp_err_trace(&src, "stack traceback:\n\t[C]: in ?");
	ck_assert_int_eq(kp_err_move(&dst, &src), KP_EDATA);
	ck_assert_str_eq(dst.msg, "internal error");
	ck_assert_int_eq(dst.id, KP_MSG_INTERNAL);
	ck_assert_str_eq(dst.trace, "stack traceback:\n\t[C]: in ?");
	ck_assert_ptr_null(src.trace);
	ck_assert_int_eq(src.kind, KP_OK);
	kp_err_clear(&dst);
}
END_TEST

static Suite *par_suite(void)
{
	Suite *s = suite_create("par");
	TCase *tc = tcase_create("par");

	tcase_add_loop_test(tc, test_run_each_once, 0, KP_PAR_MAX + 4);
	tcase_add_loop_test(tc, test_start_join_each_once, 0, KP_PAR_MAX + 4);
	tcase_add_test(tc, test_err_move);
	suite_add_tcase(s, tc);
	return s;
}

KP_CHECK_MAIN(par_suite)
