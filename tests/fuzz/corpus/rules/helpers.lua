-- every helper on the fuzz dataset (units, extra, cases)
assessment { title = "fuzz", year = 2021, precision = 2, round = "items",
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"town", commend = 1}, {"dept", commend = 2} },
  bonus_max = 4, max_total = 100 }
events "cases" { data = "cases", unit = "unit_id" }
section "一" { points = 40,
  indicator "target" { points = 10, score = target("i01", 0.95) },
  indicator "best" { points = 10, score = ratio_to_best("i11", { scope = "all" }) },
  indicator "minmax" { points = 10, score = min_max("i12"), default = 0 },
  indicator "rank" { points = 10, score = rank_points("i13", { 10, 8, 6 }, { order = "asc" }), missing = "skip" },
}
section "二" { points = 60,
  indicator "bands" { points = 10, score = bands("rate", { {0.95, 10}, {0.9, 8}, {0.5, 2} }), default = 0 },
  indicator "yes" { points = 10, score = yes_no("yes"), missing = "skip" },
  indicator "lookup" { points = 10, score = lookup("grade", { ["优秀"] = 10, ["良好"] = 8, ["合格"] = 6 }, { default = 0 }), default = "合格" },
  indicator "per" { points = 10, score = per_item("i19", 2, 6) },
  indicator "events" { points = 10, score = function(u)
      local avg = u.events["cases"]:avg("score", { kind = "A" })
      return avg and avg / 10 or 0, "平均" .. tostring(avg) end },
  indicator "agg" { points = 10, score = target(agg.count("cases", function(row) return row.kind == "A" end), 2) },
  deduction "迟报" { per = 1, max = 3, count = "i17" },
}
deduction "复议" { per = 2, max = 6, count = "i18" }
deduction "其他" { points = function(u, ctx) return ctx:max("i16") > 50 and 1 or 0, "note" end, max = 5 }
bonus "示范" { max = 3, score = yes_no("i20", 3) }
bonus "创新" { max = 2, score = function(u) return u.last and 1 or 0 end }
veto "否决" { when = function(u) return u.i19 > 5 end, reason = "i19 > 5" }
grades { {"优秀", 90, quota = 0.2}, {"良好", 80}, {"合格", 60}, {"不合格", 0}, quota_ties = "all" }
commend { min_grade = "合格", min_score = 10, eligible = function(r) return r.deductions < 5 end,
          tie_break = { "二", "deductions", "bonus" } }
case "满分" {
  category = "town",
  unit = { i01 = 1, i11 = 500, i12 = 9, i13 = 1, rate = "100%", yes = "是", grade = "优秀", i19 = 0, i17 = 0, i18 = 0, i16 = 0, i20 = 0 },
  events = { cases = { { score = 100, kind = "A" }, { score = 90, kind = "A" } } },
  peers = { { i01 = 0.5, i11 = 100, i12 = 1, i13 = 5, rate = "50%", yes = "否", grade = "合格", i19 = 1, i17 = 1, i18 = 0, i16 = 0, i20 = 0 } },
  expect = { target = 10, per = 10, veto = false },
}
