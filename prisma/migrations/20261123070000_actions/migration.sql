-- CreateTable
CREATE TABLE "Action" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "target" JSONB NOT NULL,
    "startsAt" TIMESTAMPTZ(3) NOT NULL,
    "endsAt" TIMESTAMPTZ(3),
    "metric" TEXT NOT NULL,
    "goalValue" DOUBLE PRECISION NOT NULL,
    "goalDirection" TEXT NOT NULL,
    "evaluationDays" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'planned',
    "note" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastEvaluation" JSONB,
    "evaluatedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Action_pkey" PRIMARY KEY ("shop","id")
);

-- CreateIndex
CREATE INDEX "Action_shop_createdAt_idx" ON "Action"("shop", "createdAt");

-- AddForeignKey
ALTER TABLE "Action" ADD CONSTRAINT "Action_shop_fkey" FOREIGN KEY ("shop") REFERENCES "Shop"("domain") ON DELETE CASCADE ON UPDATE CASCADE;

