/* fuzz_rules.c — libFuzzer harness for rule files: the input is written to
 * a temporary .lua file, loaded in the sandbox with small limits (100000
 * instructions, 64M of memory, a second of rule code), bound to a fixed
 * small dataset and scored; its test cases run, and the result is written
 * as JSON and as a table to /dev/null.  Every error is fine; a crash, a
 * leak or undefined behaviour is not.  An error must carry a message.
 *
 * The dataset: "units" (unit_id, name, category, i01..i20: 5 dept and 3 town
 * units, one name with a comma and quotes), "extra" (unit_id, yes, grade,
 * rate: indicator data for some units, some cells blank) and "cases"
 * (unit_id, score, kind: event rows, there when the rules declare events
 * on "cases").  The seeds in corpus/rules use it.
 *
 * Inputs that name Lua's pattern functions (find, match, gmatch, gsub) are
 * skipped: one pattern can run for minutes inside a single C call, where
 * only the command line's wall-clock alarm stops it (a hostile case tests
 * that); here it would only be a slow input. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kaoping/data.h"
#include "kaoping/report.h"
#include "kaoping/result.h"
#include "kaoping/rules.h"
#include "kaoping/ruletest.h"
#include "kaoping/sandbox.h"
#include "kaoping/score.h"
#include "kaoping/table.h"

static char path[256];
static FILE *devnull;
static int verbose; /* KP_FUZZ_VERBOSE=1: say what became of each input */

static void cleanup(void)
{
	if (path[0])
		unlink(path);
}

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_rules: broken promise: %s\n", what);
	abort();
}

static const char *const unit_rows[][23] = {
	{"U1", "城关镇", "town", "1.0000", "0.95", "0.5", "0.2", "0.9", "1", "0", "0.3", "0.4", "0.99",
	 "450", "12", "3", "0", "7", "8", "9", "10", "0", "0"},
	{"U2", "东风镇", "town", "0.8", "0.85", "0.6", "0.7", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6",
	 "120", "3", "2", "4", "5", "6", "7", "8", "2", "0"},
	{"U3", "县公安局", "dept", "0.91", "0.92", "0.93", "0.94", "0.95", "0.96", "0.97", "0.98", "0.99", "1",
	 "400", "0", "0", "0", "0", "0", "0", "0", "0", "1"},
	{"U4", "县林业局,\"法规股\"", "dept", "0.5", "0.5", "0.5", "0.5", "0.5", "0.5", "0.5", "0.5", "0.5", "0.5",
	 "0", "0", "0", "0", "0", "0", "0", "0", "6", "0"},
	{"U5", "县卫健局", "dept", "1", "1", "1", "1", "1", "1", "1", "1", "1", "1",
	 "500", "100", "100", "100", "100", "100", "100", "100", "0", "0"},
	{"U6", "县水利局", "dept", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0",
	 "0", "0", "0", "0", "0", "0", "0", "0", "0", "0"},
	{"U7", "县交通运输局", "dept", "0.7", "0.7", "0.7", "0.7", "0.7", "0.7", "0.7", "0.7", "0.7", "0.7",
	 "70", "7", "7", "7", "7", "7", "7", "7", "1", "0"},
	{"U8", "八渡镇", "town", "0.6", "0.6", "0.6", "0.6", "0.6", "0.6", "0.6", "0.6", "0.6", "0.6",
	 "60", "6", "6", "6", "6", "6", "6", "6", "0", "0"},
};
static const char *const extra_rows[][4] = {
	{"U1", "是", "优秀", "95%"}, {"U2", "否", "合格", "80%"}, {"U3", "有", "良好", "100%"},
	{"U5", "", "优秀", "1"}, {"U8", "×", "", "0.5"},
};
static const char *const case_rows[][3] = {
	{"U1", "90", "A"}, {"U1", "80", "B"}, {"U3", "70", "A"}, {"U4", "", "B"}, {"U5", "100", "A"},
	{"U5", "95", "A"}, {"U8", "50", "A"},
};

static kp_table *make_table(const kp_rules *r, const char *name, size_t ncols, const char *const *cols,
			    size_t nrows, const char *const *cells, kp_err *err)
{
	kp_table *t = kp_table_new(name, name, err);
	unsigned char numeric[32];
	char *f[32];
	size_t i, j;

	if (!t)
		return NULL;
	for (j = 0; j < ncols; j++)
		numeric[j] = (unsigned char)kp_rules_is_numeric(r, cols[j]);
	if (kp_table_set_columns(t, ncols, (char *const *)cols, numeric, err)) {
		kp_table_free(t);
		return NULL;
	}
	for (i = 0; i < nrows; i++) {
		for (j = 0; j < ncols; j++)
			f[j] = (char *)cells[i * ncols + j];
		if (kp_table_add(t, i + 2, f, NULL, err)) {
			kp_table_free(t);
			return NULL;
		}
	}
	return t;
}

/* Event rows join only when the rules declare them as events; otherwise
 * "cases" would be indicator data with several rows per unit. */
static int declares_cases(const kp_rules *r)
{
	size_t i;

	for (i = 0; i < r->nevent; i++)
		if ((r->event[i].data && !strcmp(r->event[i].data, "cases")) ||
		    (r->event[i].name && !strcmp(r->event[i].name, "cases")))
			return 1;
	return 0;
}

static int add(kp_data *d, kp_table *t, kp_err *err)
{
	return t ? kp_data_add(d, t, err) : err->kind ? err->kind : KP_EINTERNAL;
}

static void run(const kp_rules *r)
{
	static const char *const unit_cols[23] = {"unit_id", "name", "category", "i01", "i02", "i03", "i04", "i05",
						  "i06", "i07", "i08", "i09", "i10", "i11", "i12", "i13",
						  "i14", "i15", "i16", "i17", "i18", "i19", "i20"};
	static const char *const extra_cols[4] = {"unit_id", "yes", "grade", "rate"};
	static const char *const case_cols[3] = {"unit_id", "score", "kind"};
	kp_err err;
	kp_data *d;
	kp_result *res = NULL;
	kp_score_opts o;
	int rc;

	memset(&err, 0, sizeof err);
	if (!(d = kp_data_new(&err)))
		fail("kp_data_new");
	rc = add(d, make_table(r, "units", 23, unit_cols, 8, &unit_rows[0][0], &err), &err);
	if (!rc)
		rc = add(d, make_table(r, "extra", 4, extra_cols, 5, &extra_rows[0][0], &err), &err);
	if (!rc && declares_cases(r))
		rc = add(d, make_table(r, "cases", 3, case_cols, 7, &case_rows[0][0], &err), &err);
	if (!rc)
		rc = kp_data_bind(d, r, &err);
	if (!rc) {
		memset(&o, 0, sizeof o);
		o.details = 1, o.notes = 1, o.threads = 1;
		rc = kp_score_run(r, d, &o, &res, &err);
	}
	if (!rc) {
		kp_report_opts ro;
		memset(&ro, 0, sizeof ro);
		ro.format = KP_FMT_JSON;
		if (kp_report_write(res, &ro, devnull, &err))
			kp_err_clear(&err);
		ro.format = KP_FMT_TABLE;
		if (kp_report_write(res, &ro, devnull, &err))
			kp_err_clear(&err);
		if (res->nunits && kp_report_explain(res, 0, &ro, devnull, &err))
			kp_err_clear(&err);
	} else if (!err.msg[0]) {
		fail("an error without a message");
	}
	if (verbose)
		fprintf(stderr, "fuzz_rules: %s\n", rc ? err.msg : "scored");
	kp_err_clear(&err);
	kp_result_free(res);
	kp_data_free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const slow[] = {"find", "match", "gsub", NULL};
	const char *const *s;
	kp_limits lim;
	kp_rules *r = NULL;
	kp_err err;
	FILE *fp;
	int rc;

	if (size > 65536)
		return 0;
	for (s = slow; *s; s++)
		if (memmem(data, size, *s, strlen(*s)))
			return 0;
	if (!path[0]) {
		snprintf(path, sizeof path, "%s/kp-fuzz-rules-%d.lua", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
			 (int)getpid());
		atexit(cleanup);
		devnull = fopen("/dev/null", "w");
		verbose = getenv("KP_FUZZ_VERBOSE") != NULL;
		if (!devnull)
			fail("cannot open /dev/null");
	}
	fp = fopen(path, "wb");
	if (!fp || fwrite(data, 1, size, fp) != size || fclose(fp) != 0)
		fail("cannot write the temporary rule file");
	memset(&lim, 0, sizeof lim);
	lim.max_instructions = 100000;
	lim.max_memory = 64u << 20;
	lim.timeout = 1.0;
	memset(&err, 0, sizeof err);
	rc = kp_rules_load(path, &lim, 1, &r, &err);
	if (rc) {
		if (verbose)
			fprintf(stderr, "fuzz_rules: %s\n", err.msg);
		if (!err.msg[0])
			fail("a load error without a message");
		if (rc != KP_ERULE && rc != KP_EDATA && rc != KP_EINTERNAL)
			fail("a load error of an unexpected kind");
	} else {
		kp_case_result *cr = NULL;
		size_t n = 0;
		run(r);
		if (r->ncase) {
			kp_err terr;
			memset(&terr, 0, sizeof terr);
			(void)kp_ruletest_run(r, &cr, &n, &terr); /* results are the caller's either way */
			if (verbose)
				for (size_t i = 0; i < n; i++)
					fprintf(stderr, "fuzz_rules: case %s: %s %s\n", cr[i].name, cr[i].passed ? "passed" : "failed",
						cr[i].detail ? cr[i].detail : "");
			kp_ruletest_free(cr, n);
			kp_err_clear(&terr);
		}
	}
	kp_err_clear(&err);
	kp_rules_free(r);
	return 0;
}
