-- basis: the basis (依据) and office (考核科室) of indicators, a deduction,
-- a bonus and a veto, shown by explain and by the unit sheets of
-- explain --all (tests/golden/sheets.sh); an event list gives rows on
-- several lines of one file.  The expected points are worked out by hand
-- in ARITHMETIC.md.

assessment {
  title = "依据与科室（测试）",
  office = "县考核办",
  year = 2021,
  unit = { id = "单位代码", name = "单位名称", category = "类别" },
  categories = { {"镇", commend = 1} },
}
events "案件" { file = "cases.csv", unit = "单位代码" }

section "一、制度" { points = 60,
  indicator "学法" { points = 40, score = target("学法次数", 4),
    basis = "《学法制度》第3条", office = "县司法局" },
  indicator "公开" { points = 20, score = yes_no("按时公开"), office = "县政务办" },
}
section "二、执法" { points = 40,
  indicator "办案" { points = 40, score = target(agg.count("案件"), 2) },
}
deduction "错案" { per = 5, max = 10, count = agg.count("案件", { ["结果"] = "纠错" }),
  basis = "《错案追究办法》", office = "县法制办" }
bonus "创建" { max = 5, score = yes_no("示范创建", 5), basis = "县委〔2021〕1号" }
veto "重大过错" { when = "重大过错", reason = "发生重大执法过错", office = "县纪委" }

grades { {"好", 80}, {"中", 60}, {"差", 0} }
