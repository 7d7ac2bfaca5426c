-- audit: marts.fct_net_liquidity_pit uses, on each date D, only observations that could be
-- known on D and are not stale: WALCL dated 1 to 13 days before D (an H.4.1 Wednesday comes
-- out the next day at the earliest, so D's own WALCL is never used), a DTS record 1 to 5 days
-- before D (published the next business day), RRP 0 to 5 days before D (ALFRED may publish
-- a day's value that day); a value is present exactly when its observation date is
-- returns: offending rows

select
    pit.date,
    pit.walcl_observation_date,
    pit.tga_record_date,
    pit.rrp_observation_date,
    pit.walcl_usd_bn,
    pit.tga_usd_bn,
    pit.rrp_usd_bn
from marts.fct_net_liquidity_pit as pit
where
    pit.date - pit.walcl_observation_date not between 1 and 13
    or pit.date - pit.tga_record_date not between 1 and 5
    or pit.date - pit.rrp_observation_date not between 0 and 5
    or (pit.walcl_usd_bn is null) <> (pit.walcl_observation_date is null)
    or (pit.tga_usd_bn is null) <> (pit.tga_record_date is null)
    or (pit.rrp_usd_bn is null) <> (pit.rrp_observation_date is null)
