-- name: marts.fct_crypto_leverage
-- kind: full
-- grain: one row per (date, asset)
-- audits: fct_crypto_leverage__unique_date_asset,
--         fct_crypto_leverage__annualized_is_avg_times_settlements_per_year
--
-- Leverage context for each coin from its Binance USD-M perpetual (BTCUSDT, ...), per UTC day:
--   funding_rate_avg             mean of the funding rates settled that UTC day (fractions
--                                per 8-hour interval, as Binance sends them; > 0: longs pay
--                                shorts, i.e. leveraged longs crowd the book);
--   count_fundings               how many settlements that mean is over: 3 on a full day
--                                (00:00, 08:00, 16:00 UTC), fewer on a day still under way
--                                or with a settlement missing;
--   funding_rate_annualized_pct  funding_rate_avg * 3 settlements a day * 365 days * 100: the
--                                yearly carry a long pays at that day's pace, in percent.
--                                3 a day is Binance's standard 8-hour schedule; a symbol
--                                Binance moves to 4-hour funding pays 6 a day and is
--                                understated by half here (count_fundings shows it);
--   basis_pct                    (mark close / index close - 1) * 100: the perpetual's premium
--                                over its spot index at the day's close, in percent; null
--                                unless both closes exist for that day.
-- A (date, asset) has a row when it has a settlement or a mark or index close; the other
-- columns are then null. Both prices are in USDT; the ratio has no unit.

with

futures_funding as (

    select * from staging.stg_binance_futures_funding

),

futures_premium as (

    select * from staging.stg_binance_futures_premium

),

---------- parameters (documented in the header)
parameters as (

    select
        3 as settlements_per_day,
        365 as days_per_year

),

daily_funding as (

    select
        futures_funding.funding_date as date,
        futures_funding.asset,
        -- ordered: a float mean must not depend on the rows' physical order, or two loads
        -- of the same data (one run, or a chunked backfill) would differ in the last bit
        avg(futures_funding.funding_rate order by futures_funding.funding_at) as funding_rate_avg,
        count(futures_funding.funding_rate) as count_fundings
    from futures_funding as futures_funding
    group by futures_funding.funding_date, futures_funding.asset

),

daily_basis as (

    select
        futures_premium.trade_date as date,
        futures_premium.asset,
        -- nullif: a zero index would otherwise give an infinite basis
        (futures_premium.mark_close_usd / nullif(futures_premium.index_close_usd, 0) - 1)
        * 100 as basis_pct
    from futures_premium as futures_premium

),

leverage as (

    select
        coalesce(daily_funding.date, daily_basis.date) as date,
        coalesce(daily_funding.asset, daily_basis.asset) as asset,
        daily_funding.funding_rate_avg,
        coalesce(daily_funding.count_fundings, 0) as count_fundings,
        daily_funding.funding_rate_avg
        * parameters.settlements_per_day
        * parameters.days_per_year
        * 100 as funding_rate_annualized_pct,
        daily_basis.basis_pct
    from daily_funding as daily_funding
    full outer join daily_basis as daily_basis
        on
            daily_funding.date = daily_basis.date
            and daily_funding.asset = daily_basis.asset
    cross join parameters as parameters

)

select
    cast(leverage.date as date) as date,
    cast(leverage.asset as varchar) as asset,
    cast(leverage.funding_rate_avg as double) as funding_rate_avg,
    cast(leverage.funding_rate_annualized_pct as double) as funding_rate_annualized_pct,
    cast(leverage.basis_pct as double) as basis_pct,
    cast(leverage.count_fundings as integer) as count_fundings
from leverage as leverage
order by leverage.asset, leverage.date
