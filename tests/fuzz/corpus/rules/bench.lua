-- bench.lua — the benchmark rule set of DESIGN §7 (a contract), in the rule
-- language.  Data: unit_id,name,category,i01..i20.
assessment {
  title = "Benchmark rule set (DESIGN §7)", year = 2021, precision = 2,
  round = "total",                       -- only the total is rounded
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 9}, {"town", commend = 2} },
  max_total = 100,                       -- the total never exceeds 100
}

local rates, counts = { points = 60 }, { points = 32 }
for i = 1, 10 do   -- i01..i10: 6 × min(value / 0.95, 1)
  local col = string.format("i%02d", i)
  rates[#rates + 1] = indicator (col) { points = 6, score = target(col, 0.95) }
end
for i = 11, 18 do  -- i11..i18: 4 × value / max over ALL units (0 when max is 0)
  local col = string.format("i%02d", i)
  counts[#counts + 1] = indicator (col) { points = 4, score = ratio_to_best(col, { scope = "all" }) }
end
section "rates" (rates)
section "counts" (counts)

deduction "violations" { per = 2, max = 10, count = "i19" }      -- min(2 × i19, 10)
bonus "i11 ≥ 400" { max = 3, score = bands("i11", { {400, 3} }) }
veto "i20" { when = "i20", reason = "i20 = 1" }

grades { {"优秀", 90}, {"良好", 80}, {"合格", 60}, {"不合格", 0} }
commend {}
