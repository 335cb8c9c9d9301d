-- vetolast: commend { veto_rank = "last" } ranks the vetoed units of each
-- category after all the others, by their total among themselves (issue
-- 15 point 10; golden end-to-end test).  Worked out by hand in
-- ARITHMETIC.md.

assessment {
  title = "一票否决排最后（测试）",
  year = 2021,
  unit = { id = "单位代码", name = "单位名称", category = "类别" },
  categories = { {"镇", commend = 2}, {"部门", commend = 1} },
}

section "一、工作实绩" { points = 100,
  indicator "工作得分" { points = 100, score = target("得分", 100) },
}

veto "安全生产" { when = "重大事故", reason = "发生重大安全事故" }

grades { {"优秀", 85}, {"良好", 70}, {"一般", 0} }
commend { veto_rank = "last" }
