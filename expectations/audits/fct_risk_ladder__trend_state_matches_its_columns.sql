-- audit: marts.fct_risk_ladder trend_state agrees with the columns it is read from:
--   strong_uptrend  price_level > sma_50d > sma_200d, sma_200d_slope_20d > 0,
--                   pct_from_high_252d >= -0.05
--   uptrend         price_level > sma_200d, sma_200d_slope_20d > 0
--   downtrend       price_level < sma_200d, sma_200d_slope_20d < 0
--   range           none of the above holds
--   null            exactly when sma_200d_slope_20d is null
-- returns: offending rows

select
    ladder.date,
    ladder.asset,
    ladder.price_level,
    ladder.sma_50d,
    ladder.sma_200d,
    ladder.sma_200d_slope_20d,
    ladder.pct_from_high_252d,
    ladder.trend_state
from marts.fct_risk_ladder as ladder
where
    (ladder.trend_state is null) <> (ladder.sma_200d_slope_20d is null)
    or ladder.trend_state not in ('strong_uptrend', 'uptrend', 'range', 'downtrend')
    or ladder.trend_state = 'strong_uptrend' and not (
        ladder.price_level > ladder.sma_50d
        and ladder.sma_50d > ladder.sma_200d
        and ladder.sma_200d_slope_20d > 0
        and ladder.pct_from_high_252d >= -0.05
    )
    or ladder.trend_state = 'uptrend' and not (
        ladder.price_level > ladder.sma_200d and ladder.sma_200d_slope_20d > 0
    )
    or ladder.trend_state = 'downtrend' and not (
        ladder.price_level < ladder.sma_200d and ladder.sma_200d_slope_20d < 0
    )
    or ladder.trend_state = 'range' and (
        ladder.price_level > ladder.sma_200d and ladder.sma_200d_slope_20d > 0
        or ladder.price_level < ladder.sma_200d and ladder.sma_200d_slope_20d < 0
    )
