-- audit: marts.fct_risk_ladder
--   rs_vs_prev_rung_90d = (1 + ret_90d) / (1 + prev_rung_ret_90d) - 1, the rung below being
--   rung - 1 (none for rung 1; none either before the rung below has data), and every asset on its fixed rung
-- returns: offending rows

select
    ladder.date,
    ladder.asset,
    ladder.rung,
    ladder.prev_rung_asset,
    ladder.ret_90d,
    ladder.prev_rung_ret_90d,
    ladder.rs_vs_prev_rung_90d
from marts.fct_risk_ladder as ladder
where
    ladder.rung
    is distinct from case ladder.asset
        when 'GSPC' then 1
        when 'RUT' then 2
        when 'BTC' then 3
        when 'ETH' then 4
        when 'ALTS' then 5
    end
    or (
        ladder.prev_rung_asset is not null
        and ladder.prev_rung_asset
        is distinct from case ladder.rung
            when 2 then 'GSPC'
            when 3 then 'RUT'
            when 4 then 'BTC'
            when 5 then 'ETH'
        end
    )
    or (ladder.rs_vs_prev_rung_90d is null)
    <> (ladder.ret_90d is null or ladder.prev_rung_ret_90d is null)
    or abs(
        ladder.rs_vs_prev_rung_90d
        - ((1 + ladder.ret_90d) / (1 + ladder.prev_rung_ret_90d) - 1)
    ) > 1e-12
