/* fuzz_notice.c — libFuzzer harness for the notice template (core/notice.c):
 * the input is a template, rendered for a small run (two categories, four
 * units, names with Markdown and HTML in them) and, when it renders,
 * written as Markdown, HTML and DOCX to /dev/null.  Beyond "no crash, no
 * undefined behaviour, no leak" it checks the promises of notice.h: a
 * failure is KP_EDATA with a message naming the template ("t.tmpl:"), and
 * every line's text holds no line break. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kaoping/notice.h"

static const char *grades_fix[] = {"优秀", "良好"};

static kp_result *fixture(void)
{
	static const struct { const char *id, *name; int cat, rank, commended; double total; } u[] = {
		{"Z1", "东镇", 0, 1, 1, 95.5}, {"Z2", "<b>西*镇|#</b>", 0, 2, 1, 90}, {"Z3", "南镇", 0, 3, 0, 80},
		{"B1", "司法局&", 1, 1, 1, 70},
	};
	kp_result *r = NULL;
	size_t i;

	if (kp_result_new(&r, NULL))
		abort();
	r->title = "某县考核", r->year = 2021, r->precision = 2, r->run_id = 3;
	r->ngrades = 2, r->grades = grades_fix;
	r->ncategories = 2;
	r->categories = calloc(2, sizeof *r->categories);
	r->units = calloc(4, sizeof *r->units);
	if (!r->categories || !r->units)
		abort();
	r->categories[0] = (kp_category_result){ "镇", 2, 0, 3, 2, 0, 0, NULL };
	r->categories[1] = (kp_category_result){ "部门", 1, 3, 1, 1, 0, 0, NULL };
	r->nunits = 4;
	for (i = 0; i < 4; i++) {
		kp_unit_result *x = &r->units[i];
		x->id = u[i].id, x->name = u[i].name, x->category = u[i].cat, x->rank = u[i].rank;
		x->commended = (unsigned)u[i].commended, x->total = u[i].total, x->grade = u[i].total >= 90 ? 0 : 1;
	}
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static kp_result *res;
	static FILE *null;
	kp_rules rules;
	kp_notice n = {0};
	kp_err err = {0};
	size_t i;

	if (!res)
		res = fixture(), null = fopen("/dev/null", "w");
	memset(&rules, 0, sizeof rules);
	rules.office = "县政府", rules.basis = "《办法》";
	if (kp_notice_render((const char *)data, size, "t.tmpl", &rules, res, &n, &err)) {
		if (err.kind != KP_EDATA || strncmp(err.msg, "t.tmpl", 6))
			fprintf(stderr, "fuzz_notice: %d %s\n", err.kind, err.msg), abort();
	} else {
		for (i = 0; i < n.n; i++)
			if (strchr(n.line[i].text, '\n') || strchr(n.line[i].md, '\n'))
				abort();
		if (kp_notice_write(&n, KP_NOTICE_MD, NULL, null, &err) ||
		    kp_notice_write(&n, KP_NOTICE_HTML, NULL, null, &err) ||
		    kp_notice_write(&n, KP_NOTICE_DOCX, NULL, null, &err))
			fprintf(stderr, "fuzz_notice: write: %s\n", err.msg), abort();
	}
	kp_notice_free(&n);
	return 0;
}
