-- cases.lua — a small rule file with its own test cases, for check_score
-- (kp_ruletest_run, what `kaoping test` runs).  Three cases here, one
-- beside it in cases_test.lua; the case "算错了" fails on purpose.

assessment { title = "用例", unit = { id = "id", name = "name", category = "cat" },
  categories = { {"镇", commend = 1}, {"部门", commend = 1} } }

section "S" { points = 10,
  indicator "学法" { points = 6, score = target("学法次数", 6) },
  indicator "信息" { points = 4, score = ratio_to_best("信息条数") } }
deduction "迟报" { per = 1, max = 3, count = "迟报次数" }
veto "过错" { when = "过错" }
grades { {"优秀", 9}, {"合格", 0} }

-- 6 of 6 → 6; the best of its category → 4; total 10
case "满分" { unit = { ["学法次数"] = 6, ["信息条数"] = 10, ["迟报次数"] = 0, ["过错"] = "否" },
  peers = { { ["学法次数"] = 1, ["信息条数"] = 5, ["迟报次数"] = 0, ["过错"] = "否" } },
  expect = { total = 10, ["学法"] = 6, ["信息"] = 4, S = 10, grade = "优秀", veto = false, commended = true } }

-- 3 of 6 → 3; 5 of the peer's 10 → 2; section 5; 迟报 2 → total 3; a veto
case "同类最高" { category = "部门",
  unit = { ["学法次数"] = 3, ["信息条数"] = 5, ["迟报次数"] = 2, ["过错"] = "是" },
  peers = { { ["学法次数"] = 6, ["信息条数"] = 10, ["迟报次数"] = 0, ["过错"] = "否" } },
  expect = { total = 3, ["学法"] = 3, ["信息"] = 2, S = 5, ["迟报"] = 2, deductions = 2,
             grade = "合格", veto = true, commended = false } }

-- 3 of 6 → 3; alone, so its own best → 4; section 7; 迟报 5, at most 3 →
-- total 4, 合格.  The expectations below are wrong on purpose.
case "算错了" { unit = { ["学法次数"] = 3, ["信息条数"] = 10, ["迟报次数"] = 5, ["过错"] = "否" },
  expect = { total = 9, ["学法"] = 4, ["信息"] = 4, grade = "优秀", ["不存在"] = 1 } }
