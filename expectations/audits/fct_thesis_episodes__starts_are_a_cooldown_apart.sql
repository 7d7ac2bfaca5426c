-- audit: episodes are numbered in time, start at least 90 days (transforms/thesis.yml
-- episodes.cooldown_days) after the previous one, on a setup day, and enter after they start
-- returns: the offending episodes

with

episodes as (

    select
        fct_thesis_episodes.*,
        lag(fct_thesis_episodes.start_date) over (
            order by fct_thesis_episodes.episode_id
        ) as previous_start_date
    from marts.fct_thesis_episodes as fct_thesis_episodes

)

select episodes.*
from episodes as episodes
left join marts.fct_thesis_setup as fct_thesis_setup
    on episodes.start_date = fct_thesis_setup.date
where
    episodes.start_date - episodes.previous_start_date < 90
    or episodes.entry_date <= episodes.start_date
    or not coalesce(fct_thesis_setup.is_setup, false)
