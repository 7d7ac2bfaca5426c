-- audit: marts.dim_calendar has one row per date
-- returns: each date that appears more than once, with its count

select
    dim_calendar.date,
    count(*) as count_rows
from marts.dim_calendar as dim_calendar
group by dim_calendar.date
having count(*) > 1
