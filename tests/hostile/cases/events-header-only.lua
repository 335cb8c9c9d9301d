-- events-header-only (hostile case fixture, shared by the events-header-only-*
-- cases): an events list whose file may hold a header and no rows (a county
-- with no lawsuits this year): counts 0, sums 0, avg missing
assessment { title = "hostile events", year = 2021, precision = 2,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
events "诉讼" { file = "lawsuits.csv", unit = "unit_id" }
section "s" { points = 30,
  indicator "i01" { points = 10, score = target("i01", 0.95) },
  indicator "败诉" { points = 10, desc = "败诉一件扣2分", score = function(u)
    local ev = u.events["诉讼"]
    return 10 - 2 * ev:count({ ["结果"] = "败诉" }), "共" .. ev:count() .. "件" end },
  indicator "赔偿" { points = 5, score = given(agg.sum("诉讼", "赔偿")) },
  indicator "均分" { points = 5, score = given(agg.avg("诉讼", "评分")), default = 5 },
}
deduction "案件" { per = 1, max = 5, count = agg.count("诉讼") }
