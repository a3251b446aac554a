-- CloudStack 4.22.1 (schema-42200to42210): usage events name the VM a volume event belongs to.
ALTER TABLE `usage_event`
  ADD COLUMN `vm_id` bigint(20) unsigned NULL DEFAULT NULL COMMENT 'VM ID associated with volume usage events';
