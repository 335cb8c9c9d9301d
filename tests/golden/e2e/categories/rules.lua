-- categories: items assessed for some categories only, the others scaled
-- to 100 (百分制折算); grade thresholds and commendation conditions per
-- category; a grade quota as a count (一等奖 the top 2) (issue 15.7; golden
-- end-to-end test).  The expected points are worked out by hand in
-- ARITHMETIC.md.

assessment {
  title = "分类考核（测试）",
  year = 2021,
  unit = { id = "单位代码", name = "单位名称", category = "类别" },
  categories = { {"镇", commend = 2}, {"部门", commend = 1} },
}

section "一、共性指标" { points = 50,
  indicator "学法" { points = 50, score = target("学法次数", 5) },
}
section "二、执法" { points = 50,
  -- 镇不承担执法任务: 只考核部门, 镇按百分制折算
  indicator "案卷评查" { points = 50, categories = {"部门"}, score = target("评查得分", 100) },
}

grades { {"一等", 90, count = 2, by_category = { ["部门"] = 85 } }, {"二等", 60}, {"三等", 0} }
commend { min_score = 80, by_category = { ["部门"] = { min_grade = "一等" } } }
