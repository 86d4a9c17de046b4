-- Each department-year's expenditure by function class (类), from table 3
-- (部门支出总体情况表), with its share of the department's total and its rank.
with classes as (
    select
        doc_id,
        code as class_code,
        min(name) as class_name,
        sum(amount) filter (where measure = 'total') as total,
        sum(amount) filter (where measure = 'basic') as basic,
        sum(amount) filter (where measure = 'project') as project
    from function_lines
    where table_key = 'expenditure' and level = '类'
    group by doc_id, code
),

final as (
    select
        c.doc_id,
        d.department,
        d.year,
        c.class_code,
        c.class_name,
        coalesce(c.total, 0) as total,
        coalesce(c.basic, 0) as basic,
        coalesce(c.project, 0) as project,
        round(100 * coalesce(c.total, 0) / nullif(sum(coalesce(c.total, 0)) over (partition by c.doc_id), 0), 2) as share_pct,
        row_number() over (partition by c.doc_id order by coalesce(c.total, 0) desc, c.class_code) as rank_in_department
    from classes as c
    join documents as d using (doc_id)
)

select * from final
order by doc_id, class_code
