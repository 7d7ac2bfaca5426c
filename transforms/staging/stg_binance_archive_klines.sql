-- name: staging.stg_binance_archive_klines
-- kind: view
-- grain: one row per (symbol, date)
-- audits: none
--
-- Daily klines of every pair in Binance's public data archive (data.binance.vision), listed
-- or delisted, typed and renamed for the alt universe. Only USDT- and BTC-quoted pairs are
-- kept (quote_asset splits the symbol by suffix: LUNAUSDT -> LUNA / USDT, LTCBTC -> LTC /
-- BTC); pairs in any other quote (BUSD, TRY, EUR, ...) are dropped.
--   close: the close in the QUOTE asset (USDT or BTC), not yet converted to USD.
--   quote_volume: the day's traded volume in the QUOTE asset (USDT or BTC).
-- listing_id keys a coin by base asset AND listing period: Binance reuses symbols (the LUNA of
-- 2020-2022 and the LUNA listed on 2022-05-31 are two coins). The rule, from the data alone:
-- a base asset's days (over all its USDT and BTC pairs) that follow its previous day by more
-- than 14 calendar days start a new listing; listing_id = base_asset || '@' || that listing's
-- first date, e.g. 'LUNA@2022-05-31'. A renamed coin (BCC -> BCH) is a new base asset, so a
-- new listing whose age starts again. listed_date is the listing's first date.

with

source as (

    select * from raw.binance_archive__klines

),

renamed as (

    select
        ---------- ids
        source.symbol,
        case
            when source.symbol like '%USDT' then 'USDT'
            when source.symbol like '%BTC' then 'BTC'
        end as quote_asset,

        ---------- dates
        source.date,

        ---------- prices and volumes, in the quote asset
        source.close,
        source.quote_volume

    from source as source

),

quoted as (

    select
        renamed.*,
        left(renamed.symbol, length(renamed.symbol) - length(renamed.quote_asset)) as base_asset
    from renamed as renamed
    where renamed.quote_asset is not null

),

---------- a gap of more than 14 days in a base asset's days starts a new listing
listing_starts as (

    select
        quoted.*,
        coalesce(
            quoted.date - lag(quoted.date) over by_asset > 14, true
        ) as is_listing_start
    from quoted as quoted
    window by_asset as (partition by quoted.base_asset order by quoted.date, quoted.symbol)

),

listing_numbers as (

    select
        listing_starts.*,
        sum(cast(listing_starts.is_listing_start as integer)) over (
            partition by listing_starts.base_asset
            order by listing_starts.date, listing_starts.symbol
            rows between unbounded preceding and current row
        ) as listing_number
    from listing_starts as listing_starts

),

listings as (

    select
        listing_numbers.*,
        min(listing_numbers.date) over (
            partition by listing_numbers.base_asset, listing_numbers.listing_number
        ) as listed_date
    from listing_numbers as listing_numbers

)

select
    cast(listings.date as date) as date,
    cast(listings.symbol as varchar) as symbol,
    cast(listings.base_asset as varchar) as base_asset,
    cast(listings.quote_asset as varchar) as quote_asset,
    cast(listings.base_asset || '@' || strftime(listings.listed_date, '%Y-%m-%d') as varchar)
        as listing_id,
    cast(listings.listed_date as date) as listed_date,
    cast(listings.close as double) as close,
    cast(listings.quote_volume as double) as quote_volume
from listings as listings
