-- Version 10: a disclosure set's members packed into one blob (`set_pack`: the belief numbers in
-- ascending order, each a varint distance from the one before) instead of a row and an index
-- entry per member, so that a read disclosing a new set of a hundred beliefs stores about a
-- hundred bytes of members instead of two index entries per belief. "Who received this belief"
-- scans the sets with `set_has`. The view `disclosures` goes; the code reads the sets itself.
ALTER TABLE disclosure_sets ADD COLUMN members BLOB NOT NULL DEFAULT x'';
UPDATE disclosure_sets SET members = coalesce(
    (SELECT set_pack(m.n) FROM disclosure_set_members m WHERE m.set_id = disclosure_sets.id), x'');
DROP VIEW disclosures;
DROP TABLE disclosure_set_members;
