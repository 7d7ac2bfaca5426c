-- name: marts.fct_net_liquidity
-- kind: full
-- grain: one row per calendar date
-- audits: fct_net_liquidity__unique_date, fct_net_liquidity__no_missing_days,
--         fct_net_liquidity__net_is_walcl_minus_tga_minus_rrp
--
-- Daily net liquidity = Fed total assets (WALCL) - Treasury General Account - overnight
-- reverse repo, with the Fed's MBS holdings beside it, all in USD billions, on every
-- calendar day from the first to the last date on which any of the three net inputs has a
-- value. Dated by the data's REFERENCE date: a Wednesday row holds that Wednesday's WALCL,
-- published the next day (marts.fct_net_liquidity_pit is the as-known version).
-- Each input is carried forward a bounded number of days: the value on day d is the latest
-- non-null observation dated in [d - N, d], else null (and then net is null too, so a
-- stale input never passes for a current one):
--   WALCL, N = 13: a Wednesday level published weekly; 13 days keeps one missed release
--                  (a holiday week) bridged, a second missed release shows as null.
--   TGA,   N = 5:  DTS publishes business days; 5 days bridges a weekend plus a holiday
--                  (and the odd late statement), not a missing week.
--   RRP,   N = 5:  RRPONTSYD is a business-day series with "." on holidays; same reasoning.
--   MBS,   N = 13: WSHOMCB (Fed MBS holdings), a Wednesday level like WALCL. It is part of
--                  WALCL, not a fourth term: net stays walcl - tga - rrp, and mbs_usd_bn is
--                  shown beside it (the "mortgage-bond" channel). It does not stretch the
--                  spine: a day with only an MBS value has no row.

with

fred_observations as (

    select * from staging.stg_fred_observations

),

treasury_tga as (

    select * from staging.stg_treasury_tga

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

tga as (

    select
        treasury_tga.record_date as observation_date,
        treasury_tga.tga_usd_bn
    from treasury_tga as treasury_tga
    where treasury_tga.tga_usd_bn is not null

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

mbs as (

    select
        fred_observations.observation_date,
        fred_observations.value_usd_bn as mbs_usd_bn
    from fred_observations as fred_observations
    where
        fred_observations.series_id = 'WSHOMCB'
        and fred_observations.value_usd_bn is not null

),

observed_dates as (

    select walcl.observation_date from walcl as walcl
    union all
    select tga.observation_date from tga as tga
    union all
    select rrp.observation_date from rrp as rrp

),

calendar_spine as (

    -- no inputs at all -> min/max are null -> generate_series is null -> zero rows
    select
        cast(unnest(generate_series(
            min(observed_dates.observation_date),
            max(observed_dates.observation_date),
            interval 1 day
        )) as date) as calendar_date
    from observed_dates as observed_dates

),

latest_observations as (

    -- asof join: for each day, the latest observation dated on or before it
    select
        calendar_spine.calendar_date,
        walcl.observation_date as walcl_date,
        walcl.walcl_usd_bn,
        tga.observation_date as tga_date,
        tga.tga_usd_bn,
        rrp.observation_date as rrp_date,
        rrp.rrp_usd_bn,
        mbs.observation_date as mbs_date,
        mbs.mbs_usd_bn
    from calendar_spine as calendar_spine
    asof left join walcl as walcl
        on calendar_spine.calendar_date >= walcl.observation_date
    asof left join tga as tga
        on calendar_spine.calendar_date >= tga.observation_date
    asof left join rrp as rrp
        on calendar_spine.calendar_date >= rrp.observation_date
    asof left join mbs as mbs
        on calendar_spine.calendar_date >= mbs.observation_date

),

carried_forward as (

    select
        latest_observations.calendar_date,
        case
            when latest_observations.calendar_date - latest_observations.walcl_date <= 13
                then latest_observations.walcl_usd_bn
        end as walcl_usd_bn,
        case
            when latest_observations.calendar_date - latest_observations.tga_date <= 5
                then latest_observations.tga_usd_bn
        end as tga_usd_bn,
        case
            when latest_observations.calendar_date - latest_observations.rrp_date <= 5
                then latest_observations.rrp_usd_bn
        end as rrp_usd_bn,
        case
            when latest_observations.calendar_date - latest_observations.mbs_date <= 13
                then latest_observations.mbs_usd_bn
        end as mbs_usd_bn
    from latest_observations as latest_observations

),

net_liquidity as (

    select
        carried_forward.calendar_date as date,
        carried_forward.walcl_usd_bn,
        carried_forward.tga_usd_bn,
        carried_forward.rrp_usd_bn,
        carried_forward.mbs_usd_bn,
        -- null as soon as any input is null or stale
        carried_forward.walcl_usd_bn
        - carried_forward.tga_usd_bn
        - carried_forward.rrp_usd_bn as net_liquidity_usd_bn
    from carried_forward as carried_forward

)

select
    cast(net_liquidity.date as date) as date,
    cast(net_liquidity.walcl_usd_bn as double) as walcl_usd_bn,
    cast(net_liquidity.tga_usd_bn as double) as tga_usd_bn,
    cast(net_liquidity.rrp_usd_bn as double) as rrp_usd_bn,
    cast(net_liquidity.net_liquidity_usd_bn as double) as net_liquidity_usd_bn,
    cast(net_liquidity.mbs_usd_bn as double) as mbs_usd_bn
from net_liquidity as net_liquidity
order by net_liquidity.date
