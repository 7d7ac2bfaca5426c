-- name: staging.stg_fred_rates
-- kind: view
-- grain: one row per (series_id, observation_date)
-- audits: none (a rename and cast only)
--
-- The FRED rate series (DFF, DGS10, DTB3): already in percent, so nothing is converted; the
-- unit registry meta.fred_series_units (unit 'pct') says which series are rates. FRED's "."
-- (no value that day) arrives as a null value and stays null.
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

        ---------- values, in percent as FRED sends them
        source.value as value_pct

    from source as source
    inner join units as units
        on source.series_id = units.series_id
    where units.unit = 'pct'

)

select
    cast(renamed.series_id as varchar) as series_id,
    cast(renamed.observation_date as date) as observation_date,
    cast(renamed.value_pct as double) as value_pct
from renamed as renamed
