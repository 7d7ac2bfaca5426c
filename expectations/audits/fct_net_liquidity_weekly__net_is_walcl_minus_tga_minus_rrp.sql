-- audit: marts.fct_net_liquidity_weekly
--   net_liquidity_usd_bn = walcl_usd_bn - tga_usd_bn - rrp_usd_bn
-- returns: rows where the identity fails, including a net present while an input is null
-- (a stale input must never be netted) and a net missing while all inputs are present.
-- 1e-6 bn (USD 1,000) absorbs floating-point noise, far below the data's USD 1 mn unit.

select
    weekly.date,
    weekly.walcl_usd_bn,
    weekly.tga_usd_bn,
    weekly.rrp_usd_bn,
    weekly.net_liquidity_usd_bn
from marts.fct_net_liquidity_weekly as weekly
where
    (weekly.net_liquidity_usd_bn is null) <> (
        weekly.walcl_usd_bn is null
        or weekly.tga_usd_bn is null
        or weekly.rrp_usd_bn is null
    )
    or abs(
        weekly.net_liquidity_usd_bn
        - (weekly.walcl_usd_bn - weekly.tga_usd_bn - weekly.rrp_usd_bn)
    ) > 1e-6
