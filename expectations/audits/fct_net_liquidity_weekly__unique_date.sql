-- audit: marts.fct_net_liquidity_weekly has one row per date
-- returns: each date that appears more than once, with its count

select
    fct_net_liquidity_weekly.date,
    count(*) as count_rows
from marts.fct_net_liquidity_weekly as fct_net_liquidity_weekly
group by fct_net_liquidity_weekly.date
having count(*) > 1
