-- name: staging.stg_treasury_tga
-- kind: view
-- grain: one row per record_date
-- audits: stg_treasury_tga__one_row_per_date
--
-- The Treasury General Account balance from the Daily Treasury Statement, stitched from the
-- three account-name eras of the operating_cash_balance table into one daily series. The eras
-- are the table meta.dts_eras, written by the warehouse from sources/treasury_dts.py (ERAS),
-- the one place their dates live:
--   era 1, to 2021-09-30:   'Federal Reserve Account', close_today_bal
--   era 2, from 2021-10-01: 'Treasury General Account (TGA)', close_today_bal
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
-- The join to meta.dts_eras is a lookup of that rule, not modelling (as the FRED unit join).
-- Raw amounts are USD millions; they become USD billions here.

with

source as (

    select * from raw.treasury__operating_cash_balance

),

eras as (

    select * from meta.dts_eras

),

statements as (

    -- without eras every row would be dropped without a word (an empty TGA series): a
    -- warehouse bootstrapped without sources.treasury_dts.era_rows() fails here instead
    select source.*
    from source as source
    where
        case
            when exists (select 1 from eras) then true
            else error(
                'meta.dts_eras is empty: bootstrap the warehouse with '
                || 'sources.treasury_dts.era_rows() (first statement: '
                || source.record_date || ')'
            )
        end

),

tga_rows as (

    -- a null first_date or last_date is an open end of the era
    select
        statements.record_date,
        statements.account_type,
        case eras.balance_field
            when 'close_today_bal' then statements.close_today_bal
            when 'open_today_bal' then statements.open_today_bal
        end as tga_usd_mn
    from statements as statements
    inner join eras as eras
        on
            statements.account_type = eras.account_type
            and statements.record_date >= coalesce(eras.first_date, statements.record_date)
            and statements.record_date <= coalesce(eras.last_date, statements.record_date)

),

renamed as (

    select
        ---------- dates
        tga_rows.record_date,

        ---------- ids
        tga_rows.account_type,

        ---------- values, USD millions -> USD billions
        tga_rows.tga_usd_mn * 0.001 as tga_usd_bn

    from tga_rows as tga_rows

)

select
    cast(renamed.record_date as date) as record_date,
    cast(renamed.tga_usd_bn as double) as tga_usd_bn,
    cast(renamed.account_type as varchar) as account_type
from renamed as renamed
