-- audit: marts.fct_net_liquidity has every calendar day between its first and last date
-- returns: each date whose previous row is not the day before (the gap's far end)

with

days as (

    select
        fct_net_liquidity.date as date,
        lag(fct_net_liquidity.date) over (order by fct_net_liquidity.date) as previous_date,
    from marts.fct_net_liquidity as fct_net_liquidity

)

select
    days.date as date,
    days.previous_date as previous_date,
from days as days
where days.date - days.previous_date <> 1
