-- rule-use-module-error (hostile case fixture): the module raises at its line 3
use "broken"
