-- name: staging.stg_binance_klines
-- kind: view
-- grain: one row per (symbol, trade_date)
-- audits: none
--
-- Daily klines from Binance spot (UTC days; the parser has already dropped the unfinished
-- last candle). Every pair we fetch is quoted in USDT, and USDT is taken at par with USD
-- here: prices land in *_usd columns unchanged. That is an approximation (USDT has traded
-- a few tenths of a percent off par, more in stress); quote_currency keeps the fact on
-- every row so a later model can convert explicitly.
-- The asset code strips the quote suffix: BTCUSDT -> BTC, DOGEUSDT -> DOGE.

with

source as (

    select * from raw.binance__klines

),

renamed as (

    select
        ---------- ids
        source.symbol,

        ---------- dates
        source.date as trade_date,

        ---------- prices, USDT taken as USD
        source.open as open_usd,
        source.high as high_usd,
        source.low as low_usd,
        source.close as close_usd,

        ---------- volumes
        source.volume as volume_base,
        source.quote_volume,

        ---------- derived: every pair we fetch is <asset>USDT
        'USDT' as quote_currency,
        regexp_replace(source.symbol, 'USDT$', '') as asset

    from source as source

)

select
    cast(renamed.asset as varchar) as asset,
    cast(renamed.symbol as varchar) as symbol,
    cast(renamed.quote_currency as varchar) as quote_currency,
    cast(renamed.trade_date as date) as trade_date,
    cast(renamed.open_usd as double) as open_usd,
    cast(renamed.high_usd as double) as high_usd,
    cast(renamed.low_usd as double) as low_usd,
    cast(renamed.close_usd as double) as close_usd,
    cast(renamed.volume_base as double) as volume_base,
    cast(renamed.quote_volume as double) as quote_volume
from renamed as renamed
