-- +goose Up
-- Issue 15: the reports over a period (the team's hours, the scorecards,
-- visits by visitor) count each member's visits in a period, and neither
-- visits by time nor a member's visits had an index: each report read
-- every visit of a city and sorted them by member (4.7 s for a year at a
-- million households). A visitor's row now carries its visit's time, so a
-- member's visits of a period are one range of visit_visitors_member.
-- Keep in step with ../sqlite/00050_visits_by_time_and_visitor.sql: a test compares the two.
ALTER TABLE visit_visitors ADD COLUMN at TIMESTAMPTZ;
UPDATE visit_visitors SET at = v.at FROM visits v WHERE v.id = visit_visitors.visit_id;
ALTER TABLE visit_visitors ALTER COLUMN at SET NOT NULL;
CREATE INDEX visit_visitors_member ON visit_visitors(team_member_id, at);
CREATE INDEX visits_at ON visits(at);

-- +goose Down
DROP INDEX visits_at;
DROP INDEX visit_visitors_member;
ALTER TABLE visit_visitors DROP COLUMN at;
