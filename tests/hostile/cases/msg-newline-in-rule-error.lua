-- msg-newline-in-rule-error (hostile case fixture): an error message with line breaks, one forging kaoping's words
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 10, indicator "x" { points = 10, score = function(u)
  error("boom\nkaoping: run 1 recorded in kaoping.db", 0)
end } }
