-- The minimum detectable effect an action was recorded with (ADR 023): value, window days, level, power, blocks
ALTER TABLE "Action" ADD COLUMN "plannedPower" JSONB;
