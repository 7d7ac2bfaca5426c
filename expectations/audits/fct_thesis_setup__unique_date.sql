-- audit: marts.fct_thesis_setup has one row per session
-- returns: each date that appears more than once, with its count

select
    fct_thesis_setup.date,
    count(*) as count_rows
from marts.fct_thesis_setup as fct_thesis_setup
group by fct_thesis_setup.date
having count(*) > 1
