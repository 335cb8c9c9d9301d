-- checklist: items of P points with several conditions, each deducting its
-- own amount, down to 0 within the item (扣分标准; issue 15.4; golden
-- end-to-end test).  The expected points are worked out by hand in
-- ARITHMETIC.md.

assessment {
  title = "扣分标准（测试）",
  year = 2021,
  unit = { id = "单位代码", name = "单位名称", category = "类别" },
  categories = { {"部门", commend = 1} },
}

section "一、组织领导" { points = 5,
  indicator "工作方案" { points = 3, checklist = {
    {"没有总体方案", 3, when = "有总体方案", is = false},
    {"未及时备案", 1, when = "备案及时", is = false},
    {"迟报", 0.5, per = "迟报次数"},
    {"漏报", 1, per = "漏报次数", max = 2, unit = "项"},
  } },
  indicator "学法" { points = 2, checklist = {
    {"未组织集中学法", 2, when = "集中学法", is = false},
    {"发生违法案件", 2, when = "违法案件"},
  } },
}

grades { {"好", 4}, {"中", 2}, {"差", 0} }
commend {}
