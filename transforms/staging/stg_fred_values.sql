-- name: staging.stg_fred_values
-- kind: view
-- grain: one row per (origin, series_id, observation_date, known_from)
-- audits: stg_fred_observations__every_series_has_a_unit,
--         stg_fred_vintages__every_series_has_a_unit
--
-- Every FRED value the warehouse holds, the latest ones (raw.fred__observations) and the
-- ALFRED vintages (raw.fred__observations_vintages), with its series' unit: the ONE place
-- the unit registry meta.fred_series_units (written by the warehouse from sources/fred.py)
-- is joined and a value converted. Each series comes in its own unit (WALCL, WDTGAL,
-- WTREGEN, WSHOMCB in USD millions; RRPONTSYD already in USD billions; the rates DFF, DGS10,
-- DTB3 in percent). staging.stg_fred_observations, stg_fred_rates and stg_fred_vintages
-- select from here.
-- The join is the one exception to "no joins in staging": it is a unit lookup, not
-- modelling. A series missing from the registry has no known unit, so it is dropped here
-- and reported by the audits above rather than published in the wrong unit. FRED's "."
-- (no value that day) arrives as a null value and stays null.
--   origin         'observations' (the latest values) or 'vintages' (ALFRED);
--   has_usd_value  the series is money (a USD-billions factor); false for a rate in percent;
--   known_from / known_until  FRED's realtime_start / realtime_end, as sent.

with

observations as (

    select * from raw.fred__observations

),

vintages as (

    select * from raw.fred__observations_vintages

),

units as (

    select * from meta.fred_series_units

),

fred_values as (

    select
        'observations' as origin,
        observations.series_id,
        observations.date,
        observations.value,
        observations.realtime_start,
        observations.realtime_end
    from observations as observations
    union all
    select
        'vintages' as origin,
        vintages.series_id,
        vintages.date,
        vintages.value,
        vintages.realtime_start,
        vintages.realtime_end
    from vintages as vintages

),

renamed as (

    select
        ---------- ids
        fred_values.origin,
        fred_values.series_id,
        units.unit,
        units.usd_bn_per_unit is not null as has_usd_value,

        ---------- dates
        fred_values.date as observation_date,
        fred_values.realtime_start as known_from,
        fred_values.realtime_end as known_until,

        ---------- values: as FRED sends them, and converted to USD billions (null for a rate)
        fred_values.value as value_in_unit,
        fred_values.value * units.usd_bn_per_unit as value_usd_bn

    from fred_values as fred_values
    inner join units as units
        on fred_values.series_id = units.series_id

)

select
    cast(renamed.origin as varchar) as origin,
    cast(renamed.series_id as varchar) as series_id,
    cast(renamed.unit as varchar) as unit,
    cast(renamed.has_usd_value as boolean) as has_usd_value,
    cast(renamed.observation_date as date) as observation_date,
    cast(renamed.known_from as date) as known_from,
    cast(renamed.known_until as date) as known_until,
    cast(renamed.value_in_unit as double) as value_in_unit,
    cast(renamed.value_usd_bn as double) as value_usd_bn
from renamed as renamed
