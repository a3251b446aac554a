ALTER TABLE `usage_volume` DROP COLUMN `vm_id`;
