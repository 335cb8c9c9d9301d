-- fill.lua — fill a blank form of `kaoping template` from the sample data,
-- as an office would: lua5.4 fill.lua FORM.csv SAMPLEDIR > FILLED.csv
-- The rows are those of the sample file of the same stem (the form's
-- dataset); a column that file lacks is looked up by unit id in the other
-- sample files.  Sample files are UTF-8 (convert GB18030 ones first).
local form, dir = arg[1], arg[2]

local function parse(text)   -- RFC 4180: quoted fields, "" inside quotes, CRLF or LF
	text = text:gsub("^\239\187\191", "")
	local rows, row, field, i, n, q = {}, {}, {}, 1, #text, false
	while i <= n do
		local ch = text:sub(i, i)
		if q then
			if ch == '"' and text:sub(i + 1, i + 1) == '"' then field[#field + 1] = '"'; i = i + 1
			elseif ch == '"' then q = false
			else field[#field + 1] = ch end
		elseif ch == '"' then q = true
		elseif ch == "," then row[#row + 1] = table.concat(field); field = {}
		elseif ch == "\n" or ch == "\r" then
			if ch == "\r" and text:sub(i + 1, i + 1) == "\n" then i = i + 1 end
			row[#row + 1] = table.concat(field); field = {}; rows[#rows + 1] = row; row = {}
		else field[#field + 1] = ch end
		i = i + 1
	end
	if #field > 0 or #row > 0 then row[#row + 1] = table.concat(field); rows[#rows + 1] = row end
	return rows
end

local function read(path)
	local f = assert(io.open(path, "rb")); local t = f:read("a"); f:close(); return parse(t)
end

local function index(rows)   -- header name -> position
	local h = {}
	for k, v in ipairs(rows[1]) do h[v] = k end
	return h
end

local function cell(s)
	if s:find('[,"\r\n]') then return '"' .. s:gsub('"', '""') .. '"' end
	return s
end

local header = read(form)[1]
local stem = form:match("([^/]+)%.csv$")
local own = read(dir .. "/" .. stem .. ".csv")
local own_h = index(own)
local others = {}
for name in io.popen("ls " .. dir):lines() do
	if name:match("%.csv$") and name ~= stem .. ".csv" then
		local rows = read(dir .. "/" .. name); local h = index(rows); local by = {}
		for r = 2, #rows do by[rows[r][h[header[1]]] or ""] = rows[r] end
		others[#others + 1] = {h = h, by = by}
	end
end

local function value(row, col)
	if own_h[col] then return row[own_h[col]] or "" end
	local id = row[own_h[header[1]]]
	for _, o in ipairs(others) do
		if o.h[col] and o.by[id] then return o.by[id][o.h[col]] or "" end
	end
	error("no sample file has the column " .. col)
end

local out = {}
for k, v in ipairs(header) do out[k] = cell(v) end
io.write(table.concat(out, ","), "\r\n")
for r = 2, #own do
	for k, col in ipairs(header) do out[k] = cell(value(own[r], col)) end
	io.write(table.concat(out, ","), "\r\n")
end
