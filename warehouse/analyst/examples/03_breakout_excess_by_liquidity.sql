-- name: examples.breakout_excess_by_liquidity
-- question: after an R2K breakout, is the excess return of BTC, ETH and alts larger when
--           liquidity is expanding, and does the 90% CI exclude zero?
-- grain: one row per (asset, horizon_days) with both an 'expanding' and an 'any' summary
with summary as (
    select * from marts.fct_event_study_summary
)

select
    expanding.asset,
    expanding.horizon_days,
    expanding.n_events as n_events_expanding,
    everything.n_events as n_events_all,
    round(expanding.mean_excess_ret, 4) as mean_excess_expanding,
    round(everything.mean_excess_ret, 4) as mean_excess_all,
    round(expanding.excess_ci90_low, 4) as ci90_low_expanding,
    round(expanding.excess_ci90_high, 4) as ci90_high_expanding,
    coalesce(expanding.excess_ci90_low > 0, false) as is_significant_expanding,
from summary as expanding
inner join summary as everything
    on everything.asset = expanding.asset
    and everything.horizon_days = expanding.horizon_days
    and everything.liquidity_state = 'any'
where expanding.liquidity_state = 'expanding'
order by expanding.horizon_days, expanding.asset
