-- +goose Up
-- Appointments (预约+错峰, issue 4, R10): a resident (through the contact
-- card's QR page) or a staff member (on the phone) books an evening or
-- weekend slot of the household's grid. slot_start and slot_end are UTC
-- instants; phone is sealed like household phones (internal/secret) and may
-- be ''. client_hash is a keyed hash of the address a public booking came
-- from, for the rate limit; staff bookings leave it ''. At most one booking
-- per household is open (state 'booked'); a visit on the day closes it
-- ('done' with the visit, or 'missed' when nobody was home), and one whose
-- slot ended more than a day before without a visit is marked 'missed'.
-- Keep in step with ../postgres/00009_appointments.sql: a test compares the two.
CREATE TABLE appointments (
    id              INTEGER PRIMARY KEY,
    household_id    INTEGER NOT NULL REFERENCES households(id),
    grid_id         INTEGER NOT NULL REFERENCES org_units(id),
    team_member_id  INTEGER REFERENCES team_members(id),
    slot_start      TIMESTAMP NOT NULL,
    slot_end        TIMESTAMP NOT NULL,
    slot_kind       TEXT NOT NULL CHECK (slot_kind IN ('evening','weekend')),
    phone           TEXT NOT NULL DEFAULT '',
    booked_via      TEXT NOT NULL CHECK (booked_via IN ('qr','staff')),
    booked_by       TEXT NOT NULL DEFAULT '',
    client_hash     TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL DEFAULT 'booked' CHECK (state IN ('booked','done','missed','cancelled')),
    visit_id        INTEGER REFERENCES visits(id),
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX appointments_open ON appointments(household_id) WHERE state = 'booked';
CREATE INDEX appointments_household ON appointments(household_id, created_at);
CREATE INDEX appointments_grid_slot ON appointments(grid_id, slot_start);
CREATE INDEX appointments_member_slot ON appointments(team_member_id, slot_start);
CREATE INDEX appointments_state_end ON appointments(state, slot_end);
CREATE INDEX appointments_client ON appointments(client_hash, created_at);

-- +goose Down
DROP TABLE appointments;
