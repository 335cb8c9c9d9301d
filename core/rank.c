/* rank.c — ranking, grades with quotas and commendation (see rank.h).
 * Works in place on a kp_result; owns only temporary arrays. */
#include "kaoping/rank.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct ranker {
	const kp_rules *r;
	const kp_result *res;
} ranker;

/* Tie-breaker k of two units: <0 when a is better. */
static int tie_cmp(const ranker *rk, size_t k, size_t a, size_t b)
{
	const kp_tiebreak *t = &rk->r->tie[k];
	const kp_unit_result *x = &rk->res->units[a], *y = &rk->res->units[b];
	double va, vb;

	if (t->kind == KP_TIE_SECTION)
		va = -KP_SEC(rk->res, a, t->section), vb = -KP_SEC(rk->res, b, t->section);
	else if (t->kind == KP_TIE_DEDUCTIONS)
		va = x->deductions, vb = y->deductions;
	else
		va = -x->bonus, vb = -y->bonus;
	return va < vb ? -1 : va > vb;
}

/* Order on the score: total, then the tie-breakers.  0: truly tied. */
static int score_cmp(const ranker *rk, size_t a, size_t b)
{
	const kp_unit_result *x = &rk->res->units[a], *y = &rk->res->units[b];
	size_t k;
	int c;

	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	for (k = 0; k < rk->r->ntie; k++)
		if ((c = tie_cmp(rk, k, a, b)))
			return c;
	return 0;
}

static int order_cmp(const void *pa, const void *pb, void *ctx)
{
	const ranker *rk = ctx;
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	const kp_unit_result *x = &rk->res->units[a], *y = &rk->res->units[b];
	int c;

	if (x->category != y->category)
		return x->category < y->category ? -1 : 1;
	if ((c = score_cmp(rk, a, b)))
		return c;
	return strcmp(x->id, y->id);
}

/* Put units (and their section points) in the order given. */
static int reorder(kp_result *res, const size_t *order, kp_err *err)
{
	kp_unit_result *u = malloc((res->nunits + 1) * sizeof *u);
	double *sec = malloc((res->nunits * res->nsections + 1) * sizeof *sec);
	size_t i;

	if (!u || !sec) {
		free(u), free(sec);
		return kp_err_oom(err);
	}
	for (i = 0; i < res->nunits; i++) {
		u[i] = res->units[order[i]];
		memcpy(sec + i * res->nsections, res->sec + order[i] * res->nsections,
		       res->nsections * sizeof *sec);
	}
	free(res->units), free(res->sec);
	res->units = u, res->sec = sec;
	return 0;
}

static int note_ties(const ranker *rk, kp_result *res, size_t a, size_t b, kp_err *err)
{
	char note[512];
	size_t k;

	if (res->units[a].total != res->units[b].total || !rk->r->ntie)
		return 0;
	for (k = 0; k < rk->r->ntie && !tie_cmp(rk, k, a, b); k++)
		;
	if (k == rk->r->ntie)
		return 0;
	snprintf(note, sizeof note, "总分并列, 按“%s”%s排序", rk->r->tie[k].name,
		 rk->r->tie[k].kind == KP_TIE_DEDUCTIONS ? "(少者优先)" : "(高者优先)");
	if (!res->units[a].tie_note && !(res->units[a].tie_note = kp_result_str(res, note, err)))
		return KP_EINTERNAL;
	if (!res->units[b].tie_note && !(res->units[b].tie_note = kp_result_str(res, note, err)))
		return KP_EINTERNAL;
	return 0;
}

/* Ranks within each category; category slices. */
static int assign_ranks(const ranker *rk, kp_result *res, kp_err *err)
{
	size_t i, start = 0;
	int rc;

	for (i = 0; i < res->nunits; i++) {
		kp_unit_result *u = &res->units[i];
		if (i == 0 || u->category != res->units[i - 1].category) {
			start = i;
			res->categories[u->category].first = i;
		}
		res->categories[u->category].count++;
		if (i > start && score_cmp(rk, i - 1, i) == 0)
			u->rank = res->units[i - 1].rank;
		else
			u->rank = (int)(i - start) + 1;
		if (i > start && (rc = note_ties(rk, res, i - 1, i, err)))
			return rc;
	}
	return 0;
}

static int base_grade(const kp_rules *r, const kp_unit_result *u)
{
	size_t g;

	if (!r->ngrade)
		return -1;
	if (u->veto)
		return (int)r->ngrade - 1;
	for (g = 0; g < r->ngrade; g++)
		if (u->total >= r->grade[g].min)
			return (int)g;
	return (int)r->ngrade - 1;
}

/* Grade quotas of one category, best grade first: the units of a grade
 * past its quota, by rank, drop a grade.  Units tied across the quota line
 * all stay (default) or, with quota_ties = "none", all drop. */
static int apply_quotas(const ranker *rk, kp_result *res, kp_category_result *cat, kp_err *err)
{
	const kp_rules *r = rk->r;
	char note[512] = "";
	size_t g, i, o;

	for (g = 0; g + 1 < r->ngrade; g++) {
		size_t allowed, seen = 0;
		int line_rank = 0, tied = 0;
		if (r->grade[g].quota <= 0)
			continue;
		allowed = (size_t)floor(r->grade[g].quota * (double)cat->count + 1e-9);
		for (i = cat->first; i < cat->first + cat->count; i++) {
			kp_unit_result *u = &res->units[i];
			if (u->grade != (int)g || u->veto)
				continue;
			if (++seen == allowed)
				line_rank = u->rank; /* the last unit within the quota */
			if (seen <= allowed)
				continue;
			if (allowed > 0 && u->rank == line_rank) {
				tied = 1;
				if (!r->quota_ties_none)
					continue;
			}
			u->grade = (int)g + 1, u->quota_dropped = 1;
		}
		if (!tied)
			continue;
		if (r->quota_ties_none) /* the tied units inside the quota drop too */
			for (i = cat->first; i < cat->first + cat->count; i++)
				if (res->units[i].grade == (int)g && res->units[i].rank == line_rank && !res->units[i].veto)
					res->units[i].grade = (int)g + 1, res->units[i].quota_dropped = 1;
		o = strlen(note);
		snprintf(note + o, sizeof note - o, "%s%s名额%zu个, 第%d名并列于名额线, %s", o ? "; " : "",
			 r->grade[g].name, allowed, line_rank, r->quota_ties_none ? "并列者均降一等" : "并列者均保留");
	}
	if (*note && !(cat->note = kp_result_str(res, note, err)))
		return KP_EINTERNAL;
	return 0;
}

static int eligibility(const kp_rules *r, kp_result *res, size_t i, kp_rank_eligible_fn fn, void *ud, kp_err *err)
{
	kp_unit_result *u = &res->units[i];
	int ok = 1, rc;

	u->eligible = 0;
	if (u->veto)
		return 0;
	if (r->commend_min_grade >= 0 && (u->grade < 0 || u->grade > r->commend_min_grade))
		return 0;
	if (r->has_min_score && u->total < r->commend_min_score)
		return 0;
	if (fn && (rc = fn(ud, res, i, &ok, err)))
		return rc;
	u->eligible = ok;
	return 0;
}

static int commend(const ranker *rk, kp_result *res, kp_category_result *cat, kp_rank_eligible_fn fn,
		   void *ud, kp_err *err)
{
	size_t i, n = 0, prev = 0;
	int rc, worst = 0;

	for (i = cat->first; i < cat->first + cat->count; i++) {
		kp_unit_result *u = &res->units[i];
		if ((rc = eligibility(rk->r, res, i, fn, ud, err)))
			return rc;
		if (!u->eligible)
			continue;
		n++;
		u->elig_rank = n > 1 && score_cmp(rk, prev, i) == 0 ? res->units[prev].elig_rank : (int)n;
		prev = i;
		if (cat->quota > 0 && u->elig_rank <= cat->quota) {
			u->commended = 1;
			cat->commended++;
			worst = u->elig_rank;
		}
	}
	if (cat->quota > 0 && (size_t)cat->quota > n)
		cat->shortfall = cat->quota - (int)n;
	if (cat->commended > cat->quota) /* ties at the boundary: all in, flagged */
		for (i = cat->first; i < cat->first + cat->count; i++)
			if (res->units[i].commended && res->units[i].elig_rank == worst) {
				res->units[i].boundary_tie = 1;
				cat->boundary_ties++;
			}
	return 0;
}

int kp_rank_run(const kp_rules *r, kp_result *res, kp_rank_eligible_fn fn, void *ud, kp_err *err)
{
	ranker rk = {r, res};
	size_t *order = malloc((res->nunits + 1) * sizeof *order), i;
	int rc = 0;

	if (!order)
		return kp_err_oom(err);
	for (i = 0; i < res->nunits; i++)
		order[i] = i;
	qsort_r(order, res->nunits, sizeof *order, order_cmp, &rk);
	rc = reorder(res, order, err);
	free(order);
	if (rc || (rc = assign_ranks(&rk, res, err)))
		return rc;
	for (i = 0; i < res->nunits; i++)
		res->units[i].grade = base_grade(r, &res->units[i]);
	for (i = 0; i < res->ncategories && !rc; i++)
		if (res->categories[i].count)
			rc = apply_quotas(&rk, res, &res->categories[i], err);
	for (i = 0; i < res->ncategories && !rc; i++)
		rc = commend(&rk, res, &res->categories[i], fn, ud, err);
	return rc;
}
