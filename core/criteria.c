/* criteria.c — the criteria table (考核细则) a rule file encodes: one row
 * per indicator, deduction, bonus, veto, grade and commendation quota, in
 * the words the rules give or the helpers' own description.  Owns the
 * cells it builds; the rules are borrowed. */
#include "kaoping/criteria.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kaoping/num.h"

static int grid_add(kp_criteria *g, kp_err *err, const char *a, const char *b, const char *cc, const char *d, const char *e)
{
	const char *row[5] = {a, b, cc, d, e};
	size_t i;

	if (g->n + 5 > g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 64;
		char **p = realloc(g->cells, cap * sizeof *p);
		if (!p)
			return kp_err_oom(err);
		g->cells = p, g->cap = cap;
	}
	for (i = 0; i < 5; i++)
		if (!(g->cells[g->n++] = strdup(row[i] ? row[i] : "")))
			return kp_err_oom(err);
	return 0;
}

/* "…（仅部门考核, 其他类别不考核此项, 得分按比例折算）" */
static void only_words(const kp_rules *r, const kp_indicator *ind, char *buf, size_t size)
{
	size_t o = strlen(buf), k;
	int first = 1;

	o += (size_t)snprintf(buf + o, o < size ? size - o : 0, "（仅");
	for (k = 0; k < r->ncat && o < size; k++)
		if (ind->only[k]) {
			o += (size_t)snprintf(buf + o, size - o, "%s%s", first ? "" : "、", r->cat[k].name);
			first = 0;
		}
	if (o < size)
		snprintf(buf + o, size - o, "考核, 其他类别不考核此项, 得分按比例折算）");
}

int kp_criteria_build(const kp_rules *r, kp_criteria *g, kp_err *err)
{
	char a[32], b[32], words[1024], tmp[64];
	size_t i, k;
	int rc = 0;

	for (k = 0; k < r->nsec && !rc; k++) {
		const kp_section *s = &r->sec[k];
		if (s->base) {
			snprintf(words, sizeof words, "以%s分为基础, 按下列扣分标准扣分, 扣完为止", kp_num_short(s->points, a, sizeof a));
			rc = grid_add(g, err, s->name, a, "基础分", a, words);
		}
		for (i = s->first; i < s->first + s->count && !rc; i++) {
			const kp_indicator *ind = &r->ind[i];
			const char *w = ind->desc ? ind->desc : kp_rules_describe(r, &ind->m, ind->points, words, sizeof words);
			if (ind->only && w == words)
				only_words(r, ind, words, sizeof words);
			else if (ind->only)
				snprintf(words, sizeof words, "%s", ind->desc), only_words(r, ind, words, sizeof words), w = words;
			rc = grid_add(g, err, i == s->first ? s->name : "", i == s->first ? kp_num_short(s->points, a, sizeof a) : "",
				      ind->name, kp_num_short(ind->points, b, sizeof b), w);
		}
		for (i = 0; i < r->nded && !rc; i++)
			if (r->ded[i].section == (int)k) {
				snprintf(words, sizeof words, "%s", r->ded[i].desc ? r->ded[i].desc : "");
				if (!r->ded[i].desc && !r->ded[i].ref)
					snprintf(words, sizeof words, "每件扣%s分%s%s", kp_num_short(r->ded[i].per, a, sizeof a),
						 r->ded[i].has_max ? ", 最多扣" : ", 扣完为止",
						 r->ded[i].has_max ? strcat(kp_num_short(r->ded[i].max, tmp, sizeof tmp), "分") : "");
				rc = grid_add(g, err, "", "", r->ded[i].name, "扣分", words);
			}
	}
	for (i = 0; i < r->nded && !rc; i++)
		if (r->ded[i].section < 0) {
			snprintf(words, sizeof words, "%s", r->ded[i].desc ? r->ded[i].desc : "按规则函数扣分");
			if (!r->ded[i].desc && !r->ded[i].ref)
				snprintf(words, sizeof words, "每件扣%s分%s%s", kp_num_short(r->ded[i].per, a, sizeof a),
					 r->ded[i].has_max ? ", 最多扣" : ", 扣完为止",
					 r->ded[i].has_max ? strcat(kp_num_short(r->ded[i].max, tmp, sizeof tmp), "分") : "");
			rc = grid_add(g, err, "扣分项", "", r->ded[i].name, "", words);
		}
	for (i = 0; i < r->nbon && !rc; i++) {
		const char *w = r->bon[i].desc ? r->bon[i].desc
					       : kp_rules_describe(r, &r->bon[i].m, r->bon[i].max, words, sizeof words);
		rc = grid_add(g, err, "加分项", r->has_bonus_max ? kp_num_short(r->bonus_max, a, sizeof a) : "",
			      r->bon[i].name, kp_num_short(r->bon[i].max, b, sizeof b), w);
	}
	for (i = 0; i < r->nveto && !rc; i++)
		rc = grid_add(g, err, "一票否决", "", r->veto[i].name, "",
			      r->veto[i].desc ? r->veto[i].desc : r->veto[i].reason ? r->veto[i].reason : "定为最低等次, 不得评优");
	if (!rc && r->veto_last)
		rc = grid_add(g, err, "一票否决", "", "排名", "", "一票否决单位排在本类最后");
	for (i = 0; i < r->ngrade && !rc; i++) {
		snprintf(words, sizeof words, "总分≥%s", kp_num_short(r->grade[i].min, a, sizeof a));
		for (k = 0; r->grade[i].cat_min && k < r->ncat; k++)
			if (kp_grade_min(&r->grade[i], (int)k) != r->grade[i].min)
				snprintf(words + strlen(words), sizeof words - strlen(words), " (%s≥%s)", r->cat[k].name,
					 kp_num_short(kp_grade_min(&r->grade[i], (int)k), b, sizeof b));
		if (r->grade[i].quota > 0)
			snprintf(words + strlen(words), sizeof words - strlen(words), ", 不超过同类单位的%s%%",
				 kp_num_short(r->grade[i].quota * 100, b, sizeof b));
		if (r->grade[i].count > 0)
			snprintf(words + strlen(words), sizeof words - strlen(words), ", 每类不超过%d个", r->grade[i].count);
		rc = grid_add(g, err, "等次", "", r->grade[i].name, "", words);
	}
	for (i = 0; i < r->ncat && !rc; i++) {
		snprintf(words, sizeof words, "表彰%d个", r->cat[i].quota);
		rc = grid_add(g, err, "表彰名额", "", r->cat[i].name, "", words);
	}
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
