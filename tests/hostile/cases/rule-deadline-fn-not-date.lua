-- rule-deadline-fn-not-date: a deadline whose function returns a count, not a date
assessment { title = "t", year = 2021, precision = 2,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 10, indicator "a" { points = 10, score = deadline(function(u) return u.i11 // 1 end, {{"2024-03-31", 10}}) } }
