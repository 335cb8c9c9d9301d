-- rule-use-cycle (hostile case fixture): cyc_a uses cyc_b, which uses cyc_a
use "cyc_a"
