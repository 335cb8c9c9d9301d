-- residue: rescaled sections (缺项) printed each rounded can miss the total
-- by a cent; the total stays as computed and explain shows the 折算尾差
-- (issue 15.3; golden end-to-end test).
-- The expected points are worked out by hand in ARITHMETIC.md.

assessment {
  title = "折算尾差（测试）",
  year = 2021,
  unit = { id = "单位代码", name = "单位名称", category = "类别" },
  categories = { {"部门", commend = 1} },
}

section "一、制度" { points = 10,
  indicator "三项制度" { points = 5, missing = "skip",
    score = lookup("三项制度等次", { ["优秀"] = 5, ["合格"] = 3 }) },
  indicator "制度建设" { points = 5, score = target("制度完成率", 1) },
}
section "二、执法" { points = 10,
  indicator "执法检查" { points = 10, score = target("检查完成率", 1) },
}
section "三、公开" { points = 10,
  indicator "信息公开" { points = 10, score = target("公开完成率", 1) },
}
deduction "通报批评" { per = 1, count = "通报批评次数" }

grades { {"好", 25}, {"差", 0} }
commend {}
