-- rule-use-absolute (hostile case fixture): line 3 names /etc/passwd
local ok = pcall(function() return 1 end)
local m = use "/etc/passwd"
