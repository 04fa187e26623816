-- Version 13: the access log's entries by disclosed set and then grant, instead of by set alone,
-- so that the grants a set went to are found one index step per grant (erasure's notices),
-- not by reading every entry of the set: a page a vendor polls all year is one set in a million
-- entries. The index holds as many entries as the one it replaces, each a small integer longer.
DROP INDEX access_entries_by_set;
CREATE INDEX access_entries_by_set_and_grant ON access_entries (disclosed_set, grant_id)
    WHERE disclosed_set IS NOT NULL;
