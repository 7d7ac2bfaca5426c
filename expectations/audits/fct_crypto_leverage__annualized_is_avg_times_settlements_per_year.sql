-- audit: marts.fct_crypto_leverage
--   funding_rate_annualized_pct = funding_rate_avg * 3 * 365 * 100 (3 settlements a day),
--   both null or both present, and a funding mean only where settlements were counted
-- returns: offending rows with the expected annualized rate beside them
-- 1e-9 percentage points absorbs floating-point noise (a rate is sent to 8 decimals).

select
    leverage.date,
    leverage.asset,
    leverage.funding_rate_avg,
    leverage.count_fundings,
    leverage.funding_rate_annualized_pct,
    leverage.funding_rate_avg * 3 * 365 * 100 as expected_annualized_pct
from marts.fct_crypto_leverage as leverage
where
    (leverage.funding_rate_annualized_pct is null) <> (leverage.funding_rate_avg is null)
    or (leverage.funding_rate_avg is null) <> (leverage.count_fundings = 0)
    or abs(
        leverage.funding_rate_annualized_pct - leverage.funding_rate_avg * 3 * 365 * 100
    ) > 1e-9
