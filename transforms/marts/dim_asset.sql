-- name: marts.dim_asset
-- kind: full
-- grain: one row per asset
-- audits: dim_asset__unique_asset
--
-- The 13 assets of the liquidity-rotation ladder. ladder_rank orders where liquidity is
-- expected to flow as it rises: 0 small caps (RUT, IWM), 1 BTC, 2 ETH, 3 alts; the S&P 500
-- (GSPC, SPY) has no rank because it is the benchmark the others are measured against.
-- A hand-kept list: adding an asset to a source means adding it here, and the audit
-- fct_asset_daily__asset_in_dim_asset fails until that is done.
-- source and quote_currency name each asset's PRIMARY venue. A crypto day Binance misses
-- is filled from Coinbase, then Kraken (both USD; neither lists BNB), and
-- marts.fct_asset_daily.venue / quote_currency say which venue each row came from.

with

assets as (

    select asset_list.*
    from (
        values
        ---------- equities (Yahoo, USD)
        ('RUT', '^RUT', 'equity_index', 'yahoo', 'USD', 0),
        ('IWM', 'IWM', 'equity_etf', 'yahoo', 'USD', 0),
        ('GSPC', '^GSPC', 'equity_index', 'yahoo', 'USD', null),
        ('SPY', 'SPY', 'equity_etf', 'yahoo', 'USD', null),
        ---------- crypto (Binance spot, USDT; fallback venues in marts.fct_asset_daily)
        ('BTC', 'BTCUSDT', 'crypto', 'binance', 'USDT', 1),
        ('ETH', 'ETHUSDT', 'crypto', 'binance', 'USDT', 2),
        ('SOL', 'SOLUSDT', 'crypto', 'binance', 'USDT', 3),
        ('BNB', 'BNBUSDT', 'crypto', 'binance', 'USDT', 3),
        ('XRP', 'XRPUSDT', 'crypto', 'binance', 'USDT', 3),
        ('ADA', 'ADAUSDT', 'crypto', 'binance', 'USDT', 3),
        ('DOGE', 'DOGEUSDT', 'crypto', 'binance', 'USDT', 3),
        ('AVAX', 'AVAXUSDT', 'crypto', 'binance', 'USDT', 3),
        ('LINK', 'LINKUSDT', 'crypto', 'binance', 'USDT', 3)
    ) as asset_list (asset, symbol, asset_class, source, quote_currency, ladder_rank)

)

select
    cast(assets.asset as varchar) as asset,
    cast(assets.symbol as varchar) as symbol,
    cast(assets.asset_class as varchar) as asset_class,
    cast(assets.source as varchar) as source,
    cast(assets.quote_currency as varchar) as quote_currency,
    cast(assets.ladder_rank as integer) as ladder_rank
from assets as assets
order by assets.asset
