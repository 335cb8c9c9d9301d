-- dates: deadlines on a date column in every form Excel and WPS write
-- (2024/3/31, 2024-03-31, 2024年3月31日, leading zeros, a time of day,
-- an Excel serial number), and late and missing submissions counted from
-- a dated log (issue 15.8; golden end-to-end test).  The expected points
-- are worked out by hand in ARITHMETIC.md; criteria.txt holds the words.

assessment {
  title = "按时报送（测试）",
  year = 2024,
  unit = { id = "单位代码", name = "单位名称", category = "类别" },
  categories = { {"镇", commend = 1} },
}

events "报送记录" { file = "monthly.csv", unit = "单位代码" }

section "一、按时报送" { points = 20,
  -- 2024年3月31日前(含)报送得10分, 4月15日前(含)得6分, 逾期或未报送不得分
  indicator "年报报送" { points = 10, default = "未报送",
    score = deadline("报送日期", { {"2024-03-31", 10}, {"2024-04-15", 6} }, { otherwise = 0 }) },
  -- 月报每逾期一次扣2分, 扣完为止
  indicator "月报按时" { points = 6, score = per_item(agg.late("报送记录", "应报日期", "实报日期"), 2) },
  -- 月报每缺报一次扣2分
  indicator "月报齐全" { points = 4, checklist = {
    {"缺报月报", 2, per = agg.missing("报送记录", "实报日期"), unit = "次"} } },
}
-- 缺报两次及以上另行通报, 每次扣1分, 最多扣2分 (from the total)
deduction "缺报通报" { per = 1, max = 2, count = agg.missing("报送记录", "实报日期", function(r) return r["月份"] ~= "1月" end) }
-- 2024年3月15日前(含)报送年报的加1分
bonus "提前报送" { default = "未报送", score = deadline("报送日期", { {"2024-03-15", 1} }) }

grades { {"好", 18}, {"中", 10}, {"差", 0} }
commend {}
