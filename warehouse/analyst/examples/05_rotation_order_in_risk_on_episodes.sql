-- name: examples.rotation_order_in_risk_on_episodes
-- question: once a risk-on episode starts, how soon does BTC beat the R2K, ETH beat BTC and the
--           alt basket beat ETH (90-day relative strength > 0)? The seed's order: BTC, ETH, alts.
-- grain: one row per rung (BTC, ETH, ALTS)
with signal as (
    select date, is_risk_on from marts.fct_rotation_signal where is_risk_on is not null
),

-- an episode starts on a risk-on day with no risk-on day in the 30 days before it
-- (the signal flickers around its thresholds; a short pause is the same episode)
flagged as (
    select
        date,
        is_risk_on,
        max(date) filter (where is_risk_on) over (
            order by date rows between unbounded preceding and 1 preceding
        ) as prev_risk_on_date,
    from signal
),

episodes as (
    select date as episode_start
    from flagged
    where is_risk_on and (prev_risk_on_date is null or date - prev_risk_on_date > 30)
),

ladder as (
    select date, asset, rs_vs_prev_rung_90d
    from marts.fct_risk_ladder
    where asset in ('BTC', 'ETH', 'ALTS')
),

-- the first day within 180 days of the start on which the rung beats the one below it
first_lead as (
    select
        episodes.episode_start,
        ladder.asset,
        min(ladder.date) - episodes.episode_start as days_to_lead,
    from episodes
    inner join ladder
        on ladder.date between episodes.episode_start and episodes.episode_start + 180
    where ladder.rs_vs_prev_rung_90d > 0
    group by episodes.episode_start, ladder.asset
),

-- every (episode, rung): a rung that never leads within 180 days has a null days_to_lead
per_rung as (
    select episodes.episode_start, rungs.asset, first_lead.days_to_lead,
    from episodes
    cross join (values ('BTC'), ('ETH'), ('ALTS')) as rungs (asset)
    left join first_lead using (episode_start, asset)
)

select
    asset,
    count(*) as count_episodes,
    count(days_to_lead) as count_episodes_led,
    median(days_to_lead) as median_days_to_lead,
    min(days_to_lead) as min_days_to_lead,
    max(days_to_lead) as max_days_to_lead,
from per_rung
group by asset
order by list_position(['BTC', 'ETH', 'ALTS'], asset)
