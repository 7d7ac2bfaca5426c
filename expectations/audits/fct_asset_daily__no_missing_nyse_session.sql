-- audit: every equity in marts.fct_asset_daily has a row for each NYSE session between its
-- first and last date, up to gaps of 5 sessions in a row (the quality gate's rule for
-- equities: Yahoo now and then returns a day as nulls, which the parser drops, and the
-- ladder's returns bridge a day or two; a longer hole is a failed load). A holiday or a
-- one-off closure is not a session (marts.dim_calendar, XNYS), so it is never a gap; a row
-- on a day that is not a session is not an error either (this only looks for missing rows).
-- Like every audit it blocks the publish: more than 5 missing sessions in a row is a broken
-- equity history, not Yahoo's odd dropped day (the demo market drops about one session in
-- 250 per symbol at random, 47 single days in its history, so "no missing session" would
-- block every demo run).
-- returns: one row per missing session inside a gap of more than 5 sessions, with the gap's
-- first and last missing session and its length

with

equity_spans as (

    select
        fct_asset_daily.asset,
        min(fct_asset_daily.date) as first_date,
        max(fct_asset_daily.date) as last_date
    from marts.fct_asset_daily as fct_asset_daily
    inner join marts.dim_asset as dim_asset
        on fct_asset_daily.asset = dim_asset.asset
    where dim_asset.asset_class in ('equity_index', 'equity_etf')
    group by fct_asset_daily.asset

),

expected_sessions as (

    -- each session is numbered, so a run of missing sessions has consecutive numbers
    select
        equity_spans.asset,
        dim_calendar.date,
        row_number() over (
            partition by equity_spans.asset order by dim_calendar.date
        ) as session_number
    from equity_spans as equity_spans
    inner join marts.dim_calendar as dim_calendar
        on dim_calendar.date between equity_spans.first_date and equity_spans.last_date
    where dim_calendar.is_nyse_session

),

missing_sessions as (

    -- gaps and islands: session_number minus the rank among missing ones is constant
    -- along one run of missing sessions
    select
        expected_sessions.asset,
        expected_sessions.date,
        expected_sessions.session_number - row_number() over (
            partition by expected_sessions.asset order by expected_sessions.date
        ) as gap_id
    from expected_sessions as expected_sessions
    anti join marts.fct_asset_daily as fct_asset_daily
        on
            expected_sessions.asset = fct_asset_daily.asset
            and expected_sessions.date = fct_asset_daily.date

),

gaps as (

    select
        missing_sessions.asset,
        missing_sessions.date,
        min(missing_sessions.date) over gap as gap_start_date,
        max(missing_sessions.date) over gap as gap_end_date,
        count(*) over gap as count_gap_sessions
    from missing_sessions as missing_sessions
    window gap as (partition by missing_sessions.asset, missing_sessions.gap_id)

)

select
    gaps.date,
    gaps.asset,
    gaps.gap_start_date,
    gaps.gap_end_date,
    gaps.count_gap_sessions
from gaps as gaps
where gaps.count_gap_sessions > 5
