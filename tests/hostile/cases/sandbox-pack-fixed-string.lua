-- sandbox-pack-fixed-string (hostile case fixture): a text cell "0x10" packed as a number after a c2 string
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 20, indicator "x" { points = 20, score = function(u)
  return (string.unpack("i4", string.pack("c2i4", 12, u.code), 3)) end } }
