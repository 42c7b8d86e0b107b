-- +goose Up
-- Issue 14: finding people (internal/household/search.go).
--
-- Derived search forms, written by every save of a person or household
-- and filled in for older rows by household.FillSearchForms at start-up
-- (cmd/wanhu sealLeftovers, whenever the database is opened with its key file;
-- it needs the key to open the phones; NULL means "not derived yet"):
--
-- persons.name_pinyin and persons.name_initials are the pinyin of the name
-- without tones or spaces ("wangxiulan") and its initials ("wxl"),
-- searched by prefix like the name.
--
-- persons.phone_tail_hash and households.phone_tail_hash are the keyed
-- hash (the index key, as phone_hash) of the last four digits of the phone,
-- set only when the masked phone shows those four digits (mobiles), so a
-- search by them tells a reader nothing the list does not show. No phone
-- is stored in clear.
-- Keep in step with ../postgres/00030_search_forms.sql: a test compares the two.
ALTER TABLE persons ADD COLUMN name_pinyin TEXT;
ALTER TABLE persons ADD COLUMN name_initials TEXT;
ALTER TABLE persons ADD COLUMN phone_tail_hash TEXT;
ALTER TABLE households ADD COLUMN phone_tail_hash TEXT;

CREATE INDEX persons_name_pinyin ON persons(name_pinyin, household_id);
CREATE INDEX persons_name_initials ON persons(name_initials, household_id);
CREATE INDEX persons_phone_tail_hash ON persons(phone_tail_hash);
CREATE INDEX households_phone_tail_hash ON households(phone_tail_hash);

-- +goose Down
DROP INDEX households_phone_tail_hash;
DROP INDEX persons_phone_tail_hash;
DROP INDEX persons_name_initials;
DROP INDEX persons_name_pinyin;
ALTER TABLE households DROP COLUMN phone_tail_hash;
ALTER TABLE persons DROP COLUMN phone_tail_hash;
ALTER TABLE persons DROP COLUMN name_initials;
ALTER TABLE persons DROP COLUMN name_pinyin;
