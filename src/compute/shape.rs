//! What a VM is counted and billed as: its offering's cpu, speed and memory — for a custom
//! (dynamic) offering, the values stored with the VM in `vm_instance_details` — and the host
//! tags its offering and template carry (`ServiceOfferingDaoImpl.findById(vmId, offeringId)`,
//! `ResourceLimitManagerImpl.getResourceLimitHostTags`).

use diesel::prelude::*;

use crate::db::Tx;
use crate::resources::{ResourceType, change_tagged, host_tags_of, reserve_tagged};
use crate::schema::cloud::{service_offering, vm_instance_details, vm_template};
use crate::types::{AccountId, ServiceOfferingId, TemplateId, VmId};
use crate::{Error, Result};

/// `VmDetailConstants.CPU_NUMBER`.
pub(super) const CPU_NUMBER: &str = "cpuNumber";
/// `VmDetailConstants.CPU_SPEED`.
pub(super) const CPU_SPEED: &str = "cpuSpeed";
/// `VmDetailConstants.MEMORY`.
pub(super) const MEMORY: &str = "memory";

/// The cpu, speed and memory of a VM on a custom (dynamic) compute offering — one whose
/// `cpu`, `speed` or `ram_size` is NULL — stored with the VM as `vm_instance_details`
/// (`cpuNumber`, `cpuSpeed`, `memory`), counted and billed as CloudStack does.
///
/// ```
/// let custom = cloudstack_db::compute::vms::CustomCompute { cpu_number: 4, cpu_speed: 2000, memory_mib: 8192 };
/// assert_eq!(custom.memory_mib, 8192);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomCompute {
    /// Number of vCPUs.
    pub cpu_number: u32,
    /// CPU speed in MHz.
    pub cpu_speed: u32,
    /// Memory in MiB.
    pub memory_mib: u64,
}

/// A VM's effective compute and host tags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Shape {
    pub cpu: Option<u32>,
    pub speed: Option<u32>,
    pub memory: Option<u64>,
    /// A custom offering: the values above come from the VM's details.
    pub dynamic: bool,
    pub tags: Vec<String>,
}

type Row = (
    Option<u32>,
    Option<u32>,
    Option<u64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

impl Shape {
    /// One SELECT: the offering's columns, the template's tag and (for `vm`) its three details.
    pub(super) fn of(
        conn: &mut MysqlConnection,
        offering: ServiceOfferingId,
        template: Option<TemplateId>,
        vm: Option<VmId>,
    ) -> Result<Self> {
        let detail = |name: &'static str| {
            vm_instance_details::table
                .filter(vm_instance_details::vm_id.nullable().eq(vm))
                .filter(vm_instance_details::name.eq(name))
                .select(vm_instance_details::value)
                .limit(1)
                .single_value()
        };
        let template_tag = vm_template::table
            .filter(vm_template::id.nullable().eq(template))
            .select(vm_template::template_tag)
            .single_value();
        let row: Option<Row> = service_offering::table
            .find(offering)
            .select((
                service_offering::cpu,
                service_offering::speed,
                service_offering::ram_size,
                service_offering::host_tag,
                template_tag,
                detail(CPU_NUMBER),
                detail(CPU_SPEED),
                detail(MEMORY),
            ))
            .first(conn)
            .optional()?;
        let Some((cpu, speed, memory, host_tag, template_tag, d_cpu, d_speed, d_memory)) = row
        else {
            return Ok(Self::default());
        };
        let dynamic = cpu.is_none() || speed.is_none() || memory.is_none();
        let tags = host_tags_of(conn, host_tag.as_deref(), template_tag.as_deref())?;
        let mut shape = Self {
            cpu,
            speed,
            memory,
            dynamic,
            tags,
        };
        if dynamic {
            // getComputeOffering: a stored detail replaces the offering's value.
            shape.cpu = parse_detail(d_cpu, "cpuNumber")?.or(shape.cpu);
            shape.speed = parse_detail(d_speed, "cpuSpeed")?.or(shape.speed);
            shape.memory = parse_detail(d_memory, "memory")?.or(shape.memory);
        }
        Ok(shape)
    }

    /// The shape of a VM about to be created with `custom` values: a custom offering needs
    /// them for what it leaves open, a fixed one takes none ([`Error::InvalidValue`]).
    pub(super) fn with_custom(mut self, custom: Option<CustomCompute>) -> Result<Self> {
        match (self.dynamic, custom) {
            (true, Some(c)) => {
                self.cpu = self.cpu.or(Some(c.cpu_number));
                self.speed = self.speed.or(Some(c.cpu_speed));
                self.memory = self.memory.or(Some(c.memory_mib));
                Ok(self)
            }
            (true, None) => Err(Error::invalid_value(
                "vm_instance_details",
                "none",
                "a custom compute offering needs the VM's cpu number, speed and memory",
            )),
            (false, Some(_)) => Err(Error::invalid_value(
                "vm_instance_details",
                "custom compute",
                "the compute offering is not custom: it takes no cpu, speed or memory",
            )),
            (false, None) => Ok(self),
        }
    }

    /// The `usage_event_details` CloudStack adds to a VM's events on a custom offering.
    pub(super) fn usage_details(&self) -> Vec<(String, String)> {
        if !self.dynamic {
            return Vec::new();
        }
        let text = |v: Option<u64>| v.map_or_else(|| "null".to_owned(), |v| v.to_string());
        vec![
            (CPU_NUMBER.to_owned(), text(self.cpu.map(u64::from))),
            (CPU_SPEED.to_owned(), text(self.speed.map(u64::from))),
            (MEMORY.to_owned(), text(self.memory)),
        ]
    }

    /// Counts (`sign` 1, checked against the limits when `check`) or uncounts (-1) a VM of this
    /// shape: `user_vm`, `cpu`, `memory`, untagged and under each of its tags.
    pub(super) fn count(
        &self,
        tx: &mut Tx<'_>,
        account: AccountId,
        sign: i64,
        check: bool,
    ) -> Result<()> {
        let amounts = [
            (ResourceType::UserVm, sign),
            (ResourceType::Cpu, sign * i64::from(self.cpu.unwrap_or(0))),
            (ResourceType::Memory, sign * self.memory.unwrap_or(0) as i64),
        ];
        if check {
            reserve_tagged(tx, account, &self.tags, &amounts)
        } else {
            change_tagged(tx, account, &self.tags, &amounts)
        }
    }
}

fn parse_detail<T: std::str::FromStr>(value: Option<String>, name: &str) -> Result<Option<T>> {
    value
        .map(|v| {
            v.trim().parse::<T>().map_err(|_| {
                Error::invalid_value(
                    format!("vm_instance_details.{name}"),
                    &v,
                    "not a whole number",
                )
            })
        })
        .transpose()
}

/// Stores `custom` as `vm`'s details, in the caller's transaction.
pub(super) fn save_custom(tx: &mut Tx<'_>, vm: VmId, custom: CustomCompute) -> Result<()> {
    let rows = [
        (CPU_NUMBER, custom.cpu_number.to_string()),
        (CPU_SPEED, custom.cpu_speed.to_string()),
        (MEMORY, custom.memory_mib.to_string()),
    ]
    .map(|(name, value)| {
        (
            vm_instance_details::vm_id.eq(vm),
            vm_instance_details::name.eq(name),
            vm_instance_details::value.eq(value),
            vm_instance_details::display.eq(true),
        )
    });
    diesel::insert_into(vm_instance_details::table)
        .values(&rows[..])
        .execute(tx.conn())?;
    Ok(())
}
