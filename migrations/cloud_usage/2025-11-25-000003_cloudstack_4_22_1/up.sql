-- CloudStack 4.22.1 (schema-42200to42210): a volume's usage names the VM it was attached to.
ALTER TABLE `usage_volume`
  ADD COLUMN `vm_id` bigint(20) unsigned NULL DEFAULT NULL COMMENT 'VM ID associated with the volume usage';
