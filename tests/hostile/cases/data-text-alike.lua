-- data-text-alike.lua: a lookup with a default, a declared event filter and
-- a filter in a function, each against a word a cell can mistype
assessment { title = "text alike", year = 2021, precision = 2,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
events "ev" { file = "ev.csv", unit = "unit_id", columns = { "结果" } }
section "s" { points = 30,
  indicator "评价" { points = 10, score = lookup("评价", { ["优秀"] = 10, ["良好"] = 6 }, { default = 0 }) },
  indicator "纠错" { points = 10, score = per_item(agg.count("ev", { ["结果"] = "纠错" }), 5, 10) },
  indicator "函数" { points = 10, score = function(u) return 10 - 5 * u.events["ev"]:count({ ["结果"] = "纠错" }) end },
}
commend {}
