-- All departments together: expenditure by year and function class (类).
with by_class as (
    select
        year,
        class_code,
        min(class_name) as class_name,
        count(distinct doc_id) as n_departments,
        sum(total) as total
    from function_class_totals
    group by year, class_code
),

final as (
    select
        year,
        class_code,
        class_name,
        n_departments,
        round(total, 2) as total,
        round(100 * total / nullif(sum(total) over (partition by year), 0), 2) as share_pct,
        row_number() over (partition by year order by total desc, class_code) as rank
    from by_class
)

select * from final
order by year, rank
