-- rank-total-overflow (hostile case fixture): two sections of 1e308
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 1}, {"town", commend = 1} } }
section "s" { points = 60,
  indicator "a" { points = 60, clamp = false, score = function(u) return u.i01 end },
}
section "t" { points = 40,
  indicator "b" { points = 40, clamp = false, score = function(u) return u.i01 end },
}
