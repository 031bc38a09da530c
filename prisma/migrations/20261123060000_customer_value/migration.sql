-- CreateTable
CREATE TABLE "CustomerScore" (
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "computedAt" TIMESTAMPTZ(3) NOT NULL,
    "orders" INTEGER NOT NULL,
    "x" INTEGER NOT NULL,
    "tx" DOUBLE PRECISION NOT NULL,
    "age" DOUBLE PRECISION NOT NULL,
    "totalSpend" BIGINT NOT NULL,
    "meanRepeatSpend" BIGINT NOT NULL,
    "pAlive" DOUBLE PRECISION,
    "expectedPurchases" DOUBLE PRECISION,
    "clv" BIGINT,
    "rfmRecency" INTEGER,
    "rfmFrequency" INTEGER,
    "rfmMonetary" INTEGER,
    "rfmGroup" TEXT NOT NULL,

    CONSTRAINT "CustomerScore_pkey" PRIMARY KEY ("shop","customerId")
);

-- CreateTable
CREATE TABLE "MarketingSpend" (
    "shop" TEXT NOT NULL,
    "month" TEXT NOT NULL,
    "channel" TEXT NOT NULL DEFAULT 'all',
    "amount" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,

    CONSTRAINT "MarketingSpend_pkey" PRIMARY KEY ("shop","month","channel")
);

-- CreateIndex
CREATE INDEX "CustomerScore_shop_rfmGroup_idx" ON "CustomerScore"("shop", "rfmGroup");

-- AddForeignKey
ALTER TABLE "CustomerScore" ADD CONSTRAINT "CustomerScore_shop_customerId_fkey" FOREIGN KEY ("shop", "customerId") REFERENCES "Customer"("shop", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MarketingSpend" ADD CONSTRAINT "MarketingSpend_shop_fkey" FOREIGN KEY ("shop") REFERENCES "Shop"("domain") ON DELETE CASCADE ON UPDATE CASCADE;

