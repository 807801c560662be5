-- CreateTable
CREATE TABLE "RunCheckpoint" (
    "syncRunId" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "cursorMs" BIGINT NOT NULL,
    "done" BOOLEAN NOT NULL DEFAULT false,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RunCheckpoint_pkey" PRIMARY KEY ("syncRunId","key")
);

-- AddForeignKey
ALTER TABLE "RunCheckpoint" ADD CONSTRAINT "RunCheckpoint_syncRunId_fkey" FOREIGN KEY ("syncRunId") REFERENCES "SyncRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;
