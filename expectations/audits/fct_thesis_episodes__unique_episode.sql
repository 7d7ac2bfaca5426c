-- audit: marts.fct_thesis_episodes has one row per episode and one episode per start date
-- returns: each episode_id or start_date that appears more than once

select
    'episode_id' as key_column,
    cast(fct_thesis_episodes.episode_id as varchar) as key_value,
    count(*) as count_rows
from marts.fct_thesis_episodes as fct_thesis_episodes
group by fct_thesis_episodes.episode_id
having count(*) > 1
union all
select
    'start_date' as key_column,
    cast(fct_thesis_episodes.start_date as varchar) as key_value,
    count(*) as count_rows
from marts.fct_thesis_episodes as fct_thesis_episodes
group by fct_thesis_episodes.start_date
having count(*) > 1
