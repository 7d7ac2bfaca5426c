-- audit: marts.fct_event_study_summary
--   an interval exactly when there are at least 2 events, with low <= high; hit rates are
--   shares in [0, 1]; statistics present exactly when n_events > 0
-- returns: offending rows

select summary.*
from marts.fct_event_study_summary as summary
where
    (summary.excess_ci90_low is null) <> (summary.n_events < 2)
    or (summary.excess_ci90_high is null) <> (summary.n_events < 2)
    or summary.excess_ci90_low > summary.excess_ci90_high
    or summary.hit_rate not between 0 and 1
    or summary.hit_rate_vs_unconditional not between 0 and 1
    or (summary.mean_fwd_ret is null) <> (summary.n_events = 0)
