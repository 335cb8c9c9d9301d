-- deductions: deductions inside a section count wherever deductions are
-- counted (issue 15.2), and 扣完为止 shows as a line of its own in explain
-- (issue 15.3; golden end-to-end test).  Two units tie at 30: one lost 10
-- points inside a section, the other nothing; the quota is 1 and the
-- tie-break is "fewer deductions".
-- The expected points are worked out by hand in ARITHMETIC.md.

assessment {
  title = "部分内扣分（测试）",
  year = 2021,
  unit = { id = "单位代码", name = "单位名称", category = "类别" },
  categories = { {"镇", commend = 1} },
}

section "一、执法" { points = 40,
  indicator "执法检查" { points = 40, score = target("检查完成数", 20) },
  -- 每起错案扣5分, 扣完为止
  deduction "错案" { per = 5, count = "错案数" },
}
section "二、公开" { points = 10,
  indicator "信息公开" { points = 10, score = yes_no("按时公开") },
}
deduction "通报批评" { per = 1, max = 3, count = "通报批评次数" }

grades { {"好", 30}, {"中", 10}, {"差", 0} }
commend { tie_break = { "deductions" } }
