-- +goose Up
-- Issue 15: the reports over a period (the team's hours, the scorecards,
-- visits by visitor) count each member's visits in a period, and neither
-- visits by time nor a member's visits had an index: each report read
-- every visit of a city and sorted them by member (4.7 s for a year at a
-- million households). A visitor's row now carries its visit's time, so a
-- member's visits of a period are one range of visit_visitors_member.
-- Keep in step with ../postgres/00050_visits_by_time_and_visitor.sql: a test compares the two.
CREATE TABLE visit_visitors_at (
    visit_id        INTEGER NOT NULL REFERENCES visits(id),
    team_member_id  INTEGER NOT NULL REFERENCES team_members(id),
    at              TIMESTAMP NOT NULL,
    PRIMARY KEY (visit_id, team_member_id)
);
INSERT INTO visit_visitors_at(visit_id, team_member_id, at)
    SELECT vv.visit_id, vv.team_member_id, v.at FROM visit_visitors vv JOIN visits v ON v.id = vv.visit_id;
DROP TABLE visit_visitors;
ALTER TABLE visit_visitors_at RENAME TO visit_visitors;
CREATE INDEX visit_visitors_member ON visit_visitors(team_member_id, at);
CREATE INDEX visits_at ON visits(at);
-- A database that was analyzed (a city's, by wanhu gen) would weigh the
-- new indexes, which it has no figures for, as dearer than a scan.
ANALYZE visit_visitors;
ANALYZE visits_at;

-- +goose Down
DROP INDEX visits_at;
DROP INDEX visit_visitors_member;
ALTER TABLE visit_visitors DROP COLUMN at;
