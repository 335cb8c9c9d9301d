-- plain.lua FILE.csv
--
-- The benchmark rule set of DESIGN.md section 7, written the way a Lua-savvy
-- official would write it without kaoping: read the whole CSV into tables,
-- compute, sort, print. It is the baseline that `make bench` compares
-- kaoping against, and an independent implementation of the contract that
-- kaoping's output must agree with byte for byte.
--
-- Output (stdout), one row per unit:
--   category,rank,unit_id,total,grade,commended,veto
-- ordered by category (dept, then town), rank, unit_id (byte order);
-- total with exactly 2 decimals; commended/veto as yes/no.

local path = arg[1]
if not path then
  io.stderr:write("usage: lua5.4 plain.lua FILE.csv\n")
  os.exit(64)
end

local function fail(code, msg)
  io.stderr:write("plain.lua: ", msg, "\n")
  os.exit(code)
end

---------------------------------------------------------------- CSV reading
local f, err = io.open(path, "rb")
if not f then fail(66, err) end
local text = f:read("a")
f:close()
if text:sub(1, 3) == "\239\187\191" then text = text:sub(4) end   -- UTF-8 BOM
if text ~= "" and text:sub(-1) ~= "\n" then text = text .. "\n" end

-- split one record that contains double quotes (RFC 4180)
local function split_quoted(s, lineno)
  local fields, i = {}, 1
  while true do
    if s:sub(i, i) == '"' then
      local parts, j = {}, i + 1
      while true do
        local q = s:find('"', j, true)
        if not q then fail(65, path .. ":" .. lineno .. ": unterminated quoted field") end
        parts[#parts + 1] = s:sub(j, q - 1)
        if s:sub(q + 1, q + 1) == '"' then
          parts[#parts + 1] = '"'
          j = q + 2
        else
          i = q + 1
          break
        end
      end
      fields[#fields + 1] = table.concat(parts)
      local c = s:sub(i, i)
      if c == "" then return fields end
      if c ~= "," then fail(65, path .. ":" .. lineno .. ": text after closing quote") end
      i = i + 1
    else
      local c = s:find(",", i, true)
      if c then
        fields[#fields + 1] = s:sub(i, c - 1)
        i = c + 1
      else
        fields[#fields + 1] = s:sub(i)
        return fields
      end
    end
  end
end

-- every record (a list of field strings) goes to on_record(fields, lineno)
local function each_record(on_record)
  local pending, start, lineno = nil, 0, 0
  for line in text:gmatch("([^\n]*)\n") do
    lineno = lineno + 1
    if pending then
      -- inside a quoted field that spans lines: the newline is data
      pending = pending .. "\n" .. line
    elseif line:find('"', 1, true) then
      pending, start = line, lineno
    else
      if line:sub(-1) == "\r" then line = line:sub(1, -2) end
      if line ~= "" then
        local fields, k = {}, 0
        for v in (line .. ","):gmatch("([^,]*),") do k = k + 1; fields[k] = v end
        on_record(fields, lineno)
      end
    end
    if pending then
      local _, quotes = pending:gsub('"', "")
      if quotes % 2 == 0 then          -- record complete
        if pending:sub(-1) == "\r" then pending = pending:sub(1, -2) end
        on_record(split_quoted(pending, start), start)
        pending = nil
      end
    end
  end
  if pending then fail(65, path .. ":" .. start .. ": unterminated quoted field") end
end

---------------------------------------------------------------- numbers
-- DESIGN section 5: numbers may carry % or thousands separators as Excel
-- exports them. "97.5%" is the decimal 97.5e-2 (read by tonumber, which is
-- strtod: correctly rounded, the same double as "0.975"), at most 100%;
-- "1,234,567" is 1234567 (groups of exactly three digits). Anything else
-- goes to tonumber as it is.
local function number(s)
  if not s then return nil end
  local m = s:match("^(%d+%.?%d*)%%$")
  if m then
    local v = tonumber(m .. "e-2")
    if v and v <= 1 then return v end
    return nil
  end
  local lead, groups, rest = s:match("^(%d%d?%d?)(,[,%d]*)(.*)$")
  if lead then
    if groups:gsub(",%d%d%d", "") ~= "" or not (rest == "" or rest:match("^%.%d+$")) then
      return nil
    end
    return tonumber(lead .. groups:gsub(",", "") .. rest)
  end
  return tonumber(s)
end

---------------------------------------------------------------- units
-- the header gives the columns; every other record becomes a unit
--   { unit_id, category, i01, ..., i20 } with the values as numbers
local need = { "unit_id", "category" }
for i = 1, 20 do need[#need + 1] = string.format("i%02d", i) end
local idx       -- position of each needed column in a record
local units = {}
local n = 0
each_record(function(fields, lineno)
  if not idx then
    local col = {}
    for k, name in ipairs(fields) do col[name] = k end
    idx = {}
    for k, name in ipairs(need) do
      idx[k] = col[name] or fail(65, path .. ": missing column " .. name)
    end
    return
  end
  local u = { fields[idx[1]], fields[idx[2]] }
  if not u[1] or not u[2] then fail(65, path .. ":" .. lineno .. ": too few fields") end
  if u[2] ~= "dept" and u[2] ~= "town" then
    fail(65, path .. ":" .. lineno .. ": category must be dept or town, not '" .. u[2] .. "'")
  end
  for k = 3, 22 do
    local v = number(fields[idx[k]])
    if not v then
      fail(65, string.format("%s:%d: column %s: not a number '%s'",
        path, lineno, need[k], tostring(fields[idx[k]])))
    end
    u[k] = v
  end
  n = n + 1
  units[n] = u
end)
if not idx then fail(65, path .. ": empty file, no header") end
text = nil

---------------------------------------------------------------- rounding
-- DESIGN section 2: take the value's %.15g decimal form, round that decimal
-- half-up (away from zero) at 2 decimals. Done on the digit string, so 2.675
-- gives 2.68 and 89.99499999999999 (printed 89.995) gives 90.00.
-- Returns the rounded value as an integer number of hundredths.
local function round2_cents(x)
  local s = string.format("%.15g", x)
  local neg = s:sub(1, 1) == "-"
  if neg then s = s:sub(2) end
  local mant, exp = s:match("^([%d.]+)e([-+]%d+)$")
  mant, exp = mant or s, tonumber(exp) or 0
  local ip, fp = mant:match("^(%d*)%.?(%d*)$")
  -- digits = ip .. fp with the decimal point after #ip + exp digits
  local digits, point = ip .. fp, #ip + exp
  local int, frac
  if point <= 0 then
    int, frac = "0", string.rep("0", -point) .. digits
  elseif point >= #digits then
    int, frac = digits .. string.rep("0", point - #digits), ""
  else
    int, frac = digits:sub(1, point), digits:sub(point + 1)
  end
  frac = frac .. "000"
  local cents = tonumber(int) * 100 + tonumber(frac:sub(1, 2))
  if frac:byte(3) >= 53 then cents = cents + 1 end     -- third digit >= '5'
  return neg and -cents or cents
end

---------------------------------------------------------------- scoring
local max = {}
for k = 13, 20 do
  local m = 0
  for j = 1, n do
    local v = units[j][k]
    if v > m then m = v end
  end
  max[k] = m
end

local results = {}
for j = 1, n do
  local u = units[j]
  local rates = 0
  for k = 3, 12 do rates = rates + 6 * math.min(u[k] / 0.95, 1) end
  local counts = 0
  for k = 13, 20 do
    if max[k] ~= 0 then counts = counts + 4 * u[k] / max[k] end
  end
  local deduction = math.min(2 * u[21], 10)
  local t = math.max((rates + counts) - deduction, 0)
  local bonus = u[13] >= 400 and 3 or 0
  t = math.min(t + bonus, 100)
  local cents = round2_cents(t)
  local veto = u[22] == 1
  local grade
  if veto then grade = "不合格"
  elseif cents >= 9000 then grade = "优秀"
  elseif cents >= 8000 then grade = "良好"
  elseif cents >= 6000 then grade = "合格"
  else grade = "不合格" end
  results[j] = { id = u[1], cat = u[2], cents = cents, grade = grade, veto = veto }
end
units = nil

---------------------------------------------------------------- ranking
local cat_order = { dept = 1, town = 2 }
local quota = { dept = 9, town = 2 }
table.sort(results, function(a, b)
  if a.cat ~= b.cat then return cat_order[a.cat] < cat_order[b.cat] end
  if a.cents ~= b.cents then return a.cents > b.cents end
  return a.id < b.id
end)

-- competition ranking (1,2,2,4) over all units of a category, and a
-- second one over the units without veto, for the commendation quota
local cat, pos, rank, prev, pos_ok, rank_ok, prev_ok
for j = 1, n do
  local r = results[j]
  if r.cat ~= cat then
    cat, pos, prev, pos_ok, prev_ok = r.cat, 0, nil, 0, nil
  end
  pos = pos + 1
  if r.cents ~= prev then rank, prev = pos, r.cents end
  r.rank = rank
  if not r.veto then
    pos_ok = pos_ok + 1
    if r.cents ~= prev_ok then rank_ok, prev_ok = pos_ok, r.cents end
    r.commended = rank_ok <= quota[cat]
  end
end

---------------------------------------------------------------- output
local function csvfield(s)
  if s:find('[,"\r\n]') then return '"' .. s:gsub('"', '""') .. '"' end
  return s
end

local out = { "category,rank,unit_id,total,grade,commended,veto\n" }
local format = string.format
for j = 1, n do
  local r = results[j]
  out[#out + 1] = format("%s,%d,%s,%d.%02d,%s,%s,%s\n", r.cat, r.rank, csvfield(r.id),
    r.cents // 100, r.cents % 100, r.grade, r.commended and "yes" or "no",
    r.veto and "yes" or "no")
  if #out >= 10000 then
    io.write(table.concat(out))
    out = {}
  end
end
io.write(table.concat(out))
