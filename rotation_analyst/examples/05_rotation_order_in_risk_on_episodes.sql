-- name: examples.rotation_order_in_risk_on_episodes
-- question: in each independent setup episode, how many days after entry does BTC vs the R2K,
--           then ETH vs BTC, then the alts vs ETH peak, and does each follower peak later than
--           its leader by more than chance? The seed's order: BTC, ETH, alts.
-- grain: one row per rotation leg (btc_vs_rut, eth_vs_btc, alts_vs_eth). Peak days count from
--        the entry session (day 0) on, nothing before it; count_episodes counts independent
--        episodes with 180 days elapsed. The ordering test is marts.fct_thesis_ordering's row in
--        which the leg is the follower (none for btc_vs_rut, the first leg).
with episodes as (
    select * from marts.fct_thesis_episodes
),

ordering as (
    select * from marts.fct_thesis_ordering
),

peaks_wide as (
    select episode_id, btc_vs_rut_peak_day, eth_vs_btc_peak_day, alts_vs_eth_peak_day,
    from episodes
),

-- one row per (episode, leg); a NULL peak day (180 days not elapsed) is kept to count it
peaks_long as (
    from peaks_wide
    unpivot include nulls (
        peak_day for peak_column in (btc_vs_rut_peak_day, eth_vs_btc_peak_day, alts_vs_eth_peak_day)
    )
),

per_leg as (
    select
        replace(peak_column, '_peak_day', '') as leg,
        count(peak_day) as count_episodes,
        count(*) - count(peak_day) as count_episodes_pending,
        median(peak_day) as median_peak_day,
        min(peak_day) as min_peak_day,
        max(peak_day) as max_peak_day,
    from peaks_long
    group by 1
),

-- the follower leg of each ordering comparison
followers (leg, comparison) as (
    values ('eth_vs_btc', 'eth_btc_after_btc_rut'), ('alts_vs_eth', 'alts_eth_after_eth_btc')
)

select
    per_leg.leg,
    per_leg.count_episodes,
    per_leg.count_episodes_pending,
    per_leg.median_peak_day,
    per_leg.min_peak_day,
    per_leg.max_peak_day,
    ordering.comparison,
    ordering.count_episodes as count_episodes_compared,
    ordering.median_lag_days,
    ordering.null_median_lag_days,
    ordering.excess_lag_days,
    round(ordering.p_value, 4) as p_value,
    round(ordering.q_value, 4) as q_value,
    ordering.is_fragile,
    ordering.verdict,
from per_leg
left join followers using (leg)
left join ordering using (comparison)
order by list_position(['btc_vs_rut', 'eth_vs_btc', 'alts_vs_eth'], per_leg.leg)
