-- CloudStack 4.22.1 (its upgrade step schema-42200to42210), as the schema facts describe it
-- (shared/cloudstack-schema/NOTES.md and full/NOTES.md): usage events name the VM a volume
-- event belongs to, and backups lose their interval type. The version row is written last, as
-- CloudStack's upgrade records a step it has finished (the newest row is the version).
ALTER TABLE `usage_event` ADD COLUMN `vm_id` bigint(20) unsigned NULL DEFAULT NULL;
ALTER TABLE `backups` DROP COLUMN `backup_interval_type`;
INSERT INTO `version` (`version`, `updated`, `step`) VALUES ('4.22.1.0', UTC_TIMESTAMP(), 'Complete');
