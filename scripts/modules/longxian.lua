-- longxian.lua — the shared rule module of 陇县 (Longxian county): the
-- county's house grades and a helper, for `use "longxian"` in a rule file.
-- It runs in the rule file's sandbox and environment, once; what it
-- returns is what `use` returns.  Shipped in scripts/modules/, installed in
-- $(PREFIX)/share/kaoping/modules/.

local M = {}

-- 县里统一的等次: 优秀 (不超过同类的20%), 良好, 合格, 不合格.
-- Call it where the rule file would declare its grades:
--   local lx = use "longxian"
--   lx.grades()
function M.grades()
  grades { {"优秀", 90, quota = 0.20}, {"良好", 80}, {"合格", 60}, {"不合格", 0} }
end

-- 按完成率计分: a score function giving points × 完成数 ÷ 任务数 (at most
-- points; no task is full points), with the note in the county's words.
--   indicator "重点任务" { points = 10, score = lx.by_rate("完成数", "任务数", 10) }
function M.by_rate(done, total, points)
  return function(u)
    local d, t = u[done], u[total]
    if t <= 0 then return points, total .. "为0, 得满分" end
    local rate = math.min(d / t, 1)
    return points * rate, string.format("%s%g/%s%g, 完成率%.1f%%", done, d, total, t, rate * 100)
  end
end

return M
