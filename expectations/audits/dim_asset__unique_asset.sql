-- audit: marts.dim_asset has one row per asset
-- returns: each asset that appears more than once, with its count

select
    dim_asset.asset,
    count(*) as count_rows
from marts.dim_asset as dim_asset
group by dim_asset.asset
having count(*) > 1
