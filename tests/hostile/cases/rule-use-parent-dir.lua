-- rule-use-parent-dir (hostile case fixture): line 2 names a module by a path
use "../x"
