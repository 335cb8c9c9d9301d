-- cli-nohup-hangup.lua — mini.lua whose i02 takes 0.2 s a unit: a run of some seconds to signal
assessment { title = "hostile mini", year = 2021, precision = 2,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "rates" { points = 60,
  indicator "i01" { points = 30, score = target("i01", 0.95) },
  indicator "i02" { points = 30, score = function(u) local t = os.clock() while os.clock() < t + 0.2 do end return 30 * u.i02, "i02 × 30" end },
}
section "counts" { points = 40,
  indicator "i11" { points = 40, score = ratio_to_best("i11") },
}
deduction "violations" { per = 2, max = 10, count = "i19" }
veto "i20" { when = "i20", reason = "i20 = 1" }
grades { {"优秀", 90}, {"良好", 80}, {"合格", 60}, {"不合格", 0} }
commend {}
