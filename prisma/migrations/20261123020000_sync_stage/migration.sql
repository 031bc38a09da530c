-- CreateTable
CREATE TABLE "SyncStage" (
    "syncRunId" TEXT NOT NULL,
    "resource" TEXT NOT NULL,
    "line" INTEGER NOT NULL,
    "shop" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "parentId" TEXT,
    "data" TEXT NOT NULL,

    CONSTRAINT "SyncStage_pkey" PRIMARY KEY ("syncRunId","resource","line")
);

-- CreateIndex
CREATE INDEX "SyncStage_syncRunId_resource_kind_line_idx" ON "SyncStage"("syncRunId", "resource", "kind", "line");

-- CreateIndex
CREATE INDEX "SyncStage_syncRunId_resource_parentId_idx" ON "SyncStage"("syncRunId", "resource", "parentId");
