-- name: staging.stg_fred_rates
-- kind: view
-- grain: one row per (series_id, observation_date)
-- audits: none (a filter and cast only)
--
-- The FRED rate series (DFF, DGS10, DTB3): already in percent, so nothing is converted; the
-- unit registry meta.fred_series_units (unit 'pct'), joined once in staging.stg_fred_values,
-- says which series are rates. FRED's "." (no value that day) arrives as a null value and
-- stays null.

with

fred_values as (

    select * from staging.stg_fred_values

),

rate_observations as (

    select
        ---------- ids
        fred_values.series_id,

        ---------- dates
        fred_values.observation_date,

        ---------- values, in percent as FRED sends them
        fred_values.value_in_unit as value_pct

    from fred_values as fred_values
    where
        fred_values.origin = 'observations'
        and fred_values.unit = 'pct'

)

select
    cast(rate_observations.series_id as varchar) as series_id,
    cast(rate_observations.observation_date as date) as observation_date,
    cast(rate_observations.value_pct as double) as value_pct
from rate_observations as rate_observations
