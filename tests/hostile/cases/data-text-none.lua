-- data-text-none.lua: yes/no columns whose blank the rules answer
assessment { title = "text none", year = 2021, precision = 2,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 1} } }
section "s" { points = 20,
  indicator "公示" { points = 10, score = yes_no("公示"), missing = "skip" },
  indicator "公开" { points = 10, score = yes_no("公开"), default = "否" },
}
veto "事故" { when = "事故", default = false }
commend {}
