-- CloudStack 4.22.1 (its upgrade step schema-42200to42210), as the schema facts describe it
-- (shared/cloudstack-schema/NOTES.md): the usage server's copy of the usage events and a
-- volume's usage name the VM. `cloud_usage` keeps no version rows; `cloud` says 4.22.1.0.
ALTER TABLE `usage_event` ADD COLUMN `vm_id` bigint(20) unsigned NULL DEFAULT NULL;
ALTER TABLE `usage_volume` ADD COLUMN `vm_id` bigint(20) unsigned NULL DEFAULT NULL;
