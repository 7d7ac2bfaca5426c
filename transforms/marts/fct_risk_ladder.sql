-- name: marts.fct_risk_ladder
-- kind: full
-- grain: one row per (date, asset) on which the asset has a close
-- audits: fct_risk_ladder__unique_date_asset, fct_risk_ladder__rs_matches_returns,
--         fct_risk_ladder__trend_state_matches_its_columns
--
-- The risk ladder, in the order liquidity is expected to climb it:
--   rung 1 GSPC, 2 RUT, 3 BTC, 4 ETH, 5 ALTS (the equal-weight alt basket, marts.fct_alt_basket).
-- price_level is the close in USD, except for ALTS, whose level is index points; every column
-- below is a ratio, so the unit does not matter.
--   ret_30d / ret_90d / ret_180d   price / price h CALENDAR days earlier - 1. The earlier price
--                                  is the latest close on or before d - h (a weekend or holiday
--                                  takes the session before), null if that close is more than
--                                  7 days older than d - h or there is none.
--   rs_vs_prev_rung_90d            (1 + ret_90d) / (1 + ret_90d of the rung below) - 1: > 0
--                                  when this rung beat the one below over 90 days. The rung
--                                  below is read at its latest row on or before d (equities
--                                  have no weekend rows), at most 7 days old. Null on rung 1.
--   sma_50d / sma_200d             mean of the last 50 / 200 closes, counted in ROWS: sessions
--                                  for GSPC and RUT, calendar days for crypto and ALTS (the
--                                  usual convention of each market); null until that many rows.
--   close_vs_sma_50d / _200d       price / sma - 1.
--   sma_200d_slope_20d             sma_200d / sma_200d 20 rows earlier - 1.
--   pct_from_high_252d             price / highest close of the last 252 rows (this one
--                                  included) - 1; 0 at a new high, never positive.
--   trend_state (first rule that holds; null while sma_200d_slope_20d is null):
--     strong_uptrend   price > sma_50d > sma_200d, slope > 0 and within NEAR_HIGH_PCT = 5%
--                      of the 252-row high
--     uptrend          price > sma_200d and slope > 0
--     downtrend        price < sma_200d and slope < 0
--     range            anything else
-- Every column uses closes up to d only (no look-ahead).

with

asset_daily as (

    select * from marts.fct_asset_daily

),

alt_basket as (

    select * from marts.fct_alt_basket

),

---------- parameters (documented in the header)
parameters as (

    select
        0.05 as near_high_pct,
        7 as max_stale_days

),

rungs as (

    select rung_list.*
    from (
        values
        ('GSPC', 1),
        ('RUT', 2),
        ('BTC', 3),
        ('ETH', 4),
        ('ALTS', 5)
    ) as rung_list (asset, rung)

),

asset_prices as (

    select
        asset_daily.date,
        asset_daily.asset,
        asset_daily.close_usd as price_level
    from asset_daily as asset_daily
    where asset_daily.close_usd is not null

),

basket_prices as (

    select
        alt_basket.date,
        'ALTS' as asset,
        alt_basket.index_level as price_level
    from alt_basket as alt_basket

),

prices as (

    select
        rungs.rung,
        all_prices.date,
        all_prices.asset,
        all_prices.price_level
    from (
        select * from asset_prices
        union all by name
        select * from basket_prices
    ) as all_prices
    inner join rungs as rungs
        on all_prices.asset = rungs.asset

),

with_earlier_prices as (

    select
        prices.*,
        case
            when ago_30d.date >= prices.date - 30 - parameters.max_stale_days
                then ago_30d.price_level
        end as price_30d_ago,
        case
            when ago_90d.date >= prices.date - 90 - parameters.max_stale_days
                then ago_90d.price_level
        end as price_90d_ago,
        case
            when ago_180d.date >= prices.date - 180 - parameters.max_stale_days
                then ago_180d.price_level
        end as price_180d_ago
    from prices as prices
    cross join parameters as parameters
    asof left join prices as ago_30d
        on prices.asset = ago_30d.asset and prices.date - 30 >= ago_30d.date
    asof left join prices as ago_90d
        on prices.asset = ago_90d.asset and prices.date - 90 >= ago_90d.date
    asof left join prices as ago_180d
        on prices.asset = ago_180d.asset and prices.date - 180 >= ago_180d.date

),

moving_stats as (

    select
        with_earlier_prices.*,
        with_earlier_prices.price_level / with_earlier_prices.price_30d_ago - 1 as ret_30d,
        with_earlier_prices.price_level / with_earlier_prices.price_90d_ago - 1 as ret_90d,
        with_earlier_prices.price_level / with_earlier_prices.price_180d_ago - 1 as ret_180d,
        case
            when count(*) over last_50_rows = 50
                then avg(with_earlier_prices.price_level) over last_50_rows
        end as sma_50d,
        case
            when count(*) over last_200_rows = 200
                then avg(with_earlier_prices.price_level) over last_200_rows
        end as sma_200d,
        max(with_earlier_prices.price_level) over last_252_rows as high_252d
    from with_earlier_prices as with_earlier_prices
    window
        asset_rows as (partition by with_earlier_prices.asset order by with_earlier_prices.date),
        last_50_rows as (asset_rows rows between 49 preceding and current row),
        last_200_rows as (asset_rows rows between 199 preceding and current row),
        last_252_rows as (asset_rows rows between 251 preceding and current row)

),

trend as (

    select
        moving_stats.*,
        moving_stats.price_level / moving_stats.sma_50d - 1 as close_vs_sma_50d,
        moving_stats.price_level / moving_stats.sma_200d - 1 as close_vs_sma_200d,
        moving_stats.sma_200d / lag(moving_stats.sma_200d, 20) over (
            partition by moving_stats.asset order by moving_stats.date
        ) - 1 as sma_200d_slope_20d,
        moving_stats.price_level / moving_stats.high_252d - 1 as pct_from_high_252d
    from moving_stats as moving_stats

),

trend_states as (

    select
        trend.*,
        case
            when trend.sma_200d_slope_20d is null then null
            when
                trend.price_level > trend.sma_50d
                and trend.sma_50d > trend.sma_200d
                and trend.sma_200d_slope_20d > 0
                and trend.pct_from_high_252d >= -parameters.near_high_pct
                then 'strong_uptrend'
            when trend.price_level > trend.sma_200d and trend.sma_200d_slope_20d > 0
                then 'uptrend'
            when trend.price_level < trend.sma_200d and trend.sma_200d_slope_20d < 0
                then 'downtrend'
            else 'range'
        end as trend_state
    from trend as trend
    cross join parameters as parameters

),

relative_strength as (

    select
        trend_states.*,
        prev_rung.asset as prev_rung_asset,
        case
            when prev_rung.date >= trend_states.date - parameters.max_stale_days
                then prev_rung.ret_90d
        end as prev_rung_ret_90d
    from trend_states as trend_states
    cross join parameters as parameters
    asof left join trend_states as prev_rung
        on
            trend_states.rung - 1 = prev_rung.rung
            and trend_states.date >= prev_rung.date

)

select
    cast(relative_strength.date as date) as date,
    cast(relative_strength.asset as varchar) as asset,
    cast(relative_strength.rung as integer) as rung,
    cast(relative_strength.price_level as double) as price_level,
    cast(relative_strength.ret_30d as double) as ret_30d,
    cast(relative_strength.ret_90d as double) as ret_90d,
    cast(relative_strength.ret_180d as double) as ret_180d,
    cast(relative_strength.prev_rung_asset as varchar) as prev_rung_asset,
    cast(relative_strength.prev_rung_ret_90d as double) as prev_rung_ret_90d,
    cast(
        (1 + relative_strength.ret_90d) / (1 + relative_strength.prev_rung_ret_90d) - 1
        as double
    ) as rs_vs_prev_rung_90d,
    cast(relative_strength.sma_50d as double) as sma_50d,
    cast(relative_strength.sma_200d as double) as sma_200d,
    cast(relative_strength.close_vs_sma_50d as double) as close_vs_sma_50d,
    cast(relative_strength.close_vs_sma_200d as double) as close_vs_sma_200d,
    cast(relative_strength.sma_200d_slope_20d as double) as sma_200d_slope_20d,
    cast(relative_strength.pct_from_high_252d as double) as pct_from_high_252d,
    cast(relative_strength.trend_state as varchar) as trend_state
from relative_strength as relative_strength
order by relative_strength.asset, relative_strength.date
