-- audit: marts.fct_risk_ladder has one row per (date, asset)
-- returns: each (date, asset) that appears more than once, with its count

select
    fct_risk_ladder.date,
    fct_risk_ladder.asset,
    count(*) as count_rows
from marts.fct_risk_ladder as fct_risk_ladder
group by fct_risk_ladder.date, fct_risk_ladder.asset
having count(*) > 1
