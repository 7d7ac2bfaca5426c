-- name: marts.fct_net_liquidity_pit
-- kind: full
-- grain: one row per calendar date D ("as known at the end of D")
-- audits: fct_net_liquidity_pit__unique_date, fct_net_liquidity_pit__no_missing_days,
--         fct_net_liquidity_pit__net_is_walcl_minus_tga_minus_rrp,
--         fct_net_liquidity_pit__inputs_dated_within_their_limits
--
-- Net liquidity = WALCL - TGA - RRP (USD billions) as it could have been computed on day D,
-- with no look-ahead. For each input the value on D is the latest observation that
--   (1) was published on or before D: its value was the published one on D,
--   (2) is dated on or before D, and
--   (3) is at most N days old on D, counted from its OBSERVATION date (as in
--       marts.fct_net_liquidity: WALCL N = 13, TGA N = 5, RRP N = 5),
-- else null (and net is null too). What "published on D" means per input:
--   WALCL, RRP  from staging.stg_fred_vintages (ALFRED) when it holds the series: the value
--               whose real-time period [known_from, known_until] contains D. So an H.4.1
--               Wednesday's WALCL is first used on the Thursday it came out, and a later
--               revision is used only from the day it was published, never back-dated.
--               Without vintages for a series (the keyless fredgraph mode loads none), its
--               latest values from staging.stg_fred_observations stand in, known from the
--               day AFTER their observation date (Wednesday's WALCL on Thursday, a day's RRP
--               the next day): no look-ahead in publication, but revised values replace the
--               first prints, so rows can change when FRED revises.
--   TGA         from the Daily Treasury Statement (staging.stg_treasury_tga), published at
--               4 pm ET on the next business day: record date R is known from the next
--               weekday after R (Friday's statement on Monday). A federal holiday delays
--               publication one more day, which is not modelled (a holiday's next day may
--               read a statement a day early); the statement is never revised.
-- The spine runs over every calendar day from the first to the last day on which any input
-- value became known. Each row also says which observation each input came from.

with

fred_vintages as (

    select * from staging.stg_fred_vintages

),

fred_observations as (

    select * from staging.stg_fred_observations

),

treasury_tga as (

    select * from staging.stg_treasury_tga

),

---------- parameters (documented in the header)
input_rules as (

    select rule_list.*
    from (
        values
        ('WALCL', 'walcl', 13),
        ('RRPONTSYD', 'rrp', 5),
        ('DTS', 'tga', 5)
    ) as rule_list (series_id, input_name, max_age_days)

),

fallback_lag as (

    -- days from a FRED observation date to its publication, without vintages
    select 1 as publication_lag_days

),

series_with_vintages as (

    select distinct fred_vintages.series_id
    from fred_vintages as fred_vintages

),

vintage_values as (

    select
        fred_vintages.series_id,
        fred_vintages.observation_date,
        fred_vintages.value_usd_bn,
        fred_vintages.known_from,
        fred_vintages.known_until
    from fred_vintages as fred_vintages

),

lagged_latest_values as (

    select
        fred_observations.series_id,
        fred_observations.observation_date,
        fred_observations.value_usd_bn,
        fred_observations.observation_date
        + fallback_lag.publication_lag_days as known_from,
        date '9999-12-31' as known_until
    from fred_observations as fred_observations
    cross join fallback_lag as fallback_lag
    anti join series_with_vintages as series_with_vintages
        on fred_observations.series_id = series_with_vintages.series_id

),

dts_values as (

    -- isodow: Friday (5) -> Monday, three days on; a weekday before it -> the next day
    select
        'DTS' as series_id,
        treasury_tga.record_date as observation_date,
        treasury_tga.tga_usd_bn as value_usd_bn,
        treasury_tga.record_date
        + case isodow(treasury_tga.record_date)
            when 5 then 3
            when 6 then 2
            else 1
        end as known_from,
        date '9999-12-31' as known_until
    from treasury_tga as treasury_tga

),

known_values as (

    select
        input_rules.input_name,
        input_rules.max_age_days,
        published.*
    from (
        select * from vintage_values
        union all by name
        select * from lagged_latest_values
        union all by name
        select * from dts_values
    ) as published
    inner join input_rules as input_rules
        on published.series_id = input_rules.series_id
    where published.value_usd_bn is not null

),

usable_days as (

    -- one row per day a value may serve: known by then, dated by then, not too old; at
    -- most max_age_days + 1 rows per value, so this stays small
    select
        known_values.*,
        cast(unnest(generate_series(
            greatest(known_values.known_from, known_values.observation_date),
            least(
                known_values.known_until,
                known_values.observation_date + known_values.max_age_days
            ),
            interval 1 day
        )) as date) as as_of_date
    from known_values as known_values

),

latest_per_day as (

    -- the latest observation usable on each day; of two periods of the same observation
    -- (overlapping only in bad data), the later-published one
    select
        usable_days.input_name,
        usable_days.as_of_date,
        usable_days.observation_date,
        usable_days.value_usd_bn
    from usable_days as usable_days
    qualify row_number() over (
        partition by usable_days.input_name, usable_days.as_of_date
        order by usable_days.observation_date desc, usable_days.known_from desc
    ) = 1

),

calendar_spine as (

    -- no inputs at all -> min/max are null -> generate_series is null -> zero rows
    select
        cast(unnest(generate_series(
            min(known_values.known_from),
            max(known_values.known_from),
            interval 1 day
        )) as date) as calendar_date
    from known_values as known_values

),

as_known as (

    select
        calendar_spine.calendar_date as date,
        walcl.value_usd_bn as walcl_usd_bn,
        tga.value_usd_bn as tga_usd_bn,
        rrp.value_usd_bn as rrp_usd_bn,
        walcl.observation_date as walcl_observation_date,
        tga.observation_date as tga_record_date,
        rrp.observation_date as rrp_observation_date
    from calendar_spine as calendar_spine
    left join latest_per_day as walcl
        on
            calendar_spine.calendar_date = walcl.as_of_date
            and walcl.input_name = 'walcl'
    left join latest_per_day as tga
        on
            calendar_spine.calendar_date = tga.as_of_date
            and tga.input_name = 'tga'
    left join latest_per_day as rrp
        on
            calendar_spine.calendar_date = rrp.as_of_date
            and rrp.input_name = 'rrp'

),

net_liquidity as (

    select
        as_known.*,
        -- null as soon as any input is null or stale
        as_known.walcl_usd_bn
        - as_known.tga_usd_bn
        - as_known.rrp_usd_bn as net_liquidity_usd_bn
    from as_known as as_known

)

select
    cast(net_liquidity.date as date) as date,
    cast(net_liquidity.walcl_usd_bn as double) as walcl_usd_bn,
    cast(net_liquidity.tga_usd_bn as double) as tga_usd_bn,
    cast(net_liquidity.rrp_usd_bn as double) as rrp_usd_bn,
    cast(net_liquidity.net_liquidity_usd_bn as double) as net_liquidity_usd_bn,
    cast(net_liquidity.walcl_observation_date as date) as walcl_observation_date,
    cast(net_liquidity.tga_record_date as date) as tga_record_date,
    cast(net_liquidity.rrp_observation_date as date) as rrp_observation_date
from net_liquidity as net_liquidity
order by net_liquidity.date
