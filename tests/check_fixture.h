/* check_fixture.h — the fixture the ranking, compare and robust tests
 * share: a rule file from text, the unit table from CSV text (no quoting,
 * typed by the rules, bound), and freeing it all.  Each test file scores
 * it its own way (fx_run). */
#ifndef KP_CHECK_FIXTURE_H
#define KP_CHECK_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_util.h"
#include "kaoping/data.h"
#include "kaoping/result.h"
#include "kaoping/rules.h"
#include "kaoping/score.h"
#include "kaoping/table.h"


typedef struct fx {
	kp_rules *r;
	kp_data *d;
	kp_result *res;
	kp_err err;
} fx;

static inline void fx_load(fx *f, const char *src)
{
	char path[64];
	int fd;
	FILE *fp;

	memset(f, 0, sizeof *f);
	snprintf(path, sizeof path, "/tmp/kp_check_XXXXXX.lua");
	fd = mkstemps(path, 4);
	ck_assert_int_ge(fd, 0);
	fp = fdopen(fd, "w");
	fputs(src, fp);
	fclose(fp);
	ck_assert_msg(kp_rules_load(path, NULL, 0, &f->r, &f->err) == 0, "%s", f->err.msg);
	unlink(path);
}

/* The unit table from CSV text (no quoting), typed by the rules. */
static inline void fx_units(fx *f, const char *csv)
{
	char *copy = strdup(csv), *p = copy, *line;
	kp_table *t = kp_table_new("units", "units.csv", &f->err);
	size_t lineno = 1;

	f->d = kp_data_new(&f->err);
	while ((line = strsep(&p, "\n")) != NULL) {
		char *fl[16], *q = line;
		unsigned char num[16];
		size_t n = 0, i;
		if (!*line)
			continue;
		fl[n++] = q;
		for (; *q; q++)
			if (*q == ',')
				*q = '\0', fl[n++] = q + 1;
		if (lineno == 1) {
			for (i = 0; i < n; i++)
				num[i] = (unsigned char)kp_rules_is_numeric(f->r, fl[i]);
			ck_assert_int_eq(kp_table_set_columns(t, n, fl, num, &f->err), 0);
		} else {
			ck_assert_msg(kp_table_add(t, lineno, fl, NULL, &f->err) == 0, "%s", f->err.msg);
		}
		lineno++;
	}
	free(copy);
	ck_assert_int_eq(kp_data_add(f->d, t, &f->err), 0);
	ck_assert_msg(kp_data_bind(f->d, f->r, &f->err) == 0, "%s", f->err.msg);
}

static inline void fx_free(fx *f)
{
	kp_result_free(f->res);
	kp_data_free(f->d);
	kp_rules_free(f->r);
	kp_err_clear(&f->err);
}

#endif
