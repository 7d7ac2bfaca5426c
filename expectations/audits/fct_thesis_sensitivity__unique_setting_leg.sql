-- audit: marts.fct_thesis_sensitivity has one row per (setting, leg)
-- returns: each repeated key, with its count

select
    fct_thesis_sensitivity.liquidity_threshold_pct_walcl,
    fct_thesis_sensitivity.uptrend_confirm_sessions,
    fct_thesis_sensitivity.leg,
    count(*) as count_rows
from marts.fct_thesis_sensitivity as fct_thesis_sensitivity
group by
    fct_thesis_sensitivity.liquidity_threshold_pct_walcl,
    fct_thesis_sensitivity.uptrend_confirm_sessions,
    fct_thesis_sensitivity.leg
having count(*) > 1
