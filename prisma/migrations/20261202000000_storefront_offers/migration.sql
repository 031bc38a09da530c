-- Storefront offers (ADR 019): attribution columns, storefront events, metafield publications.

-- AlterTable
ALTER TABLE "Order" ADD COLUMN     "offerArm" TEXT,
ADD COLUMN     "visitorId" TEXT;

-- AlterTable
ALTER TABLE "OrderLine" ADD COLUMN     "offerRank" TEXT,
ADD COLUMN     "offerSlot" INTEGER,
ADD COLUMN     "offerWidget" TEXT;

-- CreateTable
CREATE TABLE "StorefrontEvent" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "widget" TEXT NOT NULL,
    "arm" TEXT NOT NULL,
    "rankArm" TEXT,
    "visitorId" TEXT NOT NULL,
    "anchorId" TEXT,
    "productId" TEXT,
    "slot" INTEGER,
    "occurredAt" TIMESTAMPTZ(3) NOT NULL,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StorefrontEvent_pkey" PRIMARY KEY ("shop","id")
);

-- CreateTable
CREATE TABLE "MetafieldPublication" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "startedAt" TIMESTAMPTZ(3) NOT NULL,
    "finishedAt" TIMESTAMPTZ(3),
    "written" INTEGER NOT NULL DEFAULT 0,
    "unchanged" INTEGER NOT NULL DEFAULT 0,
    "removed" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "version" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "MetafieldPublication_pkey" PRIMARY KEY ("shop","id")
);

-- CreateTable
CREATE TABLE "PublishedMetafield" (
    "shop" TEXT NOT NULL,
    "ownerId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "digest" TEXT NOT NULL,
    "publishedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "PublishedMetafield_pkey" PRIMARY KEY ("shop","ownerId","key")
);

-- CreateIndex
CREATE INDEX "StorefrontEvent_shop_occurredAt_idx" ON "StorefrontEvent"("shop", "occurredAt");

-- CreateIndex
CREATE INDEX "StorefrontEvent_shop_widget_anchorId_type_idx" ON "StorefrontEvent"("shop", "widget", "anchorId", "type");

-- CreateIndex
CREATE INDEX "StorefrontEvent_shop_visitorId_idx" ON "StorefrontEvent"("shop", "visitorId");

-- CreateIndex
CREATE INDEX "MetafieldPublication_shop_startedAt_idx" ON "MetafieldPublication"("shop", "startedAt");

-- AddForeignKey
ALTER TABLE "StorefrontEvent" ADD CONSTRAINT "StorefrontEvent_shop_fkey" FOREIGN KEY ("shop") REFERENCES "Shop"("domain") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MetafieldPublication" ADD CONSTRAINT "MetafieldPublication_shop_fkey" FOREIGN KEY ("shop") REFERENCES "Shop"("domain") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PublishedMetafield" ADD CONSTRAINT "PublishedMetafield_shop_fkey" FOREIGN KEY ("shop") REFERENCES "Shop"("domain") ON DELETE CASCADE ON UPDATE CASCADE;
