-- audit: marts.fct_asset_daily has one row per (date, asset)
-- returns: each (date, asset) that appears more than once, with its count

select
    fct_asset_daily.date,
    fct_asset_daily.asset,
    count(*) as count_rows
from marts.fct_asset_daily as fct_asset_daily
group by fct_asset_daily.date, fct_asset_daily.asset
having count(*) > 1
