-- xml-forbidden-chars.lua — texts holding U+FFFF and U+FFFE, which XML 1.0
-- forbids: the title (workbook properties, page header, title rows), a
-- category (a sheet name of the report workbook); the unit names come from
-- the CSV the case writes.
assessment { title = "考核\u{FFFF}标题\u{FFFE}", year = 2021, precision = 2,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"部门\u{FFFF}", commend = 3}, {"town", commend = 1} } }
section "rates" { points = 60,
  indicator "i01" { points = 30, score = target("i01", 0.95) },
  indicator "i02" { points = 30, score = function(u) return 30 * u.i02, "i02 × 30" end },
}
section "counts" { points = 40,
  indicator "i11" { points = 40, score = ratio_to_best("i11") },
}
grades { {"优秀", 90}, {"良好", 80}, {"合格", 60}, {"不合格", 0} }
commend {}
