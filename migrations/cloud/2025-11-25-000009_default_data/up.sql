-- The rows a fresh CloudStack 4.22 install has (NOTES.md section 5).
-- Times are UTC. The admin user is inserted disabled with an unusable password, as CloudStack's
-- first start does; cloudstack_db::seed::enable_default_admin then sets the PBKDF2 hash of
-- 'password' and enables it, as CloudStack's ManagementServerImpl.enableAdminUser does.

INSERT INTO `domain` (`id`, `parent`, `name`, `uuid`, `owner`, `path`, `level`, `child_count`,
                      `next_child_seq`, `created`, `state`, `type`)
VALUES (1, NULL, 'ROOT', UUID(), 2, '/', 0, 0, 1, NULL, 'Active', 'Normal');

INSERT INTO `roles` (`id`, `uuid`, `name`, `role_type`, `description`, `is_default`, `public_role`, `state`)
VALUES (1, UUID(), 'Root Admin', 'Admin', 'Default root admin role', 1, 1, 'enabled'),
       (2, UUID(), 'Resource Admin', 'ResourceAdmin', 'Default resource admin role', 1, 1, 'enabled'),
       (3, UUID(), 'Domain Admin', 'DomainAdmin', 'Default domain admin role', 1, 1, 'enabled'),
       (4, UUID(), 'User', 'User', 'Default user role', 1, 1, 'enabled'),
       (5, UUID(), 'Read-Only Admin - Default', 'Admin', 'Default read-only admin role', 1, 1, 'enabled'),
       (6, UUID(), 'Read-Only User - Default', 'User', 'Default read-only user role', 1, 1, 'enabled'),
       (7, UUID(), 'Support Admin - Default', 'Admin', 'Default support admin role', 1, 1, 'enabled'),
       (8, UUID(), 'Support User - Default', 'User', 'Default support user role', 1, 1, 'enabled');

INSERT INTO `role_permissions` (`uuid`, `role_id`, `rule`, `permission`, `sort_order`)
VALUES (UUID(), 1, '*', 'ALLOW', 0);

INSERT INTO `account` (`id`, `account_name`, `uuid`, `type`, `role_id`, `domain_id`, `state`, `created`, `default`)
VALUES (1, 'system', UUID(), 1, 1, 1, 'enabled', UTC_TIMESTAMP(), 1),
       (2, 'admin', UUID(), 1, 1, 1, 'enabled', UTC_TIMESTAMP(), 1);

INSERT INTO `user` (`id`, `uuid`, `username`, `password`, `account_id`, `firstname`, `lastname`, `state`,
                    `created`, `default`)
VALUES (1, UUID(), 'system', CAST(RAND() AS CHAR), 1, 'system', 'cloud', 'enabled', UTC_TIMESTAMP(), 1),
       (2, UUID(), 'admin', CAST(RAND() AS CHAR), 2, 'admin', 'cloud', 'disabled', UTC_TIMESTAMP(), 1);

-- Default offerings (ConfigurationServerImpl.persistDefaultValues, in its order): each service
-- offering owns a compute-only disk offering created just before it; then the disk offerings
-- Small, Medium, Large (created twice by CloudStack) and Custom. Sizes are bytes.
INSERT INTO `disk_offering` (`id`, `name`, `uuid`, `display_text`, `disk_size`, `customized`, `created`,
                             `state`, `provisioning_type`, `compute_only`)
VALUES (1, 'Small Instance', UUID(), 'Small Instance', 0, 0, UTC_TIMESTAMP(), 'Active', 'thin', 1),
       (2, 'Medium Instance', UUID(), 'Medium Instance', 0, 0, UTC_TIMESTAMP(), 'Active', 'thin', 1),
       (3, 'Small', UUID(), 'Small Disk, 5 GB', 5368709120, 0, UTC_TIMESTAMP(), 'Active', 'thin', 0),
       (4, 'Medium', UUID(), 'Medium Disk, 20 GB', 21474836480, 0, UTC_TIMESTAMP(), 'Active', 'thin', 0),
       (5, 'Large', UUID(), 'Large Disk, 100 GB', 107374182400, 0, UTC_TIMESTAMP(), 'Active', 'thin', 0),
       (6, 'Large', UUID(), 'Large Disk, 100 GB', 107374182400, 0, UTC_TIMESTAMP(), 'Active', 'thin', 0),
       (7, 'Custom', UUID(), 'Custom Disk', 0, 1, UTC_TIMESTAMP(), 'Active', 'thin', 0);

INSERT INTO `service_offering` (`id`, `cpu`, `speed`, `ram_size`, `nw_rate`, `mc_rate`, `uuid`, `name`,
                                `display_text`, `created`, `state`, `disk_offering_id`)
VALUES (1, 1, 500, 512, NULL, NULL, UUID(), 'Small Instance', 'Small Instance', UTC_TIMESTAMP(), 'Active', 1),
       (2, 1, 1000, 1024, NULL, NULL, UUID(), 'Medium Instance', 'Medium Instance', UTC_TIMESTAMP(), 'Active', 2);

-- Templates after all upgrades: SYSTEM ones private, BUILTIN ones public and featured; id 2 removed.
INSERT INTO `vm_template` (`id`, `unique_name`, `name`, `uuid`, `public`, `featured`, `type`, `hvm`, `bits`,
                           `format`, `created`, `removed`, `account_id`, `display_text`, `guest_os_id`,
                           `cross_zones`, `hypervisor_type`, `state`)
VALUES (1, 'routing-1', 'SystemVM Template (XenServer)', UUID(), 0, 0, 'SYSTEM', 0, 64, 'VHD', UTC_TIMESTAMP(), NULL, 1, 'SystemVM Template (XenServer)', 99, 1, 'XenServer', 'Active'),
       (2, 'centos53-x86_64', 'CentOS 5.3(64-bit) no GUI (XenServer)', UUID(), 1, 1, 'BUILTIN', 1, 64, 'VHD', UTC_TIMESTAMP(), UTC_TIMESTAMP(), 1, 'CentOS 5.3(64-bit) no GUI (XenServer)', 12, 1, 'XenServer', 'Inactive'),
       (3, 'routing-3', 'SystemVM Template (KVM)', UUID(), 0, 0, 'SYSTEM', 0, 64, 'QCOW2', UTC_TIMESTAMP(), NULL, 1, 'SystemVM Template (KVM)', 15, 1, 'KVM', 'Active'),
       (4, 'centos55-x86_64', 'CentOS 5.5(64-bit) no GUI (KVM)', UUID(), 1, 1, 'BUILTIN', 1, 64, 'QCOW2', UTC_TIMESTAMP(), NULL, 1, 'CentOS 5.5(64-bit) no GUI (KVM)', 112, 1, 'KVM', 'Active'),
       (5, 'centos56-x86_64-xen', 'CentOS 5.6(64-bit) no GUI (XenServer)', UUID(), 1, 1, 'BUILTIN', 1, 64, 'VHD', UTC_TIMESTAMP(), NULL, 1, 'CentOS 5.6(64-bit) no GUI (XenServer)', 142, 1, 'XenServer', 'Active'),
       (6, 'centos64-x64', 'CentOS 6.4(64-bit) GUI (Hyperv)', UUID(), 1, 1, 'BUILTIN', 1, 64, 'VHD', UTC_TIMESTAMP(), NULL, 1, 'CentOS 6.4(64-bit) GUI (Hyperv)', 182, 1, 'Hyperv', 'Active'),
       (7, 'centos53-x64', 'CentOS 5.3(64-bit) no GUI (vSphere)', UUID(), 1, 1, 'BUILTIN', 1, 64, 'OVA', UTC_TIMESTAMP(), NULL, 1, 'CentOS 5.3(64-bit) no GUI (vSphere)', 12, 1, 'VMware', 'Active'),
       (8, 'routing-8', 'SystemVM Template (vSphere)', UUID(), 0, 0, 'SYSTEM', 0, 64, 'OVA', UTC_TIMESTAMP(), NULL, 1, 'SystemVM Template (vSphere)', 99, 1, 'VMware', 'Active'),
       (9, 'routing-9', 'SystemVM Template (HyperV)', UUID(), 0, 0, 'SYSTEM', 0, 64, 'VHD', UTC_TIMESTAMP(), NULL, 1, 'SystemVM Template (HyperV)', 15, 1, 'Hyperv', 'Active'),
       (10, 'routing-10', 'SystemVM Template (LXC)', UUID(), 0, 0, 'SYSTEM', 0, 64, 'QCOW2', UTC_TIMESTAMP(), NULL, 1, 'SystemVM Template (LXC)', 15, 1, 'LXC', 'Active'),
       (11, 'centos7-x86_64-lxc', 'CentOS 7(64-bit) no GUI (LXC)', UUID(), 1, 1, 'BUILTIN', 1, 64, 'TAR', UTC_TIMESTAMP(), NULL, 1, 'CentOS 7(64-bit) no GUI (LXC)', 246, 1, 'LXC', 'Active'),
       (12, 'routing-12', 'SystemVM Template (Ovm3)', UUID(), 0, 0, 'SYSTEM', 0, 64, 'RAW', UTC_TIMESTAMP(), NULL, 1, 'SystemVM Template (Ovm3)', 183, 1, 'Ovm3', 'Active');

-- Id sequences (SequenceFetcher): user templates and networks start at 200.
INSERT INTO `sequence` (`name`, `value`)
VALUES ('vm_instance_seq', 1), ('volume_seq', 1), ('vm_template_seq', 200), ('networks_seq', 200),
       ('physical_networks_seq', 200), ('storage_pool_seq', 200), ('checkpoint_seq', 1),
       ('private_mac_address_seq', 1), ('public_mac_address_seq', 1);

-- Schema version: create-schema.sql writes 4.0.0, the upgrades end at 4.22.0.0.
INSERT INTO `version` (`version`, `updated`, `step`)
VALUES ('4.0.0', UTC_TIMESTAMP(), 'Complete'), ('4.22.0.0', UTC_TIMESTAMP(), 'Complete');
