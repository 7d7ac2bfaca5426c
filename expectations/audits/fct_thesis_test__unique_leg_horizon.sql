-- audit: marts.fct_thesis_test has one row per (leg, horizon_days)
-- returns: each repeated key, with its count

select
    fct_thesis_test.leg,
    fct_thesis_test.horizon_days,
    count(*) as count_rows
from marts.fct_thesis_test as fct_thesis_test
group by fct_thesis_test.leg, fct_thesis_test.horizon_days
having count(*) > 1
