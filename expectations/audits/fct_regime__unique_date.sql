-- audit: marts.fct_regime has one row per date
-- returns: each date that appears more than once, with its count

select
    fct_regime.date,
    count(*) as count_rows
from marts.fct_regime as fct_regime
group by fct_regime.date
having count(*) > 1
