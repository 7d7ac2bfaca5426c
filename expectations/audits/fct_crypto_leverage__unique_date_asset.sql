-- audit: marts.fct_crypto_leverage has one row per (date, asset)
-- returns: each (date, asset) that appears more than once, with its count

select
    fct_crypto_leverage.date,
    fct_crypto_leverage.asset,
    count(*) as count_rows
from marts.fct_crypto_leverage as fct_crypto_leverage
group by fct_crypto_leverage.date, fct_crypto_leverage.asset
having count(*) > 1
