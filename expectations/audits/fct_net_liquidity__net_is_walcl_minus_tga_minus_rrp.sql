-- audit: marts.fct_net_liquidity
--   net_liquidity_usd_bn = walcl_usd_bn - tga_usd_bn - rrp_usd_bn
-- returns: rows where the identity fails, including a net present while an input is null
-- (a stale input must never be netted) and a net missing while all inputs are present.
-- 1e-6 bn (USD 1,000) absorbs floating-point noise, far below the data's USD 1 mn unit.

select
    daily.date,
    daily.walcl_usd_bn,
    daily.tga_usd_bn,
    daily.rrp_usd_bn,
    daily.net_liquidity_usd_bn
from marts.fct_net_liquidity as daily
where
    (daily.net_liquidity_usd_bn is null) <> (
        daily.walcl_usd_bn is null
        or daily.tga_usd_bn is null
        or daily.rrp_usd_bn is null
    )
    or abs(
        daily.net_liquidity_usd_bn
        - (daily.walcl_usd_bn - daily.tga_usd_bn - daily.rrp_usd_bn)
    ) > 1e-6
