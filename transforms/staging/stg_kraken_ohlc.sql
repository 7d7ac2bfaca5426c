-- name: staging.stg_kraken_ohlc
-- kind: view
-- grain: one row per (pair, trade_date)
-- audits: none
--
-- Daily OHLC from Kraken, the second fallback venue for crypto closes (interval 1440: UTC
-- days; the parser has already dropped the last, still-forming candle).
-- `pair` is the pair we asked for (XBTUSD), not the legacy key Kraken answered under
-- (XXBTZUSD, kept in raw as result_key). Every pair we fetch is <base>USD: the quote is USD
-- (the *_usd columns are real US dollars) and the asset code is the base, with Kraken's two
-- renamed coins mapped back: XBT -> BTC, XDG -> DOGE (XBTUSD -> BTC, XDGUSD -> DOGE,
-- ETHUSD -> ETH). A pair not ending in USD keeps its whole name as the asset code and a null
-- quote_currency, so marts.fct_asset_daily's dim_asset audit reports it.

with

source as (

    select * from raw.kraken__ohlc

),

renamed as (

    select
        ---------- ids
        source.pair,

        ---------- dates
        source.date as trade_date,

        ---------- prices, in the quote currency (USD)
        source.open as open_usd,
        source.high as high_usd,
        source.low as low_usd,
        source.close as close_usd,
        source.vwap as vwap_usd,

        ---------- volumes
        source.volume as volume_base,
        source."count" as count_trades,

        ---------- derived: the base and quote of <base>USD
        regexp_replace(source.pair, 'USD$', '') as base_code,
        case when source.pair like '%USD' then 'USD' end as quote_currency

    from source as source

),

asset_codes as (

    select
        renamed.*,
        case renamed.base_code
            when 'XBT' then 'BTC'
            when 'XDG' then 'DOGE'
            else renamed.base_code
        end as asset
    from renamed as renamed

)

select
    cast(asset_codes.asset as varchar) as asset,
    cast(asset_codes.pair as varchar) as pair,
    cast(asset_codes.quote_currency as varchar) as quote_currency,
    cast(asset_codes.trade_date as date) as trade_date,
    cast(asset_codes.open_usd as double) as open_usd,
    cast(asset_codes.high_usd as double) as high_usd,
    cast(asset_codes.low_usd as double) as low_usd,
    cast(asset_codes.close_usd as double) as close_usd,
    cast(asset_codes.vwap_usd as double) as vwap_usd,
    cast(asset_codes.volume_base as double) as volume_base,
    cast(asset_codes.count_trades as bigint) as count_trades
from asset_codes as asset_codes
