-- name: marts.fct_asset_daily
-- kind: full
-- grain: one row per (date, asset)
-- audits: fct_asset_daily__unique_date_asset, fct_asset_daily__asset_in_dim_asset,
--         fct_asset_daily__ret_1d_matches_close
--
-- Daily close and one-day return for every asset of the rotation ladder, in USD.
--   equities (Yahoo): close_usd is the traded close; ret_1d = adjclose / previous SESSION's
--                     adjclose - 1, a total return (a dividend's ex-date drop in the close
--                     is not a loss). Sessions are rows: a Monday return spans the weekend.
--   crypto (Binance): trades every UTC day, so ret_1d = close / previous DAY's close - 1,
--                     and a missing day leaves the next return null rather than passing a
--                     two-day move off as a one-day one. USDT is taken as USD (see staging).
-- ret_1d is null on each asset's first row.

with

yahoo_bars as (

    select * from staging.stg_yahoo_bars

),

binance_klines as (

    select * from staging.stg_binance_klines

),

equity_prices as (

    select
        yahoo_bars.trade_date,
        yahoo_bars.asset,
        yahoo_bars.close_usd,
        -- total-return price: adjclose carries dividends (and splits)
        yahoo_bars.adjclose_usd as return_price_usd,
        -- sessions are consecutive rows, whatever the calendar gap
        false as needs_consecutive_days
    from yahoo_bars as yahoo_bars

),

crypto_prices as (

    select
        binance_klines.trade_date,
        binance_klines.asset,
        binance_klines.close_usd,
        binance_klines.close_usd as return_price_usd,
        true as needs_consecutive_days
    from binance_klines as binance_klines

),

prices as (

    select * from equity_prices
    union all by name
    select * from crypto_prices

),

with_previous as (

    select
        prices.*,
        lag(prices.trade_date) over asset_days as previous_trade_date,
        lag(prices.return_price_usd) over asset_days as previous_return_price_usd
    from prices as prices
    window asset_days as (partition by prices.asset order by prices.trade_date)

),

daily_returns as (

    select
        with_previous.trade_date as date,
        with_previous.asset,
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

)

select
    cast(daily_returns.date as date) as date,
    cast(daily_returns.asset as varchar) as asset,
    cast(daily_returns.close_usd as double) as close_usd,
    cast(daily_returns.ret_1d as double) as ret_1d
from daily_returns as daily_returns
order by daily_returns.asset, daily_returns.date
