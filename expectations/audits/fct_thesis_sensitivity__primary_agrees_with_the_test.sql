-- audit: exactly one setting is primary, and its rows repeat marts.fct_thesis_test's 90-day rows
-- returns: a row per disagreement (or one row when the count of primary settings is not 1)

with

primary_rows as (

    select * from marts.fct_thesis_sensitivity as s where s.is_primary

),

primary_settings as (

    select count(distinct (s.liquidity_threshold_pct_walcl, s.uptrend_confirm_sessions)) as n
    from primary_rows as s

)

select
    'primary settings' as problem,
    cast(primary_settings.n as varchar) as detail
from primary_settings as primary_settings
where primary_settings.n <> 1 and exists (select 1 from marts.fct_thesis_sensitivity)
union all
select
    'differs from fct_thesis_test' as problem,
    primary_rows.leg as detail
from primary_rows as primary_rows
left join marts.fct_thesis_test as fct_thesis_test
    on
        primary_rows.leg = fct_thesis_test.leg
        and primary_rows.horizon_days = fct_thesis_test.horizon_days
where
    fct_thesis_test.verdict is distinct from primary_rows.verdict
    or fct_thesis_test.count_episodes is distinct from primary_rows.count_episodes
    or fct_thesis_test.p_value is distinct from primary_rows.p_value
