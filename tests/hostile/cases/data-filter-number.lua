-- data-filter-number.lua: one filter by a number, declared and in a function
assessment { title = "filter number", year = 2021, precision = 2,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 1} } }
events "ev" { file = "ev.csv", unit = "unit_id", columns = { "级别" } }
section "s" { points = 20,
  indicator "声明" { points = 10, score = per_item(agg.count("ev", { ["级别"] = 1 }), 2, 10) },
  indicator "函数" { points = 10, score = function(u) return 10 - 2 * u.events["ev"]:count({ ["级别"] = 1 }) end },
}
commend {}
