-- +goose Up
-- Photos of a visit (issue 4): optional, never proof of work. Kept in the
-- database, so a city's several servers and a community's one backup file
-- hold them alike; re-encoded on the way in, which drops what a phone
-- writes into them (where it was taken).
-- Keep in step with ../postgres/00012_visit_photos.sql: a test compares the two.
CREATE TABLE visit_photos (
    id            INTEGER PRIMARY KEY,
    visit_id      INTEGER NOT NULL REFERENCES visits(id),
    content_type  TEXT NOT NULL,
    size          INTEGER NOT NULL,
    data          BLOB NOT NULL,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX visit_photos_visit ON visit_photos(visit_id, id);

-- +goose Down
DROP TABLE visit_photos;
