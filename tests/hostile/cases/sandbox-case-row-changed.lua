-- sandbox-case-row-changed (hostile case fixture): each case's tables are changed after it is declared
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
events "e" { file = "ev.csv", unit = "unit_id" }
section "s" { points = 10, indicator "x" { points = 10, score = function(u) return u.i01 + u.events.e:count() end } }
local a = { unit = { i01 = 5 }, peers = { { i01 = 1 }, { i01 = 2 } }, expect = { total = 5 } }
case "peer" (a)
a.peers[2] = 7
local b = { unit = { i01 = 5 }, expect = { total = 5 } }
case "unit" (b)
b.unit = "x"
local c = { unit = { i01 = 5 }, events = { e = { {}, {} } }, expect = { total = 7 } }
case "event" (c)
c.events.e[2] = true
case "untouched" { unit = { i01 = 5 }, events = { e = { {} } }, expect = { total = 6 } }
