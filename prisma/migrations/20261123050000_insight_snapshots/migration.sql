-- CreateTable
CREATE TABLE "InsightSnapshot" (
    "shop" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "computedAt" TIMESTAMPTZ(3) NOT NULL,
    "asOf" TIMESTAMPTZ(3) NOT NULL,
    "summary" JSONB NOT NULL,
    "data" JSONB NOT NULL,

    CONSTRAINT "InsightSnapshot_pkey" PRIMARY KEY ("shop","kind")
);

-- AddForeignKey
ALTER TABLE "InsightSnapshot" ADD CONSTRAINT "InsightSnapshot_shop_fkey" FOREIGN KEY ("shop") REFERENCES "Shop"("domain") ON DELETE CASCADE ON UPDATE CASCADE;

