-- 2024-koufen.lua — a county's 依法行政工作考核标准 written from its
-- 考核标准 / 扣分标准 table, as a county official would write it: every
-- 扣分标准 cell is a checklist condition, the 行政执法 and 执法监督 parts are
-- base-score blocks (基础分, then 倒扣分), and the bonus points are fixed.
-- Test cases: 2024-koufen_test.lua (kaoping test rules/2024-koufen.lua).
--
-- | 考核内容 | 分值 | 考核标准 / 扣分标准 |
-- | 一、组织领导 | 10 | 有年度工作方案(无方案扣3分); 方案及时报备(未报备扣1分);
-- |              |    | 主要负责人履行第一责任人职责(未述法扣2分); 每季度报送工作信息(迟报每次扣0.5分, 漏报每次扣1分, 最多扣2分) |
-- | 二、制度建设 | 15 | 规范性文件经合法性审核(未审核每件扣2分); 按时报备(逾期每件扣1分, 最多扣3分);
-- |              |    | 开展文件清理(未清理扣3分); 建立重大决策目录(未建立扣2分) |
-- | 三、行政执法 | 40 | 基础分40分: 执法过错每件扣4分; 案卷评查不合格每卷扣2分(最多扣10分);
-- |              |    | 行政复议被纠错每件扣3分; 行政诉讼败诉每件扣3分; 执法信息未按期公示每次扣0.5分 |
-- | 四、执法监督 | 20 | 基础分20分: 执法人员未持证每人扣1分(最多扣5分); 投诉举报未按期办结每件扣1分 |
-- | 五、法治宣传 | 15 | 落实"谁执法谁普法"(未落实扣5分); 宣传活动(少于4次的每少1次扣1分);
-- |              |    | 学法考试参考率低于95%扣2分 |
-- | 加分 |  | 省级表彰加3分, 市级表彰加2分; 经验做法被推广加1分; 加分合计最多5分 |
-- | 一票否决 |  | 发生重大行政执法过错造成恶劣影响的 |

assessment {
  title = "某县2024年度依法行政工作考核（扣分制）",
  year = 2024,
  unit = { id = "单位代码", name = "单位名称", category = "类别" },
  categories = { {"乡镇", commend = 2}, {"县直部门", commend = 5} },
  bonus_max = 5,
}

section "一、组织领导" { points = 10,
  indicator "年度工作方案" { points = 4, checklist = {
    {"无年度工作方案", 3, when = "有年度工作方案", is = false},
    {"方案未报备", 1, when = "方案已报备", is = false},
  } },
  indicator "第一责任人职责" { points = 2, checklist = {
    {"主要负责人未述法", 2, when = "主要负责人述法", is = false},
  } },
  indicator "工作信息报送" { points = 4, checklist = {
    {"迟报", 0.5, per = "信息迟报次数"},
    {"漏报", 1, per = "信息漏报次数", max = 2},
  } },
}

section "二、制度建设" { points = 15,
  indicator "合法性审核" { points = 5, checklist = {
    {"规范性文件未经合法性审核", 2, per = "未审核文件件数", unit = "件"},
  } },
  indicator "备案审查" { points = 3, checklist = {
    {"逾期报备", 1, per = "逾期报备件数", max = 3, unit = "件"},
  } },
  indicator "文件清理" { points = 3, checklist = {
    {"未开展文件清理", 3, when = "开展文件清理", is = false},
  } },
  indicator "重大决策" { points = 4, checklist = {
    {"未建立重大决策事项目录", 2, when = "建立决策目录", is = false},
    {"重大决策未经合法性审查", 2, per = "未审查决策件数", unit = "件"},
  } },
}

section "三、行政执法" { points = 40,                          -- 基础分40分
  deduction "执法过错" { per = 4, count = "执法过错件数" },
  deduction "案卷不合格" { per = 2, max = 10, count = "不合格案卷数" },
  deduction "复议被纠错" { per = 3, count = "复议纠错件数" },
  deduction "诉讼败诉" { per = 3, count = "诉讼败诉件数" },
  deduction "未按期公示" { per = 0.5, count = "未按期公示次数" },
}

section "四、执法监督" { points = 20,                          -- 基础分20分
  deduction "未持证执法" { per = 1, max = 5, count = "未持证人数" },
  deduction "投诉未按期办结" { per = 1, count = "投诉逾期件数" },
}

section "五、法治宣传" { points = 15,
  indicator "谁执法谁普法" { points = 5, checklist = {
    {"未落实普法责任制", 5, when = "落实普法责任制", is = false},
  } },
  indicator "宣传活动" { points = 4, checklist = {
    {"少开展宣传活动", 1, per = function(u) return math.max(4 - u["宣传活动次数"], 0) end},  -- 少于4次的每少1次扣1分
  } },
  indicator "学法考试" { points = 6, score = bands("学法考试参考率", { {0.95, 6} }), desc = "参考率低于95%扣6分" },
}

bonus "上级表彰" { score = lookup("上级表彰", { ["省级"] = 3, ["市级"] = 2 }, { default = 0 }) }
bonus "经验推广" { score = yes_no("经验被推广", 1) }
veto "重大执法过错" { when = "发生重大执法过错", reason = "发生重大行政执法过错造成恶劣影响" }

grades { {"优秀", 90, quota = 0.3}, {"良好", 80}, {"合格", 60}, {"不合格", 0} }
commend { min_grade = "良好", tie_break = { "三、行政执法", "deductions" } }
