-- Bundle discounts (issue 12): a bundle launched as a native Shopify buy X get Y discount, one row per launch.

-- CreateTable
CREATE TABLE "BundleDiscount" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "actionId" TEXT,
    "kind" TEXT NOT NULL,
    "code" TEXT,
    "discountId" TEXT,
    "title" TEXT NOT NULL,
    "anchorProductIds" TEXT[],
    "addOnProductIds" TEXT[],
    "percentOff" INTEGER NOT NULL,
    "startsAt" TIMESTAMPTZ(3) NOT NULL,
    "endsAt" TIMESTAMPTZ(3),
    "combinesWith" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "lastError" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "BundleDiscount_pkey" PRIMARY KEY ("shop","id")
);

-- CreateIndex
CREATE UNIQUE INDEX "BundleDiscount_shop_idempotencyKey_key" ON "BundleDiscount"("shop", "idempotencyKey");

-- CreateIndex
CREATE INDEX "BundleDiscount_shop_status_idx" ON "BundleDiscount"("shop", "status");

-- AddForeignKey
ALTER TABLE "BundleDiscount" ADD CONSTRAINT "BundleDiscount_shop_fkey" FOREIGN KEY ("shop") REFERENCES "Shop"("domain") ON DELETE CASCADE ON UPDATE CASCADE;
