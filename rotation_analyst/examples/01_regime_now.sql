-- name: examples.regime_now
-- question: are we in the seed's setup today (liquidity expanding, R2K in a strong uptrend), and
--           which rung of the ladder is leading?
-- grain: one row (the latest date of marts.fct_rotation_signal)
with latest as (
    select * from marts.fct_rotation_signal
    qualify date = max(date) over ()
)

select
    date,
    liquidity_state,
    r2k_trend_state,
    crypto_state,
    is_risk_on,
    round(rotation_score, 3) as rotation_score,
    round(impulse_13w_usd_bn, 1) as impulse_13w_usd_bn,
    round(btc_rs_vs_rut_90d, 4) as btc_rs_vs_rut_90d,
    round(eth_rs_vs_btc_90d, 4) as eth_rs_vs_btc_90d,
    round(alts_rs_vs_eth_90d, 4) as alts_rs_vs_eth_90d,
from latest
