-- rule-use-missing (hostile case fixture): line 2 uses a module that is not there
use "nowhere"
