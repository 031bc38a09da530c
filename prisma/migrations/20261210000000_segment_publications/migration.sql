-- Segments to Shopify (issue 12): publications of app segments as tagged Shopify customer segments, their members with
-- a sticky randomized holdout, and bundle discounts limited to customer segments.

-- AlterTable
ALTER TABLE "BundleDiscount" ADD COLUMN "segmentIds" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateTable
CREATE TABLE "SegmentPublication" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "definition" JSONB NOT NULL,
    "name" TEXT NOT NULL,
    "tag" TEXT NOT NULL,
    "holdoutTag" TEXT,
    "holdoutShare" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "segmentId" TEXT,
    "holdoutSegmentId" TEXT,
    "actionId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'PUBLISHING',
    "membersWanted" INTEGER NOT NULL DEFAULT 0,
    "tagsDone" INTEGER NOT NULL DEFAULT 0,
    "tagsTotal" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "publishedAt" TIMESTAMPTZ(3),
    "unpublishedAt" TIMESTAMPTZ(3),

    CONSTRAINT "SegmentPublication_pkey" PRIMARY KEY ("shop","id")
);

-- CreateTable
CREATE TABLE "SegmentMember" (
    "shop" TEXT NOT NULL,
    "publicationId" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "holdout" BOOLEAN NOT NULL,
    "wanted" BOOLEAN NOT NULL,
    "tagged" BOOLEAN NOT NULL DEFAULT false,
    "joinedAt" TIMESTAMPTZ(3) NOT NULL,
    "leftAt" TIMESTAMPTZ(3),

    CONSTRAINT "SegmentMember_pkey" PRIMARY KEY ("shop","publicationId","customerId")
);

-- CreateIndex
CREATE UNIQUE INDEX "SegmentPublication_shop_tag_key" ON "SegmentPublication"("shop", "tag");

-- CreateIndex
CREATE INDEX "SegmentPublication_shop_status_idx" ON "SegmentPublication"("shop", "status");

-- CreateIndex
CREATE INDEX "SegmentMember_shop_publicationId_wanted_tagged_idx" ON "SegmentMember"("shop", "publicationId", "wanted", "tagged");

-- CreateIndex
CREATE INDEX "SegmentMember_shop_customerId_idx" ON "SegmentMember"("shop", "customerId");

-- AddForeignKey
ALTER TABLE "SegmentPublication" ADD CONSTRAINT "SegmentPublication_shop_fkey" FOREIGN KEY ("shop") REFERENCES "Shop"("domain") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SegmentMember" ADD CONSTRAINT "SegmentMember_shop_publicationId_fkey" FOREIGN KEY ("shop", "publicationId") REFERENCES "SegmentPublication"("shop", "id") ON DELETE CASCADE ON UPDATE CASCADE;
