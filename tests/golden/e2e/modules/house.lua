-- house.lua: a county's house conventions, written once and used by its
-- rule files (use "house"): the grades every assessment of the county
-- uses, and a helper for "完成数 ÷ 应完成数" scored on the item's points.
local M = {}

function M.grades()
  grades { {"优秀", 90}, {"良好", 75}, {"合格", 60}, {"不合格", 0} }
end

-- per cent done of what was due, on P points, 0 when nothing was due
function M.done_share(done, due, P)
  return function(u)
    local d = u[due]
    if d == 0 then return 0, "无应完成事项, 得0分" end
    local x = u[done] / d
    if x > 1 then x = 1 end
    return P * x, string.format("%s %d ÷ %s %d, 得%.2f分", done, u[done], due, d, P * x)
  end
end

return M
