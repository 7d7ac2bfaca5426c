-- name: staging.stg_yahoo_bars
-- kind: view
-- grain: one row per (symbol, trade_date)
-- audits: none
--
-- Daily bars from the Yahoo chart v8 API. trade_date is the exchange-local trading date.
-- Prices are in the quote currency Yahoo reports (USD for ^RUT, ^GSPC, IWM, SPY; kept in
-- `currency` so a non-USD listing shows up rather than hides). adjclose is dividend- and
-- split-adjusted; an index has no dividends and some responses carry no adjclose at all,
-- so a missing adjclose falls back to the close.
-- The asset code drops the index caret: ^RUT -> RUT, ^GSPC -> GSPC, IWM -> IWM.

with

source as (

    select * from raw.yahoo__chart

),

renamed as (

    select
        ---------- ids
        source.symbol,

        ---------- dates
        source.date as trade_date,

        ---------- prices
        source.open as open_usd,
        source.high as high_usd,
        source.low as low_usd,
        source.close as close_usd,

        ---------- volumes
        source.volume,

        ---------- units
        source.currency,

        ---------- derived
        ltrim(source.symbol, '^') as asset,
        coalesce(source.adjclose, source.close) as adjclose_usd

    from source as source

)

select
    cast(renamed.asset as varchar) as asset,
    cast(renamed.symbol as varchar) as symbol,
    cast(renamed.trade_date as date) as trade_date,
    cast(renamed.open_usd as double) as open_usd,
    cast(renamed.high_usd as double) as high_usd,
    cast(renamed.low_usd as double) as low_usd,
    cast(renamed.close_usd as double) as close_usd,
    cast(renamed.adjclose_usd as double) as adjclose_usd,
    cast(renamed.volume as bigint) as volume,
    cast(renamed.currency as varchar) as currency
from renamed as renamed
