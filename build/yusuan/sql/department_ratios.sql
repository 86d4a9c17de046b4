-- One row per department-year: headline ratios for comparing departments.
-- Comparable departments are those of the same year and kind (a 部门预算 is
-- not ranked against a 决算): the ranks are within them.
with ratios as (
    select
        doc_id,
        department,
        level,
        kind,
        year,
        total_budget,
        round(100 * personnel / nullif(gpb_basic, 0), 2) as personnel_share_pct,
        round(100 * project_expenditure / nullif(total_budget, 0), 2) as project_share_pct,
        round(100 * carryover / nullif(total_budget, 0), 2) as carryover_share_pct,
        round(10000 * three_public / nullif(total_budget, 0), 2) as three_public_per_10k,
        round(100 * secret_project_amount / nullif(gpb_project, 0), 2) as secret_share_pct,
        n_checks_failed,
        row_number() over (partition by year order by total_budget desc nulls last, doc_id) as rank_total_budget
    from documents
),

final as (
    select
        *,
        case when three_public_per_10k is not null then
            rank() over (partition by year, kind order by three_public_per_10k desc nulls last)
        end as three_public_rank,
        count(three_public_per_10k) over (partition by year, kind) as n_comparable
    from ratios
)

select * from final
order by doc_id
