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
		char **p = kp_grow(g->cells, &g->cap, g->n + k, sizeof *p);
		if (!p)
			return kp_err_oom(err);
		g->cells = p;
	}
	for (i = 0; i < k; i++)
		if (!(g->cells[g->n++] = strdup(row[i] ? row[i] : "")))
			return kp_err_oom(err);
	return 0;
}

/* "…（仅部门考核, 其他类别不考核此项, 得分按比例折算）" */
static void only_words(const kp_rules *r, const kp_indicator *ind, enum kp_lang lang, kp_sb *out)
{
	kp_sb cats = {0};
	size_t k;

	for (k = 0; k < r->ncat; k++)
		if (ind->only[k]) {
			if (cats.len)
				kp_rules_words(&cats, lang, KP_M_RULE_CRIT_LIST_SEP);
			kp_sb_puts(&cats, r->cat[k].name);
		}
	if (cats.oom)
		out->oom = 1;
	else
		kp_rules_words(out, lang, KP_M_RULE_CRIT_ONLY, kp_sb_str(&cats));
	kp_sb_free(&cats);
}

/* An indicator's words: its own or its method's, and the categories it is
 * limited to. */
static void indicator_words(const kp_rules *r, const kp_indicator *ind, enum kp_lang lang, kp_sb *out)
{
	if (ind->desc)
		kp_sb_puts(out, ind->desc);
	else
		kp_rules_describe(r, &ind->m, ind->points, lang, out);
	if (ind->only)
		only_words(r, ind, lang, out);
	if (ind->skip_missing) /* 缺项折算 changes every other point of the unit */
		kp_rules_words(out, lang, KP_M_RULE_CRIT_SKIP);
}

/* A deduction's words: its own, "每件扣2分, 最多扣10分", or fn_words for
 * one a function scores. */
static void deduction_words(const kp_deduction *d, const char *fn_words, enum kp_lang lang, kp_sb *out)
{
	char a[32], b[32];
	const char *unit = d->unit ? d->unit : kp_msg_text(KP_MSG_RULE_CRIT_ITEM, lang);

	if (d->desc)
		kp_sb_puts(out, d->desc);
	else if (d->ref)
		kp_sb_puts(out, fn_words);
	else if (d->has_max)
		kp_rules_words(out, lang, KP_M_RULE_CRIT_DED_AT_MOST, unit, kp_num_short(d->per, a, sizeof a),
			       kp_num_short(d->max, b, sizeof b));
	else
		kp_rules_words(out, lang, KP_M_RULE_CRIT_DED, unit, kp_num_short(d->per, a, sizeof a));
}

/* "总分≥90 (镇≥85), 不超过同类单位的20%, 每类不超过3个" */
static void grade_words(const kp_rules *r, const kp_grade *gr, enum kp_lang lang, kp_sb *out)
{
	char a[32];
	size_t k;

	kp_rules_words(out, lang, KP_M_RULE_CRIT_TOTAL_AT_LEAST, kp_num_short(gr->min, a, sizeof a));
	for (k = 0; gr->cat_min && k < r->ncat; k++)
		if (kp_grade_min(gr, (int)k) != gr->min)
			kp_sb_printf(out, " (%s≥%s)", r->cat[k].name, kp_num_short(kp_grade_min(gr, (int)k), a, sizeof a));
	if (gr->quota > 0)
		kp_rules_words(out, lang, KP_M_RULE_CRIT_GRADE_SHARE, kp_num_short(gr->quota * 100, a, sizeof a));
	if (gr->count > 0)
		kp_rules_words(out, lang, KP_M_RULE_CRIT_GRADE_COUNT, gr->count);
	/* "at most 20%" was not true of quota_ties = "all" (the default): the
	 * units tied on the line all keep the grade, past the share */
	if ((gr->quota > 0 || gr->count > 0) && r->quota_ties_none)
		kp_rules_words(out, lang, KP_M_RULE_CRIT_GRADE_TIES_NONE);
	else if (gr->quota > 0 || gr->count > 0)
		kp_rules_words(out, lang, KP_M_RULE_CRIT_GRADE_TIES_ALL);
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
		kp_rules_words(words, g->lang, KP_M_RULE_CRIT_BASE, kp_num_short(s->points, a, sizeof a));
		rc = grid_add_words(g, err, s->name, a, kp_msg_text(KP_MSG_RULE_CRIT_BASE_POINTS, g->lang), a, words, NULL);
	}
	for (i = s->first; i < s->first + s->count && !rc; i++) {
		const kp_indicator *ind = &r->ind[i];
		indicator_words(r, ind, g->lang, words);
		rc = grid_add_words(g, err, i == s->first ? s->name : "",
				    i == s->first ? kp_num_short(s->points, a, sizeof a) : "", ind->name,
				    kp_num_short(ind->points, b, sizeof b), words,
				    &(struct origin){ind->basis, ind->office});
	}
	for (i = 0; i < r->nded && !rc; i++)
		if (r->ded[i].section == (int)k) {
			deduction_words(&r->ded[i], "", g->lang, words);
			rc = grid_add_words(g, err, "", "", r->ded[i].name, kp_msg_text(KP_MSG_RULE_CRIT_DEDUCTION, g->lang), words,
					    &(struct origin){r->ded[i].basis, r->ded[i].office});
		}
	return rc;
}

/* "; " between the conditions of who may be commended, none before the
 * first. */
static void commend_sep(kp_sb *out)
{
	kp_sb_puts(out, kp_sb_str(out)[0] ? "; " : "");
}

/* "等次为良好以上" */
static void grade_at_least(const kp_rules *r, int grade, enum kp_lang lang, kp_sb *out)
{
	if (grade > 0)
		kp_rules_words(out, lang, KP_M_RULE_CRIT_GRADE_OR_BETTER, r->grade[grade].name);
	else
		kp_rules_words(out, lang, KP_M_RULE_CRIT_GRADE_IS, r->grade[grade].name);
}

/* Who may be commended: "无一票否决; 等次为良好以上; 总分≥85 (镇: 总分≥80);
 * 另按规则函数认定" */
static void commend_words(const kp_rules *r, enum kp_lang lang, kp_sb *out)
{
	char a[32];
	size_t k;

	if (r->nveto)
		kp_rules_words(out, lang, KP_M_RULE_CRIT_NO_VETO);
	if (r->commend_min_grade >= 0)
		commend_sep(out), grade_at_least(r, r->commend_min_grade, lang, out);
	if (r->has_min_score)
		commend_sep(out), kp_rules_words(out, lang, KP_M_RULE_CRIT_TOTAL_AT_LEAST,
						 kp_num_short(r->commend_min_score, a, sizeof a));
	for (k = 0; r->commend_cat && k < r->ncat; k++) {
		const struct kp_commend_cat *cc = &r->commend_cat[k];
		if (!cc->set)
			continue;
		commend_sep(out);
		kp_sb_printf(out, "%s: ", r->cat[k].name);
		if (cc->min_grade >= 0)
			grade_at_least(r, cc->min_grade, lang, out), kp_sb_puts(out, cc->has_min_score ? ", " : "");
		if (cc->has_min_score)
			kp_rules_words(out, lang, KP_M_RULE_CRIT_TOTAL_AT_LEAST, kp_num_short(cc->min_score, a, sizeof a));
	}
	if (r->eligible_ref && kp_sb_str(out)[0])
		kp_rules_words(out, lang, KP_M_RULE_CRIT_ALSO_FUNCTION);
	else if (r->eligible_ref)
		kp_rules_words(out, lang, KP_M_RULE_CRIT_BY_FUNCTION);
}

/* The tie-break order: "总分相同时依次比较: 四、…得分(高者在前); 扣分(少者在前)" */
static void tie_words(const kp_rules *r, enum kp_lang lang, kp_sb *out)
{
	size_t i;

	kp_rules_words(out, lang, KP_M_RULE_CRIT_TIES);
	for (i = 0; i < r->ntie; i++) {
		kp_sb_puts(out, i ? "; " : "");
		if (r->tie[i].kind == KP_TIE_DEDUCTIONS)
			kp_rules_words(out, lang, KP_M_RULE_CRIT_TIE_DEDUCTIONS);
		else if (r->tie[i].kind == KP_TIE_BONUS)
			kp_rules_words(out, lang, KP_M_RULE_CRIT_TIE_BONUS);
		else
			kp_rules_words(out, lang, KP_M_RULE_CRIT_TIE_SECTION, r->tie[i].name);
	}
}

/* The text of a criteria word in the table's language. */
static const char *word(const kp_criteria *g, enum kp_msgid id)
{
	return kp_msg_text(id, g->lang);
}

/* The rows of the deductions from the total, the bonus and the vetoes. */
static int extra_rows(const kp_rules *r, kp_criteria *g, kp_sb *words, kp_err *err)
{
	char a[32], b[32];
	size_t i;
	int rc = 0;

	for (i = 0; i < r->nded && !rc; i++)
		if (r->ded[i].section < 0) {
			deduction_words(&r->ded[i], word(g, KP_MSG_RULE_CRIT_DED_FUNCTION), g->lang, words);
			rc = grid_add_words(g, err, word(g, KP_MSG_RULE_CRIT_DEDUCTIONS), "", r->ded[i].name, "", words,
					    &(struct origin){r->ded[i].basis, r->ded[i].office});
		}
	for (i = 0; i < r->nbon && !rc; i++) {
		if (r->bon[i].desc)
			kp_sb_puts(words, r->bon[i].desc);
		else
			kp_rules_describe(r, &r->bon[i].m, r->bon[i].max, g->lang, words);
		rc = grid_add_words(g, err, word(g, KP_MSG_RULE_CRIT_BONUS),
				    r->has_bonus_max ? kp_num_short(r->bonus_max, a, sizeof a) : "", r->bon[i].name,
				    kp_num_short(r->bon[i].max, b, sizeof b), words,
				    &(struct origin){r->bon[i].basis, r->bon[i].office});
	}
	for (i = 0; i < r->nveto && !rc; i++)
		rc = grid_add(g, err, word(g, KP_MSG_RULE_CRIT_VETO), "", r->veto[i].name, "",
			      r->veto[i].desc ? r->veto[i].desc
			      : r->veto[i].reason ? r->veto[i].reason : word(g, KP_MSG_RULE_CRIT_VETO_WORDS),
			      &(struct origin){r->veto[i].basis, r->veto[i].office});
	if (!rc && r->has_max_total) { /* a cap on the total: the criteria said nothing of it */
		kp_rules_words(words, g->lang, KP_M_RULE_CRIT_MAX_TOTAL, kp_num_short(r->max_total, a, sizeof a));
		rc = grid_add_words(g, err, word(g, KP_MSG_RULE_CRIT_TOTAL_ROW), "", "", "", words, NULL);
	}
	if (!rc && r->veto_last)
		rc = grid_add(g, err, word(g, KP_MSG_RULE_CRIT_VETO), "", word(g, KP_MSG_RULE_CRIT_RANK_ROW), "",
			      word(g, KP_MSG_RULE_CRIT_VETO_LAST), NULL);
	return rc;
}

/* The rows of the grades, the commendation quotas and conditions. */
static int grade_rows(const kp_rules *r, kp_criteria *g, kp_sb *words, kp_err *err)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < r->ngrade && !rc; i++) {
		grade_words(r, &r->grade[i], g->lang, words);
		rc = grid_add_words(g, err, word(g, KP_MSG_RULE_CRIT_GRADE), "", r->grade[i].name, "", words, NULL);
	}
	for (i = 0; i < r->ncat && !rc; i++) {
		kp_rules_words(words, g->lang, KP_M_RULE_CRIT_QUOTA, r->cat[i].quota);
		if (r->cat[i].quota > 0) /* "表彰2个", and three tied at the 2nd place were */
			kp_rules_words(words, g->lang, KP_M_RULE_CRIT_QUOTA_TIES);
		rc = grid_add_words(g, err, word(g, KP_MSG_RULE_CRIT_QUOTA_ROW), "", r->cat[i].name, "", words, NULL);
	}
	commend_words(r, g->lang, words);
	if (!rc && kp_sb_str(words)[0])
		rc = grid_add_words(g, err, word(g, KP_MSG_RULE_CRIT_CONDITIONS), "", "", "", words, NULL);
	kp_sb_reset(words);
	if (!rc && r->ntie) {
		tie_words(r, g->lang, words);
		rc = grid_add_words(g, err, word(g, KP_MSG_RULE_CRIT_CONDITIONS), "", word(g, KP_MSG_RULE_CRIT_TIE_ROW), "",
				    words, NULL);
	}
	return rc;
}

/* The rows after the sections: deductions from the total, bonus, vetoes,
 * grades, commendation quotas. */
static int other_rows(const kp_rules *r, kp_criteria *g, kp_sb *words, kp_err *err)
{
	int rc = extra_rows(r, g, words, err);

	return rc ? rc : grade_rows(r, g, words, err);
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
