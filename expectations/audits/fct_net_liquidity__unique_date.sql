-- audit: marts.fct_net_liquidity has one row per date
-- returns: each date that appears more than once, with its count

select
    fct_net_liquidity.date,
    count(*) as count_rows
from marts.fct_net_liquidity as fct_net_liquidity
group by fct_net_liquidity.date
having count(*) > 1
