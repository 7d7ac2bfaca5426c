-- audit: marts.fct_r2k_breakout_events has one row per (event_date, asset, horizon_days)
-- returns: each key that appears more than once, with its count

select
    fct_r2k_breakout_events.event_date,
    fct_r2k_breakout_events.asset,
    fct_r2k_breakout_events.horizon_days,
    count(*) as count_rows
from marts.fct_r2k_breakout_events as fct_r2k_breakout_events
group by
    fct_r2k_breakout_events.event_date,
    fct_r2k_breakout_events.asset,
    fct_r2k_breakout_events.horizon_days
having count(*) > 1
