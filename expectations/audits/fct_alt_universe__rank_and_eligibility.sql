-- audit: marts.fct_alt_universe ranks 1..n by descending volume (ties by asset) on each
-- rebalance date, rebalances on a month's first day, and holds only coins listed before and
-- still trading on the rebalance date (a positive volume, delisted_date never before it)
-- returns: offending rows with the expected rank beside them

with

ranked as (

    select
        fct_alt_universe.*,
        row_number() over (
            partition by fct_alt_universe.rebalance_date
            order by fct_alt_universe.quote_volume_30d_usdt desc, fct_alt_universe.asset
        ) as expected_rank
    from marts.fct_alt_universe as fct_alt_universe

)

select ranked.*
from ranked as ranked
where
    ranked.volume_rank <> ranked.expected_rank
    or extract(day from ranked.rebalance_date) <> 1
    or ranked.listed_date >= ranked.rebalance_date
    or ranked.delisted_date < ranked.rebalance_date
    or not ranked.quote_volume_30d_usdt > 0
