-- name: staging.stg_binance_futures_funding
-- kind: view
-- grain: one row per (symbol, funding_at)
-- audits: none
--
-- Funding settlements of the Binance USD-M perpetuals (BTCUSDT, ...), one row per payment.
-- funding_rate is a fraction per funding interval as Binance sends it (0.0001 = 0.01% paid by
-- longs to shorts for one interval, 8 hours on the standard schedule of 00:00, 08:00 and
-- 16:00 UTC); funding_at is the settlement time (UTC; Binance stamps it a few ms after the
-- hour, kept as sent) and funding_date its UTC day. mark_price is null on older settlements,
-- which Binance sends with markPrice "". USD-M perpetuals are margined and quoted in USDT,
-- taken at par like the spot klines (quote_currency says so).
-- The asset code strips the quote suffix: BTCUSDT -> BTC.

with

source as (

    select * from raw.binance_futures__funding_rate

),

renamed as (

    select
        ---------- ids
        source.symbol,

        ---------- dates: epoch milliseconds -> UTC timestamp
        epoch_ms(source.funding_time) as funding_at,
        source.date as funding_date,

        ---------- values
        source.funding_rate,
        source.mark_price as mark_price_usd,

        ---------- derived: every perpetual we fetch is <asset>USDT
        'USDT' as quote_currency,
        regexp_replace(source.symbol, 'USDT$', '') as asset

    from source as source

)

select
    cast(renamed.asset as varchar) as asset,
    cast(renamed.symbol as varchar) as symbol,
    cast(renamed.quote_currency as varchar) as quote_currency,
    cast(renamed.funding_at as timestamp) as funding_at,
    cast(renamed.funding_date as date) as funding_date,
    cast(renamed.funding_rate as double) as funding_rate,
    cast(renamed.mark_price_usd as double) as mark_price_usd
from renamed as renamed
