-- compare: computed values compared as the decimals they stand for, at the
-- comparison precision (issue 15.1; golden end-to-end test).  Growth
-- 2.352 ÷ 2.1 − 1 is 12% exactly but computes as 0.11999999999999988; a sum
-- 0.7 + 0.2 computes as 0.8999999999999999 and must rank level with 0.4 + 0.5.
-- The expected points are worked out by hand in ARITHMETIC.md.

assessment {
  title = "比较精度（测试）",
  year = 2021,
  unit = { id = "单位代码", name = "单位名称", category = "类别" },
  categories = { {"镇", commend = 1} },
}

section "一、发展" { points = 30,
  -- 增幅 ≥ 12% 得10分, ≥ 8% 得6分
  indicator "税收增幅" { points = 10,
    score = bands(function(u) return u["本年税收"] / u["上年税收"] - 1 end, { {0.12, 10}, {0.08, 6} }) },
  -- 两项得分之和排名: 第1名10分, 第2名8分, 第3名6分
  indicator "综合名次" { points = 10,
    score = rank_points(function(u) return u["甲"] + u["乙"] end, {10, 8, 6}) },
  -- 两项之和, 极差法
  indicator "综合极差" { points = 10, score = min_max(function(u) return u["甲"] + u["乙"] end) },
}

grades { {"好", 25}, {"中", 15}, {"差", 0} }
commend { tie_break = { "一、发展" } }
