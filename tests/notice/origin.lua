-- origin.lua — a rule file whose items name their basis (依据) and the office
-- that scores them (考核科室), for the criteria golden tests of
-- tests/notice/run.sh; some items name neither, one only its office.  Texts
-- with < > & " ' and a leading = test the escapes of the HTML and CSV forms.

assessment {
  title = "某县2021年度<目标>责任考核 & \"测试\"",
  year = 2021,
  office = "某县人民政府",
  basis = "《某县目标责任考核办法》",
  unit = { id = "单位代码", name = "单位名称", category = "类别" },
  categories = { {"镇", commend = 1}, {"部门", commend = 1} },
}

section "一、依法决策" { points = 60,
  indicator "会前学法" { points = 30, score = target("学法次数", 6),
    basis = "《法治政府建设实施纲要》", office = "县司法局" },
  indicator "合法性审查" { points = 30, score = yes_no("审查"), office = "县政府办<法制股>" },
  deduction "复议纠错" { per = 2, max = 10, count = "纠错数", basis = "=《行政复议法》" },
}
section "二、政务公开" { points = 40,
  indicator "主动公开" { points = 20, score = function(u) return u["公开分"] end },
  indicator "依申请公开" { points = 20, score = function(u) return u["依申请分"] end,
    desc = "按时答复率 × 20分" },
}
bonus "示范创建" { score = yes_no("示范", 3), basis = "《示范创建通知》", office = "县依法治县办" }
veto "重大违法" { when = "重大违法", basis = "《考核办法》第九条", office = "县纪委监委" }

grades { {"优秀", 90}, {"良好", 75}, {"一般", 0} }
commend {}
