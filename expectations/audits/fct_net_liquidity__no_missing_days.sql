-- audit: marts.fct_net_liquidity has every calendar day between its first and last date
-- returns: each date whose previous row is not the day before (the gap's far end)

with

spine_rows as (

    select
        fct_net_liquidity.date,
        lag(fct_net_liquidity.date) over (order by fct_net_liquidity.date) as previous_date
    from marts.fct_net_liquidity as fct_net_liquidity

)

select
    spine_rows.date,
    spine_rows.previous_date
from spine_rows as spine_rows
where spine_rows.date - spine_rows.previous_date <> 1
