-- 0014: the edition of the reading plan each cohort's outbox was last set against
-- (domain.syllabus Plan.edition; scheduling/plan_change.py). A start whose plan is the edition
-- every active cohort has needs to read no cohort's outbox; NULL: not set against one yet.
ALTER TABLE cohorts ADD COLUMN plan_edition TEXT;
