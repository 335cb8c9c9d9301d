-- goals: each town's own task (target with a goal column), strict bands
-- with an otherwise value, and 完成/未完成 (issue 15.6; golden end-to-end
-- test).  The expected points are worked out by hand in ARITHMETIC.md.

assessment {
  title = "重点任务（测试）",
  year = 2021,
  unit = { id = "单位代码", name = "单位名称", category = "类别" },
  categories = { {"镇", commend = 1} },
}

section "一、重点任务" { points = 30,
  indicator "任务完成" { points = 10, score = target("完成数", "任务数") },
  indicator "税收增幅" { points = 10,
    score = bands("税收增幅", { {gt = 0.12, 10}, {0.12, 8}, {0.08, 6} }, { otherwise = 2 }) },
  indicator "专项整治" { points = 10, score = done("专项整治", 4) },
}

grades { {"好", 25}, {"中", 15}, {"差", 0} }
commend {}
