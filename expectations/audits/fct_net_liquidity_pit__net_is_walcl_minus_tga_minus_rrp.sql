-- audit: marts.fct_net_liquidity_pit
--   net_liquidity_usd_bn = walcl_usd_bn - tga_usd_bn - rrp_usd_bn
-- returns: rows where the identity fails, including a net present while an input is null
-- and a net missing while all inputs are present.
-- 1e-6 bn (USD 1,000) absorbs floating-point noise, far below the data's USD 1 mn unit.

select
    pit.date,
    pit.walcl_usd_bn,
    pit.tga_usd_bn,
    pit.rrp_usd_bn,
    pit.net_liquidity_usd_bn
from marts.fct_net_liquidity_pit as pit
where
    (pit.net_liquidity_usd_bn is null) <> (
        pit.walcl_usd_bn is null
        or pit.tga_usd_bn is null
        or pit.rrp_usd_bn is null
    )
    or abs(pit.net_liquidity_usd_bn - (pit.walcl_usd_bn - pit.tga_usd_bn - pit.rrp_usd_bn))
    > 1e-6
