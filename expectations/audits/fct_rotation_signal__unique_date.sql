-- audit: marts.fct_rotation_signal has one row per date
-- returns: each date that appears more than once, with its count

select
    fct_rotation_signal.date,
    count(*) as count_rows
from marts.fct_rotation_signal as fct_rotation_signal
group by fct_rotation_signal.date
having count(*) > 1
