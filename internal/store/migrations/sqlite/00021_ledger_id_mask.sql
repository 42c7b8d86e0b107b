-- +goose Up
-- Issue 11: the ledger kept ID numbers masked as 6+4 ("630105********7278"),
-- which the birth date shown beside them turns back into the whole number.
-- Mask them again as internal/pii.MaskIDNumber does now: the province only,
-- or nothing for Hong Kong, Macao and Taiwan codes and any other length.
-- Keep in step with the other engine's 00021_ledger_id_mask.sql.
UPDATE ledger_events SET
    before = CASE
        WHEN before = '' THEN ''
        WHEN length(before) = 18 AND substr(before, 1, 2) NOT IN ('71', '81', '82', '83')
            THEN substr(before, 1, 2) || '****************'
        ELSE substr('******************', 1, length(before)) END,
    after = CASE
        WHEN after = '' THEN ''
        WHEN length(after) = 18 AND substr(after, 1, 2) NOT IN ('71', '81', '82', '83')
            THEN substr(after, 1, 2) || '****************'
        ELSE substr('******************', 1, length(after)) END
WHERE field = 'id_number';

-- +goose Down
-- The digits the old mask showed are gone; nothing to restore.
SELECT 1;
