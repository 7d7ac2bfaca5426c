-- audit: marts.fct_lead_lag_summary p- and q-values lie in (0, 1] and p is never below its
-- resolution 1 / (1 + count_null_shifts); the lag set holds the best lag and fits its bounds;
-- a detected lead has q < 0.05 and a positive best lag
-- returns: offending rows

select summary.*
from marts.fct_lead_lag_summary as summary
where
    summary.p_value_max_abs_corr is null
    or summary.p_value_max_abs_corr <= 0
    or summary.p_value_max_abs_corr > 1
    or summary.p_value_max_abs_corr < 1.0 / (1 + summary.count_null_shifts) - 1e-12
    or summary.q_value < summary.p_value_max_abs_corr - 1e-12
    or summary.q_value > 1
    or abs(summary.best_corr) > 1
    or summary.best_lag_weeks not between summary.lag_set_min_weeks and summary.lag_set_max_weeks
    or summary.count_lags_in_set < 1
    or summary.count_lags_in_set > summary.lag_set_max_weeks - summary.lag_set_min_weeks + 1
    or summary.count_lags_in_set > summary.count_lags
    or (summary.is_lead_detected and not (summary.q_value < 0.05 and summary.best_lag_weeks > 0))
    or least(
        summary.p_value_lag_0w, summary.p_value_lag_4w, summary.p_value_lag_8w,
        summary.p_value_lag_13w, summary.p_value_lag_26w
    ) <= 0
    or greatest(
        summary.p_value_lag_0w, summary.p_value_lag_4w, summary.p_value_lag_8w,
        summary.p_value_lag_13w, summary.p_value_lag_26w
    ) > 1
