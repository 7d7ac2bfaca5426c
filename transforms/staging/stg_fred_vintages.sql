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
-- Units are converted in staging.stg_fred_values, exactly as for
-- staging.stg_fred_observations: values end in USD billions, a series without a unit is
-- dropped, FRED's "." stays a null value.

with

fred_values as (

    select * from staging.stg_fred_values

),

vintages as (

    select
        ---------- ids
        fred_values.series_id,

        ---------- dates
        fred_values.observation_date,
        fred_values.known_from,
        fred_values.known_until,

        ---------- values, USD billions
        fred_values.value_usd_bn

    from fred_values as fred_values
    where fred_values.origin = 'vintages'

)

select
    cast(vintages.series_id as varchar) as series_id,
    cast(vintages.observation_date as date) as observation_date,
    cast(vintages.value_usd_bn as double) as value_usd_bn,
    cast(vintages.known_from as date) as known_from,
    cast(vintages.known_until as date) as known_until
from vintages as vintages
