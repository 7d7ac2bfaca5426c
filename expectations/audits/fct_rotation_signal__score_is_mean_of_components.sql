-- audit: marts.fct_rotation_signal
--   rotation_score = (liquidity_score + r2k_trend_score) / 2, both components in [-1, 1],
--   and is_risk_on exactly when liquidity is expanding and RUT is in a strong uptrend
-- returns: offending rows

select
    signal.date,
    signal.rotation_score,
    signal.liquidity_score,
    signal.r2k_trend_score,
    signal.is_risk_on
from marts.fct_rotation_signal as signal
where
    (signal.rotation_score is null)
    <> (signal.liquidity_score is null or signal.r2k_trend_score is null)
    or abs(signal.rotation_score - (signal.liquidity_score + signal.r2k_trend_score) / 2) > 1e-12
    or abs(signal.liquidity_score) > 1
    or abs(signal.r2k_trend_score) > 1
    or signal.is_risk_on <> coalesce(
        signal.liquidity_state = 'expanding' and signal.r2k_trend_state = 'strong_uptrend', false
    )
