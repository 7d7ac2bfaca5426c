-- audit: marts.fct_lead_lag has one row per (series_x, series_y, window_kind, window_end_date,
-- lag_weeks)
-- returns: each key that appears more than once, with its count

select
    fct_lead_lag.series_x,
    fct_lead_lag.series_y,
    fct_lead_lag.window_kind,
    fct_lead_lag.window_end_date,
    fct_lead_lag.lag_weeks,
    count(*) as count_rows
from marts.fct_lead_lag as fct_lead_lag
group by
    fct_lead_lag.series_x,
    fct_lead_lag.series_y,
    fct_lead_lag.window_kind,
    fct_lead_lag.window_end_date,
    fct_lead_lag.lag_weeks
having count(*) > 1
