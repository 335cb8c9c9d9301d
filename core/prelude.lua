-- prelude.lua — the rule language (docs/RULES.md), compiled into the binary.
-- It only records declarations into `spec`; core/rules.c checks them and
-- compiles them into the native scorer.  Arguments: the spec table to fill
-- where(level), which names the rule file's line, msg(NAME, ...), the
-- text of catalogue message NAME (RULE_P_*, include/kaoping/msg/rules.def)
-- in the current language with each %s replaced by the next argument, and
-- raise(text, level), error as the engine's mistake (kp_sandbox_raise),
-- check_plain(v, what, level, HELPER, DECL, HELPER_MT) (plain, below) and
-- seal(sealed, v) (sealed, below).
local spec, where, msg, raise, check_plain, seal = ...
local dsl, agg = {}, {}
local type, error, pairs, ipairs, select = type, error, pairs, ipairs, select
local setmetatable, tostring, next = setmetatable, tostring, next
local getmetatable, rawget = getmetatable, rawget
local sfind, sgsub = string.find, string.gsub

spec.sections, spec.indicators, spec.deductions = {}, {}, {}
spec.bonuses, spec.vetoes, spec.events, spec.cases = {}, {}, {}, {}
spec.datas = {}

local DECL = {}     -- marks the indicators and deductions declared here

-- What a declaration, helper or aggregate holds is copied raw the moment
-- it has been checked (seal, in C), and the copy is what spec keeps and
-- core/rules.c compiles: the rule file keeps the table it was handed and
-- could change it after the checks (d.per = -2, h.dates[1] = 5).  A table
-- sealed inside another is that one's copy there.  When the file has
-- loaded, core/rules.c compares each table with its copy (sealed_list):
-- a difference is a rule error at the line that made it.
local sealed_map, sealed_list = {}, {}
spec.sealed_map, spec.sealed_list = sealed_map, sealed_list
local function sealed(v, what)
	local copy, w = seal(sealed_map, v)
	sealed_map[v] = copy
	sealed_list[#sealed_list + 1] = {v, copy, what, w}
	return copy
end

-- raise is error for the engine's refusals: a rule's pcall passes it on
local function fail(text, level) raise(text, (level or 1) + 1) end

-- Helpers and aggregates are the ones made here, known by their sealed
-- copies: the marks they carry (agg, [HELPER], read with next) and the
-- helpers' metatable (getmetatable) are the rule file's to copy, and a
-- table forged with them ({agg = "nope"}, a target with goal = 0/0, a
-- checklist of no items) was compiled without the checks made here.
local HELPER = {}   -- marks helper descriptors
local function made_agg(v)
	local copy = type(v) == "table" and sealed_map[v]
	return copy and rawget(copy, "agg") ~= nil and v or nil
end
local function made_helper(v)
	local copy = type(v) == "table" and sealed_map[v]
	return copy and rawget(copy, HELPER) ~= nil and v or nil
end

local function check_src(src, helper, level)
	local t = type(src)
	if t == "string" and src ~= "" then return src end
	if t == "function" then return src end
	if made_agg(src) then return src end
	fail(msg("RULE_P_SRC", helper, t), level + 1)
end

local function check_num(v, what, helper, level)
	if type(v) ~= "number" or v ~= v or v == math.huge or v == -math.huge then
		fail(msg("RULE_P_NUM", helper, what, tostring(v)), level + 1)
	end
	return v
end

-- Points (and amounts taken or given per item, maxima) that are not 0 but
-- nearer to 0 than a double keeps all its digits (subnormal: 1e-310 is
-- held as 9.99999999999997e-311) would be scored as 0 or without their
-- digits: refused like points at 0 or below.
local DBL_MIN = 2.2250738585072014e-308
local function check_normal(v, what, helper, level)
	if v ~= 0 and math.abs(v) < DBL_MIN then
		fail(msg("RULE_P_SUBNORMAL", helper, what, string.format("%.15g", v)), level + 1)
	end
	return v
end

-- known: the options besides scope ("order" for rank_points); any other
-- (scoep = "all") would be dropped without a word, scoring within the
-- category what the rule meant over all units
local function opts_of(t, helper, level, known)
	if t == nil then return {} end
	if type(t) ~= "table" then fail(msg("RULE_P_OPTS", helper), level + 1) end
	for k in next, t do
		if k ~= "scope" and k ~= known then
			fail(msg("RULE_P_FIELD_KNOWN", helper, tostring(k), known and "scope, " .. known or "scope"), level + 1)
		end
	end
	if t.scope ~= nil and t.scope ~= "all" and t.scope ~= "category" then
		fail(msg("RULE_P_SCOPE", helper), level + 1)
	end
	return t
end

-- Every field a declaration knows; anything else is a typo worth an error.
local FIELDS = {
	assessment = {title = 1, office = 1, basis = 1, year = 1, precision = 1, compare_precision = 1, round = 1, unit = 1, categories = 1, bonus_max = 1, max_total = 1},
	unit = {id = 1, name = 1, category = 1, table = 1, office = 1},
	indicator = {points = 1, score = 1, checklist = 1, default = 1, missing = 1, clamp = 1, desc = 1, categories = 1,
		basis = 1, office = 1},
	check = {when = 1, is = 1, per = 1, max = 1, unit = 1},
	deduction = {per = 1, max = 1, count = 1, points = 1, desc = 1, unit = 1, basis = 1, office = 1},
	bonus = {max = 1, score = 1, default = 1, desc = 1, basis = 1, office = 1},
	veto = {when = 1, reason = 1, default = 1, desc = 1, basis = 1, office = 1},
	events = {file = 1, data = 1, unit = 1, office = 1, columns = 1},
	data = {office = 1, columns = 1},
	grades = {quota_ties = 1},
	grade = {quota = 1, count = 1, by_category = 1},
	commend = {min_grade = 1, min_score = 1, eligible = 1, tie_break = 1, by_category = 1, veto_rank = 1},
	commend_cat = {min_grade = 1, min_score = 1},
	case = {category = 1, unit = 1, events = 1, peers = 1, expect = 1},
}

local function known_fields(t, kind, what, level)
	local allowed = FIELDS[kind]
	for k in pairs(t) do
		if type(k) == "string" and not allowed[k] then
			local names = {}
			for n in pairs(allowed) do names[#names + 1] = n end
			table.sort(names)
			fail(msg("RULE_P_UNKNOWN_FIELD", what, k, table.concat(names, ", ")), level + 1)
		elseif type(k) ~= "string" and kind ~= "grades" and kind ~= "grade" and kind ~= "check" then
			fail(msg("RULE_P_FIELD_FORM", what), level + 1)
		end
	end
	-- who sends or scores it (考核科室) and the document it rests on: printed
	-- in criteria, forms, unit sheets and the notice
	for _, k in ipairs({"office", "basis"}) do
		if t[k] ~= nil and (type(t[k]) ~= "string" or t[k] == "") then
			fail(msg("RULE_P_TEXT_LIKE", what, k, k == "office" and "\"县司法局\"" or "\"《陇县重大行政决策程序规定》\""), level + 1)
		end
	end
	-- the method in words (criteria): another value would be dropped there
	-- without a word
	if t.desc ~= nil and allowed.desc and type(t.desc) ~= "string" then
		fail(msg("RULE_P_TEXT_LIKE", what, "desc", "\"完成率×分值\""), level + 1)
	end
end

-- Names must be unique within their kind: explain, reports and test cases
-- refer to items by name.
local seen = {indicator = {}, deduction = {}, bonus = {}, veto = {}}
local function unique(kind, name, w, level)
	if seen[kind][name] then
		fail(msg("RULE_P_TWICE", kind .. " \"" .. name .. "\"", seen[kind][name]), level + 1)
	end
	seen[kind][name] = w
end

-- A declaration's tables are read as written: core/rules.c compiles a raw
-- copy (no __index, __len or __pairs runs), so a table with a metatable
-- would be checked here through __index and then compiled without it
-- (commend (setmetatable({}, {__index = {min_score = 95}})) kept no
-- minimum).  Such a table, anywhere inside, is refused (check_plain, in C:
-- the walk costs no instructions of the load's budget).  Helpers and items
-- made here were checked when they were made; a helper must keep its own
-- metatable.
local HELPER_MT = {__name = "helper"}
local function plain(v, what, level)
	if type(v) == "table" then check_plain(v, what, level + 1, HELPER, DECL, HELPER_MT) end
end

-- A helper's arguments are read here through Lua (ipairs, p[2], o.scope),
-- some more than once, and what was read is compiled: a table with an
-- __index answering 1 to the check and 50 after it made a blend weight 50.
-- Such a table, anywhere in the arguments, is refused before any is read.
local function plain_args(name, ...)
	for i = 1, select("#", ...) do plain((select(i, ...)), name, 2) end
end

local function helper(kind, fields)
	check_plain(fields, kind, 3, HELPER, DECL, HELPER_MT) -- the fields table is the prelude's own: its values
	fields.kind, fields[HELPER] = kind, true
	sealed(fields, kind)
	return setmetatable(fields, HELPER_MT)
end

-- The number of entries of the list in t, or nil when its number keys are
-- not exactly 1..n: {a, nil, c} (# may say 1 or 3; ipairs stops at 1), or
-- [0] or [1.5]; only_list: no other keys either.
local function list_len(t, only_list)
	local n, max = 0, 0
	for k in next, t do
		if type(k) == "number" then
			if k % 1 ~= 0 or k < 1 then return nil end
			n = n + 1
			if k > max then max = k end
		elseif only_list then
			return nil
		end
	end
	if max ~= n then return nil end
	return n
end

-- scoring helpers ---------------------------------------------------------
-- target(src, 6), or target(src, "任务数"): each unit's own goal from a
-- column (an aggregate or a function)
function dsl.target(src, goal)
	plain_args("target", src, goal)
	src = check_src(src, "target", 2)
	if type(goal) == "number" then
		check_num(goal, msg("RULE_P_W_GOAL"), "target", 2)
		if goal <= 0 then fail(msg("RULE_P_GOAL_ABOVE0"), 2) end
		return helper("target", {src = src, goal = goal})
	end
	if goal == nil then fail(msg("RULE_P_GOAL_GIVE"), 2) end
	return helper("target", {src = src, goal_src = check_src(goal, msg("RULE_P_H_TARGET_GOAL"), 2)})
end

function dsl.ratio_to_best(src, o)
	plain_args("ratio_to_best", src, o)
	return helper("ratio_to_best", {src = check_src(src, "ratio_to_best", 2), scope = opts_of(o, "ratio_to_best", 2).scope})
end

function dsl.min_max(src, o)
	plain_args("min_max", src, o)
	return helper("min_max", {src = check_src(src, "min_max", 2), scope = opts_of(o, "min_max", 2).scope})
end

function dsl.rank_points(src, points, o)
	plain_args("rank_points", src, points, o)
	src = check_src(src, "rank_points", 2)
	if type(points) ~= "table" or #points == 0 then fail(msg("RULE_P_RANK_GIVE"), 2) end
	if list_len(points, true) == nil then fail(msg("RULE_P_RANK_HOLE"), 2) end
	for i, p in ipairs(points) do check_num(p, "points[" .. i .. "]", "rank_points", 2) end
	o = opts_of(o, "rank_points", 2, "order")
	if o.order ~= nil and o.order ~= "asc" and o.order ~= "desc" then fail(msg("RULE_P_RANK_ORDER"), 2) end
	return helper("rank_points", {src = src, points = points, order = o.order or "desc", scope = o.scope})
end

-- bands(src, { {gt = 0.12, 10}, {0.12, 8}, {0.08, 6} }, { otherwise = 2 }):
-- the first band whose threshold v reaches (≥; gt: strictly above), else
-- otherwise (default 0)
function dsl.bands(src, list, o)
	plain_args("bands", src, list, o)
	src = check_src(src, "bands", 2)
	if type(list) ~= "table" or #list == 0 then fail(msg("RULE_P_BANDS_GIVE"), 2) end
	local out, prev = {}, nil
	for i, b in ipairs(list) do
		if type(b) ~= "table" then fail(msg("RULE_P_BAND_FORM", i), 2) end
		for k in pairs(b) do
			if k ~= 1 and k ~= 2 and k ~= "gt" then fail(msg("RULE_P_FIELD_KNOWN", msg("RULE_P_H_BAND", i), tostring(k), "gt"), 2) end
		end
		local gt = b.gt ~= nil
		local thr, pts = b.gt, b[2]
		if gt and b[2] == nil then pts = b[1] elseif not gt then thr = b[1] end
		if gt and b[2] ~= nil and b[1] ~= nil then fail(msg("RULE_P_BAND_GT", i), 2) end
		check_num(thr, msg("RULE_P_W_BAND_THR", i), "bands", 2)
		check_num(pts, msg("RULE_P_W_BAND_PTS", i), "bands", 2)
		if prev and (thr > prev.thr or (thr == prev.thr and (gt or not prev.gt))) then
			fail(msg("RULE_P_BAND_ORDER", i), 2)
		end
		prev = {thr = thr, gt = gt}
		out[i] = {thr, pts, gt = gt}
	end
	if o ~= nil and type(o) ~= "table" then fail(msg("RULE_P_OPTIONS_LIKE", "bands", 2), 2) end
	o = o or {}
	for k in pairs(o) do
		if k ~= "otherwise" then fail(msg("RULE_P_UNKNOWN_OPTION", "bands", tostring(k)), 2) end
	end
	if o.otherwise ~= nil then check_num(o.otherwise, "otherwise", "bands", 2) end
	return helper("bands", {src = src, bands = out, otherwise = o.otherwise})
end

-- done(src [, X]): the item's points when done (完成, 是, 1 ...), X (default
-- 0) when not (未完成, 否, 0 ...)
function dsl.done(src, x)
	if x ~= nil then check_num(x, msg("RULE_P_W_NOT_DONE"), "done", 2) end
	return helper("done", {src = check_src(src, "done", 2), pts = x})
end

-- given(src): points another office already computed (评议得分 from the
-- people's congress office), taken as they are; like every item's points,
-- kept within [0, P]
function dsl.given(src)
	return helper("given", {src = check_src(src, "given", 2)})
end

-- blend { {given("考核得分"), 0.85}, {given("评议得分"), 0.15} [, scale = 100] }
-- (考核得分×85% + 评议得分×15%): each part a value on the scale (default
-- 100; a part may say its own, {"评议得分", 0.15, scale = 10}), the item's
-- points P × Σ weight × value / scale; the weights add up to 1
function dsl.blend(list)
	plain_args("blend", list)
	if type(list) ~= "table" or #list == 0 then
		fail(msg("RULE_P_BLEND_GIVE"), 2)
	end
	for k in pairs(list) do
		if type(k) ~= "number" and k ~= "scale" then fail(msg("RULE_P_FIELD_KNOWN", "blend", tostring(k), "scale"), 2) end
	end
	local scale = list.scale or 100
	check_num(scale, "scale", "blend", 2)
	if scale <= 0 then fail(msg("RULE_P_ABOVE0", "blend", "scale"), 2) end
	local parts, total = {}, 0
	for i, p in ipairs(list) do
		local w = msg("RULE_P_H_PART", i)
		if type(p) ~= "table" then fail(msg("RULE_P_PART_FORM", w), 2) end
		for k in pairs(p) do
			if k ~= 1 and k ~= 2 and k ~= "scale" then fail(msg("RULE_P_FIELD_KNOWN", w, tostring(k), "scale"), 2) end
		end
		local src = p[1]
		if made_helper(src) then
			if src.kind ~= "given" then fail(msg("RULE_P_PART_VALUE", w, src.kind), 2) end
			src = src.src
		end
		src = check_src(src, w, 2)
		check_num(p[2], msg("RULE_P_W_WEIGHT"), w, 2)
		if p[2] <= 0 or p[2] > 1 then fail(msg("RULE_P_WEIGHT_RANGE", w), 2) end
		if p.scale ~= nil then
			check_num(p.scale, "scale", w, 2)
			if p.scale <= 0 then fail(msg("RULE_P_ABOVE0", w, "scale"), 2) end
		end
		total = total + p[2]
		parts[i] = {src = src, weight = p[2], scale = p.scale or scale}
	end
	if math.abs(total - 1) > 1e-9 then
		fail(msg("RULE_P_WEIGHT_SUM", string.format("%.10g", total)), 2)
	end
	return helper("blend", {parts = parts, scale = scale})
end

-- deadline(src, { {"2024-03-31", 5}, {"2024-04-15", 3} }, { otherwise = 0 }):
-- the points of the first date the submitted date is on or before (the
-- dates earliest first; core/rules.c reads them), else otherwise (late or
-- 未报送; default 0).  src is a date column or a function.
function dsl.deadline(src, list, o)
	plain_args("deadline", src, list, o)
	if type(src) == "table" then fail(msg("RULE_P_DEADLINE_AGG"), 2) end
	src = check_src(src, "deadline", 2)
	if type(list) ~= "table" or #list == 0 then fail(msg("RULE_P_DEADLINE_GIVE"), 2) end
	local out = {}
	for i, b in ipairs(list) do
		if type(b) ~= "table" or type(b[1]) ~= "string" then
			fail(msg("RULE_P_DATE_FORM", i), 2)
		end
		for k in pairs(b) do
			if k ~= 1 and k ~= 2 then fail(msg("RULE_P_DATE_FIELD", i, tostring(k)), 2) end
		end
		check_num(b[2], msg("RULE_P_W_DATE_PTS", i), "deadline", 2)
		out[i] = {b[1], b[2]}
	end
	if o ~= nil and type(o) ~= "table" then fail(msg("RULE_P_OPTIONS_LIKE", "deadline", 0), 2) end
	o = o or {}
	for k in pairs(o) do
		if k ~= "otherwise" then fail(msg("RULE_P_UNKNOWN_OPTION", "deadline", tostring(k)), 2) end
	end
	if o.otherwise ~= nil then check_num(o.otherwise, "otherwise", "deadline", 2) end
	return helper("deadline", {src = src, dates = out, otherwise = o.otherwise})
end

function dsl.yes_no(src, pts)
	if pts ~= nil then check_num(pts, msg("RULE_P_W_POINTS"), "yes_no", 2) end
	return helper("yes_no", {src = check_src(src, "yes_no", 2), pts = pts})
end

function dsl.lookup(src, map, o)
	plain_args("lookup", src, map, o)
	src = check_src(src, "lookup", 2)
	if type(map) ~= "table" or next(map) == nil then fail(msg("RULE_P_LOOKUP_GIVE"), 2) end
	for k, v in pairs(map) do check_num(v, msg("RULE_P_W_VALUE_FOR", tostring(k)), "lookup", 2) end
	if o ~= nil and type(o) ~= "table" then fail(msg("RULE_P_OPTS", "lookup"), 2) end
	o = o or {}
	for k in next, o do
		if k ~= "default" then fail(msg("RULE_P_FIELD_KNOWN", "lookup", tostring(k), "default"), 2) end
	end
	if o.default ~= nil then check_num(o.default, "default", "lookup", 2) end
	return helper("lookup", {src = src, map = map, default = o.default})
end

function dsl.per_item(src, per, max)
	src = check_src(src, "per_item", 2)
	check_num(per, msg("RULE_P_W_PER_ITEM"), "per_item", 2)
	-- a deduction of 0 or less per item, or a cap below 0, would give
	-- points for what it means to take them for (the item clamps to P)
	if per <= 0 then fail(msg("RULE_P_ABOVE0", "per_item", msg("RULE_P_W_PER_ITEM")), 2) end
	check_normal(per, msg("RULE_P_W_PER_ITEM"), "per_item", 2)
	if max ~= nil then
		check_num(max, msg("RULE_P_W_MAXIMUM"), "per_item", 2)
		if max <= 0 then fail(msg("RULE_P_ABOVE0", "per_item", msg("RULE_P_W_MAXIMUM")), 2) end
		check_normal(max, msg("RULE_P_W_MAXIMUM"), "per_item", 2)
	end
	return helper("per_item", {src = src, per = per, max = max})
end

-- checklist = { {"没有总体方案", 3, when = "有总体方案", is = false},
--               {"迟报", 0.5, per = "迟报次数", max = 2, unit = "次"}, ... }
-- An item of P points with conditions, each deducting its own amount (when
-- a yes/no value is `is`, default true; or per counted item, within max),
-- down to 0 within the item.
local function checklist(list, name, points, level)
	local what = msg("RULE_P_H_CHECKLIST", "indicator \"" .. name .. "\"")
	if type(list) ~= "table" or #list == 0 then
		fail(msg("RULE_P_CHECKLIST_GIVE", what), level + 1)
	end
	local items = {}
	for i, c in ipairs(list) do
		local w = msg("RULE_P_H_CONDITION", what, i)
		if type(c) ~= "table" or type(c[1]) ~= "string" or c[1] == "" then
			fail(msg("RULE_P_COND_FORM", w), level + 1)
		end
		known_fields(c, "check", w, level + 1)
		check_num(c[2], msg("RULE_P_W_POINTS"), w, level + 1)
		if c[2] <= 0 then fail(msg("RULE_P_POINTS_ABOVE0", w), level + 1) end
		check_normal(c[2], msg("RULE_P_W_POINTS"), w, level + 1)
		if c[2] > points then fail(msg("RULE_P_COND_MORE", w, c[2], points), level + 1) end
		if (c.when == nil) == (c.per == nil) then
			fail(msg("RULE_P_COND_WHEN_PER", w), level + 1)
		end
		if c.is ~= nil and (type(c.is) ~= "boolean" or c.per ~= nil) then
			fail(msg("RULE_P_COND_IS", w), level + 1)
		end
		if c.max ~= nil then
			check_num(c.max, "max", w, level + 1)
			if c.per == nil or c.max <= 0 then fail(msg("RULE_P_COND_MAX", w), level + 1) end
		end
		if c.unit ~= nil and (type(c.unit) ~= "string" or c.per == nil) then
			fail(msg("RULE_P_COND_UNIT", w), level + 1)
		end
		items[i] = {name = c[1], amount = c[2], src = check_src(c.when or c.per, w, level + 1),
			per = c.per ~= nil, is = c.is ~= false, max = c.max, unit = c.unit}
	end
	return helper("checklist", {items = items})
end

-- event aggregates --------------------------------------------------------
local function check_filter(f, level)
	if f ~= nil and type(f) ~= "table" and type(f) ~= "function" then
		fail(msg("RULE_P_AGG_FILTER"), level + 1)
	end
	return f
end
local function check_event(ev, fn, level)
	if type(ev) ~= "string" then fail(msg("RULE_P_AGG_EVENT", fn), level + 1) end
	return ev
end
function agg.count(ev, filter)
	local a = {agg = "count", event = check_event(ev, "count", 2), filter = check_filter(filter, 2)}
	sealed(a, "agg.count")
	return a
end
-- trimmed_avg: 去掉一个最高分和一个最低分 (one each, ties or not), then the
-- average; fewer than 3 values: their plain average (the note says so)
for _, op in ipairs({"sum", "avg", "min", "max", "trimmed_avg"}) do
	agg[op] = function(ev, col, filter)
		check_event(ev, op, 2)
		if type(col) ~= "string" then fail(msg("RULE_P_AGG_COL", op), 2) end
		local a = {agg = op, event = ev, col = col, filter = check_filter(filter, 2)}
		sealed(a, "agg." .. op)
		return a
	end
end

-- dated logs: agg.late("报送记录", "应报日期", "实报日期") counts the unit's
-- rows submitted after their due date; agg.missing("报送记录", "实报日期")
-- its rows with no submitted date (blank or 未报送).
local function check_col(col, fn, what, level)
	if type(col) ~= "string" or col == "" then fail(msg("RULE_P_AGG_COLUMN", fn, what), level + 1) end
	return col
end
function agg.late(ev, due, done, filter)
	check_event(ev, "late", 2)
	local a = {agg = "late", event = ev, due = check_col(due, "late", msg("RULE_P_W_DUE"), 2),
		col = check_col(done, "late", msg("RULE_P_W_DONE3"), 2), filter = check_filter(filter, 2)}
	sealed(a, "agg.late")
	return a
end
function agg.missing(ev, done, filter)
	check_event(ev, "missing", 2)
	local a = {agg = "missing", event = ev, col = check_col(done, "missing", msg("RULE_P_W_DONE2"), 2),
		filter = check_filter(filter, 2)}
	sealed(a, "agg.missing")
	return a
end

-- declarations ------------------------------------------------------------
-- columns = { "列1", "列2" }: a list of distinct non-empty texts, copied
local function column_list(list, what, level)
	if type(list) ~= "table" or #list == 0 then fail(msg("RULE_P_COLUMNS_LIST", what), level + 1) end
	local out, seen = {}, {}
	for k in pairs(list) do
		if type(k) ~= "number" or k < 1 or k > #list or k % 1 ~= 0 then
			fail(msg("RULE_P_COLUMNS_FIELDS", what), level + 1)
		end
	end
	for i, c in ipairs(list) do
		if type(c) ~= "string" or c == "" then fail(msg("RULE_P_COLUMNS_NAME", what, i), level + 1) end
		if seen[c] then fail(msg("RULE_P_COLUMN_TWICE", what, c), level + 1) end
		seen[c], out[i] = true, c
	end
	return out
end

-- a declaration while scoring (spec.closed, set once the file has
-- loaded) would change nothing: the rules are compiled by then
local function open_for(kind, level)
	if spec.closed then fail(msg("RULE_P_LATE", kind), level + 1) end
	-- RULES_test.lua (spec.tests) holds cases: a declaration there changed
	-- the rules the cases (and check) scored with, and no run's
	if spec.tests and kind ~= "case" then fail(msg("RULE_P_IN_TESTS", kind), level + 1) end
end

-- A name of nothing but white space: ASCII, NBSP, U+2000..U+200F, U+202F,
-- U+205F, U+2060, U+3000 and U+FEFF (a blank head in every report).
local function blank(s)
	s = sgsub(s, "\194\160", "")
	s = sgsub(s, "\226\128[\128-\143\175]", "")
	s = sgsub(s, "\226\129[\159\160]", "")
	s = sgsub(s, "\227\128\128", "")
	s = sgsub(s, "\239\187\191", "")
	return not sfind(s, "[^ \t\r\n]")
end

local function named(kind, build)
	return function(name)
		open_for(kind, 2)
		if type(name) ~= "string" or blank(name) then -- "", " " or "　": a blank head in every report
			fail(msg("RULE_P_NEEDS_NAME", kind, kind), 2)
		end
		local w = where(2)
		return function(t)
			if type(t) ~= "table" then fail(msg("RULE_P_NEEDS_TABLE", kind .. " \"" .. name .. "\""), 2) end
			-- (a test case's tables are read raw by the runner, which
			-- prints what they hold: decl-expect-tostring-raises)
			if kind ~= "case" then plain(t, kind .. " \"" .. name .. "\"", 2) end
			return build(name, t, w)
		end
	end
end

local function once(key, kind)
	return function(t)
		open_for(kind, 2)
		if type(t) ~= "table" then fail(msg("RULE_P_NEEDS_TABLE", kind), 2) end
		plain(t, kind, 2)
		if spec[key] then fail(msg("RULE_P_TWICE", kind, spec[key].where), 2) end
		known_fields(t, kind, kind, 2)
		if kind == "assessment" and type(t.unit) == "table" then known_fields(t.unit, "unit", "assessment: unit", 2) end
		-- {"部门", comend = 9} would commend nobody of the category
		if kind == "assessment" and type(t.categories) == "table" then
			for i, cat in ipairs(t.categories) do
				if type(cat) == "table" then
					for k in next, cat do
						if k ~= 1 and k ~= "commend" then
							fail(msg("RULE_P_FIELD_KNOWN", "assessment: categories[" .. i .. "]", tostring(k), "commend"), 2)
						end
					end
				end
			end
		end
		if kind == "commend" and t.by_category ~= nil then
			if type(t.by_category) ~= "table" then fail(msg("RULE_P_BY_CAT"), 2) end
			for cname, cc in pairs(t.by_category) do
				if type(cc) ~= "table" then fail(msg("RULE_P_BY_CAT_ENTRY", tostring(cname)), 2) end
				known_fields(cc, "commend_cat", "commend: by_category[" .. tostring(cname) .. "]", 2)
			end
		end
		if kind == "grades" then
			for i, g in ipairs(t) do
				if type(g) == "table" then known_fields(g, "grade", msg("RULE_P_H_GRADE", i), 2) end
			end
		end
		t.where = where(2)
		spec[key] = sealed(t, kind)
		return t
	end
end

dsl.assessment = once("assessment", "assessment")
dsl.grades = once("grades", "grades")
dsl.commend = once("commend", "commend")

local function check_score(s, what)
	if type(s) == "function" then return s end
	if made_helper(s) then return s end
	fail(msg("RULE_P_SCORE_HELPER", what), 3)
end

-- The most a helper with fixed points can give (a bonus's max when it is
-- left out), or nil: yes_no(src, P), bands, lookup, rank_points.
-- The most (and the least) a helper of fixed points gives; with_done
-- counts done's points when not done too (an indicator's range; a bonus
-- takes its max from the rest).
local function fixed_points(s, with_done)
	if type(s) ~= "table" or not s[HELPER] then return nil end
	local best, least, tiny
	local function see(v)
		if type(v) == "number" then
			if best == nil or v > best then best = v end
			if least == nil or v < least then least = v end
			if v < DBL_MIN and v > -DBL_MIN and v ~= 0 then tiny = v end
		end
	end
	if s.kind == "yes_no" or (with_done and s.kind == "done") then see(s.pts)
	elseif s.kind == "bands" then for _, b in ipairs(s.bands) do see(b[2]) end; see(s.otherwise)
	elseif s.kind == "deadline" then for _, b in ipairs(s.dates) do see(b[2]) end; see(s.otherwise)
	elseif s.kind == "lookup" then for _, v in pairs(s.map) do see(v) end; see(s.default)
	elseif s.kind == "rank_points" then for _, v in ipairs(s.points) do see(v) end end
	return best, least, tiny
end

-- Points below 0 that the clamp (or a bonus's [0, max]) makes 0: the
-- entry says something the score never does (bands {0.5, -2}, done(x, -3)).
local function no_negative_points(least, what, level)
	if least ~= nil and least < -5e-7 then
		fail(msg("RULE_P_NEGATIVE_POINTS", what, string.format("%.15g", least)), level + 1)
	end
end

dsl.indicator = named("indicator", function(name, t, w)
	known_fields(t, "indicator", "indicator \"" .. name .. "\"", 2)
	unique("indicator", name, w, 2)
	check_num(t.points, "points", "indicator \"" .. name .. "\"", 2)
	if t.points <= 0 then fail(msg("RULE_P_ABOVE0", "indicator \"" .. name .. "\"", "points"), 2) end
	if t.points < DBL_MIN then check_normal(t.points, "points", "indicator \"" .. name .. "\"", 2) end
	if t.checklist ~= nil then
		if t.score ~= nil then fail(msg("RULE_P_SCORE_OR_CHECKLIST", "indicator \"" .. name .. "\""), 2) end
		t.score = checklist(t.checklist, name, t.points, 2)
	end
	local d = {[DECL] = true, type = "indicator", name = name, where = w, points = t.points,
		score = check_score(t.score, "indicator \"" .. name .. "\""),
		default = t.default, missing = t.missing, clamp = t.clamp, desc = t.desc,
		basis = t.basis, office = t.office}
	if d.missing ~= nil and d.missing ~= "skip" and d.missing ~= "error" then
		fail(msg("RULE_P_MISSING", "indicator \"" .. name .. "\""), 2)
	end
	-- clamp = 0 or "false" is true to Lua: it would clamp without a word
	if d.clamp ~= nil and type(d.clamp) ~= "boolean" then
		fail(msg("RULE_P_CLAMP_BOOL", "indicator \"" .. name .. "\"", type(d.clamp) == "string" and string.format("%q", d.clamp) or tostring(d.clamp)), 2)
	end
	-- points a clamped indicator could never give are a mistake in the
	-- rules, not something to cut silently while scoring (equal at six
	-- decimals is equal)
	local most, least, tiny = fixed_points(d.score, true)
	if tiny ~= nil then check_normal(tiny, "points", "indicator \"" .. name .. "\"", 2) end
	if d.clamp ~= false and most ~= nil and most - d.points > 5e-7 and d.score.kind == "done" then
		fail(msg("RULE_P_CLAMP_DONE", name, string.format("%.15g", d.points), string.format("%.15g", most)), 2)
	end
	if d.clamp ~= false and most ~= nil and most - d.points > 5e-7 then
		fail(msg("RULE_P_CLAMP", name, string.format("%.15g", d.points), string.format("%.15g", most)), 2)
	end
	if d.clamp ~= false then no_negative_points(least, "indicator \"" .. name .. "\"", 2) end
	if d.default ~= nil and type(d.default) ~= "number" and type(d.default) ~= "string" then
		fail(msg("RULE_P_DEFAULT_NUM_TEXT", "indicator \"" .. name .. "\""), 2)
	end
	if type(d.default) == "number" then check_num(d.default, "default", "indicator \"" .. name .. "\"", 2) end
	if t.categories ~= nil then
		if type(t.categories) ~= "table" or #t.categories == 0 then
			fail(msg("RULE_P_CATEGORIES_LIST", "indicator \"" .. name .. "\""), 2)
		end
		for i, cname in ipairs(t.categories) do
			if type(cname) ~= "string" or cname == "" then
				fail(msg("RULE_P_CATEGORY_NAME", "indicator \"" .. name .. "\"", i), 2)
			end
		end
		d.categories = t.categories
	end
	spec.indicators[#spec.indicators + 1] = sealed(d, "indicator \"" .. name .. "\"")
	return d
end)

dsl.deduction = named("deduction", function(name, t, w)
	known_fields(t, "deduction", "deduction \"" .. name .. "\"", 2)
	unique("deduction", name, w, 2)
	local d = {[DECL] = true, type = "deduction", name = name, where = w, per = t.per, max = t.max,
		count = t.count, points = t.points, desc = t.desc, unit = t.unit, basis = t.basis, office = t.office}
	if t.unit ~= nil and (type(t.unit) ~= "string" or t.unit == "") then
		fail(msg("RULE_P_DED_UNIT", "deduction \"" .. name .. "\""), 2)
	end
	if t.points ~= nil then
		if type(t.points) ~= "function" then fail(msg("RULE_P_POINTS_FN", "deduction \"" .. name .. "\""), 2) end
	else
		check_num(t.per, msg("RULE_P_W_PER"), "deduction \"" .. name .. "\"", 2)
		-- per or max at 0 or below: the deduction would take nothing
		-- (or give), and the unit keep points the rules take away
		if t.per <= 0 then fail(msg("RULE_P_ABOVE0", "deduction \"" .. name .. "\"", msg("RULE_P_W_PER")), 2) end
		check_normal(t.per, msg("RULE_P_W_PER"), "deduction \"" .. name .. "\"", 2)
		d.count = check_src(t.count, "deduction \"" .. name .. "\" count", 2)
	end
	if t.max ~= nil then
		check_num(t.max, "max", "deduction \"" .. name .. "\"", 2)
		if t.max <= 0 then fail(msg("RULE_P_ABOVE0", "deduction \"" .. name .. "\"", "max"), 2) end
		check_normal(t.max, "max", "deduction \"" .. name .. "\"", 2)
	end
	spec.deductions[#spec.deductions + 1] = sealed(d, "deduction \"" .. name .. "\"")
	return d
end)

dsl.bonus = named("bonus", function(name, t, w)
	known_fields(t, "bonus", "bonus \"" .. name .. "\"", 2)
	unique("bonus", name, w, 2)
	local score = check_score(t.score, "bonus \"" .. name .. "\"")
	local max = t.max
	if max == nil then max = fixed_points(score) end
	local _, least, tiny = fixed_points(score, true)
	no_negative_points(least, "bonus \"" .. name .. "\"", 2)
	if tiny then check_normal(tiny, "points", "bonus \"" .. name .. "\"", 2) end
	if max == nil then
		fail(msg("RULE_P_BONUS_MAX", "bonus \"" .. name .. "\""), 2)
	end
	check_num(max, "max", "bonus \"" .. name .. "\"", 2)
	-- each bonus is kept within [0, max]: below 0 it would take points
	if max <= 0 then fail(msg("RULE_P_ABOVE0", "bonus \"" .. name .. "\"", "max"), 2) end
	check_normal(max, "max", "bonus \"" .. name .. "\"", 2)
	local d = {type = "bonus", name = name, where = w, max = max,
		score = score, desc = t.desc, default = t.default, basis = t.basis, office = t.office}
	if d.default ~= nil and type(d.default) ~= "number" and type(d.default) ~= "string" then
		fail(msg("RULE_P_DEFAULT_NUM_TEXT", "bonus \"" .. name .. "\""), 2)
	end
	if type(d.default) == "number" then check_num(d.default, "default", "bonus \"" .. name .. "\"", 2) end
	spec.bonuses[#spec.bonuses + 1] = sealed(d, "bonus \"" .. name .. "\"")
	return d
end)

dsl.veto = named("veto", function(name, t, w)
	known_fields(t, "veto", "veto \"" .. name .. "\"", 2)
	unique("veto", name, w, 2)
	local d = {type = "veto", name = name, where = w, reason = t.reason, desc = t.desc, default = t.default,
		basis = t.basis, office = t.office}
	if d.default ~= nil and type(d.default) ~= "number" and type(d.default) ~= "string" and type(d.default) ~= "boolean" then
		fail(msg("RULE_P_VETO_DEFAULT", "veto \"" .. name .. "\""), 2)
	end
	if type(d.default) == "number" then check_num(d.default, "default", "veto \"" .. name .. "\"", 2) end
	d.when = check_src(t.when, "veto \"" .. name .. "\" when", 2)
	if d.reason ~= nil and type(d.reason) ~= "string" and type(d.reason) ~= "function" then
		fail(msg("RULE_P_VETO_REASON", "veto \"" .. name .. "\""), 2)
	end
	spec.vetoes[#spec.vetoes + 1] = sealed(d, "veto \"" .. name .. "\"")
	return d
end)

dsl.section = named("section", function(name, t, w)
	check_num(t.points, "points", "section \"" .. name .. "\"", 2)
	check_normal(t.points, "points", "section \"" .. name .. "\"", 2)
	local s = {name = name, where = w, points = t.points, items = {}}
	-- after a hole (an item that is nil) ipairs would stop, and a
	-- deduction left out come off the total instead
	if list_len(t) == nil then fail(msg("RULE_P_SECTION_HOLE", "section \"" .. name .. "\""), 2) end
	for i, item in ipairs(t) do
		-- an item is what indicator or deduction handed out (its copy, checked
		-- then, is what the section holds): checked, and in no section yet
		local copy = type(item) == "table" and rawget(item, DECL) and sealed_map[item]
		if not copy then
			fail(msg("RULE_P_SECTION_ITEM", "section \"" .. name .. "\"", i), 2)
		end
		if copy.section then
			fail(msg("RULE_P_ALREADY_IN", copy.type .. " \"" .. copy.name .. "\"", copy.section), 2)
		end
		item.section, copy.section = name, name
		s.items[#s.items + 1] = item
	end
	for k in pairs(t) do
		if type(k) ~= "number" and k ~= "points" then
			fail(msg("RULE_P_SECTION_FIELD", "section \"" .. name .. "\"", tostring(k)), 2)
		end
	end
	spec.sections[#spec.sections + 1] = sealed(s, "section \"" .. name .. "\"")
	return s
end)

dsl.events = named("events", function(name, t, w)
	known_fields(t, "events", "events \"" .. name .. "\"", 2)
	if t.file == nil and t.data == nil then fail(msg("RULE_P_EVENTS_SRC", "events \"" .. name .. "\""), 2) end
	if (t.file ~= nil and type(t.file) ~= "string") or (t.data ~= nil and type(t.data) ~= "string") then
		fail(msg("RULE_P_EVENTS_TEXTS", "events \"" .. name .. "\""), 2)
	end
	if type(t.unit) ~= "string" then fail(msg("RULE_P_EVENTS_UNIT", "events \"" .. name .. "\""), 2) end
	local data = t.data or tostring(t.file):match("([^/\\]+)$"):gsub("%.[^.]*$", "")
	local cols = t.columns ~= nil and column_list(t.columns, "events \"" .. name .. "\"", 2) or nil
	spec.events[#spec.events + 1] = {name = name, where = w, data = data, unit = t.unit, file = t.file, office = t.office,
		columns = cols}
end)

-- data "法治宣传" { office = "县普法办", columns = { "学法次数", "普法活动" } }:
-- the indicator columns one office sends, as one form (kaoping template) and
-- one dataset of that name; columns no data declaration lists go on the unit
-- form.  Optional: without it nothing changes.
local data_where, data_col = {}, {}   -- data name -> line; column -> "data name (line)"
dsl.data = named("data", function(name, t, w)
	local what = "data \"" .. name .. "\""
	known_fields(t, "data", what, 2)
	if t.columns == nil then fail(msg("RULE_P_DATA_COLUMNS", what), 2) end
	if data_where[name] then fail(msg("RULE_P_TWICE", what, data_where[name]), 2) end
	local cols = column_list(t.columns, what, 2)
	for _, c in ipairs(cols) do
		if data_col[c] then
			fail(msg("RULE_P_DATA_COL_ALSO", what, c, data_col[c]), 2)
		end
		data_col[c] = "data \"" .. name .. "\" (" .. w .. ")"
	end
	data_where[name] = w
	spec.datas[#spec.datas + 1] = {name = name, where = w, office = t.office, columns = cols}
end)

dsl.case = named("case", function(name, t, w)
	known_fields(t, "case", "case \"" .. name .. "\"", 2)
	if type(t.unit) ~= "table" then fail(msg("RULE_P_CASE_UNIT", "case \"" .. name .. "\""), 2) end
	-- an empty expect would pass checking nothing
	if type(t.expect) ~= "table" or next(t.expect) == nil then fail(msg("RULE_P_CASE_EXPECT", "case \"" .. name .. "\""), 2) end
	if t.category ~= nil and type(t.category) ~= "string" then fail(msg("RULE_P_CASE_CATEGORY", "case \"" .. name .. "\""), 2) end
	local function rows(list, what)
		if list == nil then return end
		-- a hole ({ {...}, nil, {...} }): ipairs stops at it, # may not
		if type(list) ~= "table" or list_len(list) == nil then fail(msg("RULE_P_CASE_ROWS", "case \"" .. name .. "\"", what), 3) end
		for i, row in ipairs(list) do
			if type(row) ~= "table" then
				fail(msg("RULE_P_CASE_ROW", "case \"" .. name .. "\"", what, i), 3)
			end
		end
	end
	rows(t.peers, "peers")
	if t.events ~= nil then
		if type(t.events) ~= "table" then fail(msg("RULE_P_CASE_EVENTS", "case \"" .. name .. "\""), 2) end
		for ev, list in pairs(t.events) do rows(list, "events[" .. tostring(ev) .. "]") end
	end
	t.name, t.where = name, w
	spec.cases[#spec.cases + 1] = t
end)

dsl.agg = agg
return dsl
