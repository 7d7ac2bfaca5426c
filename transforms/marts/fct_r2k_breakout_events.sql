-- name: marts.fct_r2k_breakout_events
-- kind: full
-- grain: one row per (event_date, asset, horizon_days)
-- audits: fct_r2k_breakout_events__unique_event_asset_horizon,
--         fct_r2k_breakout_events__excess_is_fwd_minus_unconditional
--
-- Russell 2000 breakouts and what BTC, ETH and the alt basket (ALTS) did after them.
-- The rule (parameters CTE below):
--   BREAKOUT_RULE = 'all_time_high'   RUT closes above every earlier close (a new all-time
--                                     high of the history held), and the previous all-time
--                                     high was set at least MIN_DAYS_BELOW days earlier;
--                 = 'level'           RUT closes at or above BREAKOUT_LEVEL_USD (2600) and
--                                     every close of the previous MIN_DAYS_BELOW days was
--                                     below it (or the history never reached it).
--   MIN_DAYS_BELOW = 30 calendar days. MIN_HISTORY_DAYS = 365: no event in the first year
--   of RUT history, where "all-time" would only mean "since the data starts".
--   days_below = event date - the last earlier date RUT closed at/above the reference
--   (the previous all-time high, or the level); for 'level' with no such date, days since
--   the first RUT close.
-- Outcomes (forward-looking by definition; never used by a signal mart):
--   fwd_ret                     close(event + h) / close(event) - 1 for h in 30, 60, 90, 180
--                               CALENDAR days, on the asset's daily closes (crypto and the
--                               basket have one every day; a missing day leaves it null, as
--                               does a horizon that has not elapsed: is_horizon_complete).
--   unconditional_mean_fwd_ret  the mean of the same h-day forward return over EVERY date of
--                               the asset's history (count_unconditional_obs of them): the
--                               baseline the event is compared with.
--   excess_fwd_ret              fwd_ret - unconditional_mean_fwd_ret.
-- Context at the event (known that day): liquidity_state and r2k_trend_state (marts.fct_regime).
-- Horizons of events closer than h days apart overlap: they are not independent draws (the
-- independent, de-clustered test is marts.fct_thesis_test).

with

asset_daily as (

    select * from marts.fct_asset_daily

),

alt_basket as (

    select * from marts.fct_alt_basket

),

regime as (

    select * from marts.fct_regime

),

---------- parameters (documented in the header)
parameters as (

    select
        'all_time_high' as breakout_rule,
        2600.0 as breakout_level_usd,
        30 as min_days_below,
        365 as min_history_days

),

horizons as (

    select horizon_list.horizon_days
    from (values (30), (60), (90), (180)) as horizon_list (horizon_days)

),

rut as (

    select
        asset_daily.date,
        asset_daily.close_usd
    from asset_daily as asset_daily
    where asset_daily.asset = 'RUT' and asset_daily.close_usd is not null

),

outcome_prices as (

    select
        asset_daily.date,
        asset_daily.asset,
        asset_daily.close_usd as price_level
    from asset_daily as asset_daily
    where asset_daily.asset in ('BTC', 'ETH') and asset_daily.close_usd is not null
    union all
    select
        alt_basket.date,
        'ALTS' as asset,
        alt_basket.index_level as price_level
    from alt_basket as alt_basket

),

rut_history as (

    select
        rut.date,
        rut.close_usd,
        min(rut.date) over () as first_date,
        max(rut.close_usd) over earlier_rows as previous_high_usd
    from rut as rut
    window earlier_rows as (
        order by rut.date rows between unbounded preceding and 1 preceding
    )

),

reference_levels as (

    -- the level a breakout must clear, and whether today's close clears it
    select
        rut_history.*,
        parameters.breakout_rule,
        case parameters.breakout_rule
            when 'all_time_high' then rut_history.previous_high_usd
            when 'level' then parameters.breakout_level_usd
        end as reference_level_usd,
        case parameters.breakout_rule
            -- the first close is the first all-time high
            when 'all_time_high'
                then coalesce(rut_history.close_usd > rut_history.previous_high_usd, true)
            when 'level' then rut_history.close_usd >= parameters.breakout_level_usd
        end as is_above_reference
    from rut_history as rut_history
    cross join parameters as parameters

),

days_below as (

    select
        reference_levels.*,
        reference_levels.date - coalesce(
            max(case when reference_levels.is_above_reference then reference_levels.date end)
                over earlier_rows,
            reference_levels.first_date
        ) as days_below
    from reference_levels as reference_levels
    window earlier_rows as (
        order by reference_levels.date rows between unbounded preceding and 1 preceding
    )

),

events as (

    select
        days_below.date as event_date,
        row_number() over (order by days_below.date) as event_number,
        days_below.breakout_rule,
        days_below.close_usd as rut_close_usd,
        days_below.reference_level_usd,
        days_below.days_below
    from days_below as days_below
    cross join parameters as parameters
    where
        days_below.is_above_reference
        and days_below.days_below >= parameters.min_days_below
        and days_below.date - days_below.first_date >= parameters.min_history_days

),

forward_returns as (

    -- every date of every outcome asset, for the unconditional baseline and the events
    select
        outcome_prices.date,
        outcome_prices.asset,
        horizons.horizon_days,
        later.price_level / outcome_prices.price_level - 1 as fwd_ret
    from outcome_prices as outcome_prices
    cross join horizons as horizons
    left join outcome_prices as later
        on
            outcome_prices.asset = later.asset
            and outcome_prices.date + horizons.horizon_days = later.date

),

unconditional as (

    select
        forward_returns.asset,
        forward_returns.horizon_days,
        -- ordered aggregate: a parallel float sum differs in the last bits from run to run,
        -- and two builds of the same data must give identical tables
        avg(forward_returns.fwd_ret order by forward_returns.date) as unconditional_mean_fwd_ret,
        count(forward_returns.fwd_ret) as count_unconditional_obs
    from forward_returns as forward_returns
    group by forward_returns.asset, forward_returns.horizon_days

),

outcome_assets as (

    select asset_list.asset
    from (values ('BTC'), ('ETH'), ('ALTS')) as asset_list (asset)

),

last_dates as (

    select
        outcome_prices.asset,
        max(outcome_prices.date) as last_date
    from outcome_prices as outcome_prices
    group by outcome_prices.asset

),

event_outcomes as (

    select
        events.*,
        outcome_assets.asset,
        horizons.horizon_days,
        forward_returns.fwd_ret,
        unconditional.unconditional_mean_fwd_ret,
        forward_returns.fwd_ret - unconditional.unconditional_mean_fwd_ret as excess_fwd_ret,
        coalesce(unconditional.count_unconditional_obs, 0) as count_unconditional_obs,
        coalesce(events.event_date + horizons.horizon_days <= last_dates.last_date, false)
            as is_horizon_complete,
        regime.liquidity_state,
        regime.r2k_trend_state
    from events as events
    cross join outcome_assets as outcome_assets
    cross join horizons as horizons
    left join forward_returns as forward_returns
        on
            events.event_date = forward_returns.date
            and outcome_assets.asset = forward_returns.asset
            and horizons.horizon_days = forward_returns.horizon_days
    left join unconditional as unconditional
        on
            outcome_assets.asset = unconditional.asset
            and horizons.horizon_days = unconditional.horizon_days
    left join last_dates as last_dates
        on outcome_assets.asset = last_dates.asset
    left join regime as regime
        on events.event_date = regime.date

)

select
    cast(event_outcomes.event_date as date) as event_date,
    cast(event_outcomes.event_number as integer) as event_number,
    cast(event_outcomes.breakout_rule as varchar) as breakout_rule,
    cast(event_outcomes.rut_close_usd as double) as rut_close_usd,
    cast(event_outcomes.reference_level_usd as double) as reference_level_usd,
    cast(event_outcomes.days_below as integer) as days_below,
    cast(event_outcomes.liquidity_state as varchar) as liquidity_state,
    cast(event_outcomes.r2k_trend_state as varchar) as r2k_trend_state,
    cast(event_outcomes.asset as varchar) as asset,
    cast(event_outcomes.horizon_days as integer) as horizon_days,
    cast(event_outcomes.fwd_ret as double) as fwd_ret,
    cast(event_outcomes.unconditional_mean_fwd_ret as double) as unconditional_mean_fwd_ret,
    cast(event_outcomes.excess_fwd_ret as double) as excess_fwd_ret,
    cast(event_outcomes.count_unconditional_obs as bigint) as count_unconditional_obs,
    cast(event_outcomes.is_horizon_complete as boolean) as is_horizon_complete
from event_outcomes as event_outcomes
order by event_outcomes.event_date, event_outcomes.asset, event_outcomes.horizon_days
