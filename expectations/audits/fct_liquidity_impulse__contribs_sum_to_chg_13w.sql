-- audit: marts.fct_liquidity_impulse
--   walcl_contrib_13w_usd_bn + tga_contrib_13w_usd_bn + rrp_contrib_13w_usd_bn = chg_13w_usd_bn
-- returns: rows where the three contributions do not add up to the 13-week change, or where
-- the change is present while a contribution is missing (or the reverse).
-- 1e-6 bn absorbs floating-point noise. mbs_contrib is part of walcl_contrib: not a term.

select
    impulse.date,
    impulse.chg_13w_usd_bn,
    impulse.walcl_contrib_13w_usd_bn,
    impulse.tga_contrib_13w_usd_bn,
    impulse.rrp_contrib_13w_usd_bn
from marts.fct_liquidity_impulse as impulse
where
    (impulse.chg_13w_usd_bn is null) <> (
        impulse.walcl_contrib_13w_usd_bn is null
        or impulse.tga_contrib_13w_usd_bn is null
        or impulse.rrp_contrib_13w_usd_bn is null
    )
    or abs(
        impulse.walcl_contrib_13w_usd_bn
        + impulse.tga_contrib_13w_usd_bn
        + impulse.rrp_contrib_13w_usd_bn
        - impulse.chg_13w_usd_bn
    ) > 1e-6
