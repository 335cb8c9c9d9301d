-- sandbox-test-column-order (hostile case fixture): a case whose i05 is no number
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 10, indicator "x" { points = 10, score = target("i05", 1) } }
case "text" { unit = { i01 = 1, i02 = 2, i03 = 3, i04 = 4, i05 = "x", i06 = 6 }, expect = { total = 10 } }
