/* store_load.c — reading runs back from the results layout (schema 2, see
 * store_run.c for how they are written): a whole run without its items
 * (report, compare, notice, last year), with every unit's items up to a
 * number of units (report formats that print them), one unit with its
 * items (explain), and the runs of schema 1 for the migration.
 *
 * Every value read is checked (store_rd_*): a database comes from anyone.
 * Ranks, commendations and positions are checked against each other, so
 * a database edited by hand reads as damaged rather than as another
 * ranking.  Owns nothing past a call: the kp_result returned is the
 * caller's (kp_result_free). */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kaoping/num.h"
#include "kaoping/sb.h"
#include "store_int.h"

/* ---- schema 2: JSON of our own shape, read strictly ---- */

typedef struct jp { const char *p; int bad; } jp;

static int jp_ch(jp *j, char c)
{
	if (j->bad || *j->p != c)
		return 0;
	j->p++;
	return 1;
}

static void jp_want(jp *j, char c)
{
	if (!jp_ch(j, c))
		j->bad = 1;
}

static int jp_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The length of the JSON number at p (-? int frac? exp?), 0 when there is
 * none: what kp_num_exact writes, never strtod's hex, inf or nan. */
static size_t jp_num_len(const char *p)
{
	const char *q = p;

	q += *q == '-';
	if (*q == '0')
		q++;
	else if (jp_digit(*q))
		while (jp_digit(*q))
			q++;
	else
		return 0;
	if (*q == '.') {
		if (!jp_digit(*++q))
			return 0;
		while (jp_digit(*q))
			q++;
	}
	if (*q == 'e' || *q == 'E') {
		q++;
		q += *q == '+' || *q == '-';
		if (!jp_digit(*q))
			return 0;
		while (jp_digit(*q))
			q++;
	}
	return (size_t)(q - p);
}

static double jp_num(jp *j)
{
	size_t n;
	char *end;
	double v;

	if (j->bad || !(n = jp_num_len(j->p))) {
		j->bad = 1;
		return 0;
	}
	errno = 0;
	v = strtod(j->p, &end); /* reads at least the JSON number: a number goes no further */
	if (end != j->p + n || !isfinite(v))
		j->bad = 1;
	j->p += n;
	return v;
}

static long long jp_int(jp *j, long long lo, long long hi)
{
	double v = jp_num(j);

	/* the range of long long first, its bounds exact in a double:
	 * (double)LLONG_MAX is 2^63, so "v > (double)hi" let 2^63 through
	 * to a conversion C leaves undefined */
	if (!j->bad && (v != floor(v) || v < -9223372036854775808.0 || v >= 9223372036854775808.0 ||
			(long long)v < lo || (long long)v > hi))
		j->bad = 1;
	return j->bad ? 0 : (long long)v;
}

/* A string of values: the numbers store_run.c cuts from notes (digits,
 * then a point and digits or not), one space between two, or none. */
static const char *jp_vals(jp *j, size_t *len)
{
	const char *start;

	jp_want(j, '"');
	start = j->p;
	while (!j->bad && *j->p != '"') {
		if (j->p > start && *j->p++ != ' ')
			j->bad = 1;
		if (!jp_digit(*j->p))
			j->bad = 1;
		while (jp_digit(*j->p))
			j->p++;
		if (*j->p == '.' && jp_digit(j->p[1]))
			for (j->p++; jp_digit(*j->p); j->p++)
				;
	}
	*len = (size_t)(j->p - start);
	jp_want(j, '"');
	return start;
}

static void parse_sections(rd *r, int col, kp_result *res, size_t u)
{
	const char *t = store_rd_text(r, col, 0);
	jp j = {t, !t};
	size_t k;

	jp_want(&j, '[');
	for (k = 0; k < res->nsections && !j.bad; k++) {
		if (k)
			jp_want(&j, ',');
		KP_SEC(res, u, k) = jp_num(&j);
	}
	jp_want(&j, ']');
	if (!r->rc && (j.bad || *j.p))
		store_rd_bad(r, col, KP_MSG_STORE_RD_NOT_SECTION_ARRAY);
}

/* ---- reading runs back ---- */

/* The newest run (of the year, or of any year when year is 0) in *id,
 * 0 when there is none. */
static int newest_run(kp_store *s, int year, long *id, kp_err *err)
{
	rd r = {s, NULL, "runs", err, 0, NULL, NULL};
	int rc;

	*id = 0;
	if ((rc = store_prep(s, year ? "SELECT max(id) FROM runs WHERE year = ?" : "SELECT max(id) FROM runs", &r.st, err)))
		return rc;
	if (year)
		sqlite3_bind_int(r.st, 1, year);
	if (store_rd_step(&r) > 0)
		*id = (long)store_rd_int(&r, 0, 1, LONG_MAX, 1, NULL);
	sqlite3_finalize(r.st);
	return r.rc;
}

/* A checked text copied into the result's pool (NULL stays NULL). */
static const char *rd_str(rd *r, kp_result *res, int col, int nullable)
{
	const char *t = store_rd_text(r, col, nullable), *p;

	if (!t || r->rc)
		return NULL;
	if (!(p = kp_result_str(res, t, r->err)))
		r->rc = KP_EINTERNAL;
	return p;
}

/* The run's category and grade names, hashed: read_unit looks both up
 * for every results row, and a scan of each list made a run of 100,000
 * categories and 100,000 rows take 31 s.  Every name is added in order,
 * so an index is the first occurrence, as a scan from the start found. */
typedef struct run_names { kp_strset cat, grade; } run_names;

static void run_names_free(run_names *nm)
{
	kp_strset_free(&nm->cat);
	kp_strset_free(&nm->grade);
}

static int run_names_make(const kp_result *res, run_names *nm, kp_err *err)
{
	size_t k;

	for (k = 0; k < res->ncategories; k++)
		if (kp_strset_add(&nm->cat, res->categories[k].name) < 0)
			return kp_err_oom(err);
	for (k = 0; k < res->ngrades; k++)
		if (kp_strset_add(&nm->grade, res->grades[k]) < 0)
			return kp_err_oom(err);
	return 0;
}

static int name_index(const char *const *names, size_t n, const char *name)
{
	size_t i;

	for (i = 0; name && i < n; i++)
		if (!strcmp(names[i], name))
			return (int)i;
	return -1;
}

/* How many rows sql (one count(*), the run id bound) counts. */
static int run_count(kp_store *s, const char *table, const char *sql, long id, size_t *n, kp_err *err)
{
	rd r = {s, NULL, table, err, 0, NULL, NULL};
	int rc;

	*n = 0;
	if ((rc = store_prep(s, sql, &r.st, err)))
		return rc;
	sqlite3_bind_int64(r.st, 1, id);
	if (store_rd_step(&r) > 0)
		*n = (size_t)store_rd_int(&r, 0, 0, INT_MAX, 0, NULL);
	sqlite3_finalize(r.st);
	return r.rc;
}

/* Open a per-run query: its statement with the run id bound. */
static int run_query(kp_store *s, rd *r, const char *table, const char *sql, long id, kp_err *err)
{
	int rc;

	r->s = s, r->st = NULL, r->table = table, r->err = err, r->rc = 0;
	r->cells = NULL, r->names = NULL;
	if ((rc = store_prep(s, sql, &r->st, err)))
		return rc;
	sqlite3_bind_int64(r->st, 1, id);
	return 0;
}

static int too_many(rd *r)
{
	if (!r->rc)
		r->rc = kp_err_msg(r->err, KP_EDATA, KP_M_STORE_MORE_ROWS,
				   r->s->path, r->table);
	return r->rc;
}

static int load_sections(kp_store *s, long id, kp_result *res, kp_err *err)
{
	rd r;
	size_t n, k = 0;
	int rc;

	if ((rc = run_count(s, "run_sections", "SELECT count(*) FROM run_sections WHERE run_id = ?", id, &n, err)))
		return rc;
	res->sections = kp_result_alloc(res, (n + 1) * sizeof *res->sections, err);
	res->section_points = kp_result_alloc(res, (n + 1) * sizeof *res->section_points, err);
	if (!res->sections || !res->section_points)
		return KP_EINTERNAL;
	if ((rc = run_query(s, &r, "run_sections", "SELECT name, points FROM run_sections WHERE run_id = ? "
			    "ORDER BY position", id, err)))
		return rc;
	while (store_rd_step(&r) > 0 && (k < n || !too_many(&r))) {
		res->sections[k] = rd_str(&r, res, 0, 0);
		res->section_points[k++] = store_rd_real(&r, 1, 0);
	}
	sqlite3_finalize(r.st);
	res->nsections = k;
	return r.rc;
}

static int load_grades(kp_store *s, long id, kp_result *res, kp_err *err)
{
	rd r;
	size_t n, k = 0;
	int rc;

	if ((rc = run_count(s, "run_grades", "SELECT count(*) FROM run_grades WHERE run_id = ?", id, &n, err)))
		return rc;
	if (!(res->grades = kp_result_alloc(res, (n + 1) * sizeof *res->grades, err)))
		return KP_EINTERNAL;
	if ((rc = run_query(s, &r, "run_grades", "SELECT name FROM run_grades WHERE run_id = ? ORDER BY position", id,
			    err)))
		return rc;
	while (store_rd_step(&r) > 0 && (k < n || !too_many(&r)))
		res->grades[k++] = rd_str(&r, res, 0, 0);
	sqlite3_finalize(r.st);
	res->ngrades = k;
	return r.rc;
}

static int load_categories(kp_store *s, long id, kp_result *res, kp_err *err)
{
	rd r;
	size_t n, k = 0;
	int rc;

	if ((rc = run_count(s, "run_categories", "SELECT count(*) FROM run_categories WHERE run_id = ?", id, &n, err)))
		return rc;
	if (!(res->categories = calloc(n + 1, sizeof *res->categories)))
		return kp_err_oom(err);
	if ((rc = run_query(s, &r, "run_categories", "SELECT name, quota, commended, shortfall, boundary_ties, note "
			    "FROM run_categories WHERE run_id = ? ORDER BY position", id, err)))
		return rc;
	while (store_rd_step(&r) > 0 && (k < n || !too_many(&r))) {
		kp_category_result *c = &res->categories[k++];
		c->name = rd_str(&r, res, 0, 0);
		c->quota = (int)store_rd_int(&r, 1, 0, INT_MAX, 0, NULL);
		c->commended = (int)store_rd_int(&r, 2, 0, INT_MAX, 0, NULL);
		c->shortfall = (int)store_rd_int(&r, 3, 0, INT_MAX, 0, NULL);
		c->boundary_ties = (int)store_rd_int(&r, 4, 0, INT_MAX, 0, NULL);
		c->note = rd_str(&r, res, 5, 1);
	}
	sqlite3_finalize(r.st);
	res->ncategories = k;
	return r.rc;
}

/* One row of results into u. */
static void read_unit(rd *r, kp_result *res, const run_names *nm, kp_unit_result *u)
{
	const char *cat, *grade;
	kp_unit_more more = kp_unit_more_none;
	int isnull;

	memset(u, 0, sizeof *u);
	u->id = rd_str(r, res, 0, 0);
	u->name = rd_str(r, res, 1, 1);
	cat = store_rd_text(r, 2, 0);
	u->category = cat ? (int)kp_strset_index(&nm->cat, cat) : -1;
	u->rank = (int)store_rd_int(r, 3, 0, INT_MAX, 0, NULL);
	u->total = store_rd_real(r, 4, 0);
	u->raw = store_rd_real(r, 5, 0);
	/* the ranked score is the unrounded one rounded, as score wrote it: a
	 * total changed by another program is not printed as the run's */
	if (!r->rc && u->total != kp_num_round(u->raw, res->precision))
		store_rd_bad(r, 4, KP_MSG_STORE_RD_TOTAL_NOT_RAW);
	u->base = store_rd_real(r, 6, 0);
	u->deductions = store_rd_real(r, 7, 0);
	u->bonus = store_rd_real(r, 8, 0);
	grade = store_rd_text(r, 9, 1);
	u->grade = grade ? (int)kp_strset_index(&nm->grade, grade) : -1;
	if (grade && u->grade < 0)
		store_rd_bad(r, 9, KP_MSG_STORE_RD_NO_GRADE);
	u->veto = RD_FLAG(r, 10);
	more.veto_reason = rd_str(r, res, 11, 1);
	u->eligible = RD_FLAG(r, 12);
	u->elig_rank = (int)store_rd_int(r, 13, 0, INT_MAX, 0, NULL);
	u->commended = RD_FLAG(r, 14);
	u->boundary_tie = RD_FLAG(r, 15);
	u->quota_dropped = RD_FLAG(r, 16);
	more.tie_note = rd_str(r, res, 17, 1);
	/* last year's total without its rank: the unit was ranked in
	 * another category then; a rank without the total is not written */
	more.last_rank = (int)store_rd_int(r, 18, 0, INT_MAX, 1, &isnull);
	more.has_last_rank = !isnull;
	more.has_last = !store_rd_is_null(r, 19);
	more.last_total = store_rd_real(r, 19, 1);
	if (more.has_last_rank && !more.has_last)
		store_rd_bad(r, 19, KP_MSG_STORE_RD_NO_LAST_TOTAL);
	if (cat && u->category < 0)
		store_rd_bad(r, 2, KP_MSG_STORE_RD_NO_CATEGORY);
	if (!r->rc && (more.veto_reason || more.tie_note || more.has_last)) {
		if (!kp_result_more(res, u, r->err))
			r->rc = KP_EINTERNAL;
		else
			*u->more = more;
	}
}

/* The highest raw_total of the run (explain reads one unit). */
static int run_top(kp_store *s, long id, double *top, kp_err *err)
{
	rd r;

	int rc, isnull = 1, have;

	*top = 0;
	if ((rc = run_query(s, &r, "results", "SELECT max(raw_total) FROM results WHERE run_id = ?", id, err)))
		return rc;
	if (store_rd_step(&r) > 0 && !(isnull = store_rd_is_null(&r, 0)))
		*top = store_rd_real(&r, 0, 1);
	sqlite3_finalize(r.st);
	if (r.rc || !isnull || (rc = store_has_table(s, "result_blocks", &have, err)) || !have)
		return r.rc ? r.rc : rc;
	/* a run kept in blocks: its raw totals through SQLite's JSON */
	if ((rc = run_query(s, &r, "result_blocks", "SELECT max(json_extract(j.value, '$[5]')) FROM result_blocks b, "
			    "json_each(b.units) j WHERE b.run_id = ?", id, err)))
		return rc;
	if (store_rd_step(&r) > 0)
		*top = store_rd_real(&r, 0, 1);
	sqlite3_finalize(r.st);
	return r.rc;
}

/* Unit ui's total against its own parts, as score_unit makes it, no item
 * needed: its sections (after their own deductions) add up to at least
 * base - deductions (a section's deductions come out of its base, and
 * 扣完为止 keeps it at 0 or more), and to the base itself when nothing was
 * deducted (with deductions, a section of clamp = false indicators below
 * 0 before them counts below 0 in the base but as 0 itself, so the base
 * bounds them no longer; the items do, check_item_sums); the unrounded total is the
 * sections less the total's own deductions, at least 0, plus the bonus:
 * between max(0, base - deductions) + bonus and max(0, sections) + bonus,
 * or below at the rules' max_total, which the run does not record but
 * which caps every unit alike, so a unit below is at the run's highest
 * raw_total (top; from the database when *top is NaN).  Within the
 * rounding of each section at the run's precision (round = "items") and
 * a few ulps of the additions.  A total (with its raw_total) or a
 * section changed by another program reads as damage, not as the run's. */
static int check_parts(kp_store *s, long id, const kp_result *res, size_t ui, double *top, kp_err *err)
{
	const kp_unit_result *u = &res->units[ui];
	double sum = 0, lo, hi, tol, half = 0.5 * pow(10, -res->precision);
	char a[KP_NUM_MAX], b[KP_NUM_MAX], c[KP_NUM_MAX], d[KP_NUM_MAX], e[KP_NUM_MAX], f[KP_NUM_MAX];
	size_t k;
	int rc;

	for (k = 0; k < res->nsections; k++)
		sum += KP_SEC(res, ui, k);
	/* each term scaled before they are added: two parts near 1e308 (a
	 * score can hold them) must not add up to infinity here */
	tol = (double)res->nsections * half + 1e-9 * fabs(u->base) + 1e-9 * fabs(u->deductions) +
	      1e-9 * fabs(u->bonus) + 1e-9 * fabs(sum) + 1e-9;
	lo = u->base - u->deductions - tol, hi = u->deductions > 0 ? INFINITY : u->base + tol;
	/* sums past the range of a double are no run's (score refuses them) */
	if (!isfinite(tol) || !isfinite(lo) || !isfinite(sum) || (res->nsections && (sum < lo || sum > hi)))
		return kp_err_msg(err, KP_EDATA, KP_M_STORE_RD_SECTIONS_BASE, s->path, id, u->id,
				  kp_num_short(sum, a, sizeof a), kp_num_short(u->base, b, sizeof b),
				  kp_num_short(u->deductions, c, sizeof c));
	lo = fmax(0, u->base - u->deductions) + u->bonus - tol;
	hi = fmax(0, res->nsections ? sum : u->base) + u->bonus + tol;
	if (u->raw >= lo && u->raw <= hi && isfinite(lo) && isfinite(hi))
		return 0;
	if (isnan(*top) && (rc = run_top(s, id, top, err)))
		return rc;
	if (u->raw < lo && u->raw == *top) /* capped at max_total */
		return 0;
	return kp_err_msg(err, KP_EDATA, KP_M_STORE_RD_TOTAL_PARTS, s->path, id, u->id, kp_num_short(u->raw, a, sizeof a),
			  kp_num_short(u->base, b, sizeof b), kp_num_short(u->deductions, c, sizeof c),
			  kp_num_short(u->bonus, d, sizeof d), kp_num_short(lo + tol, e, sizeof e),
			  kp_num_short(hi - tol, f, sizeof f));
}

/* Each category's count of commended units is the number of its units
 * marked commended, as the ranking left them: a flag another program set
 * (a unit added to the notice) or cleared stops the reading. */
static int check_commended(kp_store *s, long id, const kp_result *res, kp_err *err)
{
	size_t c, k, n;

	for (c = 0; c < res->ncategories; c++) {
		const kp_category_result *cat = &res->categories[c];
		for (n = 0, k = cat->first; k < cat->first + cat->count; k++)
			n += res->units[k].commended;
		if (n != (size_t)cat->commended)
			return kp_err_msg(err, KP_EDATA, KP_M_STORE_RD_COMMENDED, s->path, id, cat->name, cat->commended, n);
	}
	return 0;
}

/* What a unit's row says against the ranking: the reason in why (a
 * message of the catalogue with its arguments), 65 naming the unit. */
static int ranking_bad(kp_store *s, long id, const kp_category_result *cat, const kp_unit_result *u, kp_err *err,
		       enum kp_msgid why, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, why);
	kp_msg_vformat(what, sizeof what, why, ap);
	va_end(ap);
	return kp_err_msg(err, KP_EDATA, KP_M_STORE_RD_RANKING, s->path, id, cat->name, u->id, what);
}

/* Unit u's rank against the unit p before it in its category (NULL for
 * the first; place is u's place in the category, from 1): 1, 2, 2, 4 in report order, a shared rank only
 * for the same total and then in unit id order, and no higher total after
 * a lower one (but a vetoed unit that veto_rank = "last" placed last). */
static int check_rank(kp_store *s, long id, int prec, const kp_category_result *cat, const kp_unit_result *u,
		      const kp_unit_result *p, size_t place, kp_err *err)
{
	char a[KP_NUM_MAX], b[KP_NUM_MAX];

	if (p && u->rank == p->rank) {
		if (u->total != p->total)
			return ranking_bad(s, id, cat, u, err, KP_MSG_STORE_RD_RANK_TIE, u->rank, p->id,
					   kp_num_fixed(u->total, prec, a, sizeof a), kp_num_fixed(p->total, prec, b, sizeof b));
		if (strcmp(p->id, u->id) >= 0)
			return ranking_bad(s, id, cat, u, err, KP_MSG_STORE_RD_RANK_ID, u->rank, p->id);
		return 0;
	}
	if ((size_t)u->rank != place)
		return ranking_bad(s, id, cat, u, err, KP_MSG_STORE_RD_RANK_PLACE, u->rank, place, p ? p->rank : 1);
	if (p && u->total > p->total && !(u->veto && !p->veto))
		return ranking_bad(s, id, cat, u, err, KP_MSG_STORE_RD_RANK_TOTAL, kp_num_fixed(u->total, prec, a, sizeof a),
				   kp_num_fixed(p->total, prec, b, sizeof b), p->id);
	return 0;
}

/* What a veto does to a unit (kp_rank_run): not eligible, so never
 * commended, and the lowest grade (none when the run has no grades); a
 * vetoed unit marked otherwise was changed by another program. */
static int check_veto(kp_store *s, long id, const kp_result *res, const kp_unit_result *u, kp_err *err)
{
	const kp_category_result *cat = &res->categories[u->category];
	int lowest = res->ngrades ? (int)res->ngrades - 1 : -1;

	if (!u->veto)
		return 0;
	if (u->eligible || u->commended)
		return ranking_bad(s, id, cat, u, err, KP_MSG_STORE_RD_VETO_FLAGS, u->eligible, u->commended);
	if (u->grade != lowest)
		return ranking_bad(s, id, cat, u, err, KP_MSG_STORE_RD_VETO_GRADE, u->grade >= 0 ? res->grades[u->grade] : "NULL",
				   lowest >= 0 ? res->grades[lowest] : "NULL");
	return 0;
}

/* The ranking as kp_rank_run leaves it, checked in report order within each
 * category: the ranks (check_rank); the rank among the eligible units
 * (n for the n-th, or that of the eligible unit before it when the two
 * share a rank: the order is transitive, kp_num_cmp compares rounded
 * values); the commended flag that rank and the quota give; the boundary
 * flag of the commended units of the last commended rank when the quota
 * was passed.  A rank or flag another program changed stops the reading
 * rather than print a ranking, or a notice, the run did not make. */
static int check_ranking(kp_store *s, long id, const kp_result *res, kp_err *err)
{
	size_t c, i;
	int rc;

	for (c = 0; c < res->ncategories; c++) {
		const kp_category_result *cat = &res->categories[c];
		const kp_unit_result *prev = NULL;
		int nel = 0, worst = 0;

		for (i = cat->first; i < cat->first + cat->count; i++) {
			const kp_unit_result *u = &res->units[i];
			int want;
			if ((rc = check_rank(s, id, res->precision, cat, u, i > cat->first ? u - 1 : NULL, i - cat->first + 1,
					     err)) || (rc = check_veto(s, id, res, u, err)))
				return rc;
			if (!u->eligible) {
				if (u->elig_rank)
					return ranking_bad(s, id, cat, u, err, KP_MSG_STORE_RD_ELIG_RANK, u->elig_rank, 0);
				if (u->commended)
					return ranking_bad(s, id, cat, u, err, KP_MSG_STORE_RD_COMMEND_FLAG, 1, 0, cat->quota, 0);
				continue;
			}
			nel++;
			want = prev && prev->rank == u->rank ? prev->elig_rank : nel;
			if (u->elig_rank != want)
				return ranking_bad(s, id, cat, u, err, KP_MSG_STORE_RD_ELIG_RANK, u->elig_rank, want);
			prev = u;
			want = cat->quota > 0 && u->elig_rank <= cat->quota;
			if (u->commended != want)
				return ranking_bad(s, id, cat, u, err, KP_MSG_STORE_RD_COMMEND_FLAG, u->commended, u->elig_rank,
						   cat->quota, want);
			if (want)
				worst = u->elig_rank;
		}
		for (i = cat->first; i < cat->first + cat->count; i++) {
			const kp_unit_result *u = &res->units[i];
			int want = u->commended && cat->commended > cat->quota && u->elig_rank == worst;
			if (u->boundary_tie != want)
				return ranking_bad(s, id, cat, u, err, KP_MSG_STORE_RD_BOUNDARY_FLAG, u->boundary_tie, want);
		}
	}
	return 0;
}

/* Room for n units of the run's sections, when the database holds them:
 * units × sections is a product of two counts another program can set,
 * 200,000 of each asked for 320 GB before a row was read.  sql counts
 * what the rows hold (the run id bound): in schema 2 the characters of
 * the results.sections arrays, at least 2 × sections + 1 each ("[0,0]");
 * in schema 1 the section_points rows, one per unit and section.  So the
 * room is at most a few times the size of the database. */
static int sections_room(kp_store *s, long id, const char *table, const char *sql, size_t n, size_t per,
			 size_t nsec, kp_err *err)
{
	rd r;
	sqlite3_int64 held = 0;
	int rc;

	if (!n || !nsec)
		return 0;
	if ((rc = run_query(s, &r, table, sql, id, err)))
		return rc;
	if (store_rd_step(&r) > 0)
		held = store_rd_int(&r, 0, 0, INT64_MAX, 1, NULL);
	sqlite3_finalize(r.st);
	if (r.rc)
		return r.rc;
	if ((sqlite3_uint64)held / (per * nsec + (per > 1)) < n)
		return kp_err_msg(err, KP_EDATA, KP_M_STORE_RD_SECTIONS_ROOM, s->path, id, n, nsec, table);
	return 0;
}

/* Room in res->sec for units rows of section points and one more, zeroed
 * (*cap rows there; a row of one double when there are no sections):
 * doubled as it fills; 0 or out of memory. */
static int sec_room(kp_result *res, size_t units, size_t *cap, kp_err *err)
{
	size_t was = *cap, row = (res->nsections ? res->nsections : 1) * sizeof *res->sec;
	double *p;

	if (res->sec && units < *cap)
		return 0;
	if (!(p = kp_grow(res->sec, cap, units + 1, row)))
		return kp_err_oom(err);
	memset((char *)p + was * row, 0, (*cap - was) * row);
	res->sec = p;
	return 0;
}

/* One unit's row (of results, or of a block) into res->units[k]: last
 * the category of the unit before it; in schema 2 (place given) its
 * section points and scored too. */
static void unit_row(rd *r, kp_result *res, const run_names *nm, size_t k, int *last, long long *place,
		     size_t *sec_cap)
{
	kp_unit_result *u = &res->units[k];

	read_unit(r, res, nm, u);
	if (!r->rc && u->category < *last) /* the slices below need report order */
		store_rd_bad(r, 2, KP_MSG_STORE_RD_ORDER);
	*last = u->category;
	if (!place)
		return;
	/* room for the section points grows with the rows read, each
	 * checked to hold one per section: counts the database states
	 * (units × sections: 320 GB from a 24 MB file) never size it */
	if (!r->rc && sec_room(res, k + 1, sec_cap, r->err))
		r->rc = KP_EINTERNAL;
	parse_sections(r, 20, res, k);
	place[k] = store_rd_int(r, 21, -1, INT64_MAX, 0, NULL);
	/* positions 1 to n: explain finds a unit's place by them */
	if (store_rd_int(r, 22, 1, INT64_MAX, 0, NULL) != (sqlite3_int64)k + 1 && !r->rc)
		store_rd_bad(r, 22, KP_MSG_STORE_RD_SKIPS_POSITION);
}

/* What every unit read makes checkable: the category slices, each
 * unit's total against its parts (in schema 2, place given), the
 * commended counts, the ranking. */
static int units_read(kp_store *s, long id, kp_result *res, const long long *place, kp_err *err)
{
	size_t k;
	double top = NAN;
	int rc;

	if (place && !res->sec && !(res->sec = calloc(1, sizeof *res->sec)))
		return kp_err_oom(err);
	for (k = 0; k < res->nunits; k++) { /* category slices */
		kp_category_result *c = &res->categories[res->units[k].category];
		if (!c->count)
			c->first = k;
		c->count++;
	}
	for (k = 0; place && k < res->nunits; k++) /* the highest raw_total, where a max_total caps */
		top = k ? fmax(top, res->units[k].raw) : res->units[k].raw;
	for (k = 0; place && k < res->nunits; k++)
		if ((rc = check_parts(s, id, res, k, &top, err)))
			return rc;
	if ((rc = check_commended(s, id, res, err)))
		return rc;
	return check_ranking(s, id, res, err);
}

/* The units of a run in report order, from sql (the run id bound; the
 * columns of read_unit, then in schema 2 sections, scored and position);
 * place[] receives scored when given, and then each unit's total is
 * checked against its sections and parts (check_parts). */
static int load_units(kp_store *s, long id, const run_names *nm, const char *table, const char *count_sql,
		      const char *sql, kp_result *res, long long **place, kp_err *err)
{
	rd r;
	size_t n, k = 0, sec_cap = 0;
	int rc, last = 0;

	if ((rc = run_count(s, table, count_sql, id, &n, err)))
		return rc;
	if (!(res->units = calloc(n + 1, sizeof *res->units)) || (place && !(*place = calloc(n + 1, sizeof **place))))
		return kp_err_oom(err);
	if ((rc = run_query(s, &r, table, sql, id, err)))
		return rc;
	while (store_rd_step(&r) > 0 && (k < n || !too_many(&r)))
		unit_row(&r, res, nm, k++, &last, place ? *place : NULL, &sec_cap);
	sqlite3_finalize(r.st);
	res->nunits = k;
	return r.rc ? r.rc : units_read(s, id, res, place ? *place : NULL, err);
}

/* A column of SQLite type want (TEXT or BLOB; NULL is neither), its bytes
 * in *len; of another type, bad as what says.  A block's text is checked
 * as it is parsed, cell by cell, not here. */
static const void *rd_bytes(rd *r, int col, int want, enum kp_msgid what, size_t *len)
{
	const void *p;

	*len = 0;
	if (r->rc)
		return NULL;
	if (sqlite3_column_type(r->st, col) != want) {
		store_rd_bad(r, col, what);
		return NULL;
	}
	p = want == SQLITE_BLOB ? sqlite3_column_blob(r->st, col) : (const void *)sqlite3_column_text(r->st, col);
	*len = (size_t)sqlite3_column_bytes(r->st, col);
	if (!p && *len == 0) /* an empty BLOB */
		return "";
	if (!p)
		r->rc = kp_err_oom(r->err);
	return p;
}

static const char *block_text(rd *r, int col, size_t *len)
{
	return rd_bytes(r, col, SQLITE_TEXT, KP_MSG_STORE_RD_NOT_BLOCK, len);
}

/* The block q's row holds (first, units) into b, its units' cells read
 * through row: 0, else q->rc. */
static int block_take(rd *q, store_block *b, sqlite3_int64 *first)
{
	size_t len;
	const char *t;
	int rc;

	*first = store_rd_int(q, 0, 1, INT64_MAX, 0, NULL);
	if (!(t = block_text(q, 1, &len)))
		return q->rc;
	if ((rc = store_block_parse(b, t, len, *first)) < 0)
		return q->rc = kp_err_oom(q->err);
	if (rc)
		return store_rd_bad(q, 1, KP_MSG_STORE_RD_NOT_BLOCK);
	return 0;
}

/* The units of a run kept in blocks (result_blocks), in report order:
 * as load_units reads results' rows. */
static int load_block_units(kp_store *s, long id, const run_names *nm, kp_result *res, long long **place, kp_err *err)
{
	rd q, r = {s, NULL, "result_blocks", err, 0, NULL, store_block_cols};
	store_block b;
	size_t k = 0, j, cap = 0, pcap = 0, sec_cap = 0;
	int rc, last = 0;

	memset(&b, 0, sizeof b);
	if ((rc = run_query(s, &q, "result_blocks", "SELECT first, units FROM result_blocks WHERE run_id = ? "
			    "ORDER BY first", id, err)))
		return rc;
	while (!r.rc && store_rd_step(&q) > 0) {
		sqlite3_int64 first;
		kp_unit_result *u;
		long long *p;
		if (block_take(&q, &b, &first))
			break;
		if (first != (sqlite3_int64)k + 1) { /* blocks follow one another */
			store_rd_bad(&q, 0, KP_MSG_STORE_RD_SKIPS_POSITION);
			break;
		}
		if ((u = kp_grow(res->units, &cap, k + b.n + 1, sizeof *u)))
			res->units = u;
		if (!u || !(p = kp_grow(*place, &pcap, k + b.n + 1, sizeof *p))) {
			q.rc = kp_err_oom(err);
			break;
		}
		*place = p;
		for (j = 0; j < b.n && !r.rc; j++) {
			r.cells = b.cells + j * STORE_BLOCK_COLS;
			unit_row(&r, res, nm, k++, &last, *place, &sec_cap);
		}
	}
	sqlite3_finalize(q.st);
	store_block_free(&b);
	res->nunits = k;
	if ((rc = q.rc ? q.rc : r.rc))
		return rc;
	if (!res->units && !(res->units = calloc(1, sizeof *res->units)))
		return kp_err_oom(err);
	if (!*place && !(*place = calloc(1, sizeof **place)))
		return kp_err_oom(err);
	return units_read(s, id, res, *place, err);
}

typedef struct id_pos { const char *id; size_t pos; } id_pos;
static int id_cmp(const void *a, const void *b)
{
	return strcmp(((const id_pos *)a)->id, ((const id_pos *)b)->id);
}

/* The unit a row names, by id (column col); NULL (and r->rc) when none. */
static kp_unit_result *row_unit(rd *r, kp_result *res, const id_pos *ix, int col, size_t *pos)
{
	id_pos key, *hit;

	if (!(key.id = store_rd_text(r, col, 0)))
		return NULL;
	if (!(hit = bsearch(&key, ix, res->nunits, sizeof *ix, id_cmp))) {
		store_rd_bad(r, col, KP_MSG_STORE_RD_NO_UNIT);
		return NULL;
	}
	if (pos)
		*pos = hit->pos;
	return &res->units[hit->pos];
}

static int load_section_points(kp_store *s, long id, kp_result *res, const id_pos *ix, const kp_strset *secs,
			       kp_err *err)
{
	rd r;
	size_t pos;
	int rc, k;

	if ((rc = run_query(s, &r, "section_points", "SELECT unit_id, section, points FROM section_points "
			    "WHERE run_id = ?", id, err)))
		return rc;
	while (store_rd_step(&r) > 0) {
		const char *sec;
		double v;
		if (!row_unit(&r, res, ix, 0, &pos) || !(sec = store_rd_text(&r, 1, 0)))
			break;
		v = store_rd_real(&r, 2, 0);
		if ((k = (int)kp_strset_index(secs, sec)) < 0)
			store_rd_bad(&r, 1, KP_MSG_STORE_RD_NO_SECTION);
		if (!r.rc)
			KP_SEC(res, pos, k) = v;
	}
	sqlite3_finalize(r.st);
	return r.rc;
}


/* Room for each unit's items (cap[pos]: how many its rows counted). */
static int alloc_items(kp_store *s, long id, kp_result *res, const id_pos *ix, unsigned *cap, kp_err *err)
{
	rd r;
	size_t pos;
	int rc;

	if ((rc = run_query(s, &r, "points", "SELECT unit_id, count(*) FROM points WHERE run_id = ? GROUP BY unit_id",
			    id, err)))
		return rc;
	while (store_rd_step(&r) > 0) {
		kp_unit_result *u = row_unit(&r, res, ix, 0, &pos);
		size_t cnt = (size_t)store_rd_int(&r, 1, 1, UINT_MAX, 0, NULL);
		kp_unit_more *m;
		if (r.rc)
			break;
		if (!(m = kp_result_more(res, u, err)) || !(m->items = kp_result_alloc(res, cnt * sizeof *m->items, err)))
			r.rc = KP_EINTERNAL;
		cap[pos] = (unsigned)cnt;
	}
	sqlite3_finalize(r.st);
	return r.rc;
}

static int load_items(kp_store *s, long id, kp_result *res, const id_pos *ix, const unsigned *cap,
		      const kp_strset *secs, kp_err *err)
{
	rd r;
	size_t pos;
	int rc;

	if ((rc = run_query(s, &r, "points", "SELECT unit_id, kind, section, item, points, max_points, note, skipped "
			    "FROM points WHERE run_id = ? ORDER BY unit_id, seq", id, err)))
		return rc;
	while (store_rd_step(&r) > 0) {
		kp_unit_result *u = row_unit(&r, res, ix, 0, &pos);
		const char *kind, *sec;
		kp_item *it;
		if (!u || (KP_MORE(u)->nitems >= cap[pos] && too_many(&r)))
			break;
		it = &u->more->items[u->more->nitems++]; /* cap[pos] > 0: alloc_items made it */
		kind = store_rd_text(&r, 1, 0);
		it->kind = name_index(store_item_kinds, STORE_NKINDS, kind);
		sec = store_rd_text(&r, 2, 1);
		it->section = sec ? (int)kp_strset_index(secs, sec) : -1;
		it->name = rd_str(&r, res, 3, 0);
		it->points = store_rd_real(&r, 4, 0);
		it->max = store_rd_real(&r, 5, 1);
		it->note = rd_str(&r, res, 6, 1);
		it->skipped = RD_FLAG(&r, 7);
		if (kind && it->kind < 0)
			store_rd_bad(&r, 1, KP_MSG_STORE_RD_ITEM_KIND);
		if (sec && it->section < 0)
			store_rd_bad(&r, 2, KP_MSG_STORE_RD_NO_SECTION);
	}
	sqlite3_finalize(r.st);
	return r.rc;
}

static int load_details_v1(kp_store *s, long id, kp_result *res, kp_err *err)
{
	id_pos *ix = malloc((res->nunits + 1) * sizeof *ix);
	unsigned *cap = calloc(res->nunits + 1, sizeof *cap);
	kp_strset secs = {0}; /* the sections hashed: a look-up per row */
	size_t i;
	int rc;

	if ((rc = sections_room(s, id, "section_points", "SELECT count(*) FROM section_points WHERE run_id = ?",
				res->nunits, 1, res->nsections, err)))
		goto out;
	res->sec = calloc(res->nunits * res->nsections + 1, sizeof *res->sec);
	if (!ix || !cap || !res->sec) {
		rc = kp_err_oom(err);
		goto out;
	}
	for (i = 0; i < res->nunits; i++)
		ix[i].id = res->units[i].id, ix[i].pos = i;
	qsort(ix, res->nunits, sizeof *ix, id_cmp);
	for (i = 0; i < res->nsections; i++)
		if (kp_strset_add(&secs, res->sections[i]) < 0) {
			rc = kp_err_oom(err);
			goto out;
		}
	if (!(rc = load_section_points(s, id, res, ix, &secs, err)) && !(rc = alloc_items(s, id, res, ix, cap, err)))
		rc = load_items(s, id, res, ix, cap, &secs, err);
out:
	kp_strset_free(&secs);
	free(ix);
	free(cap);
	return rc;
}

static int load_run_row(kp_store *s, long run_id, kp_result *res, kp_err *err)
{
	rd r;
	int rc, got;

	if ((rc = run_query(s, &r, "runs", "SELECT year, title, rules_file, rules_sha256, precision, last_year, scored_at "
			    "FROM runs WHERE id = ?", run_id, err)))
		return rc;
	if ((got = store_rd_step(&r)) > 0) {
		res->run_id = run_id;
		res->year = (int)store_rd_int(&r, 0, 0, 99999, 0, NULL);
		res->title = rd_str(&r, res, 1, 0);
		res->rules_file = rd_str(&r, res, 2, 0);
		res->rules_sha256 = rd_str(&r, res, 3, 0);
		res->precision = (int)store_rd_int(&r, 4, 0, 6, 0, NULL);
		res->last_year = (int)store_rd_int(&r, 5, 0, 99999, 1, NULL);
		res->scored_at = rd_str(&r, res, 6, 1);
	}
	sqlite3_finalize(r.st);
	if (got == 0)
		return kp_err_msg(err, KP_EDATA, KP_M_STORE_NO_SUCH_RUN, s->path, run_id);
	return r.rc;
}

void kp_store_last_free(kp_last *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++)
		free((char *)l->u[i].id), free((char *)l->u[i].grade), free((char *)l->u[i].category);
	for (i = 0; i < l->nsections; i++)
		free((char *)l->sections[i]);
	free(l->u), free(l->sections), free(l->sec);
	free(l);
}

static int last_cmp(const void *a, const void *b)
{
	return strcmp(((const kp_last_unit *)a)->id, ((const kp_last_unit *)b)->id);
}

/* Last year's units from a loaded run (copies: the run is freed). */
static int last_of(const kp_result *res, int year, kp_last **out, kp_err *err)
{
	kp_last *l = calloc(1, sizeof *l);
	size_t i, k;

	if (!l || !(l->u = calloc(res->nunits + 1, sizeof *l->u)) ||
	    !(l->sections = calloc(res->nsections + 1, sizeof *l->sections)) ||
	    !(l->sec = calloc(res->nunits * res->nsections + 1, sizeof *l->sec)))
		goto oom;
	l->year = year;
	for (k = 0; k < res->nsections; k++, l->nsections = k)
		if (!(l->sections[k] = strdup(res->sections[k])))
			goto oom;
	for (i = 0; i < res->nunits; i++) {
		const kp_unit_result *u = &res->units[i];
		l->u[i].id = strdup(u->id);
		l->u[i].grade = u->grade >= 0 ? strdup(res->grades[u->grade]) : NULL;
		l->u[i].category = strdup(res->categories[u->category].name);
		l->u[i].total = u->total;
		l->u[i].rank = u->rank;
		l->u[i].row = i;
		for (k = 0; k < res->nsections; k++)
			l->sec[i * res->nsections + k] = KP_SEC(res, i, k);
		l->n = i + 1;
		if (!l->u[i].id || !l->u[i].category || (u->grade >= 0 && !l->u[i].grade))
			goto oom;
	}
	qsort(l->u, l->n, sizeof *l->u, last_cmp);
	*out = l;
	return 0;
oom:
	kp_store_last_free(l);
	return kp_err_oom(err);
}

int kp_store_last(kp_store *s, int year, kp_last **out, kp_err *err)
{
	kp_result *res = NULL;
	long id;
	int rc;

	*out = NULL;
	if ((rc = newest_run(s, year, &id, err)) || id == 0)
		return rc;
	if ((rc = kp_store_load_run(s, id, 0, &res, err)))
		return rc;
	rc = last_of(res, year, out, err);
	kp_result_free(res);
	return rc;
}

/* The run's items (run_items), by position. */
typedef struct catalogue {
	kp_item *it;           /* kind, section, name, max of each */
	size_t n;
	const char **tpl;      /* run_notes by id (index id - 1), all of them or those asked */
	size_t ntpl;
	sqlite3_stmt *one_note;/* explain: a template by id */
} catalogue;

static int load_catalogue(kp_store *s, long id, kp_result *res, catalogue *c, kp_err *err)
{
	rd r;
	size_t n;
	int rc;

	memset(c, 0, sizeof *c);
	if ((rc = run_count(s, "run_items", "SELECT count(*) FROM run_items WHERE run_id = ?", id, &n, err)))
		return rc;
	if (!(c->it = calloc(n + 1, sizeof *c->it)))
		return kp_err_oom(err);
	if ((rc = run_query(s, &r, "run_items", "SELECT position, kind, section, name, max_points FROM run_items "
			    "WHERE run_id = ? ORDER BY position", id, err)))
		return rc;
	while (store_rd_step(&r) > 0 && (c->n < n || !too_many(&r))) {
		kp_item *it = &c->it[c->n];
		const char *kind;
		int isnull;
		if (store_rd_int(&r, 0, 1, INT_MAX, 0, NULL) != (sqlite3_int64)c->n + 1 && !r.rc)
			store_rd_bad(&r, 0, KP_MSG_STORE_RD_SKIPS_POSITION);
		kind = store_rd_text(&r, 1, 0);
		it->kind = name_index(store_item_kinds, STORE_NKINDS, kind);
		if (kind && it->kind < 0)
			store_rd_bad(&r, 1, KP_MSG_STORE_RD_ITEM_KIND);
		it->section = (int)store_rd_int(&r, 2, 1, (sqlite3_int64)res->nsections, 1, &isnull) - 1;
		if (isnull)
			it->section = -1;
		it->name = rd_str(&r, res, 3, 0);
		it->max = store_rd_real(&r, 4, 1);
		c->n++;
	}
	sqlite3_finalize(r.st);
	return r.rc;
}

static int load_templates(kp_store *s, long id, kp_result *res, catalogue *c, kp_err *err)
{
	rd r;
	size_t n;
	int rc;

	if ((rc = run_count(s, "run_notes", "SELECT count(*) FROM run_notes WHERE run_id = ?", id, &n, err)))
		return rc;
	if (!(c->tpl = calloc(n + 1, sizeof *c->tpl)))
		return kp_err_oom(err);
	if ((rc = run_query(s, &r, "run_notes", "SELECT id, template FROM run_notes WHERE run_id = ? ORDER BY id", id,
			    err)))
		return rc;
	while (store_rd_step(&r) > 0 && (c->ntpl < n || !too_many(&r))) {
		if (store_rd_int(&r, 0, 1, INT64_MAX, 0, NULL) != (sqlite3_int64)c->ntpl + 1 && !r.rc)
			store_rd_bad(&r, 0, KP_MSG_STORE_RD_SKIPS_ID);
		c->tpl[c->ntpl++] = rd_str(&r, res, 1, 0);
	}
	sqlite3_finalize(r.st);
	return r.rc;
}

/* Template id of the run: from the table read whole, or looked up. */
static const char *template_of(kp_store *s, long run, catalogue *c, kp_result *res, long long id, rd *r)
{
	rd q = {s, c->one_note, "run_notes", r->err, 0, NULL, NULL};
	const char *t = NULL;

	if (c->tpl)
		return id >= 1 && (size_t)id <= c->ntpl ? c->tpl[id - 1] : NULL;
	if (!c->one_note)
		return NULL;
	sqlite3_reset(c->one_note);
	sqlite3_bind_int64(c->one_note, 1, run);
	sqlite3_bind_int64(c->one_note, 2, id);
	if (store_rd_step(&q) > 0)
		t = rd_str(&q, res, 0, 0);
	if (q.rc)
		r->rc = q.rc;
	return t;
}

/* One item of unit_items: [item, points(, note, "values"(, skipped))]. */
static void parse_item(jp *j, kp_store *s, long run, catalogue *c, kp_result *res, kp_item *it, store_buf *note, rd *r)
{
	long long ref, tid = 0;
	const char *vals = NULL, *tpl;
	size_t nv = 0;

	jp_want(j, '[');
	ref = jp_int(j, 1, (long long)c->n);
	jp_want(j, ',');
	it->points = jp_num(j);
	if (jp_ch(j, ',')) {
		if (!strncmp(j->p, "null", 4))
			j->p += 4, tid = 0;
		else
			tid = jp_int(j, 1, INT64_MAX);
		jp_want(j, ',');
		vals = jp_vals(j, &nv);
		if (jp_ch(j, ','))
			it->skipped = (int)jp_int(j, 1, 1);
	}
	jp_want(j, ']');
	if (j->bad || r->rc)
		return;
	*it = (kp_item){c->it[ref - 1].kind, c->it[ref - 1].section, c->it[ref - 1].name, it->points,
			c->it[ref - 1].max, NULL, it->skipped};
	if (!tid)
		return;
	if (!(tpl = template_of(s, run, c, res, tid, r))) {
		j->bad = 1;
		return;
	}
	note->n = 0;
	store_buf_add(note, "", 0);
	if (store_tpl_render(note, tpl, vals, nv) || note->oom)
		j->bad = 1;
	if (!j->bad && !(it->note = kp_result_str(res, note->p, r->err)))
		r->rc = KP_EINTERNAL;
}

/* A unit's items from the text of unit_items. */
static void parse_items(rd *r, int col, kp_store *s, long run, catalogue *c, kp_result *res, kp_unit_result *u,
			store_buf *note)
{
	const char *t = store_rd_text(r, col, 0);
	jp j = {t, !t};
	size_t n = 0, k;
	kp_unit_more *m;

	if (r->rc)
		return;
	for (k = 0; t[k]; k++) /* items are arrays inside the array */
		n += t[k] == '[';
	n = n ? n - 1 : 0;
	if (!(m = kp_result_more(res, u, r->err)) || !(m->items = kp_result_alloc(res, (n + 1) * sizeof *m->items, r->err))) {
		r->rc = KP_EINTERNAL;
		return;
	}
	m->nitems = 0;
	jp_want(&j, '[');
	if (!jp_ch(&j, ']')) {
		do {
			if (m->nitems >= n) {
				j.bad = 1;
				break;
			}
			memset(&m->items[m->nitems], 0, sizeof *m->items);
			parse_item(&j, s, run, c, res, &m->items[m->nitems++], note, r);
		} while (!j.bad && !r->rc && jp_ch(&j, ','));
		jp_want(&j, ']');
	}
	if (!r->rc && (j.bad || *j.p))
		store_rd_bad(r, col, KP_MSG_STORE_RD_NOT_ITEMS);
}

/* Unit ui's section points as score_sections makes them from its items:
 * a section's indicators summed in order (a skipped one scores nothing),
 * scaled by full points / points scored when some were skipped (缺项折算),
 * or a base section's start (基础分); less the section's own deductions in
 * order, never below 0 (扣完为止).  The same operations in the same order
 * give the same double, so no tolerance: the section is that sum, or it
 * rounded at the run's precision when the rules round items (round =
 * "items", which the run does not record).  Items of another unit
 * (results.scored changed) or section points changed read as damage. */
static int check_item_sums(kp_store *s, long id, kp_result *res, size_t ui, kp_err *err)
{
	const kp_unit_result *u = &res->units[ui];
	const kp_item *items = KP_MORE(u)->items;
	size_t n = KP_MORE(u)->nitems, i, k;
	double full = 0, skipped = 0, f = 1, *ind, *start;
	unsigned char *base;
	int rc = 0;

	if (!res->nsections)
		return 0;
	/* one pass over the items per step, never one per section: a run of
	 * thousands of sections and items stays linear */
	ind = calloc(res->nsections, 2 * sizeof *ind + 1);
	if (!ind)
		return kp_err_oom(err);
	start = ind + res->nsections;
	base = (unsigned char *)(start + res->nsections);
	for (i = 0; i < n; i++)
		if (items[i].kind == KP_ITEM_INDICATOR) {
			full += items[i].max;
			if (items[i].skipped)
				skipped += items[i].max;
		}
	if (skipped > 0 && full > skipped)
		f = full / (full - skipped);
	for (i = 0; i < n; i++) {
		const kp_item *it = &items[i];
		if (it->section < 0 || (size_t)it->section >= res->nsections)
			continue;
		k = (size_t)it->section;
		if (it->kind == KP_ITEM_INDICATOR && !it->skipped)
			ind[k] += it->points;
		else if (it->kind == KP_ITEM_NOTE && !strcmp(it->name, KP_ITEM_BASE_NAME))
			base[k] = 1, start[k] = it->points;
	}
	for (k = 0; k < res->nsections; k++) /* the sum before deductions, in ind */
		ind[k] = base[k] ? start[k] : ind[k] * f;
	for (i = 0; i < n; i++) /* deductions in item order, as score_sections takes them */
		if (items[i].kind == KP_ITEM_SECTION_DED && items[i].section >= 0 &&
		    (size_t)items[i].section < res->nsections)
			ind[items[i].section] -= items[i].points;
	for (k = 0; k < res->nsections && !rc; k++) {
		double sum = ind[k] < 0 ? 0 : ind[k], got = KP_SEC(res, ui, k);
		char a[KP_NUM_MAX], b[KP_NUM_MAX];
		if (got != sum && got != kp_num_round(sum, res->precision))
			rc = kp_err_msg(err, KP_EDATA, KP_M_STORE_RD_ITEM_SUM, s->path, id, u->id, res->sections[k],
					kp_num_short(sum, a, sizeof a), kp_num_short(got, b, sizeof b));
	}
	free(ind);
	return rc;
}

static void catalogue_free(catalogue *c)
{
	sqlite3_finalize(c->one_note);
	free(c->it);
	free(c->tpl);
}

typedef struct sc_pos { long long scored; size_t pos; int got; } sc_pos;
static int sc_cmp(const void *a, const void *b)
{
	long long x = ((const sc_pos *)a)->scored, y = ((const sc_pos *)b)->scored;

	return x < y ? -1 : x > y;
}

/* Every unit's items (schema 2), matched to its results row by scored. */
static int load_details_v2(kp_store *s, long id, kp_result *res, const long long *place, kp_err *err)
{
	sc_pos *ix = malloc((res->nunits + 1) * sizeof *ix), key, *hit;
	catalogue c;
	store_buf note = {0};
	rd r = {s, NULL, "unit_items", err, 0, NULL, NULL};
	size_t i;
	int rc;

	memset(&c, 0, sizeof c);
	if (!ix) {
		rc = kp_err_oom(err);
		goto out;
	}
	for (i = 0; i < res->nunits; i++)
		ix[i].scored = place[i], ix[i].pos = i, ix[i].got = 0;
	qsort(ix, res->nunits, sizeof *ix, sc_cmp);
	if ((rc = load_catalogue(s, id, res, &c, err)) || (rc = load_templates(s, id, res, &c, err)) ||
	    (rc = run_query(s, &r, "unit_items", "SELECT scored, items FROM unit_items WHERE run_id = ?", id, err)))
		goto out;
	while (store_rd_step(&r) > 0) {
		key.scored = store_rd_int(&r, 0, 0, INT64_MAX, 0, NULL);
		if (r.rc)
			break;
		if (!(hit = bsearch(&key, ix, res->nunits, sizeof *ix, sc_cmp)) || hit->got) {
			store_rd_bad(&r, 0, KP_MSG_STORE_RD_UNIT_TWICE);
			break;
		}
		hit->got = 1;
		parse_items(&r, 1, s, id, &c, res, &res->units[hit->pos], &note);
		if (!r.rc)
			r.rc = check_item_sums(s, id, res, hit->pos, err);
	}
	for (i = 0; !r.rc && i < res->nunits; i++) /* every unit scored has its row */
		if (ix[i].scored >= 0 && !ix[i].got)
			r.rc = kp_err_msg(err, KP_EDATA, KP_M_STORE_RD_NO_ITEMS, s->path, res->units[ix[i].pos].id, id);
	rc = r.rc;
out:
	sqlite3_finalize(r.st);
	catalogue_free(&c);
	free(note.p);
	free(ix);
	return rc;
}

/* ---- runs whose items are derived again (store.h) ---- */

void kp_store_derived_free(kp_store_derived *d)
{
	if (!d)
		return;
	free(d->rules_text), free(d->kaoping);
	kp_score_stats_free(&d->stats);
	free(d);
}

/* A BLOB column (not NULL); *len its bytes. */
static const void *rd_blob(rd *r, int col, size_t *len)
{
	return rd_bytes(r, col, SQLITE_BLOB, KP_MSG_STORE_RD_NOT_BLOB, len);
}

/* The statistics of their BLOB: 8 bytes each, little-endian. */
static int stats_of_blob(rd *r, const unsigned char *b, size_t len, kp_score_stats *st)
{
	size_t i, k;

	if (len % 8)
		return store_rd_bad(r, 2, KP_MSG_STORE_RD_NOT_STATS);
	st->n = len / 8;
	if (!(st->v = malloc(st->n * sizeof *st->v + 1)))
		return r->rc = kp_err_oom(r->err);
	for (i = 0; i < st->n; i++) {
		uint64_t u = 0;
		for (k = 0; k < 8; k++)
			u |= (uint64_t)b[i * 8 + k] << (8 * k);
		memcpy(&st->v[i], &u, 8);
	}
	return 0;
}

int kp_store_derived_get(kp_store *s, long run_id, kp_store_derived **out, kp_err *err)
{
	kp_store_derived *d = NULL;
	rd r;
	int rc, have;

	*out = NULL;
	if ((rc = store_has_table(s, "run_derived", &have, err)) || !have)
		return rc;
	if ((rc = run_query(s, &r, "run_derived", "SELECT import_id, rules_text, stats, kaoping FROM run_derived "
			    "WHERE run_id = ?", run_id, err)))
		return rc;
	if (store_rd_step(&r) > 0) {
		size_t tlen = 0, slen = 0;
		long imp = (long)store_rd_int(&r, 0, 1, LONG_MAX, 0, NULL);
		const char *text = rd_blob(&r, 1, &tlen);
		const unsigned char *stats = rd_blob(&r, 2, &slen);
		const char *ver = store_rd_text(&r, 3, 0);
		if (!r.rc && (!(d = calloc(1, sizeof *d)) || !(d->rules_text = malloc(tlen + 1)) ||
			      !(d->kaoping = strdup(ver))))
			r.rc = kp_err_oom(err);
		if (!r.rc) {
			d->run_id = run_id, d->import_id = imp;
			memcpy(d->rules_text, text, tlen);
			d->rules_text[d->rules_len = tlen] = '\0';
			stats_of_blob(&r, stats, slen, &d->stats);
		}
	}
	sqlite3_finalize(r.st);
	if ((rc = r.rc)) {
		kp_store_derived_free(d);
		return rc;
	}
	*out = d;
	return 0;
}

/* 1 when the run's items are derived again: none stored (its row of
 * run_derived is read, text and all, only by kp_store_derived_get). */
static int run_derived(kp_store *s, long run_id, int *yes, kp_err *err)
{
	rd r;
	int rc, have;

	*yes = 0;
	if ((rc = store_has_table(s, "run_derived", &have, err)) || !have ||
	    (rc = run_query(s, &r, "run_derived", "SELECT count(*) FROM run_derived WHERE run_id = ?", run_id, err)))
		return rc;
	if (store_rd_step(&r) > 0)
		*yes = store_rd_int(&r, 0, 0, INT64_MAX, 0, NULL) > 0;
	sqlite3_finalize(r.st);
	return r.rc;
}

#define V2_UNIT_COLS "unit_id, name, category, rank, total, raw_total, base, deductions, bonus, grade, veto, " \
	"veto_reason, eligible, elig_rank, commended, boundary_tie, quota_dropped, tie_note, last_rank, last_total, " \
	"sections, scored, position"

/* ---- one unit at a time: a row of results, or a unit of a block ---- */

/* Whether the run keeps its units in result_blocks (a run that has rows
 * in results too is damage). */
static int run_blocks(kp_store *s, long run_id, int *blocks, kp_err *err)
{
	rd r;
	int rc, have, rows = 0;

	*blocks = 0;
	if ((rc = store_has_table(s, "result_blocks", &have, err)) || !have ||
	    (rc = run_query(s, &r, "result_blocks", "SELECT EXISTS(SELECT 1 FROM result_blocks WHERE run_id = ?1), "
			    "EXISTS(SELECT 1 FROM results WHERE run_id = ?1)", run_id, err)))
		return rc;
	if (store_rd_step(&r) > 0)
		*blocks = RD_FLAG(&r, 0), rows = RD_FLAG(&r, 1);
	sqlite3_finalize(r.st);
	if (!r.rc && *blocks && rows)
		r.rc = kp_err_msg(err, KP_EDATA, KP_M_STORE_RD_TWO_LAYOUTS, s->path, run_id);
	return r.rc;
}

/* The units of a run by position: its results rows (q, one at a time) or
 * its blocks (q finds the block, kept in b until a position past it). */
typedef struct unit_src {
	long run_id;
	int blocks;
	rd q;
	store_block b;
	sqlite3_int64 first;
	rd row; /* a unit of b as a row */
	rd *last; /* the row src_at gave last */
} unit_src;

static int src_open(unit_src *u, kp_store *s, long run_id, int blocks, kp_err *err)
{
	memset(u, 0, sizeof *u);
	u->run_id = run_id, u->blocks = blocks;
	u->row.s = s, u->row.table = "result_blocks", u->row.err = err, u->row.names = store_block_cols;
	u->last = blocks ? &u->row : &u->q;
	return run_query(s, &u->q, blocks ? "result_blocks" : "results",
			 blocks ? "SELECT first, units FROM result_blocks WHERE run_id = ?1 AND first <= ?2 "
				  "ORDER BY first DESC LIMIT 1"
				: "SELECT " V2_UNIT_COLS " FROM results WHERE run_id = ? AND position = ?",
			 run_id, err);
}

static int src_rc(const unit_src *u)
{
	return u->q.rc ? u->q.rc : u->row.rc;
}

static void src_close(unit_src *u)
{
	sqlite3_finalize(u->q.st);
	store_block_free(&u->b);
}

/* The row of the unit at position pos; NULL on an error (src_rc): a
 * position the run skips is damage. */
static rd *src_at(unit_src *u, sqlite3_int64 pos)
{
	if (src_rc(u))
		return NULL;
	if (!u->blocks || !u->b.n || pos < u->first || pos - u->first >= (sqlite3_int64)u->b.n) {
		sqlite3_reset(u->q.st);
		sqlite3_bind_int64(u->q.st, 1, u->run_id);
		sqlite3_bind_int64(u->q.st, 2, pos);
		if (store_rd_step(&u->q) <= 0) {
			if (!u->q.rc)
				store_rd_bad(&u->q, u->blocks ? 0 : 22, KP_MSG_STORE_RD_SKIPS_POSITION);
			return NULL;
		}
		if (!u->blocks)
			return &u->q;
		u->b.n = 0;
		if (block_take(&u->q, &u->b, &u->first))
			return NULL;
		if (pos - u->first >= (sqlite3_int64)u->b.n) {
			u->b.n = 0;
			store_rd_bad(&u->q, 0, KP_MSG_STORE_RD_SKIPS_POSITION);
			return NULL;
		}
	}
	u->row.cells = u->b.cells + (size_t)(pos - u->first) * STORE_BLOCK_COLS;
	return &u->row;
}

/* The position of a unit of a run kept in blocks, by id (its bucket of
 * result_ids, *by_id set), else by name (every block): 0 when none. */
static int find_block_unit(kp_store *s, long run_id, const char *unit, sqlite3_int64 *pos, int *by_id, kp_err *err)
{
	rd r, row = {s, NULL, "result_blocks", err, 0, NULL, store_block_cols};
	store_ids x;
	store_block b;
	sqlite3_int64 n = 0, first;
	char *name_id = NULL;
	size_t k, len;
	const char *t;
	int rc;

	memset(&x, 0, sizeof x), memset(&b, 0, sizeof b);
	if ((rc = run_query(s, &r, "runs", "SELECT units FROM runs WHERE id = ?", run_id, err)))
		return rc;
	if (store_rd_step(&r) > 0)
		n = store_rd_int(&r, 0, 0, INT64_MAX, 1, NULL);
	sqlite3_finalize(r.st);
	if (r.rc || (rc = run_query(s, &r, "result_ids", "SELECT ids FROM result_ids WHERE run_id = ? AND bucket = ?",
				    run_id, err)))
		return r.rc ? r.rc : rc;
	sqlite3_bind_int64(r.st, 2, (sqlite3_int64)store_block_bucket(unit, store_block_nbuckets((size_t)n)));
	if (store_rd_step(&r) > 0 && (t = block_text(&r, 0, &len)) && (rc = store_ids_parse(&x, t, len)))
		r.rc = rc < 0 ? kp_err_oom(err) : store_rd_bad(&r, 0, KP_MSG_STORE_RD_NOT_IDS);
	for (k = 0; k < x.n && !r.rc; k++)
		if (!strcmp(x.cells[2 * k].t, unit)) {
			if (*pos)
				r.rc = kp_err_msg(err, KP_EDATA, KP_M_STORE_RD_UNIT_ID_TWICE, s->path, run_id, unit);
			*pos = x.cells[2 * k + 1].i, *by_id = 1;
		}
	sqlite3_finalize(r.st);
	store_block_free(&x);
	if (r.rc || *pos || (rc = run_query(s, &r, "result_blocks", "SELECT first, units FROM result_blocks "
					    "WHERE run_id = ? ORDER BY first", run_id, err)))
		return r.rc ? r.rc : rc;
	while (!r.rc && !row.rc && store_rd_step(&r) > 0 && !block_take(&r, &b, &first))
		for (k = 0; k < b.n && !row.rc; k++) {
			const char *id, *name;
			row.cells = b.cells + k * STORE_BLOCK_COLS;
			id = store_rd_text(&row, 0, 0), name = store_rd_text(&row, 1, 1);
			if (id && !strcmp(id, unit)) /* an id its bucket does not list */
				row.rc = kp_err_msg(err, KP_EDATA, KP_M_STORE_RD_BAD, s->path, "result_ids", "ids",
						    kp_msg_fmt(KP_MSG_STORE_RD_IDS_LACK));
			else if (name && !strcmp(name, unit) && name_id)
				row.rc = kp_err_msg(err, KP_EDATA, KP_M_STORE_RUN_UNIT_NAME_TWICE, s->path, run_id, unit,
						    name_id, id);
			else if (name && !strcmp(name, unit) && !(name_id = strdup(id)))
				row.rc = kp_err_oom(err);
			else if (name && !strcmp(name, unit))
				*pos = first + (sqlite3_int64)k;
		}
	sqlite3_finalize(r.st);
	store_block_free(&b);
	free(name_id);
	return r.rc ? r.rc : row.rc;
}

/* The run's row, sections, grades and categories, the names hashed in
 * nm (the caller's to free, also on an error). */
static int load_head(kp_store *s, long *run_id, kp_result *res, run_names *nm, kp_err *err)
{
	int rc = 0;

	if (*run_id == 0 && !(rc = newest_run(s, 0, run_id, err)) && *run_id == 0)
		rc = kp_err_msg(err, KP_EDATA, KP_M_STORE_NO_RUN_YET, s->path);
	if (!rc && !(rc = load_run_row(s, *run_id, res, err)) && !(rc = load_sections(s, *run_id, res, err)) &&
	    !(rc = load_grades(s, *run_id, res, err)) && !(rc = load_categories(s, *run_id, res, err)))
		rc = run_names_make(res, nm, err);
	return rc;
}

/* One results row per unit, as many as the run counted (runs.units):
 * results_unit keeps unit ids distinct only while no other program makes
 * it non-unique, and SQLite's integrity checks do not see that.  The ids
 * go into a hash table of unit indexes (a sort of a million ids would
 * cost report a tenth of its time). */
static int check_units(kp_store *s, long id, const kp_result *res, kp_err *err)
{
	size_t i, cap = 16, mask;
	unsigned *tab;
	sqlite3_int64 n = 0;
	int isnull = 1, rc;
	rd r;

	if ((rc = run_query(s, &r, "runs", "SELECT units FROM runs WHERE id = ?", id, err)))
		return rc;
	if (store_rd_step(&r) > 0)
		n = store_rd_int(&r, 0, 0, INT64_MAX, 1, &isnull);
	sqlite3_finalize(r.st);
	if (r.rc)
		return r.rc;
	if (!isnull && (sqlite3_uint64)n != res->nunits)
		return kp_err_msg(err, KP_EDATA, KP_M_STORE_RD_UNITS_COUNT, s->path, id, (long long)n, res->nunits);
	while (cap < 2 * res->nunits)
		cap *= 2;
	mask = cap - 1;
	if (!(tab = calloc(cap, sizeof *tab))) /* unit index + 1, 0 for free */
		return kp_err_oom(err);
	for (i = 0; i < res->nunits; i++) {
		size_t k;
		for (k = (size_t)kp_hash_str(res->units[i].id) & mask; tab[k]; k = (k + 1) & mask)
			if (!strcmp(res->units[tab[k] - 1].id, res->units[i].id)) {
				rc = kp_err_msg(err, KP_EDATA, KP_M_STORE_RD_UNIT_ID_TWICE, s->path, id, res->units[i].id);
				goto out;
			}
		tab[k] = (unsigned)i + 1;
	}
out:
	free(tab);
	return rc;
}

int kp_store_load_run(kp_store *s, long run_id, size_t details_upto, kp_result **out, kp_err *err)
{
	kp_result *res = NULL;
	long long *place = NULL;
	run_names nm = {{0}, {0}};
	int rc, own, derived = 0, blocks = 0;

	*out = NULL;
	if ((rc = kp_result_new(&res, err)))
		return rc;
	/* one read transaction: one consistent view of the run (inside the
	 * transaction a writer holds open, that one: an upgrade from schema 1
	 * is committed with the command's work, see upgrade_v1) */
	if ((own = sqlite3_get_autocommit(s->db)) && (rc = store_exec(s, "BEGIN", err)))
		goto out;
	if (!(rc = load_head(s, &run_id, res, &nm, err)) && !(rc = run_blocks(s, run_id, &blocks, err)) &&
	    !(rc = blocks ? load_block_units(s, run_id, &nm, res, &place, err)
			  : load_units(s, run_id, &nm, "results", "SELECT count(*) FROM results WHERE run_id = ?",
				       "SELECT " V2_UNIT_COLS " FROM results WHERE run_id = ? ORDER BY position", res,
				       &place, err)) &&
	    !(rc = check_units(s, run_id, res, err)) && res->nunits <= details_upto &&
	    !(rc = run_derived(s, run_id, &derived, err))) {
		size_t i;
		if (!derived)
			rc = load_details_v2(s, run_id, res, place, err);
		for (i = 0; derived && i < res->nunits && !rc; i++) /* the row each came from: kp_derive_run */
			if (place[i] < 0 || (unsigned long long)place[i] >= res->nunits)
				rc = kp_err_msg(err, KP_EDATA, KP_M_STORE_RD_DERIVED_PLACE, s->path, res->units[i].id, run_id);
			else
				res->units[i].scored = (unsigned)place[i];
	}
	if (own)
		sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
out:
	free(place);
	run_names_free(&nm);
	if (rc) {
		kp_result_free(res);
		return rc;
	}
	*out = res;
	return 0;
}

/* The results row of one unit, by id (the index), else by name: its
 * position, 0 when none.  A name two units share picks neither (explain
 * showed the first in report order as if it were the only one). */
static int find_unit(kp_store *s, long run_id, const char *unit, sqlite3_int64 *pos, kp_err *err)
{
	/* the id as a range: on "unit_id = ?" SQLite trusts results_unit to
	 * be unique and stops at one row, so a second one would go unseen */
	static const char *const sql[] = {
		"SELECT position, unit_id FROM results WHERE run_id = ?1 AND unit_id >= ?2 AND unit_id <= ?2",
		"SELECT position, unit_id FROM results WHERE run_id = ? AND name = ? ORDER BY position LIMIT 2",
	};
	size_t k;
	int rc;

	*pos = 0;
	for (k = 0; k < 2 && !*pos; k++) {
		rd r;
		char *first = NULL;
		const char *id;
		if ((rc = run_query(s, &r, "results", sql[k], run_id, err)))
			return rc;
		sqlite3_bind_text(r.st, 2, unit, -1, SQLITE_STATIC);
		if (store_rd_step(&r) > 0) {
			*pos = store_rd_int(&r, 0, 1, INT64_MAX, 0, NULL);
			if (k == 1 && (id = store_rd_text(&r, 1, 0)) && !(first = strdup(id)) && !r.rc)
				r.rc = kp_err_oom(err);
		}
		if (k == 0 && *pos && store_rd_step(&r) > 0 && !r.rc)
			r.rc = kp_err_msg(err, KP_EDATA, KP_M_STORE_RD_UNIT_ID_TWICE, s->path, run_id, unit);
		if (k == 1 && first && store_rd_step(&r) > 0 && (id = store_rd_text(&r, 1, 0)) && !r.rc)
			r.rc = kp_err_msg(err, KP_EDATA, KP_M_STORE_RUN_UNIT_NAME_TWICE, s->path, run_id, unit, first, id);
		free(first);
		sqlite3_finalize(r.st);
		if (r.rc)
			return r.rc;
	}
	return 0;
}

/* The unit at position pos into u (a position the run skips is damage). */
static int unit_at(unit_src *src, sqlite3_int64 pos, kp_result *res, const run_names *nm, kp_unit_result *u)
{
	rd *row = src_at(src, pos);

	if (row)
		read_unit(row, res, nm, u);
	return src_rc(src);
}

/* explain's unit (at position pos) against what check_ranking verifies
 * that one unit shows without the whole run, in a few indexed reads: its
 * rank against its place in its category (whose first position is found
 * by bisection: categories come in report order) and against the unit
 * before it (check_rank); its rank among the eligible units within what
 * its rank and that unit allow; its commended flag against the quota of
 * run_categories, its boundary flag against the category's count. */
static int check_one(kp_store *s, long id, int blocks, kp_result *res, const run_names *nm, sqlite3_int64 pos,
		     kp_err *err)
{
	const kp_unit_result *u = &res->units[0], *p = NULL;
	const kp_category_result *cat = &res->categories[u->category];
	kp_unit_result prev;
	sqlite3_int64 lo = 1, hi = pos;
	int rc, want, min, max;
	unit_src src;

	if ((rc = src_open(&src, s, id, blocks, err)))
		return rc;
	while (lo < hi) { /* the first position of u's category */
		sqlite3_int64 mid = lo + (hi - lo) / 2;
		if (unit_at(&src, mid, res, nm, &prev))
			break;
		if (prev.category >= u->category)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (!src_rc(&src) && lo < pos && !unit_at(&src, pos - 1, res, nm, &prev)) {
		p = &prev;
		if (prev.category != u->category)
			store_rd_bad(src.last, 2, KP_MSG_STORE_RD_ORDER);
	}
	rc = src_rc(&src);
	src_close(&src);
	if (rc)
		return rc;
	if ((rc = check_rank(s, id, res->precision, cat, u, p, (size_t)(pos - lo + 1), err)))
		return rc;
	if (!u->eligible) {
		if (u->elig_rank)
			return ranking_bad(s, id, cat, u, err, KP_MSG_STORE_RD_ELIG_RANK, u->elig_rank, 0);
		if (u->commended)
			return ranking_bad(s, id, cat, u, err, KP_MSG_STORE_RD_COMMEND_FLAG, 1, 0, cat->quota, 0);
	} else {
		/* the n-th eligible unit, n at most its rank; after an eligible
		 * unit, its rank among them if the two share a rank, else above */
		min = 1, max = u->rank;
		if (p && p->eligible && p->rank == u->rank)
			min = max = p->elig_rank;
		else if (p && p->eligible)
			min = p->elig_rank + 1;
		if (u->elig_rank < min || u->elig_rank > max)
			return ranking_bad(s, id, cat, u, err, KP_MSG_STORE_RD_ELIG_RANGE, u->elig_rank, u->rank, min, max);
		want = cat->quota > 0 && u->elig_rank <= cat->quota;
		if (u->commended != want)
			return ranking_bad(s, id, cat, u, err, KP_MSG_STORE_RD_COMMEND_FLAG, u->commended, u->elig_rank,
					   cat->quota, want);
	}
	if (u->boundary_tie && !(u->commended && cat->commended > cat->quota))
		return ranking_bad(s, id, cat, u, err, KP_MSG_STORE_RD_BOUNDARY_FLAG, 1, 0);
	return 0;
}

/* Unit pos's results row and items into res (one unit). */
static int load_one(kp_store *s, long run_id, int blocks, const run_names *nm, sqlite3_int64 pos, kp_result *res,
		    kp_err *err)
{
	rd r, *row;
	unit_src src;
	catalogue c;
	store_buf note = {0};
	long long place = -1;
	double top = NAN;
	int rc, derived = 0;

	memset(&c, 0, sizeof c);
	if (!(res->units = calloc(1, sizeof *res->units)) || !(res->sec = calloc(res->nsections + 1, sizeof *res->sec)))
		return kp_err_oom(err);
	if ((rc = src_open(&src, s, run_id, blocks, err)))
		return rc;
	if ((row = src_at(&src, pos))) {
		read_unit(row, res, nm, &res->units[0]);
		parse_sections(row, 20, res, 0);
		place = store_rd_int(row, 21, -1, INT64_MAX, 0, NULL);
		res->nunits = 1;
	}
	rc = src_rc(&src);
	src_close(&src);
	if (rc || (res->nunits && ((rc = check_parts(s, run_id, res, 0, &top, err)) ||
				   (rc = check_veto(s, run_id, res, &res->units[0], err)) ||
				   (rc = check_one(s, run_id, blocks, res, nm, pos, err)))) ||
	    (rc = run_derived(s, run_id, &derived, err)) || (place < 0 && !derived))
		goto out;
	if (derived) { /* no items: kp_derive_unit scores its row again */
		if (place < 0 || (unsigned long long)place > UINT_MAX)
			rc = kp_err_msg(err, KP_EDATA, KP_M_STORE_RD_DERIVED_PLACE, s->path, res->units[0].id, run_id);
		else
			res->units[0].scored = (unsigned)place;
		goto out;
	}
	if ((rc = load_catalogue(s, run_id, res, &c, err)) ||
	    (rc = store_prep(s, "SELECT template FROM run_notes WHERE run_id = ? AND id = ?", &c.one_note, err)) ||
	    (rc = run_query(s, &r, "unit_items", "SELECT items FROM unit_items WHERE run_id = ? AND scored = ?", run_id,
			    err)))
		goto out;
	sqlite3_bind_int64(r.st, 2, place);
	if (store_rd_step(&r) > 0) {
		parse_items(&r, 0, s, run_id, &c, res, &res->units[0], &note);
		if (!r.rc)
			r.rc = check_item_sums(s, run_id, res, 0, err);
	} else if (!r.rc)
		r.rc = kp_err_msg(err, KP_EDATA, KP_M_STORE_RD_NO_ITEMS, s->path, res->units[0].id, run_id);
	sqlite3_finalize(r.st);
	rc = r.rc;
out:
	catalogue_free(&c);
	free(note.p);
	if (!rc && res->nunits) {
		res->categories[res->units[0].category].first = 0;
		res->categories[res->units[0].category].count = 1;
	}
	return rc;
}

int kp_store_load_unit(kp_store *s, long run_id, const char *unit, kp_result **out, kp_err *err)
{
	kp_result *res = NULL;
	sqlite3_int64 pos = 0;
	run_names nm = {{0}, {0}};
	int rc, own, blocks = 0, by_id = 0;

	*out = NULL;
	if ((rc = kp_result_new(&res, err)))
		return rc;
	if ((own = sqlite3_get_autocommit(s->db)) && (rc = store_exec(s, "BEGIN", err)))
		goto out;
	if (!(rc = load_head(s, &run_id, res, &nm, err)) && !(rc = run_blocks(s, run_id, &blocks, err)) &&
	    !(rc = blocks ? find_block_unit(s, run_id, unit, &pos, &by_id, err) : find_unit(s, run_id, unit, &pos, err)) &&
	    pos && !(rc = load_one(s, run_id, blocks, &nm, pos, res, err)) && by_id && strcmp(res->units[0].id, unit))
		rc = kp_err_msg(err, KP_EDATA, KP_M_STORE_RD_BAD, s->path, "result_ids", "ids",
				kp_msg_fmt(KP_MSG_STORE_RD_IDS_OTHER));
	if (own)
		sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	if (!rc && !pos)
		rc = kp_err_msg(err, KP_EDATA, KP_M_STORE_RUN_NO_UNIT, s->path, run_id, unit);
out:
	run_names_free(&nm);
	if (rc) {
		kp_result_free(res);
		return rc;
	}
	*out = res;
	return 0;
}

/* ---- from schema 1 ---- */

int store_load_run_v1(kp_store *s, long id, kp_result **out, kp_err *err)
{
	kp_result *res = NULL;
	run_names nm = {{0}, {0}};
	int rc;

	if ((rc = kp_result_new(&res, err)))
		return rc;
	if (!(rc = load_head(s, &id, res, &nm, err)) &&
	    !(rc = load_units(s, id, &nm, "results", "SELECT count(*) FROM v1_results WHERE run_id = ?",
			      "SELECT unit_id, name, category, rank, total, raw_total, base, deductions, bonus, grade, veto, "
			      "veto_reason, eligible, elig_rank, commended, boundary_tie, quota_dropped, tie_note, last_rank, "
			      "last_total FROM v1_results WHERE run_id = ? ORDER BY position", res, NULL, err)))
		rc = load_details_v1(s, id, res, err);
	run_names_free(&nm);
	if (rc) {
		kp_result_free(res);
		return rc;
	}
	*out = res;
	return 0;
}
