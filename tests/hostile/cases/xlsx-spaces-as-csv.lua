-- xlsx-spaces-as-csv: a rule function comparing a cell's text, a lookup,
-- a yes/no column: the cells of the workbook carry spaces around them.
assessment { title = "spaces", year = 2021, precision = 2,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 1} } }
data "d" { columns = { "flag", "level", "yn" } }
section "s" { points = 100,
  indicator "f" { points = 40, score = function(u) if u["flag"] == "是" then return 40, "是" end return 0, "否" end },
  indicator "l" { points = 30, score = lookup("level", { ["省级"] = 30, ["县级"] = 10 }) },
  indicator "y" { points = 30, score = yes_no("yn", 30) },
}
commend {}
