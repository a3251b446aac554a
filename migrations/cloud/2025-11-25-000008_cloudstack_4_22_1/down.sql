ALTER TABLE `usage_event` DROP COLUMN `vm_id`;
