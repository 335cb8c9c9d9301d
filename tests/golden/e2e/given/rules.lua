-- given: points sent in by another office (given), weighted blends
-- (考核 85% + 评议 15%) and the trimmed mean of evaluators' scores
-- (去掉一个最高分和一个最低分; issue 15.9; golden end-to-end test).  The
-- expected points are worked out by hand in ARITHMETIC.md.

assessment {
  title = "报送得分（测试）",
  year = 2021,
  unit = { id = "单位代码", name = "单位名称", category = "类别" },
  categories = { {"部门", commend = 1} },
}

-- one row per evaluator per unit, scores out of 10
events "评议打分" { file = "ratings.csv", unit = "单位代码" }

section "一、工作实绩" { points = 60,
  -- 考核办考核得分占85%, 人大评议得分占15% (均为百分制), 折算为40分
  indicator "综合考核" { points = 40,
    score = blend { {given("考核得分"), 0.85}, {given("评议得分"), 0.15} } },
  -- 人大办报送的评议得分, 满分10分
  indicator "人大评议" { points = 10, score = given("人大评议") },
  -- 评委打分去掉一个最高分和一个最低分后取平均, 满分10分
  indicator "群众评议" { points = 10, score = given(agg.trimmed_avg("评议打分", "分数")) },
}

section "二、满意度" { points = 40,
  -- 考核得分占70%, 评委平均分 (10分制) 占30%, 折算为40分
  indicator "满意度" { points = 40,
    score = blend { {"考核得分", 0.7}, {agg.trimmed_avg("评议打分", "分数"), 0.3, scale = 10} } },
}

grades { {"优秀", 90}, {"良好", 80}, {"合格", 60}, {"不合格", 0} }
commend {}
