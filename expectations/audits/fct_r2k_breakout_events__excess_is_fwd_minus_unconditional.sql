-- audit: marts.fct_r2k_breakout_events
--   excess_fwd_ret = fwd_ret - unconditional_mean_fwd_ret, a forward return only for a horizon
--   that has elapsed, and every event clears its reference after at least MIN_DAYS_BELOW = 30
--   days below it (keep in step with the mart's parameters)
-- returns: offending rows

select
    events.event_date,
    events.asset,
    events.horizon_days,
    events.fwd_ret,
    events.unconditional_mean_fwd_ret,
    events.excess_fwd_ret,
    events.is_horizon_complete
from marts.fct_r2k_breakout_events as events
where
    (events.excess_fwd_ret is null)
    <> (events.fwd_ret is null or events.unconditional_mean_fwd_ret is null)
    or abs(events.excess_fwd_ret - (events.fwd_ret - events.unconditional_mean_fwd_ret)) > 1e-12
    or events.fwd_ret is not null and not events.is_horizon_complete
    or events.days_below < 30
    or (
        events.breakout_rule = 'all_time_high'
        and not events.rut_close_usd > events.reference_level_usd
    )
    or (events.breakout_rule = 'level' and not events.rut_close_usd >= events.reference_level_usd)
