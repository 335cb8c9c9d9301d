-- stdout-control-chars (hostile case fixture): escape codes in the title, a section name and a case name
assessment { title = "t\27[2J", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s\27]0;pwned\7" { points = 10, indicator "x" { points = 10, score = function(u) return 1 end } }
case "c\194\155" { unit = { unit_id = "A", name = "a", category = "dept" }, expect = { x = 2 } }
