-- audit: marts.fct_liquidity_impulse has one row per date
-- returns: each date that appears more than once, with its count

select
    fct_liquidity_impulse.date,
    count(*) as count_rows
from marts.fct_liquidity_impulse as fct_liquidity_impulse
group by fct_liquidity_impulse.date
having count(*) > 1
