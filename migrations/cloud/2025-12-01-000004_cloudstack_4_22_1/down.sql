-- Back to CloudStack 4.22.0: the column as 4.22.0 has it (shared/cloudstack-schema/full).
DELETE FROM `version` WHERE `version` = '4.22.1.0';
ALTER TABLE `backups` ADD COLUMN `backup_interval_type` int(5) DEFAULT NULL COMMENT 'type of backup, e.g. manual, recurring - hourly, daily, weekly or monthly' AFTER `description`;
ALTER TABLE `usage_event` DROP COLUMN `vm_id`;
