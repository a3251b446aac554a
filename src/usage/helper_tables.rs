//! Applying usage events to the helper tables (`usage_vm_instance`, `usage_volume`,
//! `usage_ip_address`) the way CloudStack's usage server does, one batch at a time.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::intervals::{IntervalChanges, Intervals, Slot};
use super::{
    CopiedUsageEvent, NewUsageIpAddress, NewUsageVmInstance, NewUsageVolume, UsageIpAddress,
    UsageType, UsageVmInstance, UsageVolume,
};
use crate::events::usage_events::kinds;
use crate::repo::literal;
use crate::schema::cloud_usage::{
    usage_event_details, usage_ip_address, usage_vm_instance, usage_volume,
};
use crate::types::HypervisorType;
use crate::types::{
    AccountId, DiskOfferingId, DomainId, IpAddressId, ServiceOfferingId, TemplateId, VmId,
    VolumeId, ZoneId,
};
use crate::{Error, Result};

/// What a batch of events did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct AppliedEvents {
    /// Events that changed a helper table.
    pub applied: u64,
    /// Events of kinds this crate does not meter (templates, snapshots, NICs, ...), or without
    /// the resource they are about: marked processed, nothing else.
    pub ignored: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct VmInterval {
    usage_type: UsageType,
    zone_id: ZoneId,
    vm_name: String,
    service_offering_id: ServiceOfferingId,
    template_id: TemplateId,
    hypervisor_type: Option<HypervisorType>,
    cpu_speed: Option<u32>,
    cpu_cores: Option<u32>,
    memory: Option<u32>,
}

impl Slot for VmInterval {
    fn same_slot(&self, other: &Self) -> bool {
        self.usage_type == other.usage_type
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct VolumeInterval {
    zone_id: ZoneId,
    domain_id: DomainId,
    disk_offering_id: Option<DiskOfferingId>,
    template_id: Option<TemplateId>,
    size: Option<u64>,
    vm_id: Option<VmId>,
}

impl Slot for VolumeInterval {
    fn same_slot(&self, _: &Self) -> bool {
        true
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct IpInterval {
    ip_id: IpAddressId,
    zone_id: ZoneId,
    domain_id: DomainId,
    is_source_nat: bool,
    is_system: bool,
    is_hidden: bool,
}

impl Slot for IpInterval {
    fn same_slot(&self, other: &Self) -> bool {
        self.ip_id == other.ip_id
    }
}

type VmOwner = (AccountId, VmId);
type VolumeOwner = (AccountId, VolumeId);
type IpOwner = (AccountId, String);

/// The `usage_event_details` of a batch's events, by event id.
#[derive(Debug, Default)]
pub(crate) struct EventDetails(HashMap<u64, Vec<(String, String)>>);

impl EventDetails {
    /// Reads the details of `events` from `cloud_usage.usage_event_details`.
    pub fn load(conn: &mut MysqlConnection, events: &[CopiedUsageEvent]) -> Result<Self> {
        let mut details = Self::default();
        let ids: Vec<u64> = events.iter().map(|e| e.id.get()).collect();
        for chunk in ids.chunks(5000) {
            let rows: Vec<(u64, String, String)> = usage_event_details::table
                .filter(usage_event_details::usage_event_id.eq_any(chunk))
                .order(usage_event_details::id)
                .select((
                    usage_event_details::usage_event_id,
                    usage_event_details::name,
                    usage_event_details::value,
                ))
                .load(conn)?;
            for (event, name, value) in rows {
                details.0.entry(event).or_default().push((name, value));
            }
        }
        Ok(details)
    }

    pub(crate) fn of(&self, event: u64) -> &[(String, String)] {
        self.0.get(&event).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// The helper rows one batch touches.
pub(crate) struct HelperBatch {
    vms: Intervals<VmOwner, VmInterval>,
    volumes: Intervals<VolumeOwner, VolumeInterval>,
    ips: Intervals<IpOwner, IpInterval>,
}

enum Target {
    Vm,
    Volume,
    Ip,
    Ignored,
}

fn target(kind: &str) -> Target {
    match kind {
        kinds::VM_CREATE
        | kinds::VM_START
        | kinds::VM_STOP
        | kinds::VM_DESTROY
        | kinds::VM_UPGRADE
        | kinds::VM_DYNAMIC_SCALE => Target::Vm,
        kinds::VOLUME_CREATE | kinds::VOLUME_RESIZE | kinds::VOLUME_DELETE => Target::Volume,
        kinds::NET_IP_ASSIGN | kinds::NET_IP_RELEASE => Target::Ip,
        _ => Target::Ignored,
    }
}

impl HelperBatch {
    /// Loads, with row locks, the open helper rows the `events` are about.
    pub fn load(conn: &mut MysqlConnection, events: &[CopiedUsageEvent]) -> Result<Self> {
        let with_vm_id = crate::db::schema_release(conn)?.has_usage_vm_id();
        let mut vm_ids = HashSet::new();
        let mut volume_ids = HashSet::new();
        let mut addresses = HashSet::new();
        for e in events {
            let Some(resource) = e.resource_id else {
                continue;
            };
            match target(&e.event_type) {
                Target::Vm => {
                    vm_ids.insert(resource);
                }
                Target::Volume => {
                    volume_ids.insert(resource);
                }
                Target::Ip => {
                    if let Some(address) = &e.resource_name {
                        addresses.insert(address.clone());
                    }
                }
                Target::Ignored => {}
            }
        }
        let mut batch = Self {
            vms: Intervals::new(),
            volumes: Intervals::new(),
            ips: Intervals::new(),
        };
        for chunk in vm_ids.into_iter().collect::<Vec<_>>().chunks(5000) {
            let rows: Vec<UsageVmInstance> = usage_vm_instance::table
                .filter(usage_vm_instance::end_date.is_null())
                .filter(usage_vm_instance::vm_instance_id.eq_any(chunk))
                .order(usage_vm_instance::id)
                .select(UsageVmInstance::as_select())
                .for_update()
                .load(conn)?;
            for r in rows {
                let Some(usage_type) = r.usage_type else {
                    continue;
                };
                let interval = VmInterval {
                    usage_type,
                    zone_id: r.zone_id,
                    vm_name: r.vm_name,
                    service_offering_id: r.service_offering_id,
                    template_id: r.template_id,
                    hypervisor_type: r.hypervisor_type,
                    cpu_speed: r.cpu_speed,
                    cpu_cores: r.cpu_cores,
                    memory: r.memory,
                };
                batch.vms.load(
                    (r.account_id, r.vm_instance_id),
                    r.id,
                    interval,
                    r.start_date,
                );
            }
        }
        for chunk in volume_ids.into_iter().collect::<Vec<_>>().chunks(5000) {
            let open_rows = usage_volume::table
                .filter(usage_volume::deleted.is_null())
                .filter(usage_volume::volume_id.eq_any(chunk))
                .order(usage_volume::id);
            let rows: Vec<UsageVolume> = if with_vm_id {
                open_rows
                    .select(UsageVolume::as_select())
                    .for_update()
                    .load(conn)?
            } else {
                open_rows
                    .select(super::usage_volume::columns_without_vm_id())
                    .for_update()
                    .load(conn)?
            };
            for r in rows {
                let interval = VolumeInterval {
                    zone_id: r.zone_id,
                    domain_id: r.domain_id,
                    disk_offering_id: r.disk_offering_id,
                    template_id: r.template_id,
                    size: r.size,
                    vm_id: r.vm_id,
                };
                batch
                    .volumes
                    .load((r.account_id, r.volume_id), r.id, interval, r.created);
            }
        }
        for chunk in addresses.into_iter().collect::<Vec<_>>().chunks(5000) {
            let rows: Vec<UsageIpAddress> = usage_ip_address::table
                .filter(usage_ip_address::released.is_null())
                .filter(usage_ip_address::public_ip_address.eq_any(chunk))
                .order(usage_ip_address::id)
                .select(UsageIpAddress::as_select())
                .for_update()
                .load(conn)?;
            for r in rows {
                let interval = IpInterval {
                    ip_id: r.ip_id,
                    zone_id: r.zone_id,
                    domain_id: r.domain_id,
                    is_source_nat: r.is_source_nat,
                    is_system: r.is_system,
                    is_hidden: r.is_hidden,
                };
                batch.ips.load(
                    (r.account_id, r.public_ip_address),
                    r.id,
                    interval,
                    r.assigned,
                );
            }
        }
        Ok(batch)
    }

    /// Applies one event (events must come in `created` order); `domains` maps the accounts of
    /// the batch to their domains.
    pub fn apply(
        &mut self,
        e: &CopiedUsageEvent,
        domains: &HashMap<AccountId, DomainId>,
        details: &EventDetails,
    ) -> Result<bool> {
        let Some(resource) = e.resource_id else {
            return Ok(false);
        };
        let at = e.created;
        let details = details.of(e.id.get());
        match target(&e.event_type) {
            Target::Vm => self.apply_vm(e, VmId(resource), at, details),
            Target::Volume => self.apply_volume(e, VolumeId(resource), at, domain_of(e, domains)?),
            Target::Ip => self.apply_ip(
                e,
                IpAddressId(resource),
                at,
                domain_of(e, domains)?,
                details,
            ),
            Target::Ignored => Ok(false),
        }
    }

    fn apply_vm(
        &mut self,
        e: &CopiedUsageEvent,
        vm: VmId,
        at: DateTime<Utc>,
        details: &[(String, String)],
    ) -> Result<bool> {
        let owner = (e.account_id, vm);
        let is = |t: UsageType| move |r: &VmInterval| r.usage_type == t;
        match e.event_type.as_str() {
            kinds::VM_CREATE => {
                let row = vm_interval(e, UsageType::AllocatedVm, details)?;
                self.vms.open(owner, row, at);
            }
            kinds::VM_START | kinds::VM_DYNAMIC_SCALE => {
                self.vms.close(&owner, at, is(UsageType::RunningVm));
                let offering = ServiceOfferingId(e.offering_id.unwrap_or(0));
                // Exactly one open ALLOCATED row on another offering: CloudStack ends it and
                // re-opens a copy of it (name, zone, template, hypervisor kept) on the new
                // offering, with the event's dynamic-offering details.
                let open: Vec<&VmInterval> = self
                    .vms
                    .open_rows(&owner, is(UsageType::AllocatedVm))
                    .collect();
                if let [only] = open.as_slice()
                    && only.service_offering_id != offering
                {
                    let (cpu_cores, cpu_speed, memory) = dynamic_compute(details)?;
                    let reopened = VmInterval {
                        service_offering_id: offering,
                        cpu_cores,
                        cpu_speed,
                        memory,
                        ..(*only).clone()
                    };
                    self.vms.close(&owner, at, is(UsageType::AllocatedVm));
                    self.vms.open(owner, reopened, at);
                }
                let running = vm_interval(e, UsageType::RunningVm, details)?;
                self.vms.open(owner, running, at);
            }
            kinds::VM_STOP => {
                self.vms.close(&owner, at, is(UsageType::RunningVm));
            }
            kinds::VM_DESTROY => {
                self.vms.close(&owner, at, is(UsageType::AllocatedVm));
            }
            kinds::VM_UPGRADE => {
                self.vms.close(&owner, at, is(UsageType::AllocatedVm));
                let row = vm_interval(e, UsageType::AllocatedVm, details)?;
                self.vms.open(owner, row, at);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn apply_volume(
        &mut self,
        e: &CopiedUsageEvent,
        volume: VolumeId,
        at: DateTime<Utc>,
        domain_id: DomainId,
    ) -> Result<bool> {
        let owner = (e.account_id, volume);
        self.volumes.close(&owner, at, |_| true);
        if e.event_type != kinds::VOLUME_DELETE {
            let row = VolumeInterval {
                zone_id: e.zone_id,
                domain_id,
                disk_offering_id: e.offering_id.map(DiskOfferingId),
                template_id: e.template_id,
                size: e.size,
                vm_id: e.vm_id,
            };
            self.volumes.open(owner, row, at);
        }
        Ok(true)
    }

    fn apply_ip(
        &mut self,
        e: &CopiedUsageEvent,
        ip: IpAddressId,
        at: DateTime<Utc>,
        domain_id: DomainId,
        details: &[(String, String)],
    ) -> Result<bool> {
        let Some(address) = e.resource_name.clone() else {
            return Ok(false);
        };
        let owner = (e.account_id, address);
        if e.event_type == kinds::NET_IP_RELEASE {
            self.ips.close(&owner, at, |_| true);
        } else {
            let row = IpInterval {
                ip_id: ip,
                zone_id: e.zone_id,
                domain_id,
                is_source_nat: e.size == Some(1),
                is_system: e.template_id.is_some_and(|t| t.get() != 0),
                is_hidden: details.iter().any(|(k, v)| k == "hidden" && v == "true"),
            };
            self.ips.open(owner, row, at);
        }
        Ok(true)
    }

    /// Writes the batch's helper rows back.
    pub fn write(self, conn: &mut MysqlConnection) -> Result<()> {
        write_vms(conn, self.vms.into_changes())?;
        write_volumes(conn, self.volumes.into_changes())?;
        write_ips(conn, self.ips.into_changes())
    }
}

pub(crate) fn domain_of(
    e: &CopiedUsageEvent,
    domains: &HashMap<AccountId, DomainId>,
) -> Result<DomainId> {
    domains.get(&e.account_id).copied().ok_or_else(|| {
        Error::invalid_value(
            "usage_event.account_id",
            e.account_id.get().to_string(),
            "no such account in cloud.account",
        )
    })
}

/// `cpuNumber`, `cpuSpeed` and `memory` of a VM event on a dynamic (custom) offering
/// (`UsageManagerImpl#populateDynamicComputeOfferingDetailsAndPersist`); absent ones are NULL.
fn dynamic_compute(
    details: &[(String, String)],
) -> Result<(Option<u32>, Option<u32>, Option<u32>)> {
    let get = |name: &str| -> Result<Option<u32>> {
        match details.iter().find(|(k, _)| k == name) {
            None => Ok(None),
            Some((_, v)) => v.trim().parse().map(Some).map_err(|_| {
                Error::invalid_value(
                    "usage_event_details.value",
                    v.clone(),
                    format!("{name} must be a whole number"),
                )
            }),
        }
    };
    Ok((get("cpuNumber")?, get("cpuSpeed")?, get("memory")?))
}

fn vm_interval(
    e: &CopiedUsageEvent,
    usage_type: UsageType,
    details: &[(String, String)],
) -> Result<VmInterval> {
    let (cpu_cores, cpu_speed, memory) = dynamic_compute(details)?;
    let hypervisor_type = match e.resource_type.as_deref() {
        None | Some("") => None,
        Some(text) => Some(HypervisorType::parse(text).ok_or_else(|| {
            Error::invalid_value(
                "usage_event.resource_type",
                text,
                "not a hypervisor type CloudStack knows",
            )
        })?),
    };
    Ok(VmInterval {
        usage_type,
        zone_id: e.zone_id,
        vm_name: e.resource_name.clone().unwrap_or_default(),
        service_offering_id: ServiceOfferingId(e.offering_id.unwrap_or(0)),
        template_id: e.template_id.unwrap_or(TemplateId(0)),
        hypervisor_type,
        cpu_speed,
        cpu_cores,
        memory,
    })
}

/// Rows per multi-row INSERT (as SQL text, see `repo::literal`).
const INSERT_CHUNK: usize = 2000;

fn write_vms(
    conn: &mut MysqlConnection,
    changes: IntervalChanges<VmOwner, VmInterval>,
) -> Result<()> {
    close_rows(conn, "usage_vm_instance", "end_date", &changes.ends)?;
    for it in changes.rewrites {
        let id = it.db_id.expect("rewrites are existing rows");
        diesel::update(usage_vm_instance::table.find(id))
            .set((
                usage_vm_instance::zone_id.eq(it.row.zone_id),
                usage_vm_instance::vm_name.eq(&it.row.vm_name),
                usage_vm_instance::service_offering_id.eq(it.row.service_offering_id),
                usage_vm_instance::template_id.eq(it.row.template_id),
                usage_vm_instance::hypervisor_type.eq(it.row.hypervisor_type),
                usage_vm_instance::cpu_speed.eq(it.row.cpu_speed),
                usage_vm_instance::cpu_cores.eq(it.row.cpu_cores),
                usage_vm_instance::memory.eq(it.row.memory),
                usage_vm_instance::end_date.eq(it.end.map(|t| t.naive_utc())),
            ))
            .execute(conn)?;
    }
    let rows: Vec<NewUsageVmInstance> = changes
        .inserts
        .into_iter()
        .map(|it| NewUsageVmInstance {
            id: None,
            usage_type: Some(it.row.usage_type),
            zone_id: it.row.zone_id,
            account_id: it.owner.0,
            vm_instance_id: it.owner.1,
            vm_name: it.row.vm_name,
            service_offering_id: it.row.service_offering_id,
            template_id: it.row.template_id,
            hypervisor_type: it.row.hypervisor_type,
            start_date: it.start,
            end_date: it.end,
            cpu_speed: it.row.cpu_speed,
            cpu_cores: it.row.cpu_cores,
            memory: it.row.memory,
        })
        .collect();
    literal::insert_rows(
        conn,
        "INSERT INTO `usage_vm_instance` (`id`, `usage_type`, `zone_id`, `account_id`, \
         `vm_instance_id`, `vm_name`, `service_offering_id`, `template_id`, `hypervisor_type`, \
         `start_date`, `end_date`, `cpu_speed`, `cpu_cores`, `memory`)",
        &rows,
        INSERT_CHUNK,
        &mut |v, r: &NewUsageVmInstance| {
            v.opt_int(r.id);
            v.opt_uint(r.usage_type.map(|t| u64::from(t.value())));
            v.uint(r.zone_id.get());
            v.uint(r.account_id.get());
            v.uint(r.vm_instance_id.get());
            v.text(&r.vm_name);
            v.uint(r.service_offering_id.get());
            v.uint(r.template_id.get());
            v.opt_text(r.hypervisor_type.map(|h| h.as_str()));
            v.datetime(r.start_date.naive_utc());
            v.opt_datetime(r.end_date.map(|t| t.naive_utc()));
            v.opt_uint(r.cpu_speed.map(u64::from));
            v.opt_uint(r.cpu_cores.map(u64::from));
            v.opt_uint(r.memory.map(u64::from));
            Ok(())
        },
    )?;
    Ok(())
}

fn write_volumes(
    conn: &mut MysqlConnection,
    changes: IntervalChanges<VolumeOwner, VolumeInterval>,
) -> Result<()> {
    let with_vm_id = crate::db::schema_release(conn)?.has_usage_vm_id();
    close_rows(conn, "usage_volume", "deleted", &changes.ends)?;
    for it in changes.rewrites {
        let id = it.db_id.expect("rewrites are existing rows");
        diesel::update(usage_volume::table.find(id))
            .set((
                usage_volume::disk_offering_id.eq(it.row.disk_offering_id),
                usage_volume::template_id.eq(it.row.template_id),
                usage_volume::size.eq(it.row.size),
                with_vm_id.then_some(usage_volume::vm_id.eq(it.row.vm_id)),
                usage_volume::deleted.eq(it.end.map(|t| t.naive_utc())),
            ))
            .execute(conn)?;
    }
    let rows: Vec<NewUsageVolume> = changes
        .inserts
        .into_iter()
        .map(|it| NewUsageVolume {
            id: None,
            volume_id: it.owner.1,
            zone_id: it.row.zone_id,
            account_id: it.owner.0,
            domain_id: it.row.domain_id,
            disk_offering_id: it.row.disk_offering_id,
            template_id: it.row.template_id,
            size: it.row.size,
            created: it.start,
            deleted: it.end,
            vm_id: it.row.vm_id,
        })
        .collect();
    // A 4.22.0 database has no `vm_id` column.
    let head = match with_vm_id {
        true => {
            "INSERT INTO `usage_volume` (`id`, `volume_id`, `zone_id`, `account_id`, \
                 `domain_id`, `disk_offering_id`, `template_id`, `size`, `created`, `deleted`, `vm_id`)"
        }
        false => {
            "INSERT INTO `usage_volume` (`id`, `volume_id`, `zone_id`, `account_id`, \
                  `domain_id`, `disk_offering_id`, `template_id`, `size`, `created`, `deleted`)"
        }
    };
    literal::insert_rows(
        conn,
        head,
        &rows,
        INSERT_CHUNK,
        &mut |v, r: &NewUsageVolume| {
            v.opt_int(r.id);
            v.uint(r.volume_id.get());
            v.uint(r.zone_id.get());
            v.uint(r.account_id.get());
            v.uint(r.domain_id.get());
            v.opt_uint(r.disk_offering_id.map(|i| i.get()));
            v.opt_uint(r.template_id.map(|i| i.get()));
            v.opt_uint(r.size);
            v.datetime(r.created.naive_utc());
            v.opt_datetime(r.deleted.map(|t| t.naive_utc()));
            if with_vm_id {
                v.opt_uint(r.vm_id.map(|i| i.get()));
            }
            Ok(())
        },
    )?;
    Ok(())
}

fn write_ips(
    conn: &mut MysqlConnection,
    changes: IntervalChanges<IpOwner, IpInterval>,
) -> Result<()> {
    close_rows(conn, "usage_ip_address", "released", &changes.ends)?;
    for it in changes.rewrites {
        let id = it.db_id.expect("rewrites are existing rows");
        diesel::update(usage_ip_address::table.find(id))
            .set((
                usage_ip_address::is_source_nat.eq(i16::from(it.row.is_source_nat)),
                usage_ip_address::is_system.eq(i16::from(it.row.is_system)),
                usage_ip_address::is_hidden.eq(i16::from(it.row.is_hidden)),
                usage_ip_address::released.eq(it.end.map(|t| t.naive_utc())),
            ))
            .execute(conn)?;
    }
    let rows: Vec<NewUsageIpAddress> = changes
        .inserts
        .into_iter()
        .map(|it| NewUsageIpAddress {
            id: None,
            ip_id: it.row.ip_id,
            account_id: it.owner.0,
            domain_id: it.row.domain_id,
            zone_id: it.row.zone_id,
            public_ip_address: it.owner.1,
            is_source_nat: it.row.is_source_nat,
            is_system: it.row.is_system,
            assigned: it.start,
            released: it.end,
            is_hidden: it.row.is_hidden,
        })
        .collect();
    literal::insert_rows(
        conn,
        "INSERT INTO `usage_ip_address` (`id`, `ip_id`, `account_id`, `domain_id`, `zone_id`, \
         `public_ip_address`, `is_source_nat`, `is_system`, `assigned`, `released`, `is_hidden`)",
        &rows,
        INSERT_CHUNK,
        &mut |v, r: &NewUsageIpAddress| {
            v.opt_int(r.id);
            v.uint(r.ip_id.get());
            v.uint(r.account_id.get());
            v.uint(r.domain_id.get());
            v.uint(r.zone_id.get());
            v.text(&r.public_ip_address);
            v.flag(r.is_source_nat);
            v.flag(r.is_system);
            v.datetime(r.assigned.naive_utc());
            v.opt_datetime(r.released.map(|t| t.naive_utc()));
            v.flag(r.is_hidden);
            Ok(())
        },
    )?;
    Ok(())
}

/// `UPDATE table SET end_column = CASE id ... END WHERE id IN (...)`, a thousand rows a
/// statement. Only ids and timestamps this module formats go into the text.
fn close_rows(
    conn: &mut MysqlConnection,
    table: &str,
    end_column: &str,
    ends: &[(i64, Option<DateTime<Utc>>)],
) -> Result<()> {
    use std::fmt::Write;
    for chunk in ends.chunks(1000) {
        let mut sql = format!("UPDATE `{table}` SET `{end_column}` = CASE `id`");
        for (id, end) in chunk {
            match end {
                Some(t) => write!(sql, " WHEN {id} THEN '{}'", t.format("%Y-%m-%d %H:%M:%S")),
                None => write!(sql, " WHEN {id} THEN NULL"),
            }
            .expect("writing to a String");
        }
        sql.push_str(" END WHERE `id` IN (");
        for (i, (id, _)) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            write!(sql, "{id}").expect("writing to a String");
        }
        sql.push(')');
        diesel::sql_query(sql).execute(conn)?;
    }
    Ok(())
}
