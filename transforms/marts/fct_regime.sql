-- name: marts.fct_regime
-- kind: full
-- grain: one row per calendar date, from the first RUT close to the last date of any input
-- audits: fct_regime__unique_date, fct_regime__inputs_known_as_of_date
--
-- The market regime as it could be known at the end of each day:
--   r2k_trend_state    RUT's trend_state (marts.fct_risk_ladder: strong_uptrend | uptrend |
--                      range | downtrend, rules there) at its latest session on or before d
--                      (r2k_as_of_date), at most 7 days old.
--   crypto_state       the same four-state trend rule applied to BTC (daily rows).
--   liquidity_state    from the 13-week net-liquidity change (chg_13w, USD bn):
--                        expanding    chg_13w >  LIQUIDITY_FLAT_BAND_USD_BN = 100
--                        contracting  chg_13w < -100
--                        flat         otherwise
--                      PUBLICATION LAG: the H.4.1 for Wednesday W (WALCL, with the DTS close
--                      and the RRP of that day) is out on Thursday W + 1, so day d reads the
--                      marts.fct_liquidity_impulse row of the latest Wednesday W <= d - 1
--                      (liquidity_as_of_date), at most 14 days old (one missed release).
--                      When a Thursday holiday moves the release to Friday, that Thursday
--                      still reads W: a one-day early read, a few times a year.
--   days_in_state      consecutive days (this one counted as 1) on which the triple
--                      (r2k_trend_state, liquidity_state, crypto_state) is unchanged; the
--                      *_days_in_state columns do the same for each state alone. A null
--                      state is a state of its own ("unknown").
-- No column uses data published after d.

with

risk_ladder as (

    select * from marts.fct_risk_ladder

),

liquidity_impulse as (

    select * from marts.fct_liquidity_impulse

),

---------- parameters (documented in the header)
parameters as (

    select
        100.0 as liquidity_flat_band_usd_bn,
        1 as liquidity_publication_lag_days,
        14 as liquidity_max_age_days,
        7 as max_stale_days

),

rut as (

    select
        risk_ladder.date,
        risk_ladder.trend_state
    from risk_ladder as risk_ladder
    where risk_ladder.asset = 'RUT'

),

btc as (

    select
        risk_ladder.date,
        risk_ladder.trend_state
    from risk_ladder as risk_ladder
    where risk_ladder.asset = 'BTC'

),

wednesday_impulse as (

    -- isodow: Monday = 1, so Wednesday = 3
    select
        liquidity_impulse.date,
        liquidity_impulse.chg_13w_usd_bn,
        liquidity_impulse.impulse_z_13w
    from liquidity_impulse as liquidity_impulse
    where isodow(liquidity_impulse.date) = 3

),

input_dates as (

    select rut.date from rut as rut
    union all
    select btc.date from btc as btc
    union all
    select wednesday_impulse.date + parameters.liquidity_publication_lag_days as date
    from wednesday_impulse as wednesday_impulse
    cross join parameters as parameters

),

calendar_spine as (

    select
        cast(unnest(generate_series(
            (select min(rut.date) from rut as rut),
            max(input_dates.date),
            interval 1 day
        )) as date) as date
    from input_dates as input_dates

),

known_inputs as (

    select
        calendar_spine.date,
        case
            when rut.date >= calendar_spine.date - parameters.max_stale_days then rut.date
        end as r2k_as_of_date,
        case
            when rut.date >= calendar_spine.date - parameters.max_stale_days
                then rut.trend_state
        end as r2k_trend_state,
        case
            when btc.date >= calendar_spine.date - parameters.max_stale_days
                then btc.trend_state
        end as crypto_state,
        case
            when
                wednesday_impulse.date
                >= calendar_spine.date - parameters.liquidity_max_age_days
                then wednesday_impulse.date
        end as liquidity_as_of_date,
        case
            when
                wednesday_impulse.date
                >= calendar_spine.date - parameters.liquidity_max_age_days
                then wednesday_impulse.chg_13w_usd_bn
        end as impulse_13w_usd_bn,
        case
            when
                wednesday_impulse.date
                >= calendar_spine.date - parameters.liquidity_max_age_days
                then wednesday_impulse.impulse_z_13w
        end as impulse_z_13w
    from calendar_spine as calendar_spine
    cross join parameters as parameters
    asof left join rut as rut
        on calendar_spine.date >= rut.date
    asof left join btc as btc
        on calendar_spine.date >= btc.date
    asof left join wednesday_impulse as wednesday_impulse
        on calendar_spine.date - 1 >= wednesday_impulse.date

),

states as (

    select
        known_inputs.*,
        case
            when known_inputs.impulse_13w_usd_bn > parameters.liquidity_flat_band_usd_bn
                then 'expanding'
            when known_inputs.impulse_13w_usd_bn < -parameters.liquidity_flat_band_usd_bn
                then 'contracting'
            when known_inputs.impulse_13w_usd_bn is not null then 'flat'
        end as liquidity_state
    from known_inputs as known_inputs
    cross join parameters as parameters

),

state_changes as (

    -- a run starts on the first day and wherever the state differs from the day before
    -- ("is distinct from" treats null as a value, so unknown -> known starts a run too)
    select
        states.*,
        (
            row_number() over by_date = 1
            or states.r2k_trend_state
            is distinct from lag(states.r2k_trend_state) over by_date
        ) as is_r2k_change,
        (
            row_number() over by_date = 1
            or states.liquidity_state
            is distinct from lag(states.liquidity_state) over by_date
        ) as is_liquidity_change,
        (
            row_number() over by_date = 1
            or states.crypto_state
            is distinct from lag(states.crypto_state) over by_date
        ) as is_crypto_change
    from states as states
    window by_date as (order by states.date)

),

run_starts as (

    select
        state_changes.*,
        max(case when state_changes.is_r2k_change then state_changes.date end)
            over up_to_today as r2k_run_start,
        max(case when state_changes.is_liquidity_change then state_changes.date end)
            over up_to_today as liquidity_run_start,
        max(case when state_changes.is_crypto_change then state_changes.date end)
            over up_to_today as crypto_run_start
    from state_changes as state_changes
    window up_to_today as (
        order by state_changes.date rows between unbounded preceding and current row
    )

),

regime as (

    select
        run_starts.*,
        run_starts.date
        - greatest(
            run_starts.r2k_run_start,
            run_starts.liquidity_run_start,
            run_starts.crypto_run_start
        )
        + 1 as days_in_state,
        run_starts.date - run_starts.r2k_run_start + 1 as r2k_days_in_state,
        run_starts.date - run_starts.liquidity_run_start + 1 as liquidity_days_in_state,
        run_starts.date - run_starts.crypto_run_start + 1 as crypto_days_in_state
    from run_starts as run_starts

)

select
    cast(regime.date as date) as date,
    cast(regime.r2k_trend_state as varchar) as r2k_trend_state,
    cast(regime.liquidity_state as varchar) as liquidity_state,
    cast(regime.crypto_state as varchar) as crypto_state,
    cast(regime.days_in_state as integer) as days_in_state,
    cast(regime.r2k_days_in_state as integer) as r2k_days_in_state,
    cast(regime.liquidity_days_in_state as integer) as liquidity_days_in_state,
    cast(regime.crypto_days_in_state as integer) as crypto_days_in_state,
    cast(regime.impulse_13w_usd_bn as double) as impulse_13w_usd_bn,
    cast(regime.impulse_z_13w as double) as impulse_z_13w,
    cast(regime.r2k_as_of_date as date) as r2k_as_of_date,
    cast(regime.liquidity_as_of_date as date) as liquidity_as_of_date
from regime as regime
order by regime.date
