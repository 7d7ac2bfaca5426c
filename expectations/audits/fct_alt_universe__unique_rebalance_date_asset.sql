-- audit: marts.fct_alt_universe has one row per (rebalance_date, asset)
-- returns: each (rebalance_date, asset) that appears more than once, with its count

select
    fct_alt_universe.rebalance_date,
    fct_alt_universe.asset,
    count(*) as count_rows
from marts.fct_alt_universe as fct_alt_universe
group by fct_alt_universe.rebalance_date, fct_alt_universe.asset
having count(*) > 1
