/* report_common.c — what every report format shares above the writer:
 * the labels of each language, grade and rank-change text, and the
 * questions every writer asks of a result.  Owns nothing. */
#include "report_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const kp_labels labels_zh = {
	.category = "类别", .rank = "排名", .unit_id = "单位代码", .name = "单位名称",
	.total = "总分", .grade = "等次", .commended = "拟表彰", .veto = "一票否决",
	.veto_reason = "否决原因", .deductions = "扣分", .bonus = "加分",
	.rank_change = "名次变化", .base = "基础分", .yes = "是", .no = "否",
	.star = "★", .new_unit = "新", .commend_list = "拟表彰名单", .details = "得分明细",
	.grades = "等次分布", .chart = "总分图", .units_fmt = "%zu个单位",
	.quota_fmt = "表彰名额%d名", .no_quota = "不设表彰名额",
	.shortfall_fmt = "符合表彰条件的单位不足，缺额%d名", .tie_flag = "边界并列",
	.note = "说明", .none_commended = "（无）", .year_fmt = "%d年度",
	.kind = "类型", .section = "一级指标", .item = "项目", .points = "得分",
	.max = "满分", .item_note = "说明",
	.no_items = "本次评分未保留逐项得分明细。", .eligible = "可表彰",
	.last_total = "上年总分", .ungraded = "无等次", .count = "单位数",
	.too_many_fmt = "单位数超过%d个：略去逐单位得分明细和总分图。",
	.others = "其他单位", .tie_short = "并列", .basis = "依据", .office = "考核科室",
	.kinds = { "指标", "分项扣分", "扣分", "加分", "一票否决", "备注" },
};

static const kp_labels labels_en = {
	.category = "category", .rank = "rank", .unit_id = "unit_id", .name = "name",
	.total = "total", .grade = "grade", .commended = "commended", .veto = "veto",
	.veto_reason = "veto_reason", .deductions = "deductions", .bonus = "bonus",
	.rank_change = "rank_change", .base = "base", .yes = "yes", .no = "no",
	.star = "yes", .new_unit = "new", .commend_list = "Proposed for commendation",
	.details = "Score details", .grades = "Grade distribution", .chart = "Totals",
	.units_fmt = "%zu units", .quota_fmt = "quota %d", .no_quota = "no quota",
	.shortfall_fmt = "%d fewer eligible units than the quota",
	.tie_flag = "tied at the boundary", .note = "note", .none_commended = "(none)",
	.year_fmt = "year %d", .kind = "kind", .section = "section", .item = "item",
	.points = "points", .max = "max", .item_note = "note",
	.no_items = "No per-item details were kept for this run.", .eligible = "eligible",
	.last_total = "last_total", .ungraded = "no grade", .count = "units",
	.too_many_fmt = "More than %d units: the per-unit breakdown and the charts are left out.",
	.others = "other units", .tie_short = "tie", .basis = "basis", .office = "office",
	.kinds = { "indicator", "section deduction", "deduction", "bonus", "veto", "note" },
};

const kp_labels *kp_report_labels(int lang)
{
	return lang == KP_LANG_EN ? &labels_en : &labels_zh;
}

const char *kp_report_grade(const kp_result *r, const kp_unit_result *u)
{
	if (u->grade < 0 || (size_t)u->grade >= r->ngrades)
		return NULL;
	return r->grades[u->grade];
}

int kp_report_has_change(const kp_result *r)
{
	size_t i;

	if (r->last_year)
		return 1;
	for (i = 0; i < r->nunits; i++)
		if (r->units[i].has_last)
			return 1;
	return 0;
}

int kp_report_has_items(const kp_result *r)
{
	size_t i;

	for (i = 0; i < r->nunits; i++)
		if (r->units[i].items && r->units[i].nitems)
			return 1;
	return 0;
}

const char *kp_report_change(const kp_result *r, const kp_unit_result *u, const kp_labels *l,
			     char *buf, size_t size)
{
	int d = u->last_rank - u->rank;

	if (!u->has_last)
		return r->last_year ? l->new_unit : "";
	if (d > 0)
		snprintf(buf, size, "↑%d", d);
	else if (d < 0)
		snprintf(buf, size, "↓%d", -d);
	else
		snprintf(buf, size, "–");
	return buf;
}

int kp_report_want_bom(const kp_report_opts *o)
{
	return o->bom > 0 || (o->bom < 0 && o->output);
}

const char *kp_report_sec_points(const kp_result *r, size_t s, char *buf)
{
	if (!r->section_points || s >= r->nsections || !isfinite(r->section_points[s]))
		return NULL;
	return kp_rw_short(r->section_points[s], r->precision, buf);
}

/* The declaration an item comes from: indicators, deductions (in a
 * section or from the total), bonuses and vetoes have unique names. */
void kp_report_item_texts(const kp_rules *rules, const kp_item *it, const char **basis, const char **office)
{
	size_t i;

	*basis = *office = NULL;
	if (!rules || !it->name)
		return;
#define TEXTS_OF(n, arr) \
	for (i = 0; i < rules->n; i++) \
		if (rules->arr[i].name && !strcmp(rules->arr[i].name, it->name)) { \
			*basis = rules->arr[i].basis, *office = rules->arr[i].office; \
			return; \
		}
	switch (it->kind) {
	case KP_ITEM_INDICATOR: TEXTS_OF(nind, ind) break;
	case KP_ITEM_SECTION_DED:
	case KP_ITEM_DEDUCTION: TEXTS_OF(nded, ded) break;
	case KP_ITEM_BONUS: TEXTS_OF(nbon, bon) break;
	case KP_ITEM_VETO: TEXTS_OF(nveto, veto) break;
	default: break;
	}
#undef TEXTS_OF
}

int kp_report_has_texts(const kp_rules *rules, const kp_unit_result *u)
{
	const char *b, *o;
	unsigned i;

	for (i = 0; rules && u->items && i < u->nitems; i++) {
		kp_report_item_texts(rules, &u->items[i], &b, &o);
		if (b || o)
			return 1;
	}
	return 0;
}
