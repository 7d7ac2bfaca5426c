-- name: staging.stg_coinbase_candles
-- kind: view
-- grain: one row per (product_id, trade_date)
-- audits: none
--
-- Daily candles from Coinbase Exchange, the first fallback venue for crypto closes
-- (granularity 86400: UTC days, like Binance; the parser has already dropped today's
-- unfinished candle and reordered Coinbase's low/high/open/close fields).
-- A product id is <base>-<quote>: the asset code is the base (BTC-USD -> BTC, DOGE-USD ->
-- DOGE) and quote_currency the quote. Every product we fetch is quoted in USD, so the
-- *_usd columns are real US dollars here, unlike Binance's USDT.

with

source as (

    select * from raw.coinbase__candles

),

renamed as (

    select
        ---------- ids
        source.product_id,

        ---------- dates
        source.date as trade_date,

        ---------- prices, in the quote currency (USD)
        source.open as open_usd,
        source.high as high_usd,
        source.low as low_usd,
        source.close as close_usd,

        ---------- volumes
        source.volume as volume_base,

        ---------- derived: BTC-USD -> asset BTC, quote USD
        split_part(source.product_id, '-', 1) as asset,
        split_part(source.product_id, '-', 2) as quote_currency

    from source as source

)

select
    cast(renamed.asset as varchar) as asset,
    cast(renamed.product_id as varchar) as product_id,
    cast(renamed.quote_currency as varchar) as quote_currency,
    cast(renamed.trade_date as date) as trade_date,
    cast(renamed.open_usd as double) as open_usd,
    cast(renamed.high_usd as double) as high_usd,
    cast(renamed.low_usd as double) as low_usd,
    cast(renamed.close_usd as double) as close_usd,
    cast(renamed.volume_base as double) as volume_base
from renamed as renamed
