-- audit: staging.stg_treasury_tga has exactly one row per record_date (the era filter must
-- pick one balance row a day; two would double-count the TGA in every downstream sum)
-- returns: each record_date with more than one row, with its count and account names

select
    stg_treasury_tga.record_date,
    count(*) as count_rows,
    string_agg(stg_treasury_tga.account_type, ' | ') as account_types
from staging.stg_treasury_tga as stg_treasury_tga
group by stg_treasury_tga.record_date
having count(*) > 1
