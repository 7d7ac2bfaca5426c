-- name: examples.breakout_excess_by_liquidity
-- question: when liquidity expands and the R2K is in a strong uptrend, does each leg beat its
--           null (excess log return after entry), and does that survive the p-value, the q-value
--           (false discovery rate over every leg and horizon) and leaving one episode out?
-- grain: one row per (leg, horizon_days) of marts.fct_thesis_test. count_episodes counts
--        independent episodes; q_value is NULL under 8 of them and the verdict is then
--        'insufficient'. Read the verdict, not a p-value alone: there is no significance flag.
--        The old version of this file pooled R2K breakouts (marts.fct_r2k_breakout_events, still
--        there as a description): breakouts closer than the horizon share days, so those event
--        counts are dependent and overstate the evidence.
with tested as (
    select * from marts.fct_thesis_test
)

select
    leg,
    horizon_days,
    count_episodes,
    round(mean_log_ret, 4) as mean_log_ret,
    round(null_mean_log_ret, 4) as null_mean_log_ret,
    round(excess_log_ret, 4) as excess_log_ret,
    round(ci90_low, 4) as ci90_low,
    round(ci90_high, 4) as ci90_high,
    round(p_value, 4) as p_value,
    round(q_value, 4) as q_value,
    is_fragile,
    verdict,
    method,
from tested
order by
    list_position(['btc_vs_rut', 'eth_vs_btc', 'alts_vs_eth', 'btc', 'eth', 'alts'], leg),
    leg,
    horizon_days
