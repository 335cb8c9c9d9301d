/* rank.c — ranking, grades with quotas and commendation (see rank.h).
 * Works in place on a kp_result; owns only temporary arrays. */
#include "kaoping/rank.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kaoping/note.h"
#include "kaoping/num.h"

typedef struct ranker {
	const kp_rules *r;
	const kp_result *res;
	int ids_sorted;   /* units[] is in strictly increasing id order */
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
	/* sections, deductions and bonus may be unrounded sums: compared at
	 * the comparison precision, as they print */
	return kp_num_cmp(va, vb, rk->r->compare);
}

/* With veto_rank = "last": a vetoed unit comes after every unit that is
 * not (<0 when a is better); 0 when that does not separate them. */
static int veto_cmp(const ranker *rk, const kp_unit_result *x, const kp_unit_result *y)
{
	if (!rk->r->veto_last || x->veto == y->veto)
		return 0;
	return x->veto ? 1 : -1;
}

/* Order on the score: total, then the tie-breakers.  0: truly tied. */
static int score_cmp(const ranker *rk, size_t a, size_t b)
{
	const kp_unit_result *x = &rk->res->units[a], *y = &rk->res->units[b];
	size_t k;
	int c;

	if ((c = veto_cmp(rk, x, y)))
		return c;
	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	for (k = 0; k < rk->r->ntie; k++)
		if ((c = tie_cmp(rk, k, a, b)))
			return c;
	return 0;
}

/* What the report order compares, gathered so the sort reads one array
 * (16 bytes: at a million units the keys and the sort's own copy of them
 * are part of a run's peak memory; the id is looked up only for units
 * whose totals tie, and not at all when the units came in id order). */
typedef struct sort_key {
	int cat;          /* category × 2, + 1 for a vetoed unit ranked last */
	unsigned idx;
	double total;
} sort_key;

static int order_cmp(const void *pa, const void *pb, void *ctx)
{
	const ranker *rk = ctx;
	const sort_key *x = pa, *y = pb;
	int c;

	if (x->cat != y->cat)
		return x->cat < y->cat ? -1 : 1;
	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	if (rk->r->ntie && (c = score_cmp(rk, x->idx, y->idx)))
		return c;
	if (rk->ids_sorted) /* the units came in id order: their index is the id order */
		return x->idx < y->idx ? -1 : x->idx > y->idx;
	return strcmp(rk->res->units[x->idx].id, rk->res->units[y->idx].id);
}

/* A total's bits as an unsigned integer that orders as the totals do,
 * the best (highest) first; -0 is 0, as order_cmp's == has them. */
static uint64_t total_bits(double total)
{
	uint64_t b;

	total += 0.0; /* -0 becomes +0 */
	memcpy(&b, &total, sizeof b);
	b = b >> 63 ? ~b : b | (UINT64_C(1) << 63); /* ascending as unsigned */
	return ~b;                                    /* descending */
}

/* The radix sort's key of a sort_key, kept in its total's 8 bytes while
 * it sorts (sort_by_total puts the totals back after). */
static uint64_t key_of(const sort_key *k)
{
	uint64_t b;

	memcpy(&b, &k->total, sizeof b);
	return b;
}

static void key_set(sort_key *k, uint64_t b)
{
	memcpy(&k->total, &b, sizeof b);
}

/* Every total the double nearest to some m / p, |m| < 2^40 (p = 10^prec:
 * a rounded total): 1 with the least and greatest m; their order is the
 * totals' order, and equal totals have equal m (llround(total × p)). */
static int totals_scaled(const sort_key *keys, size_t n, double p, int64_t *lo, int64_t *hi)
{
	size_t i;

	*lo = INT64_MAX, *hi = INT64_MIN;
	for (i = 0; i < n; i++) {
		double y = keys[i].total * p;
		int64_t m;
		if (!(y > -1099511627776.0 && y < 1099511627776.0))
			return 0;
		m = llround(y);
		if ((double)m / p != keys[i].total)
			return 0;
		*lo = m < *lo ? m : *lo, *hi = m > *hi ? m : *hi;
	}
	return n > 0;
}

#define RADIX_BITS 11
#define RADIX_SIZE (1u << RADIX_BITS)
#define RADIX_PASSES ((64 + RADIX_BITS - 1) / RADIX_BITS)

/* keys by their 64-bit key (key_of), stably: a least-significant-digit
 * radix sort, a pass skipped when every key has the same digit.  The
 * counts and the second array (the size of keys, as qsort's own copy)
 * are the sort's; 0 or out of memory. */
static int radix_sort(sort_key *keys, size_t n, kp_err *err)
{
	sort_key *a = keys, *b = malloc((n + 1) * sizeof *b), *t;
	size_t *count = calloc((size_t)RADIX_PASSES * RADIX_SIZE, sizeof *count), i;
	int p;

	if (!b || !count) {
		free(b), free(count);
		return kp_err_oom(err);
	}
	for (i = 0; i < n; i++)
		for (p = 0; p < RADIX_PASSES; p++)
			count[(size_t)p * RADIX_SIZE + ((key_of(&a[i]) >> (p * RADIX_BITS)) & (RADIX_SIZE - 1))]++;
	for (p = 0; n && p < RADIX_PASSES; p++) {
		size_t *c = count + (size_t)p * RADIX_SIZE, sum = 0, d;
		if (c[(key_of(&a[0]) >> (p * RADIX_BITS)) & (RADIX_SIZE - 1)] == n)
			continue; /* one digit for all: nothing to move */
		for (d = 0; d < RADIX_SIZE; d++) {
			size_t k = c[d];
			c[d] = sum, sum += k;
		}
		for (i = 0; i < n; i++)
			b[c[(key_of(&a[i]) >> (p * RADIX_BITS)) & (RADIX_SIZE - 1)]++] = a[i];
		t = a, a = b, b = t;
	}
	if (a != keys)
		memcpy(keys, a, n * sizeof *keys);
	free(a != keys ? a : b), free(count);
	return 0;
}

/* keys in the report order of category and total, stably (a key keeps
 * its place among its equals).  Rounded totals (the usual case) and
 * their category make one small integer, sorted in a pass or two; other
 * totals are sorted by their bits, then by category. */
static int sort_by_total(const ranker *rk, sort_key *keys, size_t n, kp_err *err)
{
	int64_t lo, hi;
	uint64_t span;
	double p = 1;
	size_t i;
	int rc, k, cats = 1, prec = rk->res->precision;

	for (i = 0; i < n; i++)
		cats = keys[i].cat + 1 > cats ? keys[i].cat + 1 : cats;
	for (k = 0; k < prec && k < 16; k++)
		p *= 10; /* exact */
	if (prec >= 0 && prec <= 15 && totals_scaled(keys, n, p, &lo, &hi) &&
	    (span = (uint64_t)(hi - lo) + 1) <= UINT64_MAX / (uint64_t)cats) {
		for (i = 0; i < n; i++) /* the category first, then the total, best first */
			key_set(&keys[i], (uint64_t)keys[i].cat * span + (uint64_t)(hi - llround(keys[i].total * p)));
		rc = radix_sort(keys, n, err);
		for (i = 0; i < n; i++) /* the total back: the double nearest to m / p, as it was */
			keys[i].total = (double)(hi - (int64_t)(key_of(&keys[i]) - (uint64_t)keys[i].cat * span)) / p;
		return rc;
	}
	for (i = 0; i < n; i++)
		key_set(&keys[i], total_bits(keys[i].total));
	if (!(rc = radix_sort(keys, n, err))) {
		for (i = 0; i < n; i++)
			key_set(&keys[i], (uint64_t)keys[i].cat);
		rc = radix_sort(keys, n, err);
	}
	for (i = 0; i < n; i++)
		keys[i].total = rk->res->units[keys[i].idx].total;
	return rc;
}

/* keys in the report order (order_cmp): by category and total, then the
 * units whose category and total tie by the tie-breakers and the id,
 * each such run sorted on its own (none when there are no tie-breakers
 * and the units came in id order: the radix sort kept their order). */
static int sort_keys(const ranker *rk, sort_key *keys, size_t n, kp_err *err)
{
	size_t i, j;
	int rc;

	if ((rc = sort_by_total(rk, keys, n, err)) || (rk->ids_sorted && !rk->r->ntie))
		return rc;
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && keys[j].cat == keys[i].cat && keys[j].total == keys[i].total; j++)
			;
		if (j - i > 1)
			qsort_r(keys + i, j - i, sizeof *keys, order_cmp, (void *)rk);
	}
	return 0;
}

/* A unit's tie note, when it has none yet: note copied into the pool
 * (copy) or shared (a neighbour's, already there); NULL sets nothing. */
static int set_tie_note(kp_result *res, kp_unit_result *u, const char *note, int copy, kp_err *err)
{
	kp_unit_more *m;

	if (!note || KP_MORE(u)->tie_note)
		return 0;
	if (!(m = kp_result_more(res, u, err)) || !(m->tie_note = copy ? kp_result_str(res, note, err) : note))
		return KP_EINTERNAL;
	return 0;
}

/* Put units (and their section points) in the order given, in place:
 * new[j] = old[order[j]], following the permutation's cycles. */
static int reorder(kp_result *res, unsigned *order, kp_err *err)
{
	size_t n = res->nunits, ns = res->nsections, i, j, k;
	double *tsec = malloc((ns + 1) * sizeof *tsec);
	const unsigned done = (unsigned)-1;

	if (!tsec)
		return kp_err_oom(err);
	for (i = 0; i < n; i++) {
		kp_unit_result tmp;
		if (order[i] == done)
			continue;
		tmp = res->units[i];
		memcpy(tsec, res->sec + i * ns, ns * sizeof *tsec);
		for (j = i;; j = k) {
			k = order[j];
			order[j] = done;
			if (k == i) {
				res->units[j] = tmp;
				memcpy(res->sec + j * ns, tsec, ns * sizeof *tsec);
				break;
			}
			res->units[j] = res->units[k];
			memcpy(res->sec + j * ns, res->sec + k * ns, ns * sizeof *tsec);
		}
	}
	free(tsec);
	return 0;
}

static int note_ties(const ranker *rk, kp_result *res, size_t a, size_t b, kp_err *err)
{
	kp_sb note = {0};
	size_t k;
	int rc;

	if (res->units[a].total != res->units[b].total || !rk->r->ntie ||
	    veto_cmp(rk, &res->units[a], &res->units[b]))
		return 0;
	for (k = 0; k < rk->r->ntie && !tie_cmp(rk, k, a, b); k++)
		;
	if (k == rk->r->ntie)
		return 0;
	if (rk->r->tie[k].kind == KP_TIE_DEDUCTIONS)
		kp_note_msg(&note, KP_M_NOTE_TIE_DEDUCTIONS);
	else if (rk->r->tie[k].kind == KP_TIE_BONUS)
		kp_note_msg(&note, KP_M_NOTE_TIE_BONUS);
	else
		kp_note_msg(&note, KP_M_NOTE_TIE_BY, rk->r->tie[k].name);
	rc = kp_sb_status(&note, err);
	if (!rc)
		rc = set_tie_note(res, &res->units[a], kp_sb_str(&note), 1, err);
	if (!rc)
		rc = set_tie_note(res, &res->units[b], kp_sb_str(&note), 1, err);
	kp_sb_free(&note);
	return rc;
}

/* Units still tied (same category, same rank) were placed by the same
 * tie-breaker as their neighbour: share its note both ways. */
static int share_tie_notes(kp_result *res, kp_err *err)
{
	size_t i;
	int rc = 0;

	for (i = 1; i < res->nunits && !rc; i++) {
		kp_unit_result *a = &res->units[i - 1], *b = &res->units[i];
		if (a->category == b->category && a->rank == b->rank)
			rc = set_tie_note(res, b, KP_MORE(a)->tie_note, 0, err);
	}
	for (i = res->nunits; i > 1 && !rc; i--) {
		kp_unit_result *a = &res->units[i - 2], *b = &res->units[i - 1];
		if (a->category == b->category && a->rank == b->rank)
			rc = set_tie_note(res, a, KP_MORE(b)->tie_note, 0, err);
	}
	return rc;
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
	return share_tie_notes(res, err);
}

static int base_grade(const kp_rules *r, const kp_unit_result *u)
{
	size_t g;

	if (!r->ngrade)
		return -1;
	if (u->veto)
		return (int)r->ngrade - 1;
	for (g = 0; g < r->ngrade; g++)
		if (kp_num_cmp(u->total, kp_grade_min(&r->grade[g], u->category), r->compare) >= 0)
			return (int)g;
	return (int)r->ngrade - 1;
}

int kp_rank_agrees(const kp_rules *r, const kp_result *res, const char *db, kp_err *err)
{
	size_t i;

	if (res->ncategories != r->ncat || res->ngrades != r->ngrade)
		return kp_err_msg(err, KP_EDATA, KP_M_ENG_RUN_DISAGREES, db, res->run_id);
	for (i = 0; i < r->ncat; i++)
		if (strcmp(res->categories[i].name, r->cat[i].name) || res->categories[i].quota != r->cat[i].quota)
			return kp_err_msg(err, KP_EDATA, KP_M_ENG_RUN_DISAGREES_QUOTA, db, res->run_id,
					  res->categories[i].name, res->categories[i].quota, r->cat[i].name, r->cat[i].quota);
	for (i = 0; i < r->ngrade; i++)
		if (strcmp(res->grades[i], r->grade[i].name))
			return kp_err_msg(err, KP_EDATA, KP_M_ENG_RUN_DISAGREES, db, res->run_id);
	for (i = 0; i < res->nunits; i++) {
		const kp_unit_result *u = &res->units[i];
		int g = base_grade(r, u);
		if (g >= 0 && (u->grade < g || (u->grade > g && !u->quota_dropped) || (u->veto && u->grade != g)))
			return kp_err_msg(err, KP_EDATA, KP_M_ENG_RUN_DISAGREES_GRADE, db, res->run_id, u->id,
					  u->grade >= 0 ? res->grades[u->grade] : "-", u->total, r->grade[g].name);
	}
	return 0;
}

/* "优秀名额3个, 第3名并列于名额线, 并列者均保留", after "; " when there is
 * a note already. */
static void quota_note(kp_sb *note, const char *grade, size_t allowed, int line_rank, int drop)
{
	char n[32], k[32];

	snprintf(n, sizeof n, "%zu", allowed); /* not words */
	snprintf(k, sizeof k, "%d", line_rank); /* not words */
	if (note->len)
		kp_note_msg(note, KP_M_NOTE_SEP_SEMI);
	if (drop)
		kp_note_msg(note, KP_M_NOTE_QUOTA_DROPPED, grade, n, k);
	else
		kp_note_msg(note, KP_M_NOTE_QUOTA_KEPT, grade, n, k);
}

/* Grade quotas of one category, best grade first: the units of a grade
 * past its quota, by rank, drop a grade.  Units tied across the quota line
 * all stay (default) or, with quota_ties = "none", all drop. */
static int apply_quotas(const ranker *rk, kp_result *res, kp_category_result *cat, kp_err *err)
{
	const kp_rules *r = rk->r;
	kp_sb note = {0};
	size_t g, i;
	int rc = 0;

	for (g = 0; g + 1 < r->ngrade; g++) {
		size_t allowed, seen = 0;
		int line_rank = 0, tied = 0;
		if (r->grade[g].quota <= 0 && r->grade[g].count <= 0)
			continue;
		allowed = r->grade[g].count > 0 ? (size_t)r->grade[g].count
						: (size_t)floor(r->grade[g].quota * (double)cat->count + 1e-9);
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
		quota_note(&note, r->grade[g].name, allowed, line_rank, r->quota_ties_none);
	}
	if (!rc && !(rc = kp_sb_status(&note, err)) && note.len &&
	    !(cat->note = kp_result_str(res, kp_sb_str(&note), err)))
		rc = KP_EINTERNAL;
	kp_sb_free(&note);
	return rc;
}

static int eligibility(const kp_rules *r, kp_result *res, size_t i, kp_rank_eligible_fn fn, void *ud, kp_err *err)
{
	kp_unit_result *u = &res->units[i];
	int ok = 1, rc;

	const struct kp_commend_cat *cc = r->commend_cat && r->commend_cat[u->category].set ? &r->commend_cat[u->category] : NULL;
	int min_grade = cc ? cc->min_grade : r->commend_min_grade, has_min = cc ? cc->has_min_score : r->has_min_score;
	double min_score = cc ? cc->min_score : r->commend_min_score;

	u->eligible = 0;
	if (u->veto)
		return 0;
	if (min_grade >= 0 && (u->grade < 0 || u->grade > min_grade))
		return 0;
	if (has_min && kp_num_cmp(u->total, min_score, r->compare) < 0)
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
	ranker rk = {r, res, 1};
	sort_key *keys = malloc((res->nunits + 1) * sizeof *keys);
	unsigned *order;
	size_t i;
	int rc = 0;

	if (!keys)
		return kp_err_oom(err);
	for (i = 1; i < res->nunits && rk.ids_sorted; i++)
		rk.ids_sorted = strcmp(res->units[i - 1].id, res->units[i].id) < 0;
	for (i = 0; i < res->nunits; i++) {
		keys[i].cat = res->units[i].category * 2 + (r->veto_last && res->units[i].veto);
		keys[i].idx = (unsigned)i;
		keys[i].total = res->units[i].total;
	}
	if ((rc = sort_keys(&rk, keys, res->nunits, err))) {
		free(keys);
		return rc;
	}
	if (!(order = malloc((res->nunits + 1) * sizeof *order))) {
		free(keys);
		return kp_err_oom(err);
	}
	for (i = 0; i < res->nunits; i++)
		order[i] = keys[i].idx;
	free(keys);
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
