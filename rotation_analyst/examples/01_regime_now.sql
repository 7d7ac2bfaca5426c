-- name: examples.regime_now
-- question: are we in the seed's setup today (liquidity expanding, R2K in a strong uptrend), and
--           which rung of the ladder is leading?
-- grain: one row (the latest date of marts.fct_rotation_signal)
-- Two answers to "the setup", side by side:
--   is_risk_on  the signal's state on its latest date (marts.fct_rotation_signal: the impulse's
--               z-score and the R2K trend state), a description of today.
--   is_setup    the thesis test's setup at its latest session (marts.fct_thesis_setup: the
--               impulse as a share of WALCL, both as published by then, and the confirmed
--               uptrend), what `rotation status` shows and what the episodes start from.
--   They can disagree: different thresholds, and the setup needs confirmed sessions.
with latest as (
    select * from marts.fct_rotation_signal
    qualify date = max(date) over ()
),

setup as (
    select date as setup_session_date, is_setup, setup_since_date
    from marts.fct_thesis_setup
    qualify date = max(date) over ()
)

select
    latest.date,
    latest.liquidity_state,
    latest.r2k_trend_state,
    latest.crypto_state,
    latest.is_risk_on,
    setup.is_setup,
    setup.setup_since_date,
    setup.setup_session_date,
    round(latest.rotation_score, 3) as rotation_score,
    round(latest.impulse_13w_usd_bn, 1) as impulse_13w_usd_bn,
    round(latest.btc_rs_vs_rut_90d, 4) as btc_rs_vs_rut_90d,
    round(latest.eth_rs_vs_btc_90d, 4) as eth_rs_vs_btc_90d,
    round(latest.alts_rs_vs_eth_90d, 4) as alts_rs_vs_eth_90d
from latest
left join setup on true
