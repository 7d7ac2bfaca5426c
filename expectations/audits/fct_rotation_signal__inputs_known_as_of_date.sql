-- audit: marts.fct_rotation_signal uses only data known on each date: RUT closes up to the
-- date, and liquidity of a Wednesday at least one day earlier (the H.4.1 comes out the next day)
-- returns: offending rows

select
    signal.date,
    signal.r2k_as_of_date,
    signal.liquidity_as_of_date
from marts.fct_rotation_signal as signal
where
    signal.r2k_as_of_date > signal.date
    or signal.liquidity_as_of_date > signal.date - 1
    or signal.liquidity_score is not null and signal.liquidity_as_of_date is null
    or signal.r2k_trend_score is not null and signal.r2k_as_of_date is null
