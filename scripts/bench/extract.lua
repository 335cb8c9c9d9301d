-- scripts/bench/extract.lua KAOPING-CSV
--
-- Reads kaoping's CSV report (RFC 4180, maybe a UTF-8 BOM, quoted fields
-- with newlines), finds the columns by header name and prints them in
-- plain.lua's format (category,rank,unit_id,total,grade,commended,veto).
-- Booleans may be written yes/no, true/false, 1/0 or 是/否; a total with
-- fewer than 2 decimals is padded (not rounded).  Used by scripts/bench/run.sh
-- (make bench) and tests/diff/run.sh to compare kaoping with the independent
-- implementations of the benchmark rule set.  A unit id that kaoping wrote
-- with the ' that neutralises a formula start (DESIGN section 6) is given
-- back without it.
local f = assert(io.open(arg[1], "rb"))
local s = f:read("a")
f:close()
if s:sub(1, 3) == "\239\187\191" then s = s:sub(4) end
local records, rec, i, n = {}, {}, 1, #s
while i <= n do
  local field
  if s:sub(i, i) == '"' then
    local parts, j = {}, i + 1
    while true do
      local q = s:find('"', j, true)
      if not q then error("unterminated quoted field") end
      parts[#parts + 1] = s:sub(j, q - 1)
      if s:sub(q + 1, q + 1) == '"' then parts[#parts + 1] = '"'; j = q + 2
      else i = q + 1; break end
    end
    field = table.concat(parts)
  else
    local e = s:find("[,\r\n]", i) or n + 1
    field, i = s:sub(i, e - 1), e
  end
  rec[#rec + 1] = field
  local c = s:sub(i, i)
  if c == "," then i = i + 1
  else
    if c == "\r" then i = i + 1 end
    if s:sub(i, i) == "\n" then i = i + 1 end
    records[#records + 1] = rec
    rec = {}
  end
end
-- kaoping heads its columns with words ("Category", "Unit ID", "Commended");
-- a head found is its words lowered, spaces as "_" ("unit_id"), so the keys
-- of an older binary's header are found too
local want = { "category", "rank", "unit_id", "total", "grade", "commended", "veto" }
local col = {}
for k, name in ipairs(records[1] or {}) do
  local key = name:lower():gsub("^%s+", ""):gsub("%s+$", ""):gsub("%s+", "_")
  col[key] = k
end
for _, name in ipairs(want) do
  if not col[name] then
    io.stderr:write("bench: kaoping's CSV has no column '", name, "'\n")
    os.exit(1)
  end
end
local yesno = { yes = "yes", no = "no", ["true"] = "yes", ["false"] = "no",
                ["1"] = "yes", ["0"] = "no", ["是"] = "yes", ["否"] = "no" }
local out = { table.concat(want, ",") }
for r = 2, #records do
  local rec = records[r]
  if #rec > 1 or rec[1] ~= "" then
    local v = {}
    for k, name in ipairs(want) do v[k] = rec[col[name]] or "" end
    -- DESIGN section 6: a cell that would start a formula (= + - @, tab,
    -- CR) is written with a leading ' in the CSV; the unit id is the id
    v[3] = v[3]:gsub("^'([=+%-@\t\r])", "%1")
    local ip, fp = v[4]:match("^(%d+)%.?(%d*)$")
    if ip and #fp <= 2 then v[4] = ip .. "." .. fp .. ("0"):rep(2 - #fp) end
    v[6] = yesno[v[6]:lower()] or v[6]
    v[7] = yesno[v[7]:lower()] or v[7]
    if v[3]:find('[,"\r\n]') then v[3] = '"' .. v[3]:gsub('"', '""') .. '"' end
    out[#out + 1] = table.concat(v, ",")
  end
end
io.write(table.concat(out, "\n"), "\n")
