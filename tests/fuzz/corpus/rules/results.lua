-- results.lua: score functions handing back one or two results of every kind
assessment { title = "results", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 40,
  indicator "a" { points = 10, score = function(u) return "5\0x", "note" end },
  indicator "b" { points = 10, score = function(u) return 5, "n\0ote" end },
  indicator "c" { points = 10, score = function(u) return "\255", {} end },
  indicator "d" { points = 10, score = function(u, ctx) return u.i01 * 10, nil end },
}
