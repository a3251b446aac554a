ALTER TABLE `usage_volume` DROP COLUMN `vm_id`;
ALTER TABLE `usage_event` DROP COLUMN `vm_id`;
