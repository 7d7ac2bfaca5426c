-- audit: every asset in marts.fct_asset_daily is one of the ladder's assets in marts.dim_asset
-- (catches a symbol whose code staging derives wrongly, e.g. a non-USDT pair)
-- returns: each unknown asset with its row count

select
    fct_asset_daily.asset,
    count(*) as count_rows
from marts.fct_asset_daily as fct_asset_daily
anti join marts.dim_asset as dim_asset
    on fct_asset_daily.asset = dim_asset.asset
group by fct_asset_daily.asset
