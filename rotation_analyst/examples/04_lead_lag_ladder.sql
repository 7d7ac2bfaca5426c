-- name: examples.lead_lag_ladder
-- question: do the R2K and the weekly net liquidity change lead BTC, ETH and the alt basket,
--           and by how many weeks? The seed expects BTC first, then ETH, then alts. A best lag
--           is an argmax over 53 lags, not a finding: read it with its p and q (the rotation
--           null over the max), its 90% lag set, and the pre-registered 4-week lag's own p.
-- grain: one row per (series_x, series_y), full history
select
    series_x,
    series_y,
    best_lag_weeks,
    round(best_corr, 3) as best_corr,
    round(p_value_max_abs_corr, 4) as p_value_max_abs_corr,
    round(q_value, 4) as q_value,
    is_lead_detected,
    lag_set_min_weeks,
    lag_set_max_weeks,
    count_lags_in_set,
    round(corr_lag_4w, 3) as corr_lag_4w,
    round(p_value_lag_4w, 4) as p_value_lag_4w,
    count_null_shifts,
from marts.fct_lead_lag_summary
where
    window_kind = 'full_history'
    and series_y in ('BTC', 'ETH', 'ALTS')
order by series_x, list_position(['BTC', 'ETH', 'ALTS'], series_y)
