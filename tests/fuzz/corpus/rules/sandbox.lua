-- attempts on the sandbox, each caught
assessment { title = "fuzz", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 2}, {"town", commend = 1} } }
local ok = pcall(function() return rawset(string, "x", 1) end)
local f = load("return 1 + 1")
local g = load(function() return nil end)
local t = setmetatable({}, { __index = function(t, k) return k end, __gc = function() end })
local s = ("x"):rep(100) .. utf8.char(0x4e2d) .. string.format("%q", 1/3)
section "s" { points = 10,
  indicator "x" { points = 10, score = function(u, ctx)
    local n = #u.name + (u.i01 or 0)
    local a, b = pcall(error, { code = 1 })
    if u.id == "U3" then return 0/0 end
    return math.min(10, #tostring(u.name) + ctx:count()), os.date("%Y", 0)
  end },
}
