-- +goose Up
-- The default tags. Administrators may add more; key_person marks the tags
-- that put a person on the key-person roster (重点人群).
INSERT INTO tags(code, applies_to, name_zh, name_en, key_person, sort) VALUES
 ('living_alone_elderly', 'person', '独居老人', 'Elderly living alone', TRUE, 10),
 ('empty_nest_elderly', 'person', '空巢老人', 'Empty-nest elderly', TRUE, 20),
 ('disabled', 'person', '残疾人', 'Disabled', TRUE, 30),
 ('dibao', 'person', '低保', 'Dibao (minimum income)', TRUE, 40),
 ('near_dibao', 'person', '低保边缘', 'Near-dibao', TRUE, 50),
 ('unemployed', 'person', '失业人员', 'Unemployed', TRUE, 60),
 ('serious_illness', 'person', '重病患者', 'Serious illness', TRUE, 70),
 ('left_behind_child', 'person', '留守儿童', 'Left-behind child', TRUE, 80),
 ('veteran', 'person', '退役军人', 'Veteran', FALSE, 90),
 ('party_member', 'person', '党员', 'Party member', FALSE, 100),
 ('special_difficulty', 'household', '特殊困难家庭', 'Special-difficulty household', FALSE, 200),
 ('fire_safety_focus', 'household', '消防重点', 'Fire-safety focus', FALSE, 210);

-- +goose Down
DELETE FROM tags;
