-- audit: marts.fct_thesis_ordering has one row per comparison
-- returns: each repeated comparison, with its count

select
    fct_thesis_ordering.comparison,
    count(*) as count_rows
from marts.fct_thesis_ordering as fct_thesis_ordering
group by fct_thesis_ordering.comparison
having count(*) > 1
