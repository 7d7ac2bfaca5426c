-- name: marts.fct_liquidity_impulse
-- kind: full
-- grain: one row per calendar date (the dates of marts.fct_net_liquidity)
-- audits: fct_liquidity_impulse__unique_date,
--         fct_liquidity_impulse__contribs_sum_to_chg_13w
--
-- The liquidity impulse: how fast net liquidity (WALCL - TGA - RRP, USD bn) is changing.
--   chg_4w / chg_13w / chg_26w   net(d) - net(d - 28 / 91 / 182 days); null when either end
--                                is null (a stale input, or before the history starts).
--   *_contrib_13w                the 13-week change split by input, signed by its effect on
--                                net liquidity: walcl + tga + rrp contributions = chg_13w.
--                                A TGA or RRP drawdown is a POSITIVE contribution.
--   mbs_contrib_13w              WSHOMCB(d) - WSHOMCB(d - 91): the part of walcl_contrib that
--                                is MBS (already inside walcl_contrib, so NOT a fourth term);
--                                WSHOMCB is carried forward at most 13 days, like WALCL.
--   impulse_z_13w                (chg_13w - its trailing mean) / its trailing sample sd over
--                                the last Z_WINDOW_DAYS = 1092 days (3 x 52 weeks, this day
--                                included); null until Z_MIN_OBS = 364 impulses exist in the
--                                window. Trailing, not full-sample, so it uses no future data.
-- Rows are dated by the REFERENCE date of the data (a Wednesday row holds that Wednesday's
-- WALCL, published the next day). Marts that act as of a date (fct_regime,
-- fct_rotation_signal) apply the publication lag themselves.

with

net_liquidity as (

    select * from marts.fct_net_liquidity

),

fred_observations as (

    select * from staging.stg_fred_observations

),

---------- parameters (documented in the header)
parameters as (

    -- Z_WINDOW_DAYS lives in the window clause of trailing_stats (a frame must be a literal)
    select
        364 as z_min_obs,
        13 as mbs_max_age_days

),

mbs as (

    select
        fred_observations.observation_date,
        fred_observations.value_usd_bn as mbs_usd_bn
    from fred_observations as fred_observations
    where
        fred_observations.series_id = 'WSHOMCB'
        and fred_observations.value_usd_bn is not null

),

daily_levels as (

    select
        net_liquidity.date,
        net_liquidity.walcl_usd_bn,
        net_liquidity.tga_usd_bn,
        net_liquidity.rrp_usd_bn,
        net_liquidity.net_liquidity_usd_bn,
        case
            when net_liquidity.date - mbs.observation_date <= parameters.mbs_max_age_days
                then mbs.mbs_usd_bn
        end as mbs_usd_bn
    from net_liquidity as net_liquidity
    cross join parameters as parameters
    asof left join mbs as mbs
        on net_liquidity.date >= mbs.observation_date

),

changes as (

    select
        today.date,
        today.net_liquidity_usd_bn,
        today.walcl_usd_bn,
        today.tga_usd_bn,
        today.rrp_usd_bn,
        today.mbs_usd_bn,
        ---------- changes of net liquidity
        today.net_liquidity_usd_bn - ago_4w.net_liquidity_usd_bn as chg_4w_usd_bn,
        today.net_liquidity_usd_bn - ago_13w.net_liquidity_usd_bn as chg_13w_usd_bn,
        today.net_liquidity_usd_bn - ago_26w.net_liquidity_usd_bn as chg_26w_usd_bn,
        ---------- the 13-week change by input, signed by its effect on net liquidity
        today.walcl_usd_bn - ago_13w.walcl_usd_bn as walcl_contrib_13w_usd_bn,
        ago_13w.tga_usd_bn - today.tga_usd_bn as tga_contrib_13w_usd_bn,
        ago_13w.rrp_usd_bn - today.rrp_usd_bn as rrp_contrib_13w_usd_bn,
        today.mbs_usd_bn - ago_13w.mbs_usd_bn as mbs_contrib_13w_usd_bn
    from daily_levels as today
    left join daily_levels as ago_4w
        on today.date - 28 = ago_4w.date
    left join daily_levels as ago_13w
        on today.date - 91 = ago_13w.date
    left join daily_levels as ago_26w
        on today.date - 182 = ago_26w.date

),

trailing_stats as (

    -- Z_WINDOW_DAYS = 1092: the spine has one row per day (audited upstream), so 1091
    -- preceding rows and this one are 1092 days
    select
        changes.*,
        avg(changes.chg_13w_usd_bn) over trailing_window as z_window_mean_usd_bn,
        stddev_samp(changes.chg_13w_usd_bn) over trailing_window as z_window_sd_usd_bn,
        count(changes.chg_13w_usd_bn) over trailing_window as z_window_obs
    from changes as changes
    window trailing_window as (
        order by changes.date rows between 1091 preceding and current row
    )

),

impulse as (

    select
        trailing_stats.*,
        case
            when trailing_stats.z_window_obs >= parameters.z_min_obs
                then
                    (trailing_stats.chg_13w_usd_bn - trailing_stats.z_window_mean_usd_bn)
                    / nullif(trailing_stats.z_window_sd_usd_bn, 0)
        end as impulse_z_13w
    from trailing_stats as trailing_stats
    cross join parameters as parameters

)

select
    cast(impulse.date as date) as date,
    cast(impulse.net_liquidity_usd_bn as double) as net_liquidity_usd_bn,
    cast(impulse.walcl_usd_bn as double) as walcl_usd_bn,
    cast(impulse.tga_usd_bn as double) as tga_usd_bn,
    cast(impulse.rrp_usd_bn as double) as rrp_usd_bn,
    cast(impulse.mbs_usd_bn as double) as mbs_usd_bn,
    cast(impulse.chg_4w_usd_bn as double) as chg_4w_usd_bn,
    cast(impulse.chg_13w_usd_bn as double) as chg_13w_usd_bn,
    cast(impulse.chg_26w_usd_bn as double) as chg_26w_usd_bn,
    cast(impulse.walcl_contrib_13w_usd_bn as double) as walcl_contrib_13w_usd_bn,
    cast(impulse.tga_contrib_13w_usd_bn as double) as tga_contrib_13w_usd_bn,
    cast(impulse.rrp_contrib_13w_usd_bn as double) as rrp_contrib_13w_usd_bn,
    cast(impulse.mbs_contrib_13w_usd_bn as double) as mbs_contrib_13w_usd_bn,
    cast(impulse.impulse_z_13w as double) as impulse_z_13w
from impulse as impulse
order by impulse.date
