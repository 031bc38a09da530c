-- SegmentMember.atLaunch: the customer was in the segment when the publication first finished publishing, which makes
-- the campaign's intention-to-treat cohort. Set once, never changed by a leave, a rejoin or a recompute.
-- Rows of publications published before this column existed keep false (the evaluation falls back to joinedAt and leftAt).
ALTER TABLE "SegmentMember" ADD COLUMN "atLaunch" BOOLEAN NOT NULL DEFAULT false;
