-- name: staging.stg_treasury_tga
-- kind: view
-- grain: one row per record_date
-- audits: stg_treasury_tga__one_row_per_date
--
-- The Treasury General Account balance from the Daily Treasury Statement, stitched from the
-- three account-name eras of the operating_cash_balance table into one daily series:
--   era 1, record_date <= 2021-09-30: 'Federal Reserve Account', close_today_bal
--   era 2, 2021-10-01 .. 2022-04-15:  'Treasury General Account (TGA)', close_today_bal
--   era 3, from 2022-04-18 (the first day of the new format):
--          'Treasury General Account (TGA) Closing Balance', open_today_bal (close_today_bal
--          is the string "null" there; DTS puts the day's close in the "opening" column of
--          the closing-balance row)
-- Rows are picked on account name AND era dates, because neither alone is enough:
--   - the column that holds the balance depends on the era, not on the name, so the date
--     has to be known anyway;
--   - every era's table carries other rows beside the balance (Total Operating Balance,
--     Short-Term Cash Investments, and from 2022-04-18 the TGA Opening Balance, whose
--     open_today_bal is the PREVIOUS day's close, plus deposits and withdrawals), so the
--     exact name is needed to pick the one balance row;
--   - pinning each name to its era means a label turning up outside its era is dropped
--     instead of giving that date a second row read from the wrong column.
-- Raw amounts are USD millions; they become USD billions here.

with

source as (

    select * from raw.treasury__operating_cash_balance

),

renamed as (

    select
        ---------- dates
        source.record_date,

        ---------- ids
        source.account_type,

        ---------- values, USD millions -> USD billions
        case
            when source.record_date >= date '2022-04-18' then source.open_today_bal
            else source.close_today_bal
        end * 0.001 as tga_usd_bn

    from source as source

),

tga_rows as (

    select renamed.*
    from renamed as renamed
    where
        (
            renamed.record_date <= date '2021-09-30'
            and renamed.account_type = 'Federal Reserve Account'
        )
        or (
            renamed.record_date between date '2021-10-01' and date '2022-04-15'
            and renamed.account_type = 'Treasury General Account (TGA)'
        )
        or (
            renamed.record_date >= date '2022-04-18'
            and renamed.account_type = 'Treasury General Account (TGA) Closing Balance'
        )

)

select
    cast(tga_rows.record_date as date) as record_date,
    cast(tga_rows.tga_usd_bn as double) as tga_usd_bn,
    cast(tga_rows.account_type as varchar) as account_type
from tga_rows as tga_rows
