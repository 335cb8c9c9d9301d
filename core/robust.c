/* robust.c — the ranking under perturbed weights (see robust.h).  A
 * model keeps, for every unit of a result scored with details, what its
 * sections are made of (the points of each weight, the indicators a
 * missing value skipped, the section deductions and the deductions from
 * the total); each draw rebuilds every total from it with the draw's
 * factors, exactly as score.c adds them up, and ranks through
 * kp_rank_run.  Draws run on every core; each writes only its own column
 * of the rank table.  Owns the model and the tables while it runs. */
#include "kaoping/robust.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kaoping/num.h"
#include "kaoping/par.h"
#include "kaoping/rank.h"

/* ---- the generator: splitmix64 seeds xoshiro256** (Blackman & Vigna) ---- */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t xoshiro(uint64_t s[4])
{
	uint64_t out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0], s[3] ^= s[1], s[1] ^= s[2], s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

void kp_robust_factors(uint64_t seed, unsigned d, double spread, const double *points, size_t n, double *factor)
{
	uint64_t x = seed ^ ((uint64_t)d * 0xD1B54A32D192ED03ULL), s[4];
	double full = 0, moved = 0;
	size_t i;

	for (i = 0; i < 4; i++)
		s[i] = splitmix64(&x);
	for (i = 0; i < n; i++) {
		double u = (double)(xoshiro(s) >> 11) * 0x1.0p-53; /* [0, 1) */
		factor[i] = 1 + spread * (2 * u - 1);
		full += points[i];
		moved += points[i] * factor[i];
	}
	if (moved > 0 && full != moved)
		for (i = 0; i < n; i++)
			factor[i] *= full / moved;
}

/* ---- the model ---- */

typedef struct idref {
	uintptr_t p;  /* a unit's id pointer (0: an empty slot) */
	size_t t;     /* its index in the result */
} idref;

typedef struct model {
	const kp_rules *r;
	const kp_result *res;
	size_t nu, np;
	int by;
	size_t *part_of;      /* indicator -> weight */
	double *part_points;  /* the full points of each weight */
	double *pts;          /* nu × np: what the unit scored on each weight */
	size_t *skip_off, *skip;           /* per unit: the indicators skipped */
	size_t *sded_off; size_t *sded_sec; double *sded_amt; /* section deductions */
	size_t *ded_off; double *ded_amt;  /* deductions from the total */
	idref *ids;           /* a hash table by id pointer (nids slots, a power
				 of 2), to find a unit after ranking */
	size_t nids;
	size_t *by_id;        /* the result's units in id order: the order a
				 draw lays them out in, so that the ranking
				 breaks ties by position (rank.c's ids_sorted) */
} model;

static void model_free(model *m)
{
	free(m->part_of), free(m->part_points), free(m->pts);
	free(m->skip_off), free(m->skip), free(m->sded_off), free(m->sded_sec), free(m->sded_amt);
	free(m->ded_off), free(m->ded_amt), free(m->ids), free(m->by_id);
}

static int model_alloc(model *m, size_t nitems, kp_err *err)
{
	const kp_rules *r = m->r;
	size_t nu = m->nu + 1;

	m->np = m->by == KP_ROBUST_INDICATOR ? r->nind : r->nsec;
	m->part_of = calloc(r->nind + 1, sizeof *m->part_of);
	m->part_points = calloc(m->np + 1, sizeof *m->part_points);
	m->pts = calloc(m->nu * m->np + 1, sizeof *m->pts);
	m->skip_off = calloc(nu, sizeof *m->skip_off), m->skip = calloc(nitems + 1, sizeof *m->skip);
	m->sded_off = calloc(nu, sizeof *m->sded_off), m->sded_sec = calloc(nitems + 1, sizeof *m->sded_sec);
	m->sded_amt = calloc(nitems + 1, sizeof *m->sded_amt);
	m->ded_off = calloc(nu, sizeof *m->ded_off), m->ded_amt = calloc(nitems + 1, sizeof *m->ded_amt);
	for (m->nids = 16; m->nids < 2 * m->nu; m->nids *= 2)
		;
	m->ids = calloc(m->nids, sizeof *m->ids);
	m->by_id = calloc(nu, sizeof *m->by_id);
	if (!m->part_of || !m->part_points || !m->pts || !m->skip_off || !m->skip || !m->sded_off ||
	    !m->sded_sec || !m->sded_amt || !m->ded_off || !m->ded_amt || !m->ids || !m->by_id)
		return kp_err_oom(err);
	return 0;
}

/* The weights: each section, or each indicator, with its full points. */
static void model_parts(model *m)
{
	const kp_rules *r = m->r;
	size_t k, i;

	for (k = 0; k < r->nsec; k++) {
		if (m->by == KP_ROBUST_SECTION)
			m->part_points[k] = r->sec[k].points;
		for (i = r->sec[k].first; i < r->sec[k].first + r->sec[k].count && i < r->nind; i++) {
			m->part_of[i] = m->by == KP_ROBUST_INDICATOR ? i : k;
			if (m->by == KP_ROBUST_INDICATOR)
				m->part_points[i] = r->ind[i].points;
		}
	}
}

static int bad_items(const kp_unit_result *u, kp_err *err)
{
	return kp_err_msg(err, KP_EINTERNAL, KP_M_ENG_ROB_ITEMS_MISMATCH, u->id ? u->id : "");
}

/* One unit's items into the model: the n-th indicator item is the n-th
 * indicator in section order, as score.c adds them. */
static int model_unit(model *m, size_t t, size_t *ns, size_t *nd, size_t *nt, kp_err *err)
{
	const kp_rules *r = m->r;
	const kp_unit_result *u = &m->res->units[t];
	size_t j, k = 0, i = r->nsec ? r->sec[0].first : 0, seen = 0;

	if (r->nind && !KP_MORE(u)->items)
		return bad_items(u, err);
	for (j = 0; j < KP_MORE(u)->nitems; j++) {
		const kp_item *it = &KP_MORE(u)->items[j];
		if (it->kind == KP_ITEM_INDICATOR) {
			while (k < r->nsec && i >= r->sec[k].first + r->sec[k].count)
				k++, i = k < r->nsec ? r->sec[k].first : 0;
			if (k >= r->nsec || it->section != (int)k || i >= r->nind)
				return bad_items(u, err);
			if (it->skipped)
				m->skip[(*ns)++] = i;
			else
				m->pts[t * m->np + m->part_of[i]] += it->points;
			i++, seen++;
		} else if (it->kind == KP_ITEM_SECTION_DED) {
			if (it->section < 0 || (size_t)it->section >= r->nsec)
				return bad_items(u, err);
			m->sded_sec[*nd] = (size_t)it->section, m->sded_amt[(*nd)++] = it->points;
		} else if (it->kind == KP_ITEM_DEDUCTION) {
			m->ded_amt[(*nt)++] = it->points;
		}
	}
	if (seen != r->nind)
		return bad_items(u, err);
	m->skip_off[t + 1] = *ns, m->sded_off[t + 1] = *nd, m->ded_off[t + 1] = *nt;
	return 0;
}

static size_t id_slot(const model *m, uintptr_t p)
{
	return (size_t)(((uint64_t)p * 0x9E3779B97F4A7C15ULL) >> 20) & (m->nids - 1);
}

/* Enter unit t; 0, or -1 when its id pointer is already there. */
static int id_add(model *m, size_t t)
{
	uintptr_t p = (uintptr_t)m->res->units[t].id;
	size_t k = id_slot(m, p);

	for (; m->ids[k].p; k = (k + 1) & (m->nids - 1))
		if (m->ids[k].p == p)
			return -1;
	m->ids[k].p = p, m->ids[k].t = t;
	return 0;
}

static int by_id_cmp(const void *pa, const void *pb, void *ctx)
{
	const kp_result *res = ctx;
	const char *x = res->units[*(const size_t *)pa].id, *y = res->units[*(const size_t *)pb].id;

	return strcmp(x ? x : "", y ? y : "");
}

static int model_build(model *m, kp_err *err)
{
	size_t t, nitems = 0, ns = 0, nd = 0, nt = 0;
	int rc;

	for (t = 0; t < m->nu; t++)
		nitems += KP_MORE(&m->res->units[t])->nitems;
	if ((rc = model_alloc(m, nitems, err)))
		return rc;
	model_parts(m);
	for (t = 0; t < m->nu; t++) {
		if ((rc = model_unit(m, t, &ns, &nd, &nt, err)))
			return rc;
		if (!m->res->units[t].id || id_add(m, t))
			return kp_err_msg(err, KP_EINTERNAL, KP_M_ENG_ROB_NO_ID);
		m->by_id[t] = t;
	}
	qsort_r(m->by_id, m->nu, sizeof *m->by_id, by_id_cmp, (void *)m->res);
	return 0;
}

/* The result's index of a unit, by its id pointer; (size_t)-1 if none. */
static size_t model_find(const model *m, const char *id)
{
	uintptr_t p = (uintptr_t)id;
	size_t k = id_slot(m, p);

	for (; m->ids[k].p; k = (k + 1) & (m->nids - 1))
		if (m->ids[k].p == p)
			return m->ids[k].t;
	return (size_t)-1;
}

/* ---- one unit's total under the factors g, as score.c adds it up ---- */

/* Σ full points × factor over every indicator, in score.c's order. */
static double full_points(const model *m, const double *g)
{
	const kp_rules *r = m->r;
	double full = 0;
	size_t k, i;

	for (k = 0; k < r->nsec; k++)
		for (i = r->sec[k].first; i < r->sec[k].first + r->sec[k].count && i < r->nind; i++)
			full += r->ind[i].points * g[m->part_of[i]];
	return full;
}

/* What section k's indicators gave unit t, before rescaling. */
static double section_points(const model *m, size_t t, size_t k, const double *g)
{
	const kp_section *sec = &m->r->sec[k];
	const double *p = m->pts + t * m->np;
	double sum = 0;
	size_t i;

	if (m->by == KP_ROBUST_SECTION)
		return p[k] * g[k];
	for (i = sec->first; i < sec->first + sec->count && i < m->r->nind; i++)
		sum += p[i] * g[i];
	return sum;
}

/* The sections of unit t into sec (as printed), their sum returned. */
static double unit_sections(const model *m, size_t t, const double *g, double full, double *sec)
{
	const kp_rules *r = m->r;
	double skipped = 0, f = 1, sum = 0;
	size_t i, k, j = m->sded_off[t];

	for (i = m->skip_off[t]; i < m->skip_off[t + 1]; i++)
		skipped += r->ind[m->skip[i]].points * g[m->part_of[m->skip[i]]];
	if (skipped > 0 && full > skipped)
		f = full / (full - skipped);
	for (k = 0; k < r->nsec; k++) {
		const kp_section *s = &r->sec[k];
		double ssum = s->base ? s->points * (m->by == KP_ROBUST_SECTION ? g[k] : 1)
				      : section_points(m, t, k, g) * f;
		for (; j < m->sded_off[t + 1] && m->sded_sec[j] == k; j++)
			ssum -= m->sded_amt[j];
		if (ssum < 0)
			ssum = 0;
		if (r->round_items && (s->base || f == 1))
			ssum = kp_num_round(ssum, r->precision);
		sum += ssum;
		sec[k] = r->round_items ? kp_num_round(ssum, r->precision) : ssum;
	}
	return sum;
}

/* Unit t's total (rounded at the precision) and its unrounded value. */
static double unit_total(const model *m, size_t t, const double *g, double full, double *sec, double *raw)
{
	const kp_rules *r = m->r;
	double v = unit_sections(m, t, g, full, sec), ded = 0;
	size_t i;

	for (i = m->ded_off[t]; i < m->ded_off[t + 1]; i++)
		ded += m->ded_amt[i];
	v -= ded;
	if (v < 0)
		v = 0;
	v += m->res->units[t].bonus;
	if (r->has_max_total && v > r->max_total)
		v = r->max_total;
	*raw = v;
	return kp_num_round(v, r->precision);
}

/* With every factor 1 the model must give back each unit's total and
 * sections: anything else means the items are not what scored it. */
static int model_check(const model *m, kp_err *err)
{
	const kp_result *res = m->res;
	double *g = malloc((m->np + 1) * sizeof *g), *sec = malloc((res->nsections + 1) * sizeof *sec), raw, full;
	size_t t, k;
	int rc = 0;

	if (!g || !sec || res->nsections != m->r->nsec) {
		rc = !g || !sec ? kp_err_oom(err) : kp_err_msg(err, KP_EINTERNAL, KP_M_ENG_ROB_OTHER_SECTIONS);
		goto out;
	}
	for (k = 0; k < m->np; k++)
		g[k] = 1;
	full = full_points(m, g);
	for (t = 0; t < m->nu && !rc; t++) {
		double total = unit_total(m, t, g, full, sec, &raw);
		int same = total == res->units[t].total;
		for (k = 0; k < res->nsections; k++)
			same = same && sec[k] == KP_SEC(res, t, k);
		if (!same)
			rc = kp_err_msg(err, KP_EINTERNAL, KP_M_ENG_ROB_SUM_MISMATCH,
					res->units[t].id ? res->units[t].id : "", total, res->units[t].total);
	}
out:
	free(g), free(sec);
	return rc;
}

/* ---- the draws ---- */

typedef struct worker {
	const model *m;
	const kp_robust_opts *o;
	unsigned from, to;    /* its draws */
	int *ranks;           /* nu × draws, shared: it writes its draws' columns */
	unsigned *commended;  /* nu: its own counts */
	double *g;
	atomic_uint *done;    /* shared: draws done by every worker */
	kp_err err;
	int rc;
} worker;

/* A commend.eligible function is not called again: each unit keeps the
 * verdict of the real run (robust.h). */
static int kept_eligible(void *ud, const kp_result *x, size_t unit, int *ok, kp_err *err)
{
	const model *m = ud;
	size_t t = model_find(m, x->units[unit].id);

	if (t == (size_t)-1)
		return kp_err_msg(err, KP_EINTERNAL, KP_M_ENG_ROB_LOST_ID);
	*ok = m->res->units[t].eligible;
	return 0;
}

/* A result of the draw's totals, every unit as the real run had it
 * before ranking, in id order. */
static kp_result *draw_result(const model *m, const double *g, kp_err *err)
{
	const kp_result *res = m->res;
	kp_result *x = NULL;
	double full = full_points(m, g);
	size_t j, c;

	if (kp_result_new(&x, err))
		return NULL;
	x->precision = res->precision, x->nsections = res->nsections, x->ncategories = res->ncategories;
	/* units, sec and categories are the result's own (kp_result_free frees them) */
	x->units = calloc(m->nu + 1, sizeof *x->units);
	x->sec = calloc(m->nu * res->nsections + 1, sizeof *x->sec);
	x->categories = calloc(res->ncategories + 1, sizeof *x->categories);
	if (!x->units || !x->sec || !x->categories) {
		kp_result_free(x);
		kp_err_oom(err);
		return NULL;
	}
	x->nunits = m->nu;
	for (c = 0; c < res->ncategories; c++)
		x->categories[c].name = res->categories[c].name, x->categories[c].quota = res->categories[c].quota;
	for (j = 0; j < m->nu; j++) {
		size_t t = m->by_id[j];
		kp_unit_result *u = &x->units[j];
		const kp_unit_result *src = &res->units[t];
		u->id = src->id, u->name = src->name, u->veto = src->veto;
		u->category = src->category, u->deductions = src->deductions, u->bonus = src->bonus;
		u->base = src->base, u->grade = -1;
		u->total = unit_total(m, t, g, full, &KP_SEC(x, j, 0), &u->raw);
	}
	return x;
}

static int draw(worker *w, unsigned d)
{
	const model *m = w->m;
	kp_result *x;
	size_t j;
	int rc;

	kp_robust_factors(w->o->seed, d, w->o->spread, m->part_points, m->np, w->g);
	if (!(x = draw_result(m, w->g, &w->err)))
		return KP_EINTERNAL;
	rc = kp_rank_run(m->r, x, m->r->eligible_ref ? kept_eligible : NULL, (void *)m, &w->err);
	for (j = 0; j < x->nunits && !rc; j++) {
		size_t t = model_find(m, x->units[j].id);
		if (t == (size_t)-1) {
			rc = kp_err_msg(&w->err, KP_EINTERNAL, KP_M_ENG_ROB_LOST_ID);
			break;
		}
		w->ranks[t * w->o->draws + d] = x->units[j].rank;
		w->commended[t] += x->units[j].commended;
	}
	kp_result_free(x);
	return rc;
}

static void *work(void *arg)
{
	worker *w = arg;
	unsigned d;

	for (d = w->from; d < w->to && !w->rc; d++) {
		w->rc = draw(w, d);
		atomic_fetch_add(w->done, 1u);
		if (w->from == 0 && w->o->progress) /* worker 0: the calling thread (par.h) */
			w->o->progress(w->o->progress_ud, atomic_load(w->done), w->o->draws);
	}
	return NULL;
}

static int threads_for(const kp_robust_opts *o)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	int t = o->threads > 0 ? o->threads : (int)(n > 0 ? n : 1);

	if (t > 8)
		t = 8;
	return (unsigned)t > o->draws ? (int)o->draws : t;
}

/* Every draw, spread over the threads; counts summed in thread order. */
static int run_draws(const model *m, const kp_robust_opts *o, int *ranks, unsigned *commended, kp_err *err)
{
	worker w[8];
	int i, nt = threads_for(o), rc = 0;
	size_t t;
	atomic_uint done;

	atomic_init(&done, 0u);
	memset(w, 0, sizeof w);
	for (i = 0; i < nt; i++) {
		w[i].m = m, w[i].o = o, w[i].ranks = ranks, w[i].done = &done;
		w[i].from = (unsigned)((uint64_t)o->draws * (unsigned)i / (unsigned)nt);
		w[i].to = (unsigned)((uint64_t)o->draws * (unsigned)(i + 1) / (unsigned)nt);
		w[i].commended = calloc(m->nu + 1, sizeof *w[i].commended);
		w[i].g = malloc((m->np + 1) * sizeof *w[i].g);
		if (!w[i].commended || !w[i].g)
			rc = kp_err_oom(err);
	}
	if (!rc)
		kp_par_run(w, (size_t)nt, sizeof w[0], work);
	if (!rc && o->progress) /* the other workers may have ended after worker 0 */
		o->progress(o->progress_ud, atomic_load(&done), o->draws);
	for (i = 0; i < nt && !rc; i++)
		if ((rc = w[i].rc)) /* the first failing draw in order */
			kp_err_move(err, &w[i].err);
	for (i = 0; i < nt; i++) {
		for (t = 0; t < m->nu && w[i].commended; t++)
			commended[t] += w[i].commended[t];
		free(w[i].commended), free(w[i].g), kp_err_clear(&w[i].err);
	}
	return rc;
}

/* ---- the summary of each unit ---- */

static int int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* The p-th percentile of n sorted values, by nearest rank: the value at
 * ⌈p·n/100⌉ (counting from 1). */
static int percentile(const int *v, unsigned n, unsigned p)
{
	uint64_t k = ((uint64_t)p * n + 99) / 100;

	return v[k > 0 ? k - 1 : 0];
}

/* Sort one unit's ranks: by counting when they span little (they mostly
 * do), else qsort.  count has room for SPAN entries. */
#define SPAN 4096
static void sort_ranks(int *v, unsigned n, unsigned *count)
{
	int lo = v[0], hi = v[0];
	unsigned i, k, j = 0;

	for (i = 1; i < n; i++)
		lo = v[i] < lo ? v[i] : lo, hi = v[i] > hi ? v[i] : hi;
	if ((unsigned)(hi - lo) >= SPAN) {
		qsort(v, n, sizeof *v, int_cmp);
		return;
	}
	memset(count, 0, (size_t)(hi - lo + 1) * sizeof *count);
	for (i = 0; i < n; i++)
		count[v[i] - lo]++;
	for (k = 0; k <= (unsigned)(hi - lo); k++)
		for (i = 0; i < count[k]; i++)
			v[j++] = lo + (int)k;
}

static void summarise(kp_robust *rb, int *ranks, const unsigned *commended, unsigned *count)
{
	unsigned n = rb->opts.draws;
	size_t t;

	for (t = 0; t < rb->res->nunits; t++) {
		kp_robust_unit *u = &rb->units[t];
		int *v = ranks + t * n;
		sort_ranks(v, n, count);
		u->rank_min = v[0], u->rank_max = v[n - 1];
		u->rank_lo = percentile(v, n, 5);
		u->rank_median = percentile(v, n, 50);
		u->rank_hi = percentile(v, n, 95);
		u->commended = commended[t];
		/* more than 10% and less than 90% of the draws, in integers */
		u->fragile = (uint64_t)commended[t] * 10 > n && (uint64_t)commended[t] * 10 < (uint64_t)n * 9;
		rb->nfragile += u->fragile;
	}
}

static int check_opts(const kp_robust_opts *o, size_t nu, kp_err *err)
{
	if (o->draws < 1 || o->draws > KP_ROBUST_MAX_DRAWS)
		return kp_err_msg(err, KP_EUSAGE, KP_M_ENG_ROB_DRAWS, KP_ROBUST_MAX_DRAWS);
	if (!(o->spread >= 0 && o->spread < 1))
		return kp_err_msg(err, KP_EUSAGE, KP_M_ENG_ROB_SPREAD);
	if (o->by != KP_ROBUST_SECTION && o->by != KP_ROBUST_INDICATOR)
		return kp_err_msg(err, KP_EUSAGE, KP_M_ENG_ROB_BY);
	if (nu && (uint64_t)o->draws * nu > ((uint64_t)1 << 28))
		return kp_err_msg(err, KP_EUSAGE, KP_M_ENG_ROB_TOO_MANY, o->draws, nu, (unsigned long long)1 << 28);
	return 0;
}

int kp_robust_run(const kp_rules *r, const kp_result *res, const kp_robust_opts *o, kp_robust **out,
		  kp_err *err)
{
	model m;
	kp_robust *rb = NULL;
	int *ranks = NULL, rc;
	unsigned *commended = NULL;

	*out = NULL;
	memset(&m, 0, sizeof m);
	m.r = r, m.res = res, m.nu = res->nunits, m.by = o->by;
	if ((rc = check_opts(o, res->nunits, err)) || (rc = model_build(&m, err)) || (rc = model_check(&m, err)))
		goto out;
	rb = calloc(1, sizeof *rb);
	ranks = malloc(((size_t)o->draws * m.nu + 1) * sizeof *ranks);
	commended = calloc(m.nu + SPAN, sizeof *commended); /* then the counts of sort_ranks */
	if (!rb || !ranks || !commended || !(rb->units = calloc(m.nu + 1, sizeof *rb->units))) {
		rc = kp_err_oom(err);
		goto out;
	}
	rb->res = res, rb->opts = *o, rb->nweights = m.np;
	if ((rc = run_draws(&m, o, ranks, commended, err)))
		goto out;
	summarise(rb, ranks, commended, commended + m.nu);
out:
	model_free(&m);
	free(ranks), free(commended);
	if (rc) {
		kp_robust_free(rb);
		return rc;
	}
	*out = rb;
	return 0;
}

void kp_robust_free(kp_robust *rb)
{
	if (!rb)
		return;
	free(rb->units);
	free(rb);
}
