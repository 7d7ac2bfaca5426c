-- name: marts.fct_net_liquidity_weekly
-- kind: full
-- grain: one row per WALCL observation date (a Wednesday)
-- audits: fct_net_liquidity_weekly__unique_date, fct_net_liquidity_weekly__date_is_wednesday,
--         fct_net_liquidity_weekly__net_is_walcl_minus_tga_minus_rrp
--
-- Weekly net liquidity on the H.4.1 Wednesday, all from FRED and all in USD billions:
--   walcl_usd_bn  WALCL, the Wednesday level (a "." week has no observation, so no row);
--   tga_usd_bn    WDTGAL, the TGA Wednesday level on the same date (not WTREGEN, a week
--                 average that would mix days); null if FRED has no WDTGAL for that date;
--   rrp_usd_bn    RRPONTSYD on that Wednesday; when the Wednesday has no value (a holiday
--                 such as Christmas or July 4th: no operation, FRED sends "."), the latest
--                 value in the previous 5 days, i.e. the operation still outstanding at the
--                 Wednesday close; null if older than that.
-- net_liquidity_usd_bn = walcl - tga - rrp, null when any input is null.

with

fred_observations as (

    select * from staging.stg_fred_observations

),

walcl as (

    select
        fred_observations.observation_date,
        fred_observations.value_usd_bn as walcl_usd_bn
    from fred_observations as fred_observations
    where
        fred_observations.series_id = 'WALCL'
        and fred_observations.value_usd_bn is not null

),

wdtgal as (

    select
        fred_observations.observation_date,
        fred_observations.value_usd_bn as tga_usd_bn
    from fred_observations as fred_observations
    where
        fred_observations.series_id = 'WDTGAL'
        and fred_observations.value_usd_bn is not null

),

rrp as (

    select
        fred_observations.observation_date,
        fred_observations.value_usd_bn as rrp_usd_bn
    from fred_observations as fred_observations
    where
        fred_observations.series_id = 'RRPONTSYD'
        and fred_observations.value_usd_bn is not null

),

wednesday_inputs as (

    select
        walcl.observation_date,
        walcl.walcl_usd_bn,
        wdtgal.tga_usd_bn,
        rrp.observation_date as rrp_date,
        rrp.rrp_usd_bn
    from walcl as walcl
    left join wdtgal as wdtgal
        on walcl.observation_date = wdtgal.observation_date
    asof left join rrp as rrp
        on walcl.observation_date >= rrp.observation_date

),

rrp_within_5_days as (

    select
        wednesday_inputs.observation_date as date,
        wednesday_inputs.walcl_usd_bn,
        wednesday_inputs.tga_usd_bn,
        case
            when wednesday_inputs.observation_date - wednesday_inputs.rrp_date <= 5
                then wednesday_inputs.rrp_usd_bn
        end as rrp_usd_bn
    from wednesday_inputs as wednesday_inputs

),

net_liquidity as (

    select
        rrp_within_5_days.*,
        rrp_within_5_days.walcl_usd_bn
        - rrp_within_5_days.tga_usd_bn
        - rrp_within_5_days.rrp_usd_bn as net_liquidity_usd_bn
    from rrp_within_5_days as rrp_within_5_days

)

select
    cast(net_liquidity.date as date) as date,
    cast(net_liquidity.walcl_usd_bn as double) as walcl_usd_bn,
    cast(net_liquidity.tga_usd_bn as double) as tga_usd_bn,
    cast(net_liquidity.rrp_usd_bn as double) as rrp_usd_bn,
    cast(net_liquidity.net_liquidity_usd_bn as double) as net_liquidity_usd_bn
from net_liquidity as net_liquidity
order by net_liquidity.date
