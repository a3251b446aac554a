//! Every enum column type stores exactly CloudStack's values (checked against the schema facts),
//! round-trips every value through the server, and turns an unknown value into a typed error.

mod common;

use cloudstack_db::Error;
use cloudstack_db::catalog::*;
use cloudstack_db::compute::*;
use cloudstack_db::events::*;
use cloudstack_db::identity::*;
use cloudstack_db::jobs::*;
use cloudstack_db::network::*;
use cloudstack_db::storage::*;
use cloudstack_db::types::{HypervisorType, ImageFormat, OfferingState, ProvisioningType};
use cloudstack_db::usage::*;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text, Unsigned};
use serde_json::Value;

fn inventory_enums() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/cloudstack-4.22-inventory.json"
    );
    serde_json::from_str::<Value>(&std::fs::read_to_string(path).unwrap()).unwrap()["enums"].clone()
}

fn listed_strings(enums: &Value, key: &str) -> Vec<String> {
    enums[key]["values"]
        .as_array()
        .unwrap_or_else(|| panic!("{key}"))
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

fn listed_ordinals(enums: &Value, key: &str) -> Vec<(i64, String)> {
    let mut v: Vec<(i64, String)> = enums[key]["values"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.parse().unwrap(), v.as_str().unwrap().to_owned()))
        .collect();
    v.sort();
    v
}

macro_rules! check_text_enums {
    ($conn:expr, $enums:expr, $($ty:ty => $key:literal),* $(,)?) => {{
        let mut checked = 0;
        $(
            let stored: Vec<String> = <$ty>::ALL.iter().map(|v| v.as_str().to_owned()).collect();
            let mut listed = listed_strings(&$enums, $key);
            let mut sorted_stored = stored.clone();
            listed.sort();
            sorted_stored.sort();
            assert_eq!(sorted_stored, listed, "{} values differ from CloudStack's {}", stringify!($ty), $key);
            for value in <$ty>::ALL {
                // Written as its CloudStack text, read back as the same value.
                let text: String = diesel::select(value.into_sql::<Text>()).get_result($conn).unwrap();
                assert_eq!(text, value.as_str());
                let back: $ty = diesel::select(value.into_sql::<Text>()).get_result($conn).unwrap();
                assert_eq!(back, *value);
                // Read case-insensitively, as CloudStack does.
                let upper: $ty = diesel::select(value.as_str().to_uppercase().into_sql::<Text>()).get_result($conn).unwrap();
                assert_eq!(upper, *value);
            }
            let err = Error::from(diesel::select("No Such Value".into_sql::<Text>()).get_result::<$ty>($conn).unwrap_err());
            match err {
                Error::InvalidValue { column, value, .. } => {
                    assert_eq!(column, <$ty>::COLUMN);
                    assert_eq!(value.as_deref(), Some("No Such Value"));
                }
                other => panic!("{}: {other:?}", stringify!($ty)),
            }
            checked += 1;
        )*
        checked
    }};
}

macro_rules! check_ordinal_enums {
    ($conn:expr, $enums:expr, $($ty:ty as $sql:ty => $key:expr),* $(,)?) => {{
        let mut checked = 0;
        $(
            let ours: Vec<(i64, String)> = <$ty>::ALL.iter().map(|v| (i64::from(v.value()), v.name().to_owned())).collect();
            assert_eq!(ours, $key, "{} differs from CloudStack's constants", stringify!($ty));
            for value in <$ty>::ALL {
                let back: $ty = diesel::select(value.into_sql::<$sql>()).get_result($conn).unwrap();
                assert_eq!(back, *value);
            }
            checked += 1;
        )*
        checked
    }};
}

#[test]
fn every_enum_matches_cloudstack_and_round_trips() {
    let test = common::fresh();
    let mut conn = test.database().cloud().get().unwrap();
    let conn: &mut MysqlConnection = &mut conn;
    let enums = inventory_enums();
    let text = check_text_enums!(conn, enums,
        VmState => "VirtualMachine.State",
        VmType => "VirtualMachine.Type",
        VmDiscriminator => "vm_instance.type (JPA discriminator)",
        PowerState => "VirtualMachine.PowerState",
        HypervisorType => "Hypervisor.HypervisorType",
        ZoneNetworkType => "DataCenter.NetworkType",
        ZoneType => "DataCenter.Type",
        AllocationState => "Grouping.AllocationState",
        VolumeState => "Volume.State",
        VolumeType => "Volume.Type",
        TemplateState => "VirtualMachineTemplate.State",
        TemplateType => "Storage.TemplateType",
        ImageFormat => "Storage.ImageFormat",
        ProvisioningType => "Storage.ProvisioningType",
        CpuArch => "CPU.CPUArch",
        UserDataOverridePolicy => "UserData.UserDataOverridePolicy",
        StoragePoolType => "Storage.StoragePoolType",
        DiskCacheMode => "DiskOffering.DiskCacheMode",
        OfferingState => "DiskOffering.State / ServiceOffering.State",
        NetworkState => "Network.State",
        GuestType => "Network.GuestType",
        TrafficType => "Networks.TrafficType",
        BroadcastDomainType => "Networks.BroadcastDomainType",
        NetworkMode => "Networks.Mode",
        AclType => "ControlledEntity.ACLType",
        IpAddressState => "IpAddress.State",
        VlanType => "Vlan.VlanType",
        AccountState => "Account.State",
        UserSource => "User.Source",
        DomainState => "Domain.State",
        DomainType => "domain.type",
        RoleType => "RoleType",
        RoleState => "Role.State",
        Permission => "RolePermissionEntity.Permission",
        EventState => "Event.State",
        EventLevel => "event.level",
    );
    let job_types: Vec<(i64, String)> = {
        let mut v: Vec<(i64, String)> = enums["UsageJobVO constants"]["values"]["job_type"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.parse().unwrap(), v.as_str().unwrap().to_owned()))
            .collect();
        v.sort();
        v
    };
    let ordinal = check_ordinal_enums!(conn, enums,
        AccountType as Unsigned<Integer> => listed_ordinals(&enums, "Account.Type"),
        JobStatus as Integer => listed_ordinals(&enums, "JobInfo.Status"),
        UsageType as Unsigned<Integer> => listed_ordinals(&enums, "UsageTypes"),
        UsageJobType as Integer => job_types,
    );
    // Every enum of the facts that maps to a column type is covered (the two `scheduled`
    // constants of usage_job are a plain 0/1 flag).
    assert_eq!(text + ordinal, 40);
    assert_eq!(enums.as_object().unwrap().len(), 40);
}

#[test]
fn unknown_values_in_rows_are_typed_errors_not_panics() {
    let test = common::fresh();
    let pool = test.database().cloud();
    // A row written by someone else with a state this crate does not know.
    pool.run(|c| {
        c.batch_execute(
            "INSERT INTO vm_instance (id, name, instance_name, state, guest_os_id, vnc_password, created, type, \
             vm_type, account_id, domain_id, service_offering_id, data_center_id) \
             VALUES (9, 'vm', 'i-2-9-VM', 'Hibernating', 1, 'x', UTC_TIMESTAMP(), 'User', 'User', 2, 1, 1, 1)",
        )?;
        Ok(())
    })
    .unwrap();
    let err = pool
        .run(|c| {
            use cloudstack_db::schema::cloud::vm_instance;
            Ok(vm_instance::table
                .find(cloudstack_db::types::VmId(9))
                .select(VmInstance::as_select())
                .first(c)?)
        })
        .unwrap_err();
    match err {
        Error::InvalidValue { column, value, .. } => {
            assert_eq!(column, "vm_instance.state");
            assert_eq!(value.as_deref(), Some("Hibernating"));
        }
        other => panic!("expected InvalidValue, got {other:?}"),
    }
    // An unknown ordinal too.
    let err = Error::from(
        diesel::select(7_i32.into_sql::<Integer>())
            .get_result::<JobStatus>(&mut *pool.get().unwrap())
            .unwrap_err(),
    );
    assert!(
        matches!(&err, Error::InvalidValue { column, value: Some(v), .. } if column == "async_job.job_status" && v == "7"),
        "{err:?}"
    );
}
