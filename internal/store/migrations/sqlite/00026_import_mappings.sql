-- +goose Up
-- Column mappings of the household import (issue 12): a header the
-- importer does not recognise by itself, mapped by a user of a community
-- to a field ("户主电话" → phone; "" ignores the column), kept per community
-- and reused by its next imports (internal/importer).
-- Keep in step with ../postgres/00026_import_mappings.sql: a test compares the two.
CREATE TABLE import_mappings (
    community_id  INTEGER NOT NULL REFERENCES org_units(id),
    header        TEXT NOT NULL,
    field         TEXT NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (community_id, header)
);

-- +goose Down
DROP TABLE import_mappings;
