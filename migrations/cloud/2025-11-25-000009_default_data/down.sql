DELETE FROM `version` WHERE `version` IN ('4.0.0', '4.22.0.0');
DELETE FROM `sequence` WHERE `name` IN ('vm_instance_seq', 'volume_seq', 'vm_template_seq', 'networks_seq',
  'physical_networks_seq', 'storage_pool_seq', 'checkpoint_seq', 'private_mac_address_seq', 'public_mac_address_seq');
DELETE FROM `vm_template` WHERE `id` BETWEEN 1 AND 12;
DELETE FROM `service_offering` WHERE `id` IN (1, 2);
DELETE FROM `disk_offering` WHERE `id` BETWEEN 1 AND 7;
DELETE FROM `user` WHERE `id` IN (1, 2);
DELETE FROM `account` WHERE `id` IN (1, 2);
DELETE FROM `role_permissions` WHERE `role_id` = 1 AND `rule` = '*';
DELETE FROM `roles` WHERE `id` BETWEEN 1 AND 8;
DELETE FROM `domain` WHERE `id` = 1;
