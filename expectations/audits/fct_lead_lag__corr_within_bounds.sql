-- audit: marts.fct_lead_lag correlations lie in [-1, 1], rest on at least 52 pairs of weeks (MIN_OBS),
-- and use lags within +-26 weeks
-- returns: offending rows

select lead_lag.*
from marts.fct_lead_lag as lead_lag
where
    abs(lead_lag.corr) > 1
    or lead_lag.n_obs < 52
    or abs(lead_lag.lag_weeks) > 26
    or lead_lag.window_start_date > lead_lag.window_end_date
