-- +goose Up
-- Issue 15: the reports over a period (visits by visitor, the team's hours,
-- the scorecards) select visits by time, and a member's own hours and
-- counts select their visits by member. Neither had an index, so each read
-- every visit of a city (millions of rows at a million households).
-- Keep in step with ../postgres/00050_visits_by_time_and_visitor.sql: a test compares the two.
CREATE INDEX visits_at ON visits(at);
CREATE INDEX visit_visitors_member ON visit_visitors(team_member_id, visit_id);
-- A database that was analyzed (a city's, by wanhu gen) would weigh the
-- new indexes, which it has no figures for, as dearer than a scan.
ANALYZE visits_at;
ANALYZE visit_visitors_member;

-- +goose Down
DROP INDEX visit_visitors_member;
DROP INDEX visits_at;
