-- name: staging.stg_fred_observations
-- kind: view
-- grain: one row per (series_id, observation_date)
-- audits: stg_fred_observations__every_series_has_a_unit
--
-- The ONE place FRED units are converted. Each series comes in its own unit (WALCL, WDTGAL,
-- WTREGEN, WSHOMCB in USD millions; RRPONTSYD already in USD billions); the registry
-- meta.fred_series_units, written by the warehouse from sources/fred.py, says which.
-- The join to that registry is the one exception to "no joins in staging": it is a unit
-- lookup, not modelling. A series missing from the registry has no known unit, so it is
-- dropped here and reported by the audit above rather than published in the wrong unit.
-- FRED's "." (no value that day) arrives as a null value and stays null.

with

source as (

    select * from raw.fred__observations

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

        ---------- values, converted to USD billions
        source.value * units.usd_bn_per_unit as value_usd_bn

    from source as source
    inner join units as units
        on source.series_id = units.series_id
    -- rates (unit pct) have no USD factor: staging.stg_fred_rates carries them
    where units.usd_bn_per_unit is not null

)

select
    cast(renamed.series_id as varchar) as series_id,
    cast(renamed.observation_date as date) as observation_date,
    cast(renamed.value_usd_bn as double) as value_usd_bn
from renamed as renamed
