-- sandbox-decl-through-pcall (hostile case fixture): a refused helper called through pcall
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
pcall(target, "i01", -1)
