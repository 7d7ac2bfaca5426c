-- audit: marts.fct_net_liquidity_pit has one row per date
-- returns: each date that appears more than once, with its count

select
    fct_net_liquidity_pit.date,
    count(*) as count_rows
from marts.fct_net_liquidity_pit as fct_net_liquidity_pit
group by fct_net_liquidity_pit.date
having count(*) > 1
