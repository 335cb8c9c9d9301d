-- modules: a rule file that uses a module beside it (issue 15 point 12):
-- the module declares the grades and gives a scoring function; a
-- deduction counts in its own word, 起 (issue 15 point 11).  Golden
-- end-to-end test, worked out by hand in ARITHMETIC.md.
local house = use "house"

assessment {
  title = "共享模块（测试）",
  year = 2021,
  unit = { id = "单位代码", name = "单位名称", category = "类别" },
  categories = { {"部门", commend = 1} },
}

section "一、工作落实" { points = 100,
  indicator "事项办结" { points = 60, score = house.done_share("办结数", "应办结数", 60) },
  indicator "制度建设" { points = 40, score = yes_no("建立制度") },
}

deduction "安全事故" { per = 5, max = 15, count = "事故数", unit = "起" }

house.grades()
