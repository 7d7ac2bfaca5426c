-- audit: every series in raw.fred__observations_vintages has a row in the unit registry
-- meta.fred_series_units (staging drops a series it cannot convert; this says so)
-- returns: each unregistered series_id with its row count

select
    fred__observations_vintages.series_id,
    count(*) as count_rows
from raw.fred__observations_vintages as fred__observations_vintages
anti join meta.fred_series_units as fred_series_units
    on fred__observations_vintages.series_id = fred_series_units.series_id
group by fred__observations_vintages.series_id
