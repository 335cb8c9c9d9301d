-- base: base-score blocks (基础分 / 倒扣分 / 以100分为基准加扣分) and bonus
-- points fixed by their helper, with no max (issue 15.5; golden end-to-end
-- test).  The expected points are worked out by hand in ARITHMETIC.md.

assessment {
  title = "以100分为基准加扣分（测试）",
  year = 2021,
  unit = { id = "单位代码", name = "单位名称", category = "类别" },
  categories = { {"部门", commend = 1} },
}

section "一、依法行政" { points = 80,                     -- 基础分80分
  deduction "复议纠错" { per = 2, max = 10, count = "纠错数" },
  deduction "通报批评" { per = 5, count = "通报数" },
}
section "二、法治宣传" { points = 20,
  indicator "普法" { points = 10, score = yes_no("落实普法") },
  indicator "考试" { points = 10, missing = "skip", score = target("参考率", 0.95) },
}
bonus "示范" { score = yes_no("示范", 3) }
bonus "表扬" { score = bands("表扬数", { {3, 2}, {1, 1} }) }

grades { {"好", 90}, {"中", 60}, {"差", 0} }
commend {}
