-- county: a small county-style rule file (golden end-to-end test).
-- Several helpers, a deduction inside a section and one from the total,
-- bonus with a cap on all bonus, a veto, a grade quota, tie-breakers.
-- The expected points are worked out by hand in ARITHMETIC.md.

assessment {
  title = "某县2021年度依法行政工作考核（测试）",
  year = 2021,
  precision = 2,
  unit = { id = "单位代码", name = "单位名称", category = "类别" },
  categories = { {"镇", commend = 2}, {"部门", commend = 2} },
  bonus_max = 3,
  max_total = 100,
}

events "案卷评查" { file = "cases.csv", unit = "单位代码" }

section "一、制度建设" { points = 30,
  indicator "会前学法" { points = 10, score = target("学法次数", 6) },
  indicator "工作要点" { points = 5, score = yes_no("印发工作要点") },
  indicator "专题研究" { points = 5, score = bands("专题研究次数", { {2, 5}, {1, 3} }) },
  indicator "督查整改" { points = 10, score = per_item("未整改问题数", 2, 10) },
}

section "二、严格执法" { points = 50,
  indicator "案卷评查" { points = 20, score = function(u)
      local avg = u.events["案卷评查"]:avg("评查得分")
      if avg == nil then return 20, "未抽中评查, 按满分计" end
      return avg / 100 * 20, string.format("平均%.1f分", avg)
    end },
  indicator "持证率" { points = 10, score = bands("持证率", { {1.0, 10}, {0.95, 8}, {0.9, 5} }) },
  indicator "信息公开" { points = 10, score = ratio_to_best("公开条数") },
  indicator "三项制度" { points = 10,
    score = lookup("三项制度等次", { ["优秀"] = 10, ["良好"] = 8, ["合格"] = 6 }, { default = 0 }) },
  -- 评查不合格（低于60分）的案卷每件扣2分，最多扣6分
  deduction "案卷不合格" { per = 2, max = 6,
    count = agg.count("案卷评查", function(r) return r["评查得分"] < 60 end) },
}

section "三、化解纠纷" { points = 20,
  indicator "信访化解" { points = 10, score = min_max("信访化解率") },
  indicator "复议纠错" { points = 10, score = rank_points("复议纠错数", {10, 8, 6}, { order = "asc" }) },
}

deduction "通报批评" { per = 1, max = 3, count = "通报批评次数" }
bonus "示范创建" { max = 2, score = yes_no("示范创建") }
bonus "经验推广" { max = 2, score = function(u) return u["经验推广次数"] * 0.5 end }
veto "重大执法过错" { when = "重大执法过错", reason = "发生重大执法过错" }

grades { {"优秀", 90, quota = 0.4}, {"良好", 80}, {"合格", 60}, {"不合格", 0} }
commend { tie_break = { "二、严格执法", "deductions" } }
