-- audit: marts.fct_regime uses only data known on each date: RUT closes up to the date, and
-- liquidity of a Wednesday at least one day earlier (the H.4.1 comes out the next day), with
-- each state present only when its input is; the regime's run is the shortest of its
-- three states' runs
-- returns: offending rows

select
    regime.date,
    regime.r2k_as_of_date,
    regime.liquidity_as_of_date,
    regime.r2k_trend_state,
    regime.liquidity_state
from marts.fct_regime as regime
where
    regime.r2k_as_of_date > regime.date
    or regime.liquidity_as_of_date > regime.date - 1
    or isodow(regime.liquidity_as_of_date) <> 3
    or regime.r2k_trend_state is not null and regime.r2k_as_of_date is null
    or regime.liquidity_state is not null and regime.liquidity_as_of_date is null
    or regime.days_in_state < 1
    or regime.days_in_state <> least(
        regime.r2k_days_in_state, regime.liquidity_days_in_state, regime.crypto_days_in_state
    )
