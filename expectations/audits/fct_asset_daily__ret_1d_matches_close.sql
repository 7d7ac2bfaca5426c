-- audit: for crypto in marts.fct_asset_daily, ret_1d = close_usd / previous day's close_usd - 1,
-- null on an asset's first day and after a missing day
-- returns: offending rows with the expected return beside them
-- (equities are left out: their ret_1d is on adjclose, which this mart does not keep)

with

crypto_days as (

    select
        fct_asset_daily.date,
        fct_asset_daily.asset,
        fct_asset_daily.close_usd,
        fct_asset_daily.ret_1d,
        lag(fct_asset_daily.date) over asset_days as previous_date,
        lag(fct_asset_daily.close_usd) over asset_days as previous_close_usd
    from marts.fct_asset_daily as fct_asset_daily
    inner join marts.dim_asset as dim_asset
        on fct_asset_daily.asset = dim_asset.asset
    where dim_asset.asset_class = 'crypto'
    window asset_days as (partition by fct_asset_daily.asset order by fct_asset_daily.date)

),

expected as (

    select
        crypto_days.*,
        case
            when crypto_days.date - crypto_days.previous_date = 1
                then crypto_days.close_usd / nullif(crypto_days.previous_close_usd, 0) - 1
        end as expected_ret_1d
    from crypto_days as crypto_days

)

select expected.*
from expected as expected
where
    (expected.ret_1d is null) <> (expected.expected_ret_1d is null)
    or abs(expected.ret_1d - expected.expected_ret_1d) > 1e-12
