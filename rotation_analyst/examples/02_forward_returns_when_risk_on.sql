-- name: examples.forward_returns_when_risk_on
-- question: in each independent setup episode (liquidity expanding AND the R2K in a confirmed
--           strong uptrend), what did BTC vs the R2K, ETH vs BTC and the alts vs ETH (and each
--           coin alone) return over the 30, 60, 90 and 180 days after entry?
-- grain: one row per (leg, horizon_days). count_episodes counts independent episodes whose
--        horizon has elapsed (one return each, from the entry session on: day 0 and after),
--        never overlapping days; count_episodes_pending have not reached the horizon yet.
--        Descriptive: marts.fct_thesis_test holds the test against a null.
with episodes as (
    select * from marts.fct_thesis_episodes
),

returns_wide as (
    select episode_id, columns('_log_ret_\d+d$') from episodes
),

-- one row per (episode, leg, horizon); a NULL return (horizon not elapsed) is kept to count it
returns_long as (
    from returns_wide
    unpivot include nulls (log_ret for return_column in (columns('_log_ret_\d+d$')))
),

returns as (
    select
        episode_id,
        log_ret,
        regexp_extract(return_column, '^(.+)_log_ret_(\d+)d$', 1) as leg,
        regexp_extract(return_column, '^(.+)_log_ret_(\d+)d$', 2)::int as horizon_days,
    from returns_long
)

select
    leg,
    horizon_days,
    count(log_ret) as count_episodes,
    count(*) - count(log_ret) as count_episodes_pending,
    round(avg(log_ret), 4) as mean_log_ret,
    round(median(log_ret), 4) as median_log_ret,
    round(min(log_ret), 4) as min_log_ret,
    round(max(log_ret), 4) as max_log_ret,
    count(*) filter (where log_ret > 0) as count_episodes_positive,
from returns
group by leg, horizon_days
order by
    list_position(['btc_vs_rut', 'eth_vs_btc', 'alts_vs_eth', 'btc', 'eth', 'alts'], leg),
    horizon_days
