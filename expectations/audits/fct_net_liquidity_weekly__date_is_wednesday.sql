-- audit: every marts.fct_net_liquidity_weekly date is a Wednesday (H.4.1 levels are
-- Wednesday levels; another weekday means FRED changed the series or a join went wrong)
-- returns: rows dated on any other weekday

select fct_net_liquidity_weekly.*
from marts.fct_net_liquidity_weekly as fct_net_liquidity_weekly
-- isodow: Monday = 1 ... Wednesday = 3
where isodow(fct_net_liquidity_weekly.date) <> 3
