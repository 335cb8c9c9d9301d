/* criteria.c — the criteria table (考核细则) a rule file encodes: one row
 * per indicator, deduction, bonus, veto, grade and commendation quota, in
 * the words the rules give or the helpers' own description.  Owns the
 * cells it builds; the rules are borrowed. */
#include "kaoping/criteria.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kaoping/num.h"
#include "kaoping/sb.h"

/* Where an item comes from and who scores it (依据, 考核科室). */
struct origin { const char *basis, *office; };

/* One row: five cells, then the item's basis and office when the table
 * has those columns (NULL src: none). */
static int grid_add(kp_criteria *g, kp_err *err, const char *a, const char *b, const char *cc, const char *d, const char *e,
		    const struct origin *src)
{
	const char *row[KP_CRITERIA_COLS + 2] = {a, b, cc, d, e, NULL, NULL};
	size_t i, k = KP_CRITERIA_COLS;

	if (g->has_basis)
		row[k++] = src ? src->basis : NULL;
	if (g->has_office)
		row[k++] = src ? src->office : NULL;
	if (g->n + k > g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 64;
		char **p = realloc(g->cells, cap * sizeof *p);
		if (!p)
			return kp_err_oom(err);
		g->cells = p, g->cap = cap;
	}
	for (i = 0; i < k; i++)
		if (!(g->cells[g->n++] = strdup(row[i] ? row[i] : "")))
			return kp_err_oom(err);
	return 0;
}

/* "…（仅部门考核, 其他类别不考核此项, 得分按比例折算）" */
static void only_words(const kp_rules *r, const kp_indicator *ind, kp_sb *out)
{
	size_t k;
	int first = 1;

	kp_sb_puts(out, "（仅");
	for (k = 0; k < r->ncat; k++)
		if (ind->only[k]) {
			kp_sb_printf(out, "%s%s", first ? "" : "、", r->cat[k].name);
			first = 0;
		}
	kp_sb_puts(out, "考核, 其他类别不考核此项, 得分按比例折算）");
}

/* An indicator's words: its own or its method's, and the categories it is
 * limited to. */
static void indicator_words(const kp_rules *r, const kp_indicator *ind, kp_sb *out)
{
	if (ind->desc)
		kp_sb_puts(out, ind->desc);
	else
		kp_rules_describe(r, &ind->m, ind->points, out);
	if (ind->only)
		only_words(r, ind, out);
}

/* A deduction's words: its own, "每件扣2分, 最多扣10分", or fn_words for
 * one a function scores. */
static void deduction_words(const kp_deduction *d, const char *fn_words, kp_sb *out)
{
	char a[32], b[32];

	if (d->desc)
		kp_sb_puts(out, d->desc);
	else if (d->ref)
		kp_sb_puts(out, fn_words);
	else if (d->has_max)
		kp_sb_printf(out, "每%s扣%s分, 最多扣%s分", kp_deduction_unit(d), kp_num_short(d->per, a, sizeof a),
			     kp_num_short(d->max, b, sizeof b));
	else
		kp_sb_printf(out, "每%s扣%s分, 扣完为止", kp_deduction_unit(d), kp_num_short(d->per, a, sizeof a));
}

/* "总分≥90 (镇≥85), 不超过同类单位的20%, 每类不超过3个" */
static void grade_words(const kp_rules *r, const kp_grade *gr, kp_sb *out)
{
	char a[32];
	size_t k;

	kp_sb_printf(out, "总分≥%s", kp_num_short(gr->min, a, sizeof a));
	for (k = 0; gr->cat_min && k < r->ncat; k++)
		if (kp_grade_min(gr, (int)k) != gr->min)
			kp_sb_printf(out, " (%s≥%s)", r->cat[k].name, kp_num_short(kp_grade_min(gr, (int)k), a, sizeof a));
	if (gr->quota > 0)
		kp_sb_printf(out, ", 不超过同类单位的%s%%", kp_num_short(gr->quota * 100, a, sizeof a));
	if (gr->count > 0)
		kp_sb_printf(out, ", 每类不超过%d个", gr->count);
}

/* Add a row whose last cell is the builder's text, then empty it. */
static int grid_add_words(kp_criteria *g, kp_err *err, const char *a, const char *b, const char *cc, const char *d,
			  kp_sb *words, const struct origin *src)
{
	int rc = kp_sb_status(words, err);

	if (!rc)
		rc = grid_add(g, err, a, b, cc, d, kp_sb_str(words), src);
	kp_sb_reset(words);
	return rc;
}

/* A section's rows: its base points, its indicators, its deductions. */
static int section_rows(const kp_rules *r, size_t k, kp_criteria *g, kp_sb *words, kp_err *err)
{
	const kp_section *s = &r->sec[k];
	char a[32], b[32];
	size_t i;
	int rc = 0;

	if (s->base) {
		kp_sb_printf(words, "以%s分为基础, 按下列扣分标准扣分, 扣完为止", kp_num_short(s->points, a, sizeof a));
		rc = grid_add_words(g, err, s->name, a, "基础分", a, words, NULL);
	}
	for (i = s->first; i < s->first + s->count && !rc; i++) {
		const kp_indicator *ind = &r->ind[i];
		indicator_words(r, ind, words);
		rc = grid_add_words(g, err, i == s->first ? s->name : "",
				    i == s->first ? kp_num_short(s->points, a, sizeof a) : "", ind->name,
				    kp_num_short(ind->points, b, sizeof b), words,
				    &(struct origin){ind->basis, ind->office});
	}
	for (i = 0; i < r->nded && !rc; i++)
		if (r->ded[i].section == (int)k) {
			deduction_words(&r->ded[i], "", words);
			rc = grid_add_words(g, err, "", "", r->ded[i].name, "扣分", words,
					    &(struct origin){r->ded[i].basis, r->ded[i].office});
		}
	return rc;
}

/* The rows after the sections: deductions from the total, bonus, vetoes,
 * grades, commendation quotas. */
/* Who may be commended: "无一票否决; 等次为良好以上; 总分≥85 (镇: 总分≥80);
 * 另按规则函数认定" */
static void commend_words(const kp_rules *r, kp_sb *out)
{
	char a[32];
	size_t k;

	if (r->nveto)
		kp_sb_puts(out, "无一票否决");
	if (r->commend_min_grade >= 0)
		kp_sb_printf(out, "%s等次为%s%s", r->nveto ? "; " : "", r->grade[r->commend_min_grade].name,
			     r->commend_min_grade > 0 ? "以上" : "");
	if (r->has_min_score)
		kp_sb_printf(out, "%s总分≥%s", kp_sb_str(out)[0] ? "; " : "", kp_num_short(r->commend_min_score, a, sizeof a));
	for (k = 0; r->commend_cat && k < r->ncat; k++) {
		const struct kp_commend_cat *cc = &r->commend_cat[k];
		if (!cc->set)
			continue;
		kp_sb_printf(out, "%s%s: ", kp_sb_str(out)[0] ? "; " : "", r->cat[k].name);
		if (cc->min_grade >= 0)
			kp_sb_printf(out, "等次为%s%s%s", r->grade[cc->min_grade].name, cc->min_grade > 0 ? "以上" : "",
				     cc->has_min_score ? ", " : "");
		if (cc->has_min_score)
			kp_sb_printf(out, "总分≥%s", kp_num_short(cc->min_score, a, sizeof a));
	}
	if (r->eligible_ref)
		kp_sb_puts(out, kp_sb_str(out)[0] ? "; 另按规则函数认定" : "按规则函数认定");
}

/* The tie-break order: "总分相同时依次比较: 四、…得分(高者在前); 扣分(少者在前)" */
static void tie_words(const kp_rules *r, kp_sb *out)
{
	size_t i;

	kp_sb_puts(out, "总分相同时依次比较: ");
	for (i = 0; i < r->ntie; i++) {
		kp_sb_puts(out, i ? "; " : "");
		if (r->tie[i].kind == KP_TIE_DEDUCTIONS)
			kp_sb_puts(out, "扣分(少者在前)");
		else if (r->tie[i].kind == KP_TIE_BONUS)
			kp_sb_puts(out, "加分(多者在前)");
		else
			kp_sb_printf(out, "%s得分(高者在前)", r->tie[i].name);
	}
}

static int other_rows(const kp_rules *r, kp_criteria *g, kp_sb *words, kp_err *err)
{
	char a[32], b[32];
	size_t i;
	int rc = 0;

	for (i = 0; i < r->nded && !rc; i++)
		if (r->ded[i].section < 0) {
			deduction_words(&r->ded[i], "按规则函数扣分", words);
			rc = grid_add_words(g, err, "扣分项", "", r->ded[i].name, "", words,
					    &(struct origin){r->ded[i].basis, r->ded[i].office});
		}
	for (i = 0; i < r->nbon && !rc; i++) {
		if (r->bon[i].desc)
			kp_sb_puts(words, r->bon[i].desc);
		else
			kp_rules_describe(r, &r->bon[i].m, r->bon[i].max, words);
		rc = grid_add_words(g, err, "加分项", r->has_bonus_max ? kp_num_short(r->bonus_max, a, sizeof a) : "",
				    r->bon[i].name, kp_num_short(r->bon[i].max, b, sizeof b), words,
				    &(struct origin){r->bon[i].basis, r->bon[i].office});
	}
	for (i = 0; i < r->nveto && !rc; i++)
		rc = grid_add(g, err, "一票否决", "", r->veto[i].name, "",
			      r->veto[i].desc ? r->veto[i].desc : r->veto[i].reason ? r->veto[i].reason : "定为最低等次, 不得评优",
			      &(struct origin){r->veto[i].basis, r->veto[i].office});
	if (!rc && r->veto_last)
		rc = grid_add(g, err, "一票否决", "", "排名", "", "一票否决单位排在本类最后", NULL);
	for (i = 0; i < r->ngrade && !rc; i++) {
		grade_words(r, &r->grade[i], words);
		rc = grid_add_words(g, err, "等次", "", r->grade[i].name, "", words, NULL);
	}
	for (i = 0; i < r->ncat && !rc; i++) {
		kp_sb_printf(words, "表彰%d个", r->cat[i].quota);
		rc = grid_add_words(g, err, "表彰名额", "", r->cat[i].name, "", words, NULL);
	}
	commend_words(r, words);
	if (!rc && kp_sb_str(words)[0])
		rc = grid_add_words(g, err, "表彰条件", "", "", "", words, NULL);
	kp_sb_reset(words);
	if (!rc && r->ntie) {
		tie_words(r, words);
		rc = grid_add_words(g, err, "表彰条件", "", "并列", "", words, NULL);
	}
	return rc;
}

/* Does any indicator, deduction, bonus or veto name its basis (which 0)
 * or its office (which 1)? */
static int any_origin(const kp_rules *r, int which)
{
	size_t i;

#define KP_HAS(x) ((which ? (x).office : (x).basis) != NULL)
	for (i = 0; i < r->nind; i++)
		if (KP_HAS(r->ind[i]))
			return 1;
	for (i = 0; i < r->nded; i++)
		if (KP_HAS(r->ded[i]))
			return 1;
	for (i = 0; i < r->nbon; i++)
		if (KP_HAS(r->bon[i]))
			return 1;
	for (i = 0; i < r->nveto; i++)
		if (KP_HAS(r->veto[i]))
			return 1;
#undef KP_HAS
	return 0;
}

int kp_criteria_build(const kp_rules *r, kp_criteria *g, kp_err *err)
{
	kp_sb words = {0};
	size_t k;
	int rc = 0;

	g->has_basis = any_origin(r, 0);
	g->has_office = any_origin(r, 1);
	g->ncols = KP_CRITERIA_COLS + (size_t)g->has_basis + (size_t)g->has_office;

	for (k = 0; k < r->nsec && !rc; k++)
		rc = section_rows(r, k, g, &words, err);
	if (!rc)
		rc = other_rows(r, g, &words, err);
	kp_sb_free(&words);
	return rc;
}

void kp_criteria_free(kp_criteria *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		free(g->cells[i]);
	free(g->cells);
	memset(g, 0, sizeof *g);
}
