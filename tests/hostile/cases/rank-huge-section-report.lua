-- rank-huge-section-report (hostile case fixture): clamp = false lets a
-- cell of 1e308 through as an indicator's points
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 1}, {"town", commend = 1} } }
section "s" { points = 60,
  indicator "a" { points = 60, clamp = false, score = function(u) return u.i01 end },
}
section "t" { points = 40,
  indicator "b" { points = 40, score = target("i02", 1) },
}
