-- name: marts.fct_asset_daily
-- kind: full
-- grain: one row per (date, asset)
-- audits: fct_asset_daily__unique_date_asset, fct_asset_daily__asset_in_dim_asset,
--         fct_asset_daily__ret_1d_matches_close, fct_asset_daily__no_missing_nyse_session
--
-- Daily close and one-day return for every asset of the rotation ladder, and the venue each
-- row came from.
--   equities (venue yahoo): close_usd is the traded close, quote_currency Yahoo's reported
--       currency (USD); ret_1d = adjclose / previous SESSION's adjclose - 1, a total return
--       (a dividend's ex-date drop in the close is not a loss). Sessions are rows: a Monday
--       return spans the weekend.
--   crypto: every (date, asset) takes ONE venue, the first by priority binance > coinbase >
--       kraken among the venues with a close that day. When Binance is down or geo-blocked
--       for some days, Coinbase (then Kraken) fills exactly those days, and `venue` says so.
--       quote_currency records the quote: USDT on Binance, USD on Coinbase and Kraken.
--       A USDT close is NOT converted: close_usd holds it at par (USDT has traded a few
--       tenths of a percent off par, more in stress), so a series that switches venue can
--       step by that spread; quote_currency marks every such row.
--       ret_1d never mixes venues: it is this venue's close / the SAME venue's close on the
--       previous UTC day - 1, whether or not that previous day's row took the same venue
--       (each venue's own series is complete enough to say it), and null when this venue
--       has no close for the previous day, rather than a USDT/USD or a two-day move passed
--       off as a one-day return. Crypto trades every day, so rows are calendar days.
-- ret_1d is null on each asset's first row.

with

yahoo_bars as (

    select * from staging.stg_yahoo_bars

),

binance_klines as (

    select * from staging.stg_binance_klines

),

coinbase_candles as (

    select * from staging.stg_coinbase_candles

),

kraken_ohlc as (

    select * from staging.stg_kraken_ohlc

),

---------- parameters (documented in the header)
venue_priority as (

    select venue_list.*
    from (
        values
        ('binance', 1),
        ('coinbase', 2),
        ('kraken', 3)
    ) as venue_list (venue, venue_rank)

),

equity_prices as (

    select
        yahoo_bars.trade_date,
        yahoo_bars.asset,
        'yahoo' as venue,
        yahoo_bars.currency as quote_currency,
        yahoo_bars.close_usd,
        -- total-return price: adjclose carries dividends (and splits)
        yahoo_bars.adjclose_usd as return_price_usd,
        -- sessions are consecutive rows, whatever the calendar gap
        false as needs_consecutive_days
    from yahoo_bars as yahoo_bars

),

crypto_venue_prices as (

    select
        binance_klines.trade_date,
        binance_klines.asset,
        'binance' as venue,
        binance_klines.quote_currency,
        binance_klines.close_usd
    from binance_klines as binance_klines
    union all
    select
        coinbase_candles.trade_date,
        coinbase_candles.asset,
        'coinbase' as venue,
        coinbase_candles.quote_currency,
        coinbase_candles.close_usd
    from coinbase_candles as coinbase_candles
    union all
    select
        kraken_ohlc.trade_date,
        kraken_ohlc.asset,
        'kraken' as venue,
        kraken_ohlc.quote_currency,
        kraken_ohlc.close_usd
    from kraken_ohlc as kraken_ohlc

),

crypto_prices as (

    -- a venue "has" a date when it has a close for it
    select
        crypto_venue_prices.*,
        crypto_venue_prices.close_usd as return_price_usd,
        true as needs_consecutive_days
    from crypto_venue_prices as crypto_venue_prices
    where crypto_venue_prices.close_usd is not null

),

prices as (

    select * from equity_prices
    union all by name
    select * from crypto_prices

),

with_previous as (

    -- each venue's own series: the previous row of the same asset on the same venue
    select
        prices.*,
        lag(prices.trade_date) over venue_days as previous_trade_date,
        lag(prices.return_price_usd) over venue_days as previous_return_price_usd
    from prices as prices
    window venue_days as (
        partition by prices.asset, prices.venue order by prices.trade_date
    )

),

venue_returns as (

    select
        with_previous.trade_date,
        with_previous.asset,
        with_previous.venue,
        with_previous.quote_currency,
        with_previous.close_usd,
        case
            when
                with_previous.needs_consecutive_days
                and with_previous.trade_date - with_previous.previous_trade_date <> 1
                then null
            -- nullif: a zero price would otherwise give an infinite return
            else
                with_previous.return_price_usd
                / nullif(with_previous.previous_return_price_usd, 0) - 1
        end as ret_1d
    from with_previous as with_previous

),

preferred_venue as (

    -- equities have one venue (yahoo, no priority row): rank 0 keeps it. rank, not
    -- row_number: two rows of one venue for the same (date, asset) both stay, for the
    -- grain audit to report, instead of one being dropped at random
    select
        venue_returns.trade_date as date,
        venue_returns.asset,
        venue_returns.venue,
        venue_returns.quote_currency,
        venue_returns.close_usd,
        venue_returns.ret_1d
    from venue_returns as venue_returns
    left join venue_priority as venue_priority
        on venue_returns.venue = venue_priority.venue
    qualify rank() over (
        partition by venue_returns.asset, venue_returns.trade_date
        order by coalesce(venue_priority.venue_rank, 0)
    ) = 1

)

select
    cast(preferred_venue.date as date) as date,
    cast(preferred_venue.asset as varchar) as asset,
    cast(preferred_venue.close_usd as double) as close_usd,
    cast(preferred_venue.ret_1d as double) as ret_1d,
    cast(preferred_venue.venue as varchar) as venue,
    cast(preferred_venue.quote_currency as varchar) as quote_currency
from preferred_venue as preferred_venue
order by preferred_venue.asset, preferred_venue.date
