-- audit: each verdict follows from its row (q threshold 0.10, at least 8 episodes), the
-- interval is ordered, and p and q are probabilities
-- returns: the offending rows

select fct_thesis_test.*
from marts.fct_thesis_test as fct_thesis_test
where
    fct_thesis_test.verdict is distinct from case
        when fct_thesis_test.count_episodes < 8 then 'insufficient'
        when
            fct_thesis_test.q_value < 0.10 and not fct_thesis_test.is_fragile
            and fct_thesis_test.excess_log_ret > 0
            then 'evidence for'
        when
            fct_thesis_test.q_value < 0.10 and not fct_thesis_test.is_fragile
            and fct_thesis_test.excess_log_ret < 0
            then 'evidence against'
        else 'no evidence'
    end
    or (fct_thesis_test.q_value is null) is distinct from (fct_thesis_test.count_episodes < 8)
    or fct_thesis_test.ci90_low > fct_thesis_test.ci90_high
    or fct_thesis_test.p_value <= 0 or fct_thesis_test.p_value > 1
    or fct_thesis_test.q_value < fct_thesis_test.p_value
