-- name: staging.stg_binance_futures_premium
-- kind: view
-- grain: one row per (symbol, trade_date)
-- audits: none
--
-- Daily closes of the Binance USD-M perpetuals' mark price and of their underlying index
-- (UTC days; the parser has already dropped the unfinished candle). Raw holds one row per
-- (symbol, kind, day) with kind 'mark' or 'index'; here the two kinds of the same day sit
-- side by side, the one reshaping this view does (each day has at most one candle of each
-- kind, so the pivot picks, it never aggregates). A day with only one kind loaded keeps
-- the other close null. Prices are in USDT, taken at par like the spot klines
-- (quote_currency says so); the asset code strips the quote suffix: BTCUSDT -> BTC.

with

source as (

    select * from raw.binance_futures__premium_klines

),

renamed as (

    select
        ---------- ids
        source.symbol,
        source.kind,

        ---------- dates
        source.date as trade_date,

        ---------- prices, USDT taken as USD
        source.close as close_usd

    from source as source

),

mark_and_index as (

    select
        renamed.symbol,
        renamed.trade_date,
        max(renamed.close_usd) filter (where renamed.kind = 'mark') as mark_close_usd,
        max(renamed.close_usd) filter (where renamed.kind = 'index') as index_close_usd
    from renamed as renamed
    group by renamed.symbol, renamed.trade_date

)

select
    cast(regexp_replace(mark_and_index.symbol, 'USDT$', '') as varchar) as asset,
    cast(mark_and_index.symbol as varchar) as symbol,
    cast('USDT' as varchar) as quote_currency,
    cast(mark_and_index.trade_date as date) as trade_date,
    cast(mark_and_index.mark_close_usd as double) as mark_close_usd,
    cast(mark_and_index.index_close_usd as double) as index_close_usd
from mark_and_index as mark_and_index
