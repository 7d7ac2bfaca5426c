-- name: examples.lead_lag_ladder
-- question: by how many weeks do the R2K and the liquidity impulse lead BTC, ETH and the alt
--           basket? The seed expects the lead to grow up the ladder: BTC first, then ETH, then alts.
-- grain: one row per (series_x, series_y), full history
select
    series_x,
    series_y,
    best_lag_weeks,
    round(best_corr, 3) as best_corr,
    round(corr_lag_0, 3) as corr_lag_0,
    best_lag_n_obs,
    is_x_leading,
from marts.fct_lead_lag_summary
where
    window_kind = 'full_history'
    and series_y in ('BTC', 'ETH', 'ALTS')
order by series_x, list_position(['BTC', 'ETH', 'ALTS'], series_y)
