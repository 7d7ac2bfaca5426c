-- name: examples.forward_returns_when_risk_on
-- question: after a day with liquidity expanding AND the R2K in a strong uptrend (is_risk_on),
--           do BTC, ETH and the alt basket do better over the next 90 days than on other days?
-- grain: one row per (asset, is_risk_on)
with signal as (
    select date, is_risk_on from marts.fct_rotation_signal where is_risk_on is not null
),

levels as (
    select date, asset, price_level
    from marts.fct_risk_ladder
    where asset in ('BTC', 'ETH', 'ALTS')
),

-- the level 90 calendar days later (crypto trades every day, the alt basket too)
forward as (
    select
        now_.date,
        now_.asset,
        later.price_level / now_.price_level - 1 as fwd_ret_90d,
    from levels as now_
    inner join levels as later
        on later.asset = now_.asset and later.date = now_.date + interval 90 day
)

select
    forward.asset,
    signal.is_risk_on,
    count(*) as count_days,
    round(avg(forward.fwd_ret_90d), 4) as mean_fwd_ret_90d,
    round(median(forward.fwd_ret_90d), 4) as median_fwd_ret_90d,
    round(avg((forward.fwd_ret_90d > 0)::int), 3) as hit_rate,
from forward
inner join signal using (date)
group by all
order by forward.asset, signal.is_risk_on desc
