-- CreateIndex
CREATE INDEX "ExemptionRequest_decidedAt_idx" ON "ExemptionRequest"("decidedAt");
