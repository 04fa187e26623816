-- Version 7: a proposal that matches a tombstone is answered as if it were accepted (so a
-- vendor cannot test what the person erased) and dropped. Each drop holds one of its grant's
-- pending-proposal places until the proposal would have expired, exactly as a kept proposal
-- would; no text is stored.
CREATE TABLE dropped_proposals (
    grant_id TEXT NOT NULL,
    until TEXT NOT NULL
) STRICT;
CREATE INDEX dropped_proposals_by_grant ON dropped_proposals (grant_id, until);

-- The browser origin of the web page that filed a grant request (NULL for a native caller), shown
-- to the person beside what the request claims.
ALTER TABLE grant_requests ADD COLUMN web_origin TEXT;
CREATE INDEX grant_requests_by_web_origin ON grant_requests (web_origin, status) WHERE web_origin IS NOT NULL;
