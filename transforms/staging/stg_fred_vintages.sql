-- name: staging.stg_fred_vintages
-- kind: view
-- grain: one row per (series_id, observation_date, known_from)
-- audits: stg_fred_vintages__every_series_has_a_unit
--
-- Every value each FRED observation has had, and the days on which it was the published one
-- (ALFRED "real-time periods"): the input of the point-in-time marts.
--   known_from   FRED's realtime_start: the first day the value could be read (an H.4.1
--                Wednesday's WALCL is first published on the Thursday);
--   known_until  FRED's realtime_end: the LAST day it was the published value (inclusive,
--                as FRED counts it: a revision published on day R closes the old value's
--                period on R - 1); 9999-12-31 while it is still the current value.
-- So a value was known on day D when known_from <= D and known_until >= D.
-- Units are converted here exactly as in staging.stg_fred_observations, through the same
-- registry (meta.fred_series_units; the join is a unit lookup, not modelling): values end
-- in USD billions, a series without a unit is dropped, FRED's "." stays a null value.

with

source as (

    select * from raw.fred__observations_vintages

),

units as (

    select * from meta.fred_series_units

),

renamed as (

    select
        ---------- ids
        source.series_id,

        ---------- dates
        source.date as observation_date,
        source.realtime_start as known_from,
        source.realtime_end as known_until,

        ---------- values, converted to USD billions
        source.value * units.usd_bn_per_unit as value_usd_bn

    from source as source
    inner join units as units
        on source.series_id = units.series_id

)

select
    cast(renamed.series_id as varchar) as series_id,
    cast(renamed.observation_date as date) as observation_date,
    cast(renamed.value_usd_bn as double) as value_usd_bn,
    cast(renamed.known_from as date) as known_from,
    cast(renamed.known_until as date) as known_until
from renamed as renamed
