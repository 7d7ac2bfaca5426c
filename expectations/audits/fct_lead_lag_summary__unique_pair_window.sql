-- audit: marts.fct_lead_lag_summary has one row per (series_x, series_y, window_kind,
-- window_end_date)
-- returns: each key that appears more than once, with its count

select
    fct_lead_lag_summary.series_x,
    fct_lead_lag_summary.series_y,
    fct_lead_lag_summary.window_kind,
    fct_lead_lag_summary.window_end_date,
    count(*) as count_rows
from marts.fct_lead_lag_summary as fct_lead_lag_summary
group by
    fct_lead_lag_summary.series_x,
    fct_lead_lag_summary.series_y,
    fct_lead_lag_summary.window_kind,
    fct_lead_lag_summary.window_end_date
having count(*) > 1
