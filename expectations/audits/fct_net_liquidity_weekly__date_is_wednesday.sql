-- audit: every marts.fct_net_liquidity_weekly date is a Wednesday (H.4.1 levels are
-- Wednesday levels; another weekday means FRED changed the series or a join went wrong)
-- returns: rows dated on any other weekday, with the weekday

select
    weekly.date,
    dayname(weekly.date) as day_name
from marts.fct_net_liquidity_weekly as weekly
-- isodow: Monday = 1 ... Wednesday = 3
where isodow(weekly.date) <> 3
