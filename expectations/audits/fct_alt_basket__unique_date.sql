-- audit: marts.fct_alt_basket has one row per date
-- returns: each date that appears more than once, with its count

select
    fct_alt_basket.date,
    count(*) as count_rows
from marts.fct_alt_basket as fct_alt_basket
group by fct_alt_basket.date
having count(*) > 1
