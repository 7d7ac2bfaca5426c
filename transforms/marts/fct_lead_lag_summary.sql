-- name: marts.fct_lead_lag_summary
-- kind: full
-- grain: one row per (series_x, series_y, window_kind, window_end_date)
-- audits: fct_lead_lag_summary__unique_pair_window
--
-- The lag at which each pair of marts.fct_lead_lag correlates most strongly, per window:
--   best_lag_weeks    the lag with the largest |corr| (ties: the smaller |lag|, then the
--                     positive one). > 0: series_x leads series_y by that many weeks.
--   best_corr         the correlation at that lag, with its sign (a negative best_corr is a
--                     strong inverse relation, not a weak one).
--   best_lag_n_obs    the pairs of weeks behind best_corr.
--   corr_lag_0        the same-week correlation, for comparison.
--   count_lags        lags with a correlation in this window (at most 53).
--   is_x_leading      best_lag_weeks > 0.
-- Windows with no correlation at any lag (constant series) have no row.

with

lead_lag as (

    select * from marts.fct_lead_lag

),

ranked as (

    select
        lead_lag.*,
        row_number() over (
            partition by
                lead_lag.series_x,
                lead_lag.series_y,
                lead_lag.window_kind,
                lead_lag.window_end_date
            order by abs(lead_lag.corr) desc, abs(lead_lag.lag_weeks) asc, lead_lag.lag_weeks desc
        ) as strength_rank
    from lead_lag as lead_lag
    where lead_lag.corr is not null

),

per_window as (

    select
        ranked.series_x,
        ranked.series_y,
        ranked.window_kind,
        ranked.window_end_date,
        min(ranked.window_start_date) as window_start_date,
        max(case when ranked.strength_rank = 1 then ranked.lag_weeks end) as best_lag_weeks,
        max(case when ranked.strength_rank = 1 then ranked.corr end) as best_corr,
        max(case when ranked.strength_rank = 1 then ranked.n_obs end) as best_lag_n_obs,
        max(case when ranked.lag_weeks = 0 then ranked.corr end) as corr_lag_0,
        count(*) as count_lags
    from ranked as ranked
    group by
        ranked.series_x,
        ranked.series_y,
        ranked.window_kind,
        ranked.window_end_date

)

select
    cast(per_window.series_x as varchar) as series_x,
    cast(per_window.series_y as varchar) as series_y,
    cast(per_window.window_kind as varchar) as window_kind,
    cast(per_window.window_start_date as date) as window_start_date,
    cast(per_window.window_end_date as date) as window_end_date,
    cast(per_window.best_lag_weeks as integer) as best_lag_weeks,
    cast(per_window.best_corr as double) as best_corr,
    cast(per_window.best_lag_n_obs as integer) as best_lag_n_obs,
    cast(per_window.corr_lag_0 as double) as corr_lag_0,
    cast(per_window.count_lags as integer) as count_lags,
    cast(per_window.best_lag_weeks > 0 as boolean) as is_x_leading
from per_window as per_window
order by
    per_window.series_x,
    per_window.series_y,
    per_window.window_kind,
    per_window.window_end_date
