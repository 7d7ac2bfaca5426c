-- name: marts.fct_rotation_signal
-- kind: full
-- grain: one row per calendar date (the dates of marts.fct_regime)
-- audits: fct_rotation_signal__unique_date, fct_rotation_signal__score_is_mean_of_components,
--         fct_rotation_signal__inputs_known_as_of_date
--
-- The rotation signal: "liquidity is rising and the Russell 2000 is in a strong uptrend",
-- the condition under which the thesis expects BTC, then ETH, then the alts to outperform.
-- Every column uses only data published by the end of day d:
--   liquidity  marts.fct_regime reads the 13-week impulse of the latest Wednesday W <= d - 1,
--              because the H.4.1 for W (WALCL) is published on Thursday W + 1
--              (liquidity_as_of_date = W; see fct_regime for the holiday caveat).
--   RUT        its latest close on or before d (r2k_as_of_date).
--   ladder     each rung's latest close on or before d (the 90-day relative strengths).
-- Composition (both components in [-1, 1], so is the score):
--   liquidity_score   clamp(impulse_z_13w / 2, -1, 1): a 2-sd impulse is full strength.
--   r2k_trend_score   strong_uptrend 1, uptrend 0.5, range 0, downtrend -1.
--   rotation_score    (liquidity_score + r2k_trend_score) / 2; null if either is null.
--   is_risk_on        liquidity_state = 'expanding' and r2k_trend_state = 'strong_uptrend':
--                     the thesis' condition as a yes/no.
-- Context, NOT in the score (these are the rungs the thesis predicts, shown so an analyst can
-- see the rotation happen): crypto_state, btc_rs_vs_rut_90d, eth_rs_vs_btc_90d,
-- alts_rs_vs_eth_90d (rs_vs_prev_rung_90d of marts.fct_risk_ladder, at most 7 days old).
-- Forward returns never appear here: they are outcomes (marts.fct_r2k_breakout_events).

with

regime as (

    select * from marts.fct_regime

),

risk_ladder as (

    select * from marts.fct_risk_ladder

),

---------- parameters (documented in the header)
parameters as (

    select
        2.0 as liquidity_full_strength_z,
        7 as max_stale_days

),

rung_strength as (

    select
        risk_ladder.date,
        risk_ladder.asset,
        risk_ladder.rs_vs_prev_rung_90d
    from risk_ladder as risk_ladder
    where risk_ladder.asset in ('BTC', 'ETH', 'ALTS')

),

btc as (

    select * from rung_strength where rung_strength.asset = 'BTC'

),

eth as (

    select * from rung_strength where rung_strength.asset = 'ETH'

),

alts as (

    select * from rung_strength where rung_strength.asset = 'ALTS'

),

components as (

    select
        regime.date,
        regime.liquidity_as_of_date,
        regime.impulse_13w_usd_bn,
        regime.impulse_z_13w,
        regime.liquidity_state,
        regime.r2k_as_of_date,
        regime.r2k_trend_state,
        regime.crypto_state,
        -- greatest/least skip nulls in DuckDB: an unknown impulse must stay unknown
        case
            when regime.impulse_z_13w is not null
                then greatest(
                    -1.0,
                    least(1.0, regime.impulse_z_13w / parameters.liquidity_full_strength_z)
                )
        end as liquidity_score,
        case regime.r2k_trend_state
            when 'strong_uptrend' then 1.0
            when 'uptrend' then 0.5
            when 'range' then 0.0
            when 'downtrend' then -1.0
        end as r2k_trend_score,
        case
            when btc.date >= regime.date - parameters.max_stale_days then btc.rs_vs_prev_rung_90d
        end as btc_rs_vs_rut_90d,
        case
            when eth.date >= regime.date - parameters.max_stale_days then eth.rs_vs_prev_rung_90d
        end as eth_rs_vs_btc_90d,
        case
            when alts.date >= regime.date - parameters.max_stale_days
                then alts.rs_vs_prev_rung_90d
        end as alts_rs_vs_eth_90d
    from regime as regime
    cross join parameters as parameters
    asof left join btc as btc
        on regime.date >= btc.date
    asof left join eth as eth
        on regime.date >= eth.date
    asof left join alts as alts
        on regime.date >= alts.date

),

signal as (

    select
        components.*,
        (components.liquidity_score + components.r2k_trend_score) / 2 as rotation_score,
        coalesce(
            components.liquidity_state = 'expanding'
            and components.r2k_trend_state = 'strong_uptrend',
            false
        ) as is_risk_on
    from components as components

)

select
    cast(signal.date as date) as date,
    cast(signal.rotation_score as double) as rotation_score,
    cast(signal.is_risk_on as boolean) as is_risk_on,
    cast(signal.liquidity_score as double) as liquidity_score,
    cast(signal.r2k_trend_score as double) as r2k_trend_score,
    cast(signal.impulse_13w_usd_bn as double) as impulse_13w_usd_bn,
    cast(signal.impulse_z_13w as double) as impulse_z_13w,
    cast(signal.liquidity_state as varchar) as liquidity_state,
    cast(signal.liquidity_as_of_date as date) as liquidity_as_of_date,
    cast(signal.r2k_trend_state as varchar) as r2k_trend_state,
    cast(signal.r2k_as_of_date as date) as r2k_as_of_date,
    cast(signal.crypto_state as varchar) as crypto_state,
    cast(signal.btc_rs_vs_rut_90d as double) as btc_rs_vs_rut_90d,
    cast(signal.eth_rs_vs_btc_90d as double) as eth_rs_vs_btc_90d,
    cast(signal.alts_rs_vs_eth_90d as double) as alts_rs_vs_eth_90d
from signal as signal
order by signal.date
