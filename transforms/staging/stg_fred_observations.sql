-- name: staging.stg_fred_observations
-- kind: view
-- grain: one row per (series_id, observation_date)
-- audits: stg_fred_observations__every_series_has_a_unit
--
-- The latest value of every FRED series measured in money, in USD billions. Units are
-- converted once, in staging.stg_fred_values (from the registry meta.fred_series_units): a
-- series missing from the registry is dropped there and reported by the audit above. The
-- rates (unit pct) have no USD factor: staging.stg_fred_rates carries them.
-- FRED's "." (no value that day) arrives as a null value and stays null.

with

fred_values as (

    select * from staging.stg_fred_values

),

usd_observations as (

    select
        ---------- ids
        fred_values.series_id,

        ---------- dates
        fred_values.observation_date,

        ---------- values, USD billions
        fred_values.value_usd_bn

    from fred_values as fred_values
    where
        fred_values.origin = 'observations'
        and fred_values.has_usd_value

)

select
    cast(usd_observations.series_id as varchar) as series_id,
    cast(usd_observations.observation_date as date) as observation_date,
    cast(usd_observations.value_usd_bn as double) as value_usd_bn
from usd_observations as usd_observations
