-- nograde.lua — with no grades declared a unit has none: a case says
-- grade = "(none)", in whatever language kaoping speaks (check_score).
assessment { title = "无等次", unit = { id = "id", name = "name", category = "cat" }, categories = { {"镇"} } }
section "S" { points = 10, indicator "学法" { points = 10, score = target("学法次数", 10) } }
case "无等次" { unit = { ["学法次数"] = 1 }, expect = { total = 1, grade = "(none)" } }
