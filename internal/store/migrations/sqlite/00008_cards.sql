-- +goose Up
-- Contact cards (走访联系卡, issue 4): each household gets one random token
-- the first time a card is printed for it. The card's QR code opens the
-- public appointment page /a/{token}, which knows the household by it and
-- shows nothing personal. Printed cards stay valid: a token never changes.
-- Keep in step with ../postgres/00008_cards.sql: a test compares the two.
CREATE TABLE card_tokens (
    household_id  INTEGER PRIMARY KEY REFERENCES households(id),
    token         TEXT NOT NULL UNIQUE,
    created_at    TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE card_tokens;
