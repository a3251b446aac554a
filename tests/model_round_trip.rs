//! Every table: insert a row with every column set, read it back, and get exactly what was
//! written (ids, enums, UTC times, UUIDs, integer booleans, secrets, 4-byte UTF-8 where the
//! column is utf8mb4).
//! One test per table. Written from the schema facts by a one-off generator, then kept by hand.

mod common;

use chrono::{DateTime, TimeZone, Utc};
use cloudstack_db::Database;
use cloudstack_db::Secret;
use cloudstack_db::catalog::AllocationState;
use cloudstack_db::catalog::CpuArch;
use cloudstack_db::catalog::DiskCacheMode;
use cloudstack_db::catalog::TemplateState;
use cloudstack_db::catalog::TemplateType;
use cloudstack_db::catalog::UserDataOverridePolicy;
use cloudstack_db::catalog::ZoneNetworkType;
use cloudstack_db::catalog::ZoneType;
use cloudstack_db::catalog::{DataCenter, NewDataCenter};
use cloudstack_db::catalog::{DiskOffering, NewDiskOffering};
use cloudstack_db::catalog::{NewServiceOffering, ServiceOffering};
use cloudstack_db::catalog::{NewVmTemplate, VmTemplate};
use cloudstack_db::compute::PowerState;
use cloudstack_db::compute::VmDiscriminator;
use cloudstack_db::compute::VmState;
use cloudstack_db::compute::VmType;
use cloudstack_db::compute::{NewNic, Nic, NicReservationStrategy, NicState};
use cloudstack_db::compute::{NewUserVm, UserVm};
use cloudstack_db::compute::{NewVmInstance, VmInstance};
use cloudstack_db::events::EventLevel;
use cloudstack_db::events::EventState;
use cloudstack_db::events::{Event, NewEvent};
use cloudstack_db::events::{NewUsageEvent, UsageEvent, UsageEventDetail};
use cloudstack_db::identity::AccountState;
use cloudstack_db::identity::AccountType;
use cloudstack_db::identity::DomainState;
use cloudstack_db::identity::DomainType;
use cloudstack_db::identity::Permission;
use cloudstack_db::identity::RoleState;
use cloudstack_db::identity::RoleType;
use cloudstack_db::identity::UserSource;
use cloudstack_db::identity::{Account, NewAccount};
use cloudstack_db::identity::{Domain, NewDomain};
use cloudstack_db::identity::{NewRole, Role};
use cloudstack_db::identity::{NewRolePermission, RolePermission};
use cloudstack_db::identity::{NewUser, User};
use cloudstack_db::install::{NewSequence, Sequence};
use cloudstack_db::install::{NewVersion, Version};
use cloudstack_db::jobs::JobStatus;
use cloudstack_db::jobs::{AsyncJob, NewAsyncJob};
use cloudstack_db::network::AclType;
use cloudstack_db::network::BroadcastDomainType;
use cloudstack_db::network::GuestType;
use cloudstack_db::network::IpAddressState;
use cloudstack_db::network::NetworkMode;
use cloudstack_db::network::NetworkState;
use cloudstack_db::network::TrafficType;
use cloudstack_db::network::VlanType;
use cloudstack_db::network::{IpAddress, NewIpAddress};
use cloudstack_db::network::{Network, NewNetwork};
use cloudstack_db::network::{NewVlan, Vlan};
use cloudstack_db::schema::cloud::*;
use cloudstack_db::schema::cloud_usage::{
    cloud_usage, usage_ip_address, usage_job, usage_network, usage_vm_instance, usage_volume,
};
use cloudstack_db::storage::StoragePoolType;
use cloudstack_db::storage::VolumeState;
use cloudstack_db::storage::VolumeType;
use cloudstack_db::storage::{NewVolume, Volume};
use cloudstack_db::types::HypervisorType;
use cloudstack_db::types::ImageFormat;
use cloudstack_db::types::OfferingState;
use cloudstack_db::types::ProvisioningType;
use cloudstack_db::types::*;
use cloudstack_db::usage::UsageJobType;
use cloudstack_db::usage::UsageType;
use cloudstack_db::usage::{NewUsageIpAddress, UsageIpAddress};
use cloudstack_db::usage::{NewUsageJob, UsageJob};
use cloudstack_db::usage::{NewUsageNetwork, UsageNetwork};
use cloudstack_db::usage::{NewUsageRecord, UsageRecord};
use cloudstack_db::usage::{NewUsageVmInstance, UsageVmInstance};
use cloudstack_db::usage::{NewUsageVolume, UsageVolume};
use diesel::prelude::*;
use uuid::Uuid;

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 12, 34, 56).unwrap()
}

/// A table's name and the function that inserts and checks its row.
type RoundTrip = (&'static str, fn(&Database));

const IN_ORDER: [RoundTrip; 29] = [
    ("data_center", data_center),
    ("disk_offering", disk_offering),
    ("service_offering", service_offering),
    ("vm_template", vm_template),
    ("vm_instance", vm_instance),
    ("user_vm", user_vm),
    ("volumes", volumes),
    ("networks", networks),
    ("nics", nics),
    ("network_details", network_details),
    ("vlan", vlan),
    ("user_ip_address", user_ip_address),
    ("domain", domain),
    ("roles", roles),
    ("role_permissions", role_permissions),
    ("account", account),
    ("user", user),
    ("async_job", async_job),
    ("event", event),
    ("usage_event", usage_event),
    ("usage_event_details", usage_event_details),
    ("version", version),
    ("sequence", sequence),
    ("cloud_usage", cloud_usage),
    ("usage_vm_instance", usage_vm_instance),
    ("usage_volume", usage_volume),
    ("usage_network", usage_network),
    ("usage_ip_address", usage_ip_address),
    ("usage_job", usage_job),
];

/// Drops, in the test's `cloud` database, the foreign keys that name tables this test writes
/// no row to (hosts, physical networks, VPCs, GPU profiles…): the rows here set every column to
/// an arbitrary value, and only the columns' round trip is under test.
fn drop_foreign_keys_to_unmodelled_tables(db: &Database) {
    #[derive(diesel::QueryableByName)]
    struct Fk {
        #[diesel(sql_type = diesel::sql_types::Text)]
        table_name: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        constraint_name: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        referenced_table_name: String,
    }
    // The tables this test writes rows to: a key to any other table is dropped.
    let modelled: Vec<&str> = IN_ORDER.iter().map(|(name, _)| *name).collect();
    db.cloud()
        .run(|c| {
            let fks: Vec<Fk> = diesel::sql_query(
                "SELECT table_name AS table_name, constraint_name AS constraint_name, \
                        referenced_table_name AS referenced_table_name \
                   FROM information_schema.referential_constraints \
                  WHERE constraint_schema = DATABASE()",
            )
            .load(c)?;
            for fk in fks {
                if modelled.contains(&fk.table_name.as_str())
                    && !modelled.contains(&fk.referenced_table_name.as_str())
                {
                    diesel::sql_query(format!(
                        "ALTER TABLE `{}` DROP FOREIGN KEY `{}`",
                        fk.table_name, fk.constraint_name
                    ))
                    .execute(c)?;
                }
            }
            Ok(())
        })
        .expect("foreign keys dropped");
}

/// Runs the round trip of `table` on fresh databases, after those of the tables before it in
/// [`IN_ORDER`] (which insert the rows its foreign keys and lookups refer to).
fn round_trip(table: &str) {
    let test = common::fresh();
    let db = test.database();
    drop_foreign_keys_to_unmodelled_tables(db);
    let upto = IN_ORDER
        .iter()
        .position(|(name, _)| *name == table)
        .expect("a table of IN_ORDER");
    for (_, insert_and_check) in &IN_ORDER[..=upto] {
        insert_and_check(db);
    }
}

#[test]
fn data_center_round_trips() {
    round_trip("data_center");
}

#[test]
fn disk_offering_round_trips() {
    round_trip("disk_offering");
}

#[test]
fn service_offering_round_trips() {
    round_trip("service_offering");
}

#[test]
fn vm_template_round_trips() {
    round_trip("vm_template");
}

#[test]
fn vm_instance_round_trips() {
    round_trip("vm_instance");
}

#[test]
fn user_vm_round_trips() {
    round_trip("user_vm");
}

#[test]
fn volumes_round_trips() {
    round_trip("volumes");
}

#[test]
fn networks_round_trips() {
    round_trip("networks");
}

#[test]
fn nics_round_trips() {
    round_trip("nics");
}

#[test]
fn network_details_round_trips() {
    round_trip("network_details");
}

#[test]
fn usage_event_details_round_trips() {
    round_trip("usage_event_details");
}

#[test]
fn vlan_round_trips() {
    round_trip("vlan");
}

#[test]
fn user_ip_address_round_trips() {
    round_trip("user_ip_address");
}

#[test]
fn domain_round_trips() {
    round_trip("domain");
}

#[test]
fn roles_round_trips() {
    round_trip("roles");
}

#[test]
fn role_permissions_round_trips() {
    round_trip("role_permissions");
}

#[test]
fn account_round_trips() {
    round_trip("account");
}

#[test]
fn user_round_trips() {
    round_trip("user");
}

#[test]
fn async_job_round_trips() {
    round_trip("async_job");
}

#[test]
fn event_round_trips() {
    round_trip("event");
}

#[test]
fn usage_event_round_trips() {
    round_trip("usage_event");
}

#[test]
fn version_round_trips() {
    round_trip("version");
}

#[test]
fn sequence_round_trips() {
    round_trip("sequence");
}

#[test]
fn cloud_usage_round_trips() {
    round_trip("cloud_usage");
}

#[test]
fn usage_vm_instance_round_trips() {
    round_trip("usage_vm_instance");
}

#[test]
fn usage_volume_round_trips() {
    round_trip("usage_volume");
}

#[test]
fn usage_network_round_trips() {
    round_trip("usage_network");
}

#[test]
fn usage_ip_address_round_trips() {
    round_trip("usage_ip_address");
}

#[test]
fn usage_job_round_trips() {
    round_trip("usage_job");
}

/// Inserts a `cloud.data_center` row with every column set and checks it reads back the same.
fn data_center(db: &Database) {
    let v_id = ZoneId(5001);
    let v_name = "name-é".to_owned();
    let v_uuid = Uuid::new_v4();
    let v_description = "description-é".to_owned();
    let v_dns1 = "dns1-é".to_owned();
    let v_dns2 = "dns2-é".to_owned();
    let v_internal_dns1 = "internal_dns1-é".to_owned();
    let v_internal_dns2 = "internal_dns2-é".to_owned();
    let v_gateway = "gateway-é".to_owned();
    let v_netmask = "netmask-é".to_owned();
    let v_router_mac_address = "router_mac_addres".to_owned();
    let v_mac_address = 4_000_000_000_123;
    let v_guest_network_cidr = "guest_network_cidr".to_owned();
    let v_domain = "domain-é".to_owned();
    let v_domain_id = DomainId(1);
    let v_networktype = *ZoneNetworkType::ALL.last().unwrap();
    let v_dns_provider = "dns_provider-é".to_owned();
    let v_gateway_provider = "gateway_provider-é".to_owned();
    let v_firewall_provider = "firewall_provider-é".to_owned();
    let v_dhcp_provider = "dhcp_provider-é".to_owned();
    let v_lb_provider = "lb_provider-é".to_owned();
    let v_vpn_provider = "vpn_provider-é".to_owned();
    let v_userdata_provider = "userdata_provider-é".to_owned();
    let v_allocation_state = *AllocationState::ALL.last().unwrap();
    let v_zone_token = "zone_token-é".to_owned();
    let v_is_security_group_enabled = true;
    let v_is_local_storage_enabled = true;
    let v_removed = at();
    let v_owner = "owner-é".to_owned();
    let v_created = at();
    let v_last_updated = at();
    let v_engine_state = "engine_state-é".to_owned();
    let v_ip6_dns1 = "ip6_dns1-é".to_owned();
    let v_ip6_dns2 = "ip6_dns2-é".to_owned();
    let v_sort_key = -123_456;
    let v_zone_type = *ZoneType::ALL.last().unwrap();
    let v_storage_access_groups = "storage_access_groups-é".to_owned();
    let new = NewDataCenter {
        id: Some(v_id),
        name: Some(v_name.clone()),
        uuid: Some(v_uuid),
        description: Some(v_description.clone()),
        dns1: v_dns1.clone(),
        dns2: Some(v_dns2.clone()),
        internal_dns1: v_internal_dns1.clone(),
        internal_dns2: Some(v_internal_dns2.clone()),
        gateway: Some(v_gateway.clone()),
        netmask: Some(v_netmask.clone()),
        router_mac_address: Some(v_router_mac_address.clone()),
        mac_address: Some(v_mac_address),
        guest_network_cidr: Some(v_guest_network_cidr.clone()),
        domain: Some(v_domain.clone()),
        domain_id: Some(v_domain_id),
        networktype: Some(v_networktype),
        dns_provider: Some(v_dns_provider.clone()),
        gateway_provider: Some(v_gateway_provider.clone()),
        firewall_provider: Some(v_firewall_provider.clone()),
        dhcp_provider: Some(v_dhcp_provider.clone()),
        lb_provider: Some(v_lb_provider.clone()),
        vpn_provider: Some(v_vpn_provider.clone()),
        userdata_provider: Some(v_userdata_provider.clone()),
        allocation_state: Some(v_allocation_state),
        zone_token: Some(v_zone_token.clone()),
        is_security_group_enabled: v_is_security_group_enabled,
        is_local_storage_enabled: v_is_local_storage_enabled,
        removed: Some(v_removed),
        owner: Some(v_owner.clone()),
        created: Some(v_created),
        last_updated: Some(v_last_updated),
        engine_state: Some(v_engine_state.clone()),
        ip6_dns1: Some(v_ip6_dns1.clone()),
        ip6_dns2: Some(v_ip6_dns2.clone()),
        sort_key: Some(v_sort_key),
        zone_type: Some(v_zone_type),
        storage_access_groups: Some(v_storage_access_groups.clone()),
    };
    let expected = DataCenter {
        id: v_id,
        name: Some(v_name.clone()),
        uuid: Some(v_uuid),
        description: Some(v_description.clone()),
        dns1: v_dns1.clone(),
        dns2: Some(v_dns2.clone()),
        internal_dns1: v_internal_dns1.clone(),
        internal_dns2: Some(v_internal_dns2.clone()),
        gateway: Some(v_gateway.clone()),
        netmask: Some(v_netmask.clone()),
        router_mac_address: v_router_mac_address.clone(),
        mac_address: v_mac_address,
        guest_network_cidr: Some(v_guest_network_cidr.clone()),
        domain: Some(v_domain.clone()),
        domain_id: Some(v_domain_id),
        networktype: v_networktype,
        dns_provider: Some(v_dns_provider.clone()),
        gateway_provider: Some(v_gateway_provider.clone()),
        firewall_provider: Some(v_firewall_provider.clone()),
        dhcp_provider: Some(v_dhcp_provider.clone()),
        lb_provider: Some(v_lb_provider.clone()),
        vpn_provider: Some(v_vpn_provider.clone()),
        userdata_provider: Some(v_userdata_provider.clone()),
        allocation_state: v_allocation_state,
        zone_token: Some(v_zone_token.clone()),
        is_security_group_enabled: v_is_security_group_enabled,
        is_local_storage_enabled: v_is_local_storage_enabled,
        removed: Some(v_removed),
        owner: Some(v_owner.clone()),
        created: Some(v_created),
        last_updated: Some(v_last_updated),
        engine_state: v_engine_state.clone(),
        ip6_dns1: Some(v_ip6_dns1.clone()),
        ip6_dns2: Some(v_ip6_dns2.clone()),
        sort_key: v_sort_key,
        zone_type: Some(v_zone_type),
        storage_access_groups: Some(v_storage_access_groups.clone()),
    };
    let read: DataCenter = db
        .cloud()
        .run(|c| {
            diesel::insert_into(data_center::table)
                .values(new)
                .execute(c)?;
            Ok(data_center::table
                .find(v_id)
                .select(DataCenter::as_select())
                .first(c)?)
        })
        .unwrap_or_else(|e| panic!("cloud.data_center: {e}"));
    assert_eq!(read, expected, "cloud.data_center read back differs");
}

/// Inserts a `cloud.disk_offering` row with every column set and checks it reads back the same.
fn disk_offering(db: &Database) {
    let v_id = DiskOfferingId(5002);
    let v_name = "name-😀".to_owned();
    let v_uuid = Uuid::new_v4();
    let v_display_text = "display_text-😀".to_owned();
    let v_disk_size = 4_000_000_000_123;
    let v_tags = "tags-é".to_owned();
    let v_recreatable = true;
    let v_use_local_storage = true;
    let v_unique_name = "unique_name-😀".to_owned();
    let v_customized = true;
    let v_removed = at();
    let v_created = at();
    let v_sort_key = -123_456;
    let v_display_offering = true;
    let v_customized_iops = true;
    let v_min_iops = 4_000_000_000_123;
    let v_max_iops = 4_000_000_000_123;
    let v_bytes_read_rate = -1_234_567_890_123;
    let v_bytes_read_rate_max = -1_234_567_890_123;
    let v_bytes_read_rate_max_length = -1_234_567_890_123;
    let v_bytes_write_rate = -1_234_567_890_123;
    let v_bytes_write_rate_max = -1_234_567_890_123;
    let v_bytes_write_rate_max_length = -1_234_567_890_123;
    let v_iops_read_rate = -1_234_567_890_123;
    let v_iops_read_rate_max = -1_234_567_890_123;
    let v_iops_read_rate_max_length = -1_234_567_890_123;
    let v_iops_write_rate = -1_234_567_890_123;
    let v_iops_write_rate_max = -1_234_567_890_123;
    let v_iops_write_rate_max_length = -1_234_567_890_123;
    let v_state = *OfferingState::ALL.last().unwrap();
    let v_hv_ss_reserve = 3_000_000_001;
    let v_cache_mode = *DiskCacheMode::ALL.last().unwrap();
    let v_provisioning_type = *ProvisioningType::ALL.last().unwrap();
    let v_disk_size_strictness = true;
    let v_compute_only = true;
    let v_encrypt = true;
    let new = NewDiskOffering {
        id: Some(v_id),
        name: v_name.clone(),
        uuid: Some(v_uuid),
        display_text: Some(v_display_text.clone()),
        disk_size: v_disk_size,
        tags: Some(v_tags.clone()),
        recreatable: v_recreatable,
        use_local_storage: v_use_local_storage,
        unique_name: Some(v_unique_name.clone()),
        customized: v_customized,
        removed: Some(v_removed),
        created: Some(v_created),
        sort_key: Some(v_sort_key),
        display_offering: Some(v_display_offering),
        customized_iops: Some(v_customized_iops),
        min_iops: Some(v_min_iops),
        max_iops: Some(v_max_iops),
        bytes_read_rate: Some(v_bytes_read_rate),
        bytes_read_rate_max: Some(v_bytes_read_rate_max),
        bytes_read_rate_max_length: Some(v_bytes_read_rate_max_length),
        bytes_write_rate: Some(v_bytes_write_rate),
        bytes_write_rate_max: Some(v_bytes_write_rate_max),
        bytes_write_rate_max_length: Some(v_bytes_write_rate_max_length),
        iops_read_rate: Some(v_iops_read_rate),
        iops_read_rate_max: Some(v_iops_read_rate_max),
        iops_read_rate_max_length: Some(v_iops_read_rate_max_length),
        iops_write_rate: Some(v_iops_write_rate),
        iops_write_rate_max: Some(v_iops_write_rate_max),
        iops_write_rate_max_length: Some(v_iops_write_rate_max_length),
        state: Some(v_state),
        hv_ss_reserve: Some(v_hv_ss_reserve),
        cache_mode: Some(v_cache_mode),
        provisioning_type: Some(v_provisioning_type),
        disk_size_strictness: v_disk_size_strictness,
        compute_only: v_compute_only,
        encrypt: Some(v_encrypt),
    };
    let expected = DiskOffering {
        id: v_id,
        name: v_name.clone(),
        uuid: Some(v_uuid),
        display_text: Some(v_display_text.clone()),
        disk_size: v_disk_size,
        tags: Some(v_tags.clone()),
        recreatable: v_recreatable,
        use_local_storage: v_use_local_storage,
        unique_name: Some(v_unique_name.clone()),
        customized: v_customized,
        removed: Some(v_removed),
        created: Some(v_created),
        sort_key: v_sort_key,
        display_offering: v_display_offering,
        customized_iops: Some(v_customized_iops),
        min_iops: Some(v_min_iops),
        max_iops: Some(v_max_iops),
        bytes_read_rate: Some(v_bytes_read_rate),
        bytes_read_rate_max: Some(v_bytes_read_rate_max),
        bytes_read_rate_max_length: Some(v_bytes_read_rate_max_length),
        bytes_write_rate: Some(v_bytes_write_rate),
        bytes_write_rate_max: Some(v_bytes_write_rate_max),
        bytes_write_rate_max_length: Some(v_bytes_write_rate_max_length),
        iops_read_rate: Some(v_iops_read_rate),
        iops_read_rate_max: Some(v_iops_read_rate_max),
        iops_read_rate_max_length: Some(v_iops_read_rate_max_length),
        iops_write_rate: Some(v_iops_write_rate),
        iops_write_rate_max: Some(v_iops_write_rate_max),
        iops_write_rate_max_length: Some(v_iops_write_rate_max_length),
        state: v_state,
        hv_ss_reserve: Some(v_hv_ss_reserve),
        cache_mode: Some(v_cache_mode),
        provisioning_type: v_provisioning_type,
        disk_size_strictness: v_disk_size_strictness,
        compute_only: v_compute_only,
        encrypt: Some(v_encrypt),
    };
    let read: DiskOffering = db
        .cloud()
        .run(|c| {
            diesel::insert_into(disk_offering::table)
                .values(new)
                .execute(c)?;
            Ok(disk_offering::table
                .find(v_id)
                .select(DiskOffering::as_select())
                .first(c)?)
        })
        .unwrap_or_else(|e| panic!("cloud.disk_offering: {e}"));
    assert_eq!(read, expected, "cloud.disk_offering read back differs");
}

/// Inserts a `cloud.service_offering` row with every column set and checks it reads back the same.
fn service_offering(db: &Database) {
    let v_id = ServiceOfferingId(5003);
    let v_cpu = 3_000_000_001;
    let v_speed = 3_000_000_001;
    let v_ram_size = 4_000_000_000_123;
    let v_nw_rate = 60_001;
    let v_mc_rate = 60_001;
    let v_ha_enabled = true;
    let v_limit_cpu_use = true;
    let v_host_tag = "host_tag-é".to_owned();
    let v_default_use = true;
    let v_vm_type = "vm_type-é".to_owned();
    let v_sort_key = -123_456;
    let v_is_volatile = true;
    let v_deployment_planner = "deployment_planner-é".to_owned();
    let v_dynamic_scaling_enabled = true;
    let v_uuid = Uuid::new_v4();
    let v_name = "name-😀".to_owned();
    let v_display_text = "display_text-😀".to_owned();
    let v_unique_name = "unique_name-😀".to_owned();
    let v_customized = true;
    let v_created = at();
    let v_removed = at();
    let v_state = *OfferingState::ALL.last().unwrap();
    let v_disk_offering_id = DiskOfferingId(5002);
    let v_system_use = true;
    let v_disk_offering_strictness = true;
    let v_vgpu_profile_id = 4_000_000_000_123;
    let v_gpu_count = 3_000_000_001;
    let v_gpu_display = true;
    let new = NewServiceOffering {
        id: Some(v_id),
        cpu: Some(v_cpu),
        speed: Some(v_speed),
        ram_size: Some(v_ram_size),
        nw_rate: Some(v_nw_rate),
        mc_rate: Some(v_mc_rate),
        ha_enabled: v_ha_enabled,
        limit_cpu_use: v_limit_cpu_use,
        host_tag: Some(v_host_tag.clone()),
        default_use: v_default_use,
        vm_type: Some(v_vm_type.clone()),
        sort_key: Some(v_sort_key),
        is_volatile: v_is_volatile,
        deployment_planner: Some(v_deployment_planner.clone()),
        dynamic_scaling_enabled: v_dynamic_scaling_enabled,
        uuid: Some(v_uuid),
        name: v_name.clone(),
        display_text: Some(v_display_text.clone()),
        unique_name: Some(v_unique_name.clone()),
        customized: v_customized,
        created: Some(v_created),
        removed: Some(v_removed),
        state: Some(v_state),
        disk_offering_id: Some(v_disk_offering_id),
        system_use: v_system_use,
        disk_offering_strictness: v_disk_offering_strictness,
        vgpu_profile_id: Some(v_vgpu_profile_id),
        gpu_count: Some(v_gpu_count),
        gpu_display: Some(v_gpu_display),
    };
    let expected = ServiceOffering {
        id: v_id,
        cpu: Some(v_cpu),
        speed: Some(v_speed),
        ram_size: Some(v_ram_size),
        nw_rate: Some(v_nw_rate),
        mc_rate: Some(v_mc_rate),
        ha_enabled: v_ha_enabled,
        limit_cpu_use: v_limit_cpu_use,
        host_tag: Some(v_host_tag.clone()),
        default_use: v_default_use,
        vm_type: Some(v_vm_type.clone()),
        sort_key: v_sort_key,
        is_volatile: v_is_volatile,
        deployment_planner: Some(v_deployment_planner.clone()),
        dynamic_scaling_enabled: v_dynamic_scaling_enabled,
        uuid: Some(v_uuid),
        name: v_name.clone(),
        display_text: Some(v_display_text.clone()),
        unique_name: Some(v_unique_name.clone()),
        customized: v_customized,
        created: Some(v_created),
        removed: Some(v_removed),
        state: v_state,
        disk_offering_id: Some(v_disk_offering_id),
        system_use: v_system_use,
        disk_offering_strictness: v_disk_offering_strictness,
        vgpu_profile_id: Some(v_vgpu_profile_id),
        gpu_count: Some(v_gpu_count),
        gpu_display: Some(v_gpu_display),
    };
    let read: ServiceOffering = db
        .cloud()
        .run(|c| {
            diesel::insert_into(service_offering::table)
                .values(new)
                .execute(c)?;
            Ok(service_offering::table
                .find(v_id)
                .select(ServiceOffering::as_select())
                .first(c)?)
        })
        .unwrap_or_else(|e| panic!("cloud.service_offering: {e}"));
    assert_eq!(read, expected, "cloud.service_offering read back differs");
}

/// Inserts a `cloud.vm_template` row with every column set and checks it reads back the same.
fn vm_template(db: &Database) {
    let v_id = TemplateId(5004);
    let v_unique_name = "unique_name-é".to_owned();
    let v_name = "name-😀".to_owned();
    let v_uuid = Uuid::new_v4();
    let v_public = true;
    let v_featured = true;
    let v_template_type = *TemplateType::ALL.last().unwrap();
    let v_hvm = true;
    let v_bits = 3_000_000_001;
    let v_url = "url-é".to_owned();
    let v_format = *ImageFormat::ALL.last().unwrap();
    let v_created = at();
    let v_removed = at();
    let v_account_id = AccountId(2);
    let v_checksum = "checksum-é".to_owned();
    let v_display_text = "display_text-😀".to_owned();
    let v_enable_password = true;
    let v_enable_sshkey = true;
    let v_guest_os_id = 4_000_000_000_123;
    let v_bootable = true;
    let v_prepopulate = true;
    let v_cross_zones = true;
    let v_extractable = true;
    let v_hypervisor_type = *HypervisorType::ALL.last().unwrap();
    let v_source_template_id = TemplateId(5004);
    let v_template_tag = "template_tag-é".to_owned();
    let v_sort_key = -123_456;
    let v_size = 4_000_000_000_123;
    let v_state = *TemplateState::ALL.last().unwrap();
    let v_update_count = 4_000_000_000_123;
    let v_updated = at();
    let v_dynamically_scalable = true;
    let v_parent_template_id = TemplateId(5004);
    let v_direct_download = true;
    let v_deploy_as_is = true;
    let v_user_data_id = 4_000_000_000_123;
    let v_user_data_link_policy = *UserDataOverridePolicy::ALL.last().unwrap();
    let v_arch = *CpuArch::ALL.last().unwrap();
    let v_for_cks = true;
    let v_extension_id = 4_000_000_000_123;
    let new = NewVmTemplate {
        id: v_id,
        unique_name: v_unique_name.clone(),
        name: v_name.clone(),
        uuid: Some(v_uuid),
        public: v_public,
        featured: v_featured,
        template_type: Some(v_template_type),
        hvm: v_hvm,
        bits: v_bits,
        url: Some(v_url.clone()),
        format: v_format,
        created: v_created,
        removed: Some(v_removed),
        account_id: v_account_id,
        checksum: Some(v_checksum.clone()),
        display_text: Some(v_display_text.clone()),
        enable_password: v_enable_password,
        enable_sshkey: v_enable_sshkey,
        guest_os_id: v_guest_os_id,
        bootable: v_bootable,
        prepopulate: v_prepopulate,
        cross_zones: v_cross_zones,
        extractable: v_extractable,
        hypervisor_type: Some(v_hypervisor_type),
        source_template_id: Some(v_source_template_id),
        template_tag: Some(v_template_tag.clone()),
        sort_key: Some(v_sort_key),
        size: Some(v_size),
        state: Some(v_state),
        update_count: Some(v_update_count),
        updated: Some(v_updated),
        dynamically_scalable: v_dynamically_scalable,
        parent_template_id: Some(v_parent_template_id),
        direct_download: Some(v_direct_download),
        deploy_as_is: Some(v_deploy_as_is),
        user_data_id: Some(v_user_data_id),
        user_data_link_policy: Some(v_user_data_link_policy),
        arch: Some(v_arch),
        for_cks: Some(v_for_cks),
        extension_id: Some(v_extension_id),
    };
    let expected = VmTemplate {
        id: v_id,
        unique_name: v_unique_name.clone(),
        name: v_name.clone(),
        uuid: Some(v_uuid),
        public: v_public,
        featured: v_featured,
        template_type: Some(v_template_type),
        hvm: v_hvm,
        bits: v_bits,
        url: Some(v_url.clone()),
        format: v_format,
        created: v_created,
        removed: Some(v_removed),
        account_id: v_account_id,
        checksum: Some(v_checksum.clone()),
        display_text: Some(v_display_text.clone()),
        enable_password: v_enable_password,
        enable_sshkey: v_enable_sshkey,
        guest_os_id: v_guest_os_id,
        bootable: v_bootable,
        prepopulate: v_prepopulate,
        cross_zones: v_cross_zones,
        extractable: v_extractable,
        hypervisor_type: Some(v_hypervisor_type),
        source_template_id: Some(v_source_template_id),
        template_tag: Some(v_template_tag.clone()),
        sort_key: v_sort_key,
        size: Some(v_size),
        state: Some(v_state),
        update_count: Some(v_update_count),
        updated: Some(v_updated),
        dynamically_scalable: v_dynamically_scalable,
        parent_template_id: Some(v_parent_template_id),
        direct_download: Some(v_direct_download),
        deploy_as_is: v_deploy_as_is,
        user_data_id: Some(v_user_data_id),
        user_data_link_policy: Some(v_user_data_link_policy),
        arch: Some(v_arch),
        for_cks: Some(v_for_cks),
        extension_id: Some(v_extension_id),
    };
    let read: VmTemplate = db
        .cloud()
        .run(|c| {
            diesel::insert_into(vm_template::table)
                .values(new)
                .execute(c)?;
            Ok(vm_template::table
                .find(v_id)
                .select(VmTemplate::as_select())
                .first(c)?)
        })
        .unwrap_or_else(|e| panic!("cloud.vm_template: {e}"));
    assert_eq!(read, expected, "cloud.vm_template read back differs");
}

/// Inserts a `cloud.vm_instance` row with every column set and checks it reads back the same.
fn vm_instance(db: &Database) {
    let v_id = VmId(5005);
    let v_name = "name-é".to_owned();
    let v_uuid = Uuid::new_v4();
    let v_instance_name = "instance_name-é".to_owned();
    let v_state = *VmState::ALL.last().unwrap();
    let v_vm_template_id = TemplateId(5004);
    let v_guest_os_id = 4_000_000_000_123;
    let v_private_mac_address = "private_mac_addre".to_owned();
    let v_private_ip_address = "private_ip_address-é".to_owned();
    let v_pod_id = 4_000_000_000_123;
    let v_data_center_id = ZoneId(5001);
    let v_host_id = 4_000_000_000_123;
    let v_last_host_id = 4_000_000_000_123;
    let v_proxy_id = 4_000_000_000_123;
    let v_proxy_assign_time = at();
    let v_vnc_password = Secret::new("vnc_password-ciphertext");
    let v_ha_enabled = true;
    let v_limit_cpu_use = true;
    let v_update_count = 4_000_000_000_123;
    let v_update_time = at();
    let v_created = at();
    let v_removed = at();
    let v_discriminator = *VmDiscriminator::ALL.last().unwrap();
    let v_vm_type = *VmType::ALL.last().unwrap();
    let v_account_id = AccountId(2);
    let v_domain_id = DomainId(1);
    let v_service_offering_id = ServiceOfferingId(5003);
    let v_reservation_id = "reservation_id-é".to_owned();
    let v_hypervisor_type = *HypervisorType::ALL.last().unwrap();
    let v_owner = "owner-é".to_owned();
    let v_host_name = "host_name-é".to_owned();
    let v_display_name = "display_name-😀".to_owned();
    let v_desired_state = "desired_state-é".to_owned();
    let v_dynamically_scalable = true;
    let v_display_vm = true;
    let v_power_state = *PowerState::ALL.last().unwrap();
    let v_power_state_update_time = at();
    let v_power_state_update_count = -123_456;
    let v_power_host = 4_000_000_000_123;
    let v_user_id = UserId(2);
    let v_backup_offering_id = 4_000_000_000_123;
    let v_backup_external_id = "backup_external_id-é".to_owned();
    let v_backup_volumes = "backup_volumes ‘text’ with quotes ' \" and \\\\ backslash".to_owned();
    let v_delete_protection = true;
    let new = NewVmInstance {
        id: v_id,
        name: v_name.clone(),
        uuid: Some(v_uuid),
        instance_name: v_instance_name.clone(),
        state: v_state,
        vm_template_id: Some(v_vm_template_id),
        guest_os_id: v_guest_os_id,
        data_center_id: v_data_center_id,
        host_id: Some(v_host_id),
        vnc_password: v_vnc_password.clone(),
        ha_enabled: v_ha_enabled,
        limit_cpu_use: v_limit_cpu_use,
        update_count: v_update_count,
        created: v_created,
        discriminator: v_discriminator,
        vm_type: v_vm_type,
        account_id: v_account_id,
        domain_id: v_domain_id,
        service_offering_id: v_service_offering_id,
        hypervisor_type: Some(v_hypervisor_type),
        display_name: Some(v_display_name.clone()),
        dynamically_scalable: v_dynamically_scalable,
        display_vm: v_display_vm,
        user_id: v_user_id,
    };
    let expected = VmInstance {
        id: v_id,
        name: v_name.clone(),
        uuid: Some(v_uuid),
        instance_name: v_instance_name.clone(),
        state: v_state,
        vm_template_id: Some(v_vm_template_id),
        guest_os_id: v_guest_os_id,
        private_mac_address: Some(v_private_mac_address.clone()),
        private_ip_address: Some(v_private_ip_address.clone()),
        pod_id: Some(v_pod_id),
        data_center_id: v_data_center_id,
        host_id: Some(v_host_id),
        last_host_id: Some(v_last_host_id),
        proxy_id: Some(v_proxy_id),
        proxy_assign_time: Some(v_proxy_assign_time),
        vnc_password: v_vnc_password.clone(),
        ha_enabled: v_ha_enabled,
        limit_cpu_use: v_limit_cpu_use,
        update_count: v_update_count,
        update_time: Some(v_update_time),
        created: v_created,
        removed: Some(v_removed),
        discriminator: v_discriminator,
        vm_type: v_vm_type,
        account_id: v_account_id,
        domain_id: v_domain_id,
        service_offering_id: v_service_offering_id,
        reservation_id: Some(v_reservation_id.clone()),
        hypervisor_type: Some(v_hypervisor_type),
        owner: Some(v_owner.clone()),
        host_name: Some(v_host_name.clone()),
        display_name: Some(v_display_name.clone()),
        desired_state: Some(v_desired_state.clone()),
        dynamically_scalable: v_dynamically_scalable,
        display_vm: v_display_vm,
        power_state: Some(v_power_state),
        power_state_update_time: Some(v_power_state_update_time),
        power_state_update_count: Some(v_power_state_update_count),
        power_host: Some(v_power_host),
        user_id: v_user_id,
        backup_offering_id: Some(v_backup_offering_id),
        backup_external_id: Some(v_backup_external_id.clone()),
        backup_volumes: Some(v_backup_volumes.clone()),
        delete_protection: Some(v_delete_protection),
    };
    let read: VmInstance = db
        .cloud()
        .run(|c| {
            diesel::insert_into(vm_instance::table)
                .values(new)
                .execute(c)?;
            // The columns a create leaves to their defaults, set the way CloudStack's servers set them later.
            diesel::update(vm_instance::table.find(v_id))
                .set((
                    vm_instance::private_mac_address.eq(Some(v_private_mac_address.clone())),
                    vm_instance::private_ip_address.eq(Some(v_private_ip_address.clone())),
                    vm_instance::pod_id.eq(Some(v_pod_id)),
                    vm_instance::last_host_id.eq(Some(v_last_host_id)),
                    vm_instance::proxy_id.eq(Some(v_proxy_id)),
                    vm_instance::proxy_assign_time
                        .eq(Some(v_proxy_assign_time).map(|t: DateTime<Utc>| t.naive_utc())),
                    vm_instance::update_time
                        .eq(Some(v_update_time).map(|t: DateTime<Utc>| t.naive_utc())),
                    vm_instance::removed.eq(Some(v_removed).map(|t: DateTime<Utc>| t.naive_utc())),
                    vm_instance::reservation_id.eq(Some(v_reservation_id.clone())),
                    vm_instance::owner.eq(Some(v_owner.clone())),
                    vm_instance::host_name.eq(Some(v_host_name.clone())),
                    vm_instance::desired_state.eq(Some(v_desired_state.clone())),
                    vm_instance::power_state.eq(Some(v_power_state)),
                    vm_instance::power_state_update_time
                        .eq(Some(v_power_state_update_time).map(|t: DateTime<Utc>| t.naive_utc())),
                    vm_instance::power_state_update_count.eq(Some(v_power_state_update_count)),
                    vm_instance::power_host.eq(Some(v_power_host)),
                    vm_instance::backup_offering_id.eq(Some(v_backup_offering_id)),
                    vm_instance::backup_external_id.eq(Some(v_backup_external_id.clone())),
                    vm_instance::backup_volumes.eq(Some(v_backup_volumes.clone())),
                    vm_instance::delete_protection.eq(Some(v_delete_protection)),
                ))
                .execute(c)?;
            Ok(vm_instance::table
                .find(v_id)
                .select(VmInstance::as_select())
                .first(c)?)
        })
        .unwrap_or_else(|e| panic!("cloud.vm_instance: {e}"));
    assert_eq!(read, expected, "cloud.vm_instance read back differs");
}

/// Inserts a `cloud.user_vm` row with every column set and checks it reads back the same.
fn user_vm(db: &Database) {
    let v_id = VmId(5005);
    let v_iso_id = TemplateId(5004);
    let v_display_name = "display_name-😀".to_owned();
    let v_user_data = "user_data ‘text’ with quotes ' \" and \\\\ backslash".to_owned();
    let v_user_data_id = 4_000_000_000_123;
    let v_user_data_details =
        "user_data_details ‘text’ with quotes ' \" and \\\\ backslash".to_owned();
    let v_update_parameters = true;
    let v_user_vm_type = "user_vm_type-é".to_owned();
    let new = NewUserVm {
        id: v_id,
        iso_id: Some(v_iso_id),
        display_name: Some(v_display_name.clone()),
        user_data: Some(v_user_data.clone()),
    };
    let expected = UserVm {
        id: v_id,
        iso_id: Some(v_iso_id),
        display_name: Some(v_display_name.clone()),
        user_data: Some(v_user_data.clone()),
        user_data_id: Some(v_user_data_id),
        user_data_details: Some(v_user_data_details.clone()),
        update_parameters: v_update_parameters,
        user_vm_type: Some(v_user_vm_type.clone()),
    };
    let read: UserVm = db
        .cloud()
        .run(|c| {
            diesel::insert_into(user_vm::table).values(new).execute(c)?;
            // The columns a create leaves to their defaults, set the way CloudStack's servers set them later.
            diesel::update(user_vm::table.find(v_id))
                .set((
                    user_vm::user_data_id.eq(Some(v_user_data_id)),
                    user_vm::user_data_details.eq(Some(v_user_data_details.clone())),
                    user_vm::update_parameters.eq(v_update_parameters),
                    user_vm::user_vm_type.eq(Some(v_user_vm_type.clone())),
                ))
                .execute(c)?;
            Ok(user_vm::table
                .find(v_id)
                .select(UserVm::as_select())
                .first(c)?)
        })
        .unwrap_or_else(|e| panic!("cloud.user_vm: {e}"));
    assert_eq!(read, expected, "cloud.user_vm read back differs");
}

/// Inserts a `cloud.volumes` row with every column set and checks it reads back the same.
fn volumes(db: &Database) {
    let v_id = VolumeId(5006);
    let v_account_id = AccountId(2);
    let v_domain_id = DomainId(1);
    let v_pool_id = 4_000_000_000_123;
    let v_last_pool_id = 4_000_000_000_123;
    let v_instance_id = VmId(5005);
    let v_device_id = 4_000_000_000_123;
    let v_name = "name-😀".to_owned();
    let v_uuid = Uuid::new_v4();
    let v_size = 4_000_000_000_123;
    let v_folder = "folder-é".to_owned();
    let v_path = "path-é".to_owned();
    let v_pod_id = 4_000_000_000_123;
    let v_data_center_id = ZoneId(5001);
    let v_iscsi_name = "iscsi_name-é".to_owned();
    let v_host_ip = "host_ip-é".to_owned();
    let v_volume_type = *VolumeType::ALL.last().unwrap();
    let v_pool_type = *StoragePoolType::ALL.last().unwrap();
    let v_disk_offering_id = DiskOfferingId(5002);
    let v_template_id = TemplateId(5004);
    let v_first_snapshot_backup_uuid = "first_snapshot_backup_uuid-é".to_owned();
    let v_recreatable = true;
    let v_created = at();
    let v_attached = at();
    let v_updated = at();
    let v_removed = at();
    let v_state = *VolumeState::ALL.last().unwrap();
    let v_chain_info = "chain_info ‘text’ with quotes ' \" and \\\\ backslash".to_owned();
    let v_update_count = 4_000_000_000_123;
    let v_disk_type = "disk_type-é".to_owned();
    let v_vm_snapshot_chain_size = 4_000_000_000_123;
    let v_iso_id = TemplateId(5004);
    let v_display_volume = true;
    let v_format = *ImageFormat::ALL.last().unwrap();
    let v_min_iops = 4_000_000_000_123;
    let v_max_iops = 4_000_000_000_123;
    let v_hv_ss_reserve = 3_000_000_001;
    let v_provisioning_type = *ProvisioningType::ALL.last().unwrap();
    let v_external_uuid = "external_uuid-é".to_owned();
    let v_passphrase_id = 4_000_000_000_123;
    let v_encrypt_format = "encrypt_format-é".to_owned();
    let v_delete_protection = true;
    let v_last_id = 4_000_000_000_123;
    let new = NewVolume {
        id: v_id,
        account_id: v_account_id,
        domain_id: v_domain_id,
        instance_id: Some(v_instance_id),
        device_id: Some(v_device_id),
        name: Some(v_name.clone()),
        uuid: Some(v_uuid),
        size: v_size,
        data_center_id: v_data_center_id,
        volume_type: v_volume_type,
        disk_offering_id: v_disk_offering_id,
        template_id: Some(v_template_id),
        recreatable: v_recreatable,
        created: Some(v_created),
        attached: Some(v_attached),
        updated: Some(v_updated),
        state: Some(v_state),
        update_count: v_update_count,
        display_volume: v_display_volume,
        format: Some(v_format),
        provisioning_type: v_provisioning_type,
    };
    let expected = Volume {
        id: v_id,
        account_id: v_account_id,
        domain_id: v_domain_id,
        pool_id: Some(v_pool_id),
        last_pool_id: Some(v_last_pool_id),
        instance_id: Some(v_instance_id),
        device_id: Some(v_device_id),
        name: Some(v_name.clone()),
        uuid: Some(v_uuid),
        size: v_size,
        folder: Some(v_folder.clone()),
        path: Some(v_path.clone()),
        pod_id: Some(v_pod_id),
        data_center_id: v_data_center_id,
        iscsi_name: Some(v_iscsi_name.clone()),
        host_ip: Some(v_host_ip.clone()),
        volume_type: v_volume_type,
        pool_type: Some(v_pool_type),
        disk_offering_id: v_disk_offering_id,
        template_id: Some(v_template_id),
        first_snapshot_backup_uuid: Some(v_first_snapshot_backup_uuid.clone()),
        recreatable: v_recreatable,
        created: Some(v_created),
        attached: Some(v_attached),
        updated: Some(v_updated),
        removed: Some(v_removed),
        state: Some(v_state),
        chain_info: Some(v_chain_info.clone()),
        update_count: v_update_count,
        disk_type: Some(v_disk_type.clone()),
        vm_snapshot_chain_size: Some(v_vm_snapshot_chain_size),
        iso_id: Some(v_iso_id),
        display_volume: v_display_volume,
        format: Some(v_format),
        min_iops: Some(v_min_iops),
        max_iops: Some(v_max_iops),
        hv_ss_reserve: Some(v_hv_ss_reserve),
        provisioning_type: v_provisioning_type,
        external_uuid: Some(v_external_uuid.clone()),
        passphrase_id: Some(v_passphrase_id),
        encrypt_format: Some(v_encrypt_format.clone()),
        delete_protection: Some(v_delete_protection),
        last_id: Some(v_last_id),
    };
    let read: Volume = db
        .cloud()
        .run(|c| {
            diesel::insert_into(volumes::table).values(new).execute(c)?;
            // The columns a create leaves to their defaults, set the way CloudStack's servers set them later.
            diesel::update(volumes::table.find(v_id))
                .set((
                    volumes::pool_id.eq(Some(v_pool_id)),
                    volumes::last_pool_id.eq(Some(v_last_pool_id)),
                    volumes::folder.eq(Some(v_folder.clone())),
                    volumes::path.eq(Some(v_path.clone())),
                    volumes::pod_id.eq(Some(v_pod_id)),
                    volumes::iscsi_name.eq(Some(v_iscsi_name.clone())),
                    volumes::host_ip.eq(Some(v_host_ip.clone())),
                    volumes::pool_type.eq(Some(v_pool_type)),
                    volumes::first_snapshot_backup_uuid
                        .eq(Some(v_first_snapshot_backup_uuid.clone())),
                    volumes::removed.eq(Some(v_removed).map(|t: DateTime<Utc>| t.naive_utc())),
                    volumes::chain_info.eq(Some(v_chain_info.clone())),
                    volumes::disk_type.eq(Some(v_disk_type.clone())),
                    volumes::vm_snapshot_chain_size.eq(Some(v_vm_snapshot_chain_size)),
                    volumes::iso_id.eq(Some(v_iso_id)),
                    volumes::min_iops.eq(Some(v_min_iops)),
                    volumes::max_iops.eq(Some(v_max_iops)),
                    volumes::hv_ss_reserve.eq(Some(v_hv_ss_reserve)),
                    volumes::external_uuid.eq(Some(v_external_uuid.clone())),
                    volumes::passphrase_id.eq(Some(v_passphrase_id)),
                    volumes::encrypt_format.eq(Some(v_encrypt_format.clone())),
                    volumes::delete_protection.eq(Some(v_delete_protection)),
                    volumes::last_id.eq(Some(v_last_id)),
                ))
                .execute(c)?;
            Ok(volumes::table
                .find(v_id)
                .select(Volume::as_select())
                .first(c)?)
        })
        .unwrap_or_else(|e| panic!("cloud.volumes: {e}"));
    assert_eq!(read, expected, "cloud.volumes read back differs");
}

/// Inserts a `cloud.networks` row with every column set and checks it reads back the same.
fn networks(db: &Database) {
    let v_id = NetworkId(5007);
    let v_name = "name-😀".to_owned();
    let v_uuid = Uuid::new_v4();
    let v_display_text = "display_text-😀".to_owned();
    let v_traffic_type = *TrafficType::ALL.last().unwrap();
    let v_broadcast_domain_type = *BroadcastDomainType::ALL.last().unwrap();
    let v_broadcast_uri = "broadcast_uri-é".to_owned();
    let v_gateway = "gateway-é".to_owned();
    let v_cidr = "cidr-é".to_owned();
    let v_mode = *NetworkMode::ALL.last().unwrap();
    let v_network_offering_id = 4_000_000_000_123;
    let v_physical_network_id = 4_000_000_000_123;
    let v_data_center_id = ZoneId(5001);
    let v_guru_name = "guru_name-é".to_owned();
    let v_state = *NetworkState::ALL.last().unwrap();
    let v_related = NetworkId(5007);
    let v_domain_id = DomainId(1);
    let v_account_id = AccountId(2);
    let v_dns1 = "dns1-é".to_owned();
    let v_dns2 = "dns2-é".to_owned();
    let v_ip6dns1 = "ip6dns1-é".to_owned();
    let v_ip6dns2 = "ip6dns2-é".to_owned();
    let v_guru_data = "guru_data-é".to_owned();
    let v_set_fields = 4_000_000_000_123;
    let v_acl_type = *AclType::ALL.last().unwrap();
    let v_network_domain = "network_domain-é".to_owned();
    let v_reservation_id = "reservation_id-é".to_owned();
    let v_guest_type = *GuestType::ALL.last().unwrap();
    let v_restart_required = true;
    let v_created = at();
    let v_removed = at();
    let v_specify_ip_ranges = true;
    let v_vpc_id = 4_000_000_000_123;
    let v_ip6_gateway = "ip6_gateway-é".to_owned();
    let v_ip6_cidr = "ip6_cidr-é".to_owned();
    let v_network_cidr = "network_cidr-é".to_owned();
    let v_display_network = true;
    let v_network_acl_id = 4_000_000_000_123;
    let v_streched_l2 = true;
    let v_redundant = true;
    let v_external_id = "external_id-é".to_owned();
    let v_public_mtu = 4_000_000_000_123;
    let v_private_mtu = 4_000_000_000_123;
    let new = NewNetwork {
        id: v_id,
        name: Some(v_name.clone()),
        uuid: Some(v_uuid),
        display_text: Some(v_display_text.clone()),
        traffic_type: v_traffic_type,
        broadcast_domain_type: v_broadcast_domain_type,
        broadcast_uri: Some(v_broadcast_uri.clone()),
        gateway: Some(v_gateway.clone()),
        cidr: Some(v_cidr.clone()),
        mode: Some(v_mode),
        network_offering_id: v_network_offering_id,
        physical_network_id: Some(v_physical_network_id),
        data_center_id: v_data_center_id,
        guru_name: v_guru_name.clone(),
        state: v_state,
        related: v_related,
        domain_id: v_domain_id,
        account_id: v_account_id,
        dns1: Some(v_dns1.clone()),
        dns2: Some(v_dns2.clone()),
        ip6dns1: Some(v_ip6dns1.clone()),
        ip6dns2: Some(v_ip6dns2.clone()),
        guru_data: Some(v_guru_data.clone()),
        set_fields: Some(v_set_fields),
        acl_type: Some(v_acl_type),
        network_domain: Some(v_network_domain.clone()),
        reservation_id: Some(v_reservation_id.clone()),
        guest_type: Some(v_guest_type),
        restart_required: v_restart_required,
        created: v_created,
        removed: Some(v_removed),
        specify_ip_ranges: v_specify_ip_ranges,
        vpc_id: Some(v_vpc_id),
        ip6_gateway: Some(v_ip6_gateway.clone()),
        ip6_cidr: Some(v_ip6_cidr.clone()),
        network_cidr: Some(v_network_cidr.clone()),
        display_network: Some(v_display_network),
        network_acl_id: Some(v_network_acl_id),
        streched_l2: Some(v_streched_l2),
        redundant: Some(v_redundant),
        external_id: Some(v_external_id.clone()),
        public_mtu: Some(v_public_mtu),
        private_mtu: Some(v_private_mtu),
    };
    let expected = Network {
        id: v_id,
        name: Some(v_name.clone()),
        uuid: Some(v_uuid),
        display_text: Some(v_display_text.clone()),
        traffic_type: v_traffic_type,
        broadcast_domain_type: v_broadcast_domain_type,
        broadcast_uri: Some(v_broadcast_uri.clone()),
        gateway: Some(v_gateway.clone()),
        cidr: Some(v_cidr.clone()),
        mode: Some(v_mode),
        network_offering_id: v_network_offering_id,
        physical_network_id: Some(v_physical_network_id),
        data_center_id: v_data_center_id,
        guru_name: v_guru_name.clone(),
        state: v_state,
        related: v_related,
        domain_id: v_domain_id,
        account_id: v_account_id,
        dns1: Some(v_dns1.clone()),
        dns2: Some(v_dns2.clone()),
        ip6dns1: Some(v_ip6dns1.clone()),
        ip6dns2: Some(v_ip6dns2.clone()),
        guru_data: Some(v_guru_data.clone()),
        set_fields: v_set_fields,
        acl_type: Some(v_acl_type),
        network_domain: Some(v_network_domain.clone()),
        reservation_id: Some(v_reservation_id.clone()),
        guest_type: Some(v_guest_type),
        restart_required: v_restart_required,
        created: v_created,
        removed: Some(v_removed),
        specify_ip_ranges: v_specify_ip_ranges,
        vpc_id: Some(v_vpc_id),
        ip6_gateway: Some(v_ip6_gateway.clone()),
        ip6_cidr: Some(v_ip6_cidr.clone()),
        network_cidr: Some(v_network_cidr.clone()),
        display_network: v_display_network,
        network_acl_id: Some(v_network_acl_id),
        streched_l2: Some(v_streched_l2),
        redundant: Some(v_redundant),
        external_id: Some(v_external_id.clone()),
        public_mtu: Some(v_public_mtu),
        private_mtu: Some(v_private_mtu),
    };
    let read: Network = db
        .cloud()
        .run(|c| {
            diesel::insert_into(networks::table)
                .values(new)
                .execute(c)?;
            Ok(networks::table
                .find(v_id)
                .select(Network::as_select())
                .first(c)?)
        })
        .unwrap_or_else(|e| panic!("cloud.networks: {e}"));
    assert_eq!(read, expected, "cloud.networks read back differs");
}

/// Inserts a `cloud.vlan` row with every column set and checks it reads back the same.
fn vlan(db: &Database) {
    let v_id = VlanId(5008);
    let v_uuid = Uuid::new_v4();
    let v_vlan_id = "vlan_id-é".to_owned();
    let v_vlan_gateway = "vlan_gateway-é".to_owned();
    let v_vlan_netmask = "vlan_netmask-é".to_owned();
    let v_ip4_range = "ip4_range-é".to_owned();
    let v_vlan_type = *VlanType::ALL.last().unwrap();
    let v_data_center_id = ZoneId(5001);
    let v_network_id = NetworkId(5007);
    let v_physical_network_id = 4_000_000_000_123;
    let v_ip6_gateway = "ip6_gateway-é".to_owned();
    let v_ip6_cidr = "ip6_cidr-é".to_owned();
    let v_ip6_range = "ip6_range-é".to_owned();
    let v_removed = at();
    let v_created = at();
    let new = NewVlan {
        id: Some(v_id),
        uuid: Some(v_uuid),
        vlan_id: Some(v_vlan_id.clone()),
        vlan_gateway: Some(v_vlan_gateway.clone()),
        vlan_netmask: Some(v_vlan_netmask.clone()),
        ip4_range: Some(v_ip4_range.clone()),
        vlan_type: Some(v_vlan_type),
        data_center_id: v_data_center_id,
        network_id: v_network_id,
        physical_network_id: v_physical_network_id,
        ip6_gateway: Some(v_ip6_gateway.clone()),
        ip6_cidr: Some(v_ip6_cidr.clone()),
        ip6_range: Some(v_ip6_range.clone()),
        removed: Some(v_removed),
        created: Some(v_created),
    };
    let expected = Vlan {
        id: v_id,
        uuid: Some(v_uuid),
        vlan_id: Some(v_vlan_id.clone()),
        vlan_gateway: Some(v_vlan_gateway.clone()),
        vlan_netmask: Some(v_vlan_netmask.clone()),
        ip4_range: Some(v_ip4_range.clone()),
        vlan_type: Some(v_vlan_type),
        data_center_id: v_data_center_id,
        network_id: v_network_id,
        physical_network_id: v_physical_network_id,
        ip6_gateway: Some(v_ip6_gateway.clone()),
        ip6_cidr: Some(v_ip6_cidr.clone()),
        ip6_range: Some(v_ip6_range.clone()),
        removed: Some(v_removed),
        created: Some(v_created),
    };
    let read: Vlan = db
        .cloud()
        .run(|c| {
            diesel::insert_into(vlan::table).values(new).execute(c)?;
            Ok(vlan::table.find(v_id).select(Vlan::as_select()).first(c)?)
        })
        .unwrap_or_else(|e| panic!("cloud.vlan: {e}"));
    assert_eq!(read, expected, "cloud.vlan read back differs");
}

/// Inserts a `cloud.user_ip_address` row with every column set and checks it reads back the same.
fn user_ip_address(db: &Database) {
    let v_id = IpAddressId(5009);
    let v_uuid = Uuid::new_v4();
    let v_account_id = AccountId(2);
    let v_domain_id = DomainId(1);
    let v_public_ip_address = "public_ip_address-é".to_owned();
    let v_data_center_id = ZoneId(5001);
    let v_source_nat = true;
    let v_allocated = at();
    let v_vlan_db_id = VlanId(5008);
    let v_one_to_one_nat = true;
    let v_vm_id = VmId(5005);
    let v_state = *IpAddressState::ALL.last().unwrap();
    let v_mac_address = 4_000_000_000_123;
    let v_source_network_id = NetworkId(5007);
    let v_network_id = NetworkId(5007);
    let v_physical_network_id = 4_000_000_000_123;
    let v_is_system = true;
    let v_vpc_id = 4_000_000_000_123;
    let v_dnat_vmip = "dnat_vmip-é".to_owned();
    let v_is_portable = true;
    let v_display = true;
    let v_removed = at();
    let v_created = at();
    let v_rule_state = *IpAddressState::ALL.last().unwrap();
    let v_forsystemvms = true;
    let v_for_router = true;
    let new = NewIpAddress {
        id: Some(v_id),
        uuid: Some(v_uuid),
        account_id: Some(v_account_id),
        domain_id: Some(v_domain_id),
        public_ip_address: v_public_ip_address.clone(),
        data_center_id: v_data_center_id,
        source_nat: v_source_nat,
        allocated: Some(v_allocated),
        vlan_db_id: v_vlan_db_id,
        one_to_one_nat: v_one_to_one_nat,
        vm_id: Some(v_vm_id),
        state: Some(v_state),
        mac_address: v_mac_address,
        source_network_id: v_source_network_id,
        network_id: Some(v_network_id),
        physical_network_id: v_physical_network_id,
        is_system: v_is_system,
        vpc_id: Some(v_vpc_id),
        dnat_vmip: Some(v_dnat_vmip.clone()),
        is_portable: v_is_portable,
        display: Some(v_display),
        removed: Some(v_removed),
        created: Some(v_created),
        rule_state: Some(v_rule_state),
        forsystemvms: Some(v_forsystemvms),
        for_router: Some(v_for_router),
    };
    let expected = IpAddress {
        id: v_id,
        uuid: Some(v_uuid),
        account_id: Some(v_account_id),
        domain_id: Some(v_domain_id),
        public_ip_address: v_public_ip_address.clone(),
        data_center_id: v_data_center_id,
        source_nat: v_source_nat,
        allocated: Some(v_allocated),
        vlan_db_id: v_vlan_db_id,
        one_to_one_nat: v_one_to_one_nat,
        vm_id: Some(v_vm_id),
        state: v_state,
        mac_address: v_mac_address,
        source_network_id: v_source_network_id,
        network_id: Some(v_network_id),
        physical_network_id: v_physical_network_id,
        is_system: v_is_system,
        vpc_id: Some(v_vpc_id),
        dnat_vmip: Some(v_dnat_vmip.clone()),
        is_portable: v_is_portable,
        display: v_display,
        removed: Some(v_removed),
        created: Some(v_created),
        rule_state: Some(v_rule_state),
        forsystemvms: v_forsystemvms,
        for_router: Some(v_for_router),
    };
    let read: IpAddress = db
        .cloud()
        .run(|c| {
            diesel::insert_into(user_ip_address::table)
                .values(new)
                .execute(c)?;
            Ok(user_ip_address::table
                .find(v_id)
                .select(IpAddress::as_select())
                .first(c)?)
        })
        .unwrap_or_else(|e| panic!("cloud.user_ip_address: {e}"));
    assert_eq!(read, expected, "cloud.user_ip_address read back differs");
}

/// Inserts a `cloud.domain` row with every column set and checks it reads back the same.
fn domain(db: &Database) {
    let v_id = DomainId(5010);
    let v_parent = DomainId(1);
    let v_name = "name-é".to_owned();
    let v_uuid = Uuid::new_v4();
    let v_owner = AccountId(2);
    let v_path = "path-é".to_owned();
    let v_level = -123_456;
    let v_child_count = -123_456;
    let v_next_child_seq = 4_000_000_000_123;
    let v_created = at();
    let v_removed = at();
    let v_state = *DomainState::ALL.last().unwrap();
    let v_network_domain = "network_domain-é".to_owned();
    let v_domain_type = *DomainType::ALL.last().unwrap();
    let new = NewDomain {
        id: Some(v_id),
        parent: Some(v_parent),
        name: Some(v_name.clone()),
        uuid: Some(v_uuid),
        owner: v_owner,
        path: v_path.clone(),
        level: Some(v_level),
        child_count: Some(v_child_count),
        next_child_seq: Some(v_next_child_seq),
        created: Some(v_created),
        removed: Some(v_removed),
        state: Some(v_state),
        network_domain: Some(v_network_domain.clone()),
        domain_type: Some(v_domain_type),
    };
    let expected = Domain {
        id: v_id,
        parent: Some(v_parent),
        name: Some(v_name.clone()),
        uuid: Some(v_uuid),
        owner: v_owner,
        path: v_path.clone(),
        level: v_level,
        child_count: v_child_count,
        next_child_seq: v_next_child_seq,
        created: Some(v_created),
        removed: Some(v_removed),
        state: v_state,
        network_domain: Some(v_network_domain.clone()),
        domain_type: v_domain_type,
    };
    let read: Domain = db
        .cloud()
        .run(|c| {
            diesel::insert_into(domain::table).values(new).execute(c)?;
            Ok(domain::table
                .find(v_id)
                .select(Domain::as_select())
                .first(c)?)
        })
        .unwrap_or_else(|e| panic!("cloud.domain: {e}"));
    assert_eq!(read, expected, "cloud.domain read back differs");
}

/// Inserts a `cloud.roles` row with every column set and checks it reads back the same.
fn roles(db: &Database) {
    let v_id = RoleId(5011);
    let v_uuid = Uuid::new_v4();
    let v_name = "name-é".to_owned();
    let v_role_type = *RoleType::ALL.last().unwrap();
    let v_removed = at();
    let v_description = "description ‘text’ with quotes ' \" and \\\\ backslash".to_owned();
    let v_is_default = true;
    let v_public_role = true;
    let v_state = *RoleState::ALL.last().unwrap();
    let new = NewRole {
        id: Some(v_id),
        uuid: Some(v_uuid),
        name: Some(v_name.clone()),
        role_type: v_role_type,
        removed: Some(v_removed),
        description: Some(v_description.clone()),
        is_default: Some(v_is_default),
        public_role: Some(v_public_role),
        state: Some(v_state),
    };
    let expected = Role {
        id: v_id,
        uuid: Some(v_uuid),
        name: Some(v_name.clone()),
        role_type: v_role_type,
        removed: Some(v_removed),
        description: Some(v_description.clone()),
        is_default: v_is_default,
        public_role: v_public_role,
        state: v_state,
    };
    let read: Role = db
        .cloud()
        .run(|c| {
            diesel::insert_into(roles::table).values(new).execute(c)?;
            Ok(roles::table.find(v_id).select(Role::as_select()).first(c)?)
        })
        .unwrap_or_else(|e| panic!("cloud.roles: {e}"));
    assert_eq!(read, expected, "cloud.roles read back differs");
}

/// Inserts a `cloud.role_permissions` row with every column set and checks it reads back the same.
fn role_permissions(db: &Database) {
    let v_id = RolePermissionId(5012);
    let v_uuid = Uuid::new_v4();
    let v_role_id = RoleId(4);
    let v_rule = "rule-é".to_owned();
    let v_permission = *Permission::ALL.last().unwrap();
    let v_description = "description ‘text’ with quotes ' \" and \\\\ backslash".to_owned();
    let v_sort_order = 4_000_000_000_123;
    let new = NewRolePermission {
        id: Some(v_id),
        uuid: Some(v_uuid),
        role_id: v_role_id,
        rule: v_rule.clone(),
        permission: v_permission,
        description: Some(v_description.clone()),
        sort_order: Some(v_sort_order),
    };
    let expected = RolePermission {
        id: v_id,
        uuid: Some(v_uuid),
        role_id: v_role_id,
        rule: v_rule.clone(),
        permission: v_permission,
        description: Some(v_description.clone()),
        sort_order: v_sort_order,
    };
    let read: RolePermission = db
        .cloud()
        .run(|c| {
            diesel::insert_into(role_permissions::table)
                .values(new)
                .execute(c)?;
            Ok(role_permissions::table
                .find(v_id)
                .select(RolePermission::as_select())
                .first(c)?)
        })
        .unwrap_or_else(|e| panic!("cloud.role_permissions: {e}"));
    assert_eq!(read, expected, "cloud.role_permissions read back differs");
}

/// Inserts a `cloud.account` row with every column set and checks it reads back the same.
fn account(db: &Database) {
    let v_id = AccountId(5013);
    let v_account_name = "account_name-😀".to_owned();
    let v_uuid = Uuid::new_v4();
    let v_account_type = *AccountType::ALL.last().unwrap();
    let v_role_id = RoleId(4);
    let v_domain_id = DomainId(1);
    let v_state = *AccountState::ALL.last().unwrap();
    let v_created = at();
    let v_removed = at();
    let v_cleanup_needed = true;
    let v_network_domain = "network_domain-é".to_owned();
    let v_default_zone_id = ZoneId(5001);
    let v_default = true;
    let v_api_key_access = true;
    let new = NewAccount {
        id: Some(v_id),
        account_name: Some(v_account_name.clone()),
        uuid: Some(v_uuid),
        account_type: v_account_type,
        role_id: Some(v_role_id),
        domain_id: Some(v_domain_id),
        state: Some(v_state),
        created: Some(v_created),
        removed: Some(v_removed),
        cleanup_needed: Some(v_cleanup_needed),
        network_domain: Some(v_network_domain.clone()),
        default_zone_id: Some(v_default_zone_id),
        default: v_default,
        api_key_access: Some(v_api_key_access),
    };
    let expected = Account {
        id: v_id,
        account_name: Some(v_account_name.clone()),
        uuid: Some(v_uuid),
        account_type: v_account_type,
        role_id: Some(v_role_id),
        domain_id: Some(v_domain_id),
        state: v_state,
        created: Some(v_created),
        removed: Some(v_removed),
        cleanup_needed: v_cleanup_needed,
        network_domain: Some(v_network_domain.clone()),
        default_zone_id: Some(v_default_zone_id),
        default: v_default,
        api_key_access: Some(v_api_key_access),
    };
    let read: Account = db
        .cloud()
        .run(|c| {
            diesel::insert_into(account::table).values(new).execute(c)?;
            Ok(account::table
                .find(v_id)
                .select(Account::as_select())
                .first(c)?)
        })
        .unwrap_or_else(|e| panic!("cloud.account: {e}"));
    assert_eq!(read, expected, "cloud.account read back differs");
}

/// Inserts a `cloud.user` row with every column set and checks it reads back the same.
fn user(db: &Database) {
    let v_id = UserId(5014);
    let v_uuid = Uuid::new_v4();
    let v_username = "username-é".to_owned();
    let v_password = Secret::new("password-ciphertext");
    let v_account_id = AccountId(2);
    let v_firstname = "firstname-😀".to_owned();
    let v_lastname = "lastname-😀".to_owned();
    let v_email = "email-é".to_owned();
    let v_state = *AccountState::ALL.last().unwrap();
    let v_api_key = "api_key-é".to_owned();
    let v_secret_key = Secret::new("secret_key-ciphertext");
    let v_api_key_access = true;
    let v_created = at();
    let v_removed = at();
    let v_timezone = "timezone-é".to_owned();
    let v_registration_token = "registration_token-é".to_owned();
    let v_is_registered = true;
    let v_incorrect_login_attempts = 3_000_000_001;
    let v_default = true;
    let v_source = *UserSource::ALL.last().unwrap();
    let v_external_entity = "external_entity ‘text’ with quotes ' \" and \\\\ backslash".to_owned();
    let v_is_user_2fa_enabled = true;
    let v_key_for_2fa = "key_for_2fa-é".to_owned();
    let v_user_2fa_provider = "user_2fa_provider-é".to_owned();
    let new = NewUser {
        id: Some(v_id),
        uuid: Some(v_uuid),
        username: v_username.clone(),
        password: v_password.clone(),
        account_id: v_account_id,
        firstname: Some(v_firstname.clone()),
        lastname: Some(v_lastname.clone()),
        email: Some(v_email.clone()),
        state: Some(v_state),
        api_key: Some(v_api_key.clone()),
        secret_key: Some(v_secret_key.clone()),
        api_key_access: Some(v_api_key_access),
        created: v_created,
        removed: Some(v_removed),
        timezone: Some(v_timezone.clone()),
        registration_token: Some(v_registration_token.clone()),
        is_registered: v_is_registered,
        incorrect_login_attempts: Some(v_incorrect_login_attempts),
        default: v_default,
        source: Some(v_source),
        external_entity: Some(v_external_entity.clone()),
        is_user_2fa_enabled: v_is_user_2fa_enabled,
        key_for_2fa: Some(v_key_for_2fa.clone()),
        user_2fa_provider: Some(v_user_2fa_provider.clone()),
    };
    let expected = User {
        id: v_id,
        uuid: Some(v_uuid),
        username: v_username.clone(),
        password: v_password.clone(),
        account_id: v_account_id,
        firstname: Some(v_firstname.clone()),
        lastname: Some(v_lastname.clone()),
        email: Some(v_email.clone()),
        state: v_state,
        api_key: Some(v_api_key.clone()),
        secret_key: Some(v_secret_key.clone()),
        api_key_access: Some(v_api_key_access),
        created: v_created,
        removed: Some(v_removed),
        timezone: Some(v_timezone.clone()),
        registration_token: Some(v_registration_token.clone()),
        is_registered: v_is_registered,
        incorrect_login_attempts: v_incorrect_login_attempts,
        default: v_default,
        source: v_source,
        external_entity: Some(v_external_entity.clone()),
        is_user_2fa_enabled: v_is_user_2fa_enabled,
        key_for_2fa: Some(v_key_for_2fa.clone()),
        user_2fa_provider: Some(v_user_2fa_provider.clone()),
    };
    let read: User = db
        .cloud()
        .run(|c| {
            diesel::insert_into(user::table).values(new).execute(c)?;
            Ok(user::table.find(v_id).select(User::as_select()).first(c)?)
        })
        .unwrap_or_else(|e| panic!("cloud.user: {e}"));
    assert_eq!(read, expected, "cloud.user read back differs");
}

/// Inserts a `cloud.async_job` row with every column set and checks it reads back the same.
fn async_job(db: &Database) {
    let v_id = JobId(5015);
    let v_user_id = UserId(2);
    let v_account_id = AccountId(2);
    let v_instance_type = "instance_type-é".to_owned();
    let v_instance_id = 4_000_000_000_123;
    let v_job_cmd = "job_cmd-é".to_owned();
    let v_job_cmd_info = "job_cmd_info ‘text’ with quotes ' \" and \\\\ backslash".to_owned();
    let v_job_cmd_ver = -123_456;
    let v_job_status = *JobStatus::ALL.last().unwrap();
    let v_job_process_status = -123_456;
    let v_job_result_code = -123_456;
    let v_job_result = "job_result ‘text’ with quotes ' \" and \\\\ backslash".to_owned();
    let v_job_init_msid = -1_234_567_890_123;
    let v_job_complete_msid = -1_234_567_890_123;
    let v_created = at();
    let v_last_updated = at();
    let v_last_polled = at();
    let v_removed = at();
    let v_uuid = Uuid::new_v4();
    let v_related = "related-é".to_owned();
    let v_job_type = "job_type-é".to_owned();
    let v_job_dispatcher = "job_dispatcher-é".to_owned();
    let v_job_executing_msid = -1_234_567_890_123;
    let v_job_pending_signals = -123_456;
    let new = NewAsyncJob {
        id: Some(v_id),
        user_id: v_user_id,
        account_id: v_account_id,
        instance_type: Some(v_instance_type.clone()),
        instance_id: Some(v_instance_id),
        job_cmd: Some(v_job_cmd.clone()),
        job_cmd_info: Some(v_job_cmd_info.clone()),
        job_cmd_ver: Some(v_job_cmd_ver),
        job_status: Some(v_job_status),
        job_process_status: Some(v_job_process_status),
        job_result_code: Some(v_job_result_code),
        job_result: Some(v_job_result.clone()),
        job_init_msid: Some(v_job_init_msid),
        job_complete_msid: Some(v_job_complete_msid),
        created: Some(v_created),
        last_updated: Some(v_last_updated),
        last_polled: Some(v_last_polled),
        removed: Some(v_removed),
        uuid: Some(v_uuid),
        related: v_related.clone(),
        job_type: Some(v_job_type.clone()),
        job_dispatcher: Some(v_job_dispatcher.clone()),
        job_executing_msid: Some(v_job_executing_msid),
        job_pending_signals: Some(v_job_pending_signals),
    };
    let expected = AsyncJob {
        id: v_id,
        user_id: v_user_id,
        account_id: v_account_id,
        instance_type: Some(v_instance_type.clone()),
        instance_id: Some(v_instance_id),
        job_cmd: Some(v_job_cmd.clone()),
        job_cmd_info: Some(v_job_cmd_info.clone()),
        job_cmd_ver: Some(v_job_cmd_ver),
        job_status: Some(v_job_status),
        job_process_status: Some(v_job_process_status),
        job_result_code: Some(v_job_result_code),
        job_result: Some(v_job_result.clone()),
        job_init_msid: Some(v_job_init_msid),
        job_complete_msid: Some(v_job_complete_msid),
        created: Some(v_created),
        last_updated: Some(v_last_updated),
        last_polled: Some(v_last_polled),
        removed: Some(v_removed),
        uuid: Some(v_uuid),
        related: v_related.clone(),
        job_type: Some(v_job_type.clone()),
        job_dispatcher: Some(v_job_dispatcher.clone()),
        job_executing_msid: Some(v_job_executing_msid),
        job_pending_signals: v_job_pending_signals,
    };
    let read: AsyncJob = db
        .cloud()
        .run(|c| {
            diesel::insert_into(async_job::table)
                .values(new)
                .execute(c)?;
            Ok(async_job::table
                .find(v_id)
                .select(AsyncJob::as_select())
                .first(c)?)
        })
        .unwrap_or_else(|e| panic!("cloud.async_job: {e}"));
    assert_eq!(read, expected, "cloud.async_job read back differs");
}

/// Inserts a `cloud.event` row with every column set and checks it reads back the same.
fn event(db: &Database) {
    let v_id = EventId(5016);
    let v_uuid = Uuid::new_v4();
    let v_event_type = "type-é".to_owned();
    let v_state = *EventState::ALL.last().unwrap();
    let v_description = "description-😀".to_owned();
    let v_user_id = UserId(2);
    let v_account_id = AccountId(2);
    let v_domain_id = DomainId(1);
    let v_resource_id = 4_000_000_000_123;
    let v_resource_type = "resource_type-é".to_owned();
    let v_created = at();
    let v_level = *EventLevel::ALL.last().unwrap();
    let v_start_id = EventId(1);
    let v_parameters = "parameters-é".to_owned();
    let v_archived = true;
    let v_display = true;
    let new = NewEvent {
        id: Some(v_id),
        uuid: Some(v_uuid),
        event_type: v_event_type.clone(),
        state: Some(v_state),
        description: v_description.clone(),
        user_id: v_user_id,
        account_id: v_account_id,
        domain_id: v_domain_id,
        resource_id: Some(v_resource_id),
        resource_type: Some(v_resource_type.clone()),
        created: v_created,
        level: v_level,
        start_id: Some(v_start_id),
        parameters: Some(v_parameters.clone()),
        archived: v_archived,
        display: Some(v_display),
    };
    let expected = Event {
        id: v_id,
        uuid: Some(v_uuid),
        event_type: v_event_type.clone(),
        state: v_state,
        description: v_description.clone(),
        user_id: v_user_id,
        account_id: v_account_id,
        domain_id: v_domain_id,
        resource_id: Some(v_resource_id),
        resource_type: Some(v_resource_type.clone()),
        created: v_created,
        level: v_level,
        start_id: v_start_id,
        parameters: Some(v_parameters.clone()),
        archived: v_archived,
        display: v_display,
    };
    let read: Event = db
        .cloud()
        .run(|c| {
            diesel::insert_into(event::table).values(new).execute(c)?;
            Ok(event::table
                .find(v_id)
                .select(Event::as_select())
                .first(c)?)
        })
        .unwrap_or_else(|e| panic!("cloud.event: {e}"));
    assert_eq!(read, expected, "cloud.event read back differs");
}

/// Inserts a `cloud.usage_event` row with every column set and checks it reads back the same.
fn usage_event(db: &Database) {
    let v_id = UsageEventId(5017);
    let v_event_type = "type-é".to_owned();
    let v_account_id = AccountId(2);
    let v_created = at();
    let v_zone_id = ZoneId(5001);
    let v_resource_id = 4_000_000_000_123;
    let v_resource_name = "resource_name-😀".to_owned();
    let v_offering_id = 4_000_000_000_123;
    let v_template_id = TemplateId(5004);
    let v_size = 4_000_000_000_123;
    let v_resource_type = "resource_type-é".to_owned();
    let v_processed = true;
    let v_virtual_size = 4_000_000_000_123;
    let v_vm_id = VmId(5005);
    let new = NewUsageEvent {
        id: Some(v_id),
        event_type: v_event_type.clone(),
        account_id: v_account_id,
        created: v_created,
        zone_id: v_zone_id,
        resource_id: Some(v_resource_id),
        resource_name: Some(v_resource_name.clone()),
        offering_id: Some(v_offering_id),
        template_id: Some(v_template_id),
        size: Some(v_size),
        resource_type: Some(v_resource_type.clone()),
        processed: v_processed,
        virtual_size: Some(v_virtual_size),
        vm_id: Some(v_vm_id),
        details: Vec::new(),
    };
    let expected = UsageEvent {
        id: v_id,
        event_type: v_event_type.clone(),
        account_id: v_account_id,
        created: v_created,
        zone_id: v_zone_id,
        resource_id: Some(v_resource_id),
        resource_name: Some(v_resource_name.clone()),
        offering_id: Some(v_offering_id),
        template_id: Some(v_template_id),
        size: Some(v_size),
        resource_type: Some(v_resource_type.clone()),
        processed: v_processed,
        virtual_size: Some(v_virtual_size),
        vm_id: Some(v_vm_id),
    };
    let read: UsageEvent = db
        .cloud()
        .run(|c| {
            diesel::insert_into(usage_event::table)
                .values(new)
                .execute(c)?;
            Ok(usage_event::table
                .find(v_id)
                .select(UsageEvent::as_select())
                .first(c)?)
        })
        .unwrap_or_else(|e| panic!("cloud.usage_event: {e}"));
    assert_eq!(read, expected, "cloud.usage_event read back differs");
}

/// Inserts a `cloud.nics` row with every column set and checks it reads back the same.
fn nics(db: &Database) {
    let new = NewNic {
        id: Some(NicId(5030)),
        uuid: Some(Uuid::new_v4()),
        instance_id: Some(VmId(5005)),
        mac_address: Some("02:00:4c:5f:00:01".into()),
        ip4_address: Some("10.1.1.200".into()),
        netmask: Some("255.255.255.0".into()),
        gateway: Some("10.1.1.1".into()),
        ip_type: Some("Ip4".into()),
        broadcast_uri: Some("vlan://100-é".into()),
        network_id: NetworkId(5007),
        mode: Some(*NetworkMode::ALL.last().unwrap()),
        state: *NicState::ALL.last().unwrap(),
        strategy: *NicReservationStrategy::ALL.last().unwrap(),
        reserver_name: Some("reserver_name-é".into()),
        reservation_id: Some("reservation_id-é".into()),
        device_id: Some(-7),
        update_time: Some(at()),
        isolation_uri: Some("isolation_uri-é".into()),
        ip6_address: Some("fd00::1".into()),
        default_nic: true,
        vm_type: Some(*VmType::ALL.last().unwrap()),
        created: at(),
        removed: Some(at()),
        ip6_gateway: Some("fd00::ffff".into()),
        ip6_cidr: Some("fd00::/64".into()),
        secondary_ip: Some(-3),
        display_nic: false,
        mtu: Some(4_000_000_000_123),
    };
    let expected = Nic {
        id: NicId(5030),
        uuid: new.uuid,
        instance_id: new.instance_id,
        mac_address: new.mac_address.clone(),
        ip4_address: new.ip4_address.clone(),
        netmask: new.netmask.clone(),
        gateway: new.gateway.clone(),
        ip_type: new.ip_type.clone(),
        broadcast_uri: new.broadcast_uri.clone(),
        network_id: new.network_id,
        mode: new.mode,
        state: new.state,
        strategy: new.strategy,
        reserver_name: new.reserver_name.clone(),
        reservation_id: new.reservation_id.clone(),
        device_id: new.device_id,
        update_time: new.update_time,
        isolation_uri: new.isolation_uri.clone(),
        ip6_address: new.ip6_address.clone(),
        default_nic: true,
        vm_type: new.vm_type,
        created: at(),
        removed: Some(at()),
        ip6_gateway: new.ip6_gateway.clone(),
        ip6_cidr: new.ip6_cidr.clone(),
        secondary_ip: Some(-3),
        display_nic: false,
        mtu: new.mtu,
    };
    let read: Nic = db
        .cloud()
        .run(|c| {
            diesel::insert_into(nics::table).values(new).execute(c)?;
            Ok(nics::table
                .find(NicId(5030))
                .select(Nic::as_select())
                .first(c)?)
        })
        .unwrap_or_else(|e| panic!("cloud.nics: {e}"));
    assert_eq!(read, expected, "cloud.nics read back differs");
}

/// Inserts a `cloud.network_details` row with every column set and checks it reads back.
fn network_details(db: &Database) {
    let read: (u64, NetworkId, String, String, bool) = db
        .cloud()
        .run(|c| {
            diesel::insert_into(network_details::table)
                .values((
                    network_details::id.eq(5031),
                    network_details::network_id.eq(NetworkId(5007)),
                    network_details::name.eq("name-é"),
                    network_details::value.eq("value-é"),
                    network_details::display.eq(false),
                ))
                .execute(c)?;
            Ok(network_details::table.find(5031).first(c)?)
        })
        .unwrap_or_else(|e| panic!("cloud.network_details: {e}"));
    assert_eq!(
        read,
        (
            5031,
            NetworkId(5007),
            "name-é".into(),
            "value-é".into(),
            false
        )
    );
}

/// Inserts a `cloud.usage_event_details` row with every column set and checks it reads back.
fn usage_event_details(db: &Database) {
    let read: UsageEventDetail = db
        .cloud()
        .run(|c| {
            diesel::insert_into(usage_event_details::table)
                .values((
                    usage_event_details::id.eq(5032),
                    usage_event_details::usage_event_id.eq(UsageEventId(5017)),
                    usage_event_details::name.eq("name-é"),
                    usage_event_details::value.eq("value-é"),
                ))
                .execute(c)?;
            Ok(usage_event_details::table
                .find(5032)
                .select(UsageEventDetail::as_select())
                .first(c)?)
        })
        .unwrap_or_else(|e| panic!("cloud.usage_event_details: {e}"));
    assert_eq!(
        read,
        UsageEventDetail {
            id: 5032,
            usage_event_id: UsageEventId(5017),
            name: "name-é".into(),
            value: "value-é".into(),
        }
    );
}

/// Inserts a `cloud.version` row with every column set and checks it reads back the same.
fn version(db: &Database) {
    let v_id = VersionId(5018);
    let v_version = "version-é".to_owned();
    let v_updated = at();
    let v_step = "step-é".to_owned();
    let new = NewVersion {
        id: Some(v_id),
        version: v_version.clone(),
        updated: v_updated,
        step: v_step.clone(),
    };
    let expected = Version {
        id: v_id,
        version: v_version.clone(),
        updated: v_updated,
        step: v_step.clone(),
    };
    let read: Version = db
        .cloud()
        .run(|c| {
            diesel::insert_into(version::table).values(new).execute(c)?;
            Ok(version::table
                .find(v_id)
                .select(Version::as_select())
                .first(c)?)
        })
        .unwrap_or_else(|e| panic!("cloud.version: {e}"));
    assert_eq!(read, expected, "cloud.version read back differs");
}

/// Inserts a `cloud.sequence` row with every column set and checks it reads back the same.
fn sequence(db: &Database) {
    let v_name = "name-é".to_owned();
    let v_value = 4_000_000_000_123;
    let new = NewSequence {
        name: v_name.clone(),
        value: v_value,
    };
    let expected = Sequence {
        name: v_name.clone(),
        value: v_value,
    };
    let read: Sequence = db
        .cloud()
        .run(|c| {
            diesel::insert_into(sequence::table)
                .values(new)
                .execute(c)?;
            Ok(sequence::table
                .find(v_name.clone())
                .select(Sequence::as_select())
                .first(c)?)
        })
        .unwrap_or_else(|e| panic!("cloud.sequence: {e}"));
    assert_eq!(read, expected, "cloud.sequence read back differs");
}

/// Inserts a `cloud_usage.cloud_usage` row with every column set and checks it reads back the same.
fn cloud_usage(db: &Database) {
    let v_id = UsageRecordId(5019);
    let v_zone_id = ZoneId(5001);
    let v_account_id = AccountId(2);
    let v_domain_id = DomainId(1);
    let v_description = "description-é".to_owned();
    let v_usage_display = "usage_display-é".to_owned();
    let v_usage_type = *UsageType::ALL.last().unwrap();
    let v_raw_usage = 1.5;
    let v_vm_instance_id = VmId(5005);
    let v_vm_name = "vm_name-é".to_owned();
    let v_offering_id = 4_000_000_000_123;
    let v_template_id = TemplateId(5004);
    let v_usage_id = 4_000_000_000_123;
    let v_resource_kind = "type-é".to_owned();
    let v_size = 4_000_000_000_123;
    let v_network_id = NetworkId(5007);
    let v_start_date = at();
    let v_end_date = at();
    let v_virtual_size = 4_000_000_000_123;
    let v_cpu_speed = 3_000_000_001;
    let v_cpu_cores = 3_000_000_001;
    let v_memory = 3_000_000_001;
    let v_quota_calculated = true;
    let v_is_hidden = true;
    let v_state = "state-é".to_owned();
    let new = NewUsageRecord {
        id: Some(v_id),
        zone_id: v_zone_id,
        account_id: v_account_id,
        domain_id: v_domain_id,
        description: v_description.clone(),
        usage_display: v_usage_display.clone(),
        usage_type: Some(v_usage_type),
        raw_usage: v_raw_usage,
        vm_instance_id: Some(v_vm_instance_id),
        vm_name: Some(v_vm_name.clone()),
        offering_id: Some(v_offering_id),
        template_id: Some(v_template_id),
        usage_id: Some(v_usage_id),
        resource_kind: Some(v_resource_kind.clone()),
        size: Some(v_size),
        network_id: Some(v_network_id),
        start_date: v_start_date,
        end_date: v_end_date,
        virtual_size: Some(v_virtual_size),
        cpu_speed: Some(v_cpu_speed),
        cpu_cores: Some(v_cpu_cores),
        memory: Some(v_memory),
        quota_calculated: Some(v_quota_calculated),
        is_hidden: v_is_hidden,
        state: Some(v_state.clone()),
    };
    let expected = UsageRecord {
        id: v_id,
        zone_id: v_zone_id,
        account_id: v_account_id,
        domain_id: v_domain_id,
        description: v_description.clone(),
        usage_display: v_usage_display.clone(),
        usage_type: Some(v_usage_type),
        raw_usage: v_raw_usage,
        vm_instance_id: Some(v_vm_instance_id),
        vm_name: Some(v_vm_name.clone()),
        offering_id: Some(v_offering_id),
        template_id: Some(v_template_id),
        usage_id: Some(v_usage_id),
        resource_kind: Some(v_resource_kind.clone()),
        size: Some(v_size),
        network_id: Some(v_network_id),
        start_date: v_start_date,
        end_date: v_end_date,
        virtual_size: Some(v_virtual_size),
        cpu_speed: Some(v_cpu_speed),
        cpu_cores: Some(v_cpu_cores),
        memory: Some(v_memory),
        quota_calculated: v_quota_calculated,
        is_hidden: v_is_hidden,
        state: Some(v_state.clone()),
    };
    let read: UsageRecord = db
        .usage()
        .run(|c| {
            diesel::insert_into(cloud_usage::table)
                .values(new)
                .execute(c)?;
            Ok(cloud_usage::table
                .find(v_id)
                .select(UsageRecord::as_select())
                .first(c)?)
        })
        .unwrap_or_else(|e| panic!("cloud_usage.cloud_usage: {e}"));
    assert_eq!(read, expected, "cloud_usage.cloud_usage read back differs");
}

/// Inserts a `cloud_usage.usage_vm_instance` row with every column set and checks it reads back the same.
fn usage_vm_instance(db: &Database) {
    let v_id = -1_234_567_890_123;
    let v_usage_type = *UsageType::ALL.last().unwrap();
    let v_zone_id = ZoneId(5001);
    let v_account_id = AccountId(2);
    let v_vm_instance_id = VmId(5005);
    let v_vm_name = "vm_name-é".to_owned();
    let v_service_offering_id = ServiceOfferingId(5003);
    let v_template_id = TemplateId(5004);
    let v_hypervisor_type = *HypervisorType::ALL.last().unwrap();
    let v_start_date = at();
    let v_end_date = at();
    let v_cpu_speed = 3_000_000_001;
    let v_cpu_cores = 3_000_000_001;
    let v_memory = 3_000_000_001;
    let new = NewUsageVmInstance {
        id: Some(v_id),
        usage_type: Some(v_usage_type),
        zone_id: v_zone_id,
        account_id: v_account_id,
        vm_instance_id: v_vm_instance_id,
        vm_name: v_vm_name.clone(),
        service_offering_id: v_service_offering_id,
        template_id: v_template_id,
        hypervisor_type: Some(v_hypervisor_type),
        start_date: v_start_date,
        end_date: Some(v_end_date),
        cpu_speed: Some(v_cpu_speed),
        cpu_cores: Some(v_cpu_cores),
        memory: Some(v_memory),
    };
    let expected = UsageVmInstance {
        id: v_id,
        usage_type: Some(v_usage_type),
        zone_id: v_zone_id,
        account_id: v_account_id,
        vm_instance_id: v_vm_instance_id,
        vm_name: v_vm_name.clone(),
        service_offering_id: v_service_offering_id,
        template_id: v_template_id,
        hypervisor_type: Some(v_hypervisor_type),
        start_date: v_start_date,
        end_date: Some(v_end_date),
        cpu_speed: Some(v_cpu_speed),
        cpu_cores: Some(v_cpu_cores),
        memory: Some(v_memory),
    };
    let read: UsageVmInstance = db
        .usage()
        .run(|c| {
            diesel::insert_into(usage_vm_instance::table)
                .values(new)
                .execute(c)?;
            Ok(usage_vm_instance::table
                .find(v_id)
                .select(UsageVmInstance::as_select())
                .first(c)?)
        })
        .unwrap_or_else(|e| panic!("cloud_usage.usage_vm_instance: {e}"));
    assert_eq!(
        read, expected,
        "cloud_usage.usage_vm_instance read back differs"
    );
}

/// Inserts a `cloud_usage.usage_volume` row with every column set and checks it reads back the same.
fn usage_volume(db: &Database) {
    let v_id = -1_234_567_890_123;
    let v_volume_id = VolumeId(5006);
    let v_zone_id = ZoneId(5001);
    let v_account_id = AccountId(2);
    let v_domain_id = DomainId(1);
    let v_disk_offering_id = DiskOfferingId(5002);
    let v_template_id = TemplateId(5004);
    let v_size = 4_000_000_000_123;
    let v_created = at();
    let v_deleted = at();
    let v_vm_id = VmId(5005);
    let new = NewUsageVolume {
        id: Some(v_id),
        volume_id: v_volume_id,
        zone_id: v_zone_id,
        account_id: v_account_id,
        domain_id: v_domain_id,
        disk_offering_id: Some(v_disk_offering_id),
        template_id: Some(v_template_id),
        size: Some(v_size),
        created: v_created,
        deleted: Some(v_deleted),
        vm_id: Some(v_vm_id),
    };
    let expected = UsageVolume {
        id: v_id,
        volume_id: v_volume_id,
        zone_id: v_zone_id,
        account_id: v_account_id,
        domain_id: v_domain_id,
        disk_offering_id: Some(v_disk_offering_id),
        template_id: Some(v_template_id),
        size: Some(v_size),
        created: v_created,
        deleted: Some(v_deleted),
        vm_id: Some(v_vm_id),
    };
    let read: UsageVolume = db
        .usage()
        .run(|c| {
            diesel::insert_into(usage_volume::table)
                .values(new)
                .execute(c)?;
            Ok(usage_volume::table
                .find(v_id)
                .select(UsageVolume::as_select())
                .first(c)?)
        })
        .unwrap_or_else(|e| panic!("cloud_usage.usage_volume: {e}"));
    assert_eq!(read, expected, "cloud_usage.usage_volume read back differs");
}

/// Inserts a `cloud_usage.usage_network` row with every column set and checks it reads back the same.
fn usage_network(db: &Database) {
    let v_account_id = AccountId(2);
    let v_zone_id = ZoneId(5001);
    let v_host_id = 4_000_000_000_123;
    let v_host_type = "host_type-é".to_owned();
    let v_network_id = NetworkId(5007);
    let v_bytes_sent = 4_000_000_000_123;
    let v_bytes_received = 4_000_000_000_123;
    let v_agg_bytes_received = 4_000_000_000_123;
    let v_agg_bytes_sent = 4_000_000_000_123;
    let v_event_time_millis = 4_000_000_000_123;
    let new = NewUsageNetwork {
        account_id: v_account_id,
        zone_id: v_zone_id,
        host_id: v_host_id,
        host_type: Some(v_host_type.clone()),
        network_id: v_network_id,
        bytes_sent: Some(v_bytes_sent),
        bytes_received: Some(v_bytes_received),
        agg_bytes_received: Some(v_agg_bytes_received),
        agg_bytes_sent: Some(v_agg_bytes_sent),
        event_time_millis: Some(v_event_time_millis),
    };
    let expected = UsageNetwork {
        account_id: v_account_id,
        zone_id: v_zone_id,
        host_id: v_host_id,
        host_type: Some(v_host_type.clone()),
        network_id: v_network_id,
        bytes_sent: v_bytes_sent,
        bytes_received: v_bytes_received,
        agg_bytes_received: v_agg_bytes_received,
        agg_bytes_sent: v_agg_bytes_sent,
        event_time_millis: v_event_time_millis,
    };
    let read: UsageNetwork = db
        .usage()
        .run(|c| {
            diesel::insert_into(usage_network::table)
                .values(new)
                .execute(c)?;
            Ok(usage_network::table
                .find((
                    v_account_id,
                    v_zone_id,
                    v_host_id,
                    v_network_id,
                    v_event_time_millis,
                ))
                .select(UsageNetwork::as_select())
                .first(c)?)
        })
        .unwrap_or_else(|e| panic!("cloud_usage.usage_network: {e}"));
    assert_eq!(
        read, expected,
        "cloud_usage.usage_network read back differs"
    );
}

/// Inserts a `cloud_usage.usage_ip_address` row with every column set and checks it reads back the same.
fn usage_ip_address(db: &Database) {
    let v_id = -1_234_567_890_123;
    let v_ip_id = IpAddressId(5009);
    let v_account_id = AccountId(2);
    let v_domain_id = DomainId(1);
    let v_zone_id = ZoneId(5001);
    let v_public_ip_address = "public_ip_addre".to_owned();
    let v_is_source_nat = true;
    let v_is_system = true;
    let v_assigned = at();
    let v_released = at();
    let v_is_hidden = true;
    let new = NewUsageIpAddress {
        id: Some(v_id),
        ip_id: v_ip_id,
        account_id: v_account_id,
        domain_id: v_domain_id,
        zone_id: v_zone_id,
        public_ip_address: v_public_ip_address.clone(),
        is_source_nat: v_is_source_nat,
        is_system: v_is_system,
        assigned: v_assigned,
        released: Some(v_released),
        is_hidden: v_is_hidden,
    };
    let expected = UsageIpAddress {
        id: v_id,
        ip_id: v_ip_id,
        account_id: v_account_id,
        domain_id: v_domain_id,
        zone_id: v_zone_id,
        public_ip_address: v_public_ip_address.clone(),
        is_source_nat: v_is_source_nat,
        is_system: v_is_system,
        assigned: v_assigned,
        released: Some(v_released),
        is_hidden: v_is_hidden,
    };
    let read: UsageIpAddress = db
        .usage()
        .run(|c| {
            diesel::insert_into(usage_ip_address::table)
                .values(new)
                .execute(c)?;
            Ok(usage_ip_address::table
                .find(v_id)
                .select(UsageIpAddress::as_select())
                .first(c)?)
        })
        .unwrap_or_else(|e| panic!("cloud_usage.usage_ip_address: {e}"));
    assert_eq!(
        read, expected,
        "cloud_usage.usage_ip_address read back differs"
    );
}

/// Inserts a `cloud_usage.usage_job` row with every column set and checks it reads back the same.
fn usage_job(db: &Database) {
    let v_id = UsageJobId(5020);
    let v_host = "host-é".to_owned();
    let v_pid = -123_456;
    let v_job_type = *UsageJobType::ALL.last().unwrap();
    let v_scheduled = -123_456;
    let v_start_millis = 4_000_000_000_123;
    let v_end_millis = 4_000_000_000_123;
    let v_exec_time = 4_000_000_000_123;
    let v_start_date = at();
    let v_end_date = at();
    let v_success = true;
    let v_heartbeat = at();
    let new = NewUsageJob {
        id: Some(v_id),
        host: Some(v_host.clone()),
        pid: Some(v_pid),
        job_type: Some(v_job_type),
        scheduled: Some(v_scheduled),
        start_millis: Some(v_start_millis),
        end_millis: Some(v_end_millis),
        exec_time: Some(v_exec_time),
        start_date: Some(v_start_date),
        end_date: Some(v_end_date),
        success: Some(v_success),
        heartbeat: v_heartbeat,
    };
    let expected = UsageJob {
        id: v_id,
        host: Some(v_host.clone()),
        pid: Some(v_pid),
        job_type: Some(v_job_type),
        scheduled: Some(v_scheduled),
        start_millis: v_start_millis,
        end_millis: v_end_millis,
        exec_time: v_exec_time,
        start_date: Some(v_start_date),
        end_date: Some(v_end_date),
        success: Some(v_success),
        heartbeat: v_heartbeat,
    };
    let read: UsageJob = db
        .usage()
        .run(|c| {
            diesel::insert_into(usage_job::table)
                .values(new)
                .execute(c)?;
            Ok(usage_job::table
                .find(v_id)
                .select(UsageJob::as_select())
                .first(c)?)
        })
        .unwrap_or_else(|e| panic!("cloud_usage.usage_job: {e}"));
    assert_eq!(read, expected, "cloud_usage.usage_job read back differs");
}
