-- audit: marts.fct_net_liquidity_pit has every calendar day between its first and last date
-- returns: each date whose previous row is not the day before (the gap's far end)

with

spine_rows as (

    select
        fct_net_liquidity_pit.date,
        lag(fct_net_liquidity_pit.date) over (order by fct_net_liquidity_pit.date)
            as previous_date
    from marts.fct_net_liquidity_pit as fct_net_liquidity_pit

)

select
    spine_rows.date,
    spine_rows.previous_date
from spine_rows as spine_rows
where spine_rows.date - spine_rows.previous_date <> 1
