-- audit: the setup holds exactly when liquidity is expanding and the R2K is in a strong uptrend,
-- and setup_since_date is set exactly when it holds (and is not after the date)
-- returns: the rows that break either rule

select fct_thesis_setup.*
from marts.fct_thesis_setup as fct_thesis_setup
where
    fct_thesis_setup.is_setup
    is distinct from (
        fct_thesis_setup.is_liquidity_expanding and fct_thesis_setup.is_r2k_strong_uptrend
    )
    or (fct_thesis_setup.setup_since_date is not null) is distinct from fct_thesis_setup.is_setup
    or fct_thesis_setup.setup_since_date > fct_thesis_setup.date
