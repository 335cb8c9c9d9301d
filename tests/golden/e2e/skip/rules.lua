-- skip: missing values skipped and the rest rescaled, or replaced by a
-- default (golden end-to-end test).  Units without law-enforcement duties
-- have no 三项制度 grade and no case files: those indicators are left out
-- and the unit's other points rescaled to the full 100.
-- The expected points are worked out by hand in ARITHMETIC.md.

assessment {
  title = "缺项折算（测试）",
  year = 2021,
  unit = { id = "单位代码", name = "单位名称", category = "类别" },
  categories = { {"部门", commend = 1} },
}

events "案卷" { file = "cases.csv", unit = "单位代码" }

section "一、执法" { points = 60,
  indicator "三项制度" { points = 20, missing = "skip",
    score = lookup("三项制度等次", { ["优秀"] = 20, ["良好"] = 16, ["合格"] = 12 }) },
  indicator "案卷评查" { points = 20, missing = "skip", score = target(agg.avg("案卷", "评查得分"), 100) },
  indicator "持证上岗" { points = 20, default = 0, score = target("持证人数", 10) },
}
section "二、公开" { points = 40,
  indicator "信息公开" { points = 40, score = ratio_to_best("公开条数") },
}
deduction "通报批评" { per = 2, count = "通报批评次数" }

grades { {"好", 80}, {"中", 60}, {"差", 0} }
commend {}
