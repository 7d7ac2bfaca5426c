-- audit: for crypto in marts.fct_asset_daily, ret_1d is a one-day return on ONE venue:
--   - previous day's row from the same venue: ret_1d = close_usd / its close_usd - 1;
--   - no row for the previous day (no venue had it) or none at all: ret_1d is null;
--   - previous day's row from another venue: ret_1d is on the row's own venue's previous
--     close, which the mart does not keep, so only the two rules above apply to the rows
--     around it (marts.fct_asset_daily's YAML cases pin that case down).
-- returns: offending rows with the expected return beside them
-- (equities are left out: their ret_1d is on adjclose, which this mart does not keep)

with

crypto_days as (

    select
        fct_asset_daily.date,
        fct_asset_daily.asset,
        fct_asset_daily.venue,
        fct_asset_daily.close_usd,
        fct_asset_daily.ret_1d,
        lag(fct_asset_daily.date) over asset_days as previous_date,
        lag(fct_asset_daily.venue) over asset_days as previous_venue,
        lag(fct_asset_daily.close_usd) over asset_days as previous_close_usd
    from marts.fct_asset_daily as fct_asset_daily
    inner join marts.dim_asset as dim_asset
        on fct_asset_daily.asset = dim_asset.asset
    where dim_asset.asset_class = 'crypto'
    window asset_days as (partition by fct_asset_daily.asset order by fct_asset_daily.date)

),

checkable as (

    -- a venue switch on consecutive days cannot be checked from the mart alone
    select crypto_days.*
    from crypto_days as crypto_days
    where
        crypto_days.previous_date is null
        or crypto_days.date - crypto_days.previous_date <> 1
        or crypto_days.venue is not distinct from crypto_days.previous_venue

),

expected as (

    select
        checkable.*,
        case
            when checkable.date - checkable.previous_date = 1
                then checkable.close_usd / nullif(checkable.previous_close_usd, 0) - 1
        end as expected_ret_1d
    from checkable as checkable

)

select expected.*
from expected as expected
where
    (expected.ret_1d is null) <> (expected.expected_ret_1d is null)
    or abs(expected.ret_1d - expected.expected_ret_1d) > 1e-12
