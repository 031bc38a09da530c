-- AlterTable
ALTER TABLE "Job" ADD COLUMN     "retryBackoff" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "retryDelay" INTEGER NOT NULL DEFAULT 5,
ADD COLUMN     "singletonKey" TEXT;

-- CreateTable
CREATE TABLE "CustomerDataExport" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "dataRequestId" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "data" JSONB NOT NULL,

    CONSTRAINT "CustomerDataExport_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RedactedCustomer" (
    "shop" TEXT NOT NULL,
    "customerHash" TEXT NOT NULL,
    "redactedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RedactedCustomer_pkey" PRIMARY KEY ("shop","customerHash")
);

-- CreateIndex
CREATE INDEX "CustomerDataExport_shop_createdAt_idx" ON "CustomerDataExport"("shop", "createdAt");

-- CreateIndex
CREATE INDEX "CustomerDataExport_shop_customerId_idx" ON "CustomerDataExport"("shop", "customerId");

-- CreateIndex
CREATE INDEX "Job_name_status_runAt_idx" ON "Job"("name", "status", "runAt");

-- AddForeignKey
ALTER TABLE "CustomerDataExport" ADD CONSTRAINT "CustomerDataExport_shop_fkey" FOREIGN KEY ("shop") REFERENCES "Shop"("domain") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RedactedCustomer" ADD CONSTRAINT "RedactedCustomer_shop_fkey" FOREIGN KEY ("shop") REFERENCES "Shop"("domain") ON DELETE CASCADE ON UPDATE CASCADE;

