-- testrunner.lua — what kaoping test reads in a case (issue 15.11): a deduction or bonus that did
-- not fire expected as 0, rank, columns with a declared default left out, and the quota named
-- when a grade differs because of it (case a fails on purpose: its expected grade is wrong).
assessment { title = "t", year = 2021, unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 10,
  indicator "x" { points = 5, score = target("i01", 1) },
  indicator "y" { points = 5, score = yes_no("有方案", 5), default = "否" } }
deduction "事故" { per = 2, max = 6, count = "事故数", unit = "起" }
bonus "创建" { score = yes_no("示范", 2), default = "否" }
grades { {"优秀", 4, count = 1}, {"合格", 0} }
case "a" { unit = { i01 = 0.9, ["事故数"] = 0 }, peers = { { i01 = 1, ["事故数"] = 0 } }, expect = { x = 4.5, ["事故"] = 0, ["创建"] = 0, rank = 2, grade = "优秀" } }
case "b" { unit = { i01 = 1, ["事故数"] = 1 }, expect = { x = 5, ["事故"] = 2, rank = 1, grade = "合格" } }
