-- cases_test.lua — the cases beside cases.lua (kp_rules_load with tests).

case "旁边的用例" { unit = { ["学法次数"] = 0, ["信息条数"] = 0, ["迟报次数"] = 1, ["过错"] = "否" },
  expect = { total = 0, ["学法"] = 0, ["信息"] = 0, S = 0 } }
