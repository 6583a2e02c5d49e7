-- A frame claimed by an instance that dies before it processed the frame is not lost (issue 21,
-- docs/deployment.md layout 3, "Frames across instances"). The owner marks its claim settled in
-- the transaction that stores the frame (or records its rejection); the instances that lost the
-- claim keep their copies until they see the mark, and take the claim over (and process the
-- frame themselves) when the owner's instance lock is gone (schema/frame_claims.h).
-- The SQLite dialect has the same column, unused there (one uchetd holds an SQLite file).
ALTER TABLE frame_claim ADD COLUMN settled INTEGER NOT NULL DEFAULT 0;
