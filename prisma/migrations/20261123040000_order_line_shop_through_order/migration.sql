-- OrderLine reaches its shop through its order, whose key includes the shop and whose deletion cascades to its lines.
-- Its own foreign key to Shop only doubled the constraint checks on every line a sync writes.
ALTER TABLE "OrderLine" DROP CONSTRAINT "OrderLine_shop_fkey";
