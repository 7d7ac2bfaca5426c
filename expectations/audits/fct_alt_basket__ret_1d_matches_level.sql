-- audit: marts.fct_alt_basket ret_1d = index_level / previous day's index_level - 1, null
-- exactly when the previous calendar day has no row; the basket is never empty and its level
-- stays positive
-- returns: offending rows with the expected return beside them

with

basket_days as (

    select
        fct_alt_basket.*,
        lag(fct_alt_basket.date) over by_date as previous_date,
        lag(fct_alt_basket.index_level) over by_date as previous_index_level
    from marts.fct_alt_basket as fct_alt_basket
    window by_date as (order by fct_alt_basket.date)

),

expected as (

    select
        basket_days.*,
        case
            when basket_days.date - basket_days.previous_date = 1
                then basket_days.index_level / basket_days.previous_index_level - 1
        end as expected_ret_1d
    from basket_days as basket_days

)

select expected.*
from expected as expected
where
    (expected.ret_1d is null) <> (expected.expected_ret_1d is null)
    or abs(expected.ret_1d - expected.expected_ret_1d) > 1e-12
    or expected.count_constituents < 1
    or not expected.index_level > 0
