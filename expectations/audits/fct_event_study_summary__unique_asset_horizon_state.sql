-- audit: marts.fct_event_study_summary has one row per (asset, horizon_days, liquidity_state)
-- returns: each key that appears more than once, with its count

select
    fct_event_study_summary.asset,
    fct_event_study_summary.horizon_days,
    fct_event_study_summary.liquidity_state,
    count(*) as count_rows
from marts.fct_event_study_summary as fct_event_study_summary
group by
    fct_event_study_summary.asset,
    fct_event_study_summary.horizon_days,
    fct_event_study_summary.liquidity_state
having count(*) > 1
