//! The same work done by hand through a raw client on connections held outside any pool: the
//! statements each crate path sends, written out, with values bound by the client.

use cloudstack_db::crypto::Encryptor;
use cloudstack_db::resources::ResourceType;

use super::clients::{Client, P, Rows, str_at, u64_at};

pub struct Raw<C> {
    pub conn: C,
    /// Sequence ids are taken on a connection of their own, as the crate does.
    pub seq: C,
}

fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%d %H:%M:%S").to_string()
}

impl<C: Client> Raw<C> {
    pub fn new(mut conn: C, mut seq: C) -> Self {
        for c in [&mut conn, &mut seq] {
            c.text("SET time_zone = '+00:00'");
            c.text("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
        }
        Self { conn, seq }
    }

    pub fn find_vm(&mut self, id: u64) -> Rows {
        self.conn.query(
            "SELECT * FROM vm_instance JOIN user_vm ON user_vm.id = vm_instance.id \
              WHERE vm_instance.id = ? AND vm_instance.removed IS NULL",
            &[P::U(id)],
        )
    }

    pub fn find_vm_by_uuid(&mut self, uuid: &str) -> Rows {
        self.conn.query(
            "SELECT * FROM vm_instance JOIN user_vm ON user_vm.id = vm_instance.id \
              WHERE vm_instance.uuid = ? AND vm_instance.removed IS NULL",
            &[P::S(uuid)],
        )
    }

    /// A keyset page: `size + 1` rows tell whether there is a next page.
    pub fn list_vms(&mut self, account: u64, after: u64, size: u64) -> Rows {
        self.conn.query(
            "SELECT * FROM vm_instance WHERE removed IS NULL AND account_id = ? AND id > ? \
              ORDER BY id LIMIT ?",
            &[P::U(account), P::U(after), P::U(size + 1)],
        )
    }

    fn next_id(seq: &mut C, name: &str) -> u64 {
        seq.text("START TRANSACTION");
        let value = u64_at(
            &seq.query(
                "SELECT value FROM sequence WHERE name = ? FOR UPDATE",
                &[P::S(name)],
            ),
            0,
            0,
        );
        seq.exec(
            "UPDATE sequence SET value = value + 1 WHERE name = ?",
            &[P::S(name)],
        );
        seq.text("COMMIT");
        value
    }

    /// What the crate reads of a VM's compute (offering, template tag, the VM's custom
    /// details) for its counts and usage events; `vm` is None before the VM exists.
    fn compute(&mut self, offering: u64, template: u64, vm: Option<u64>) -> Rows {
        let vm = vm.map(P::U).unwrap_or(P::N);
        self.conn.query(
            "SELECT cpu, speed, ram_size, host_tag, \
               (SELECT template_tag FROM vm_template WHERE id = ? LIMIT 1), \
               (SELECT value FROM vm_instance_details WHERE vm_id = ? AND name = 'cpuNumber' LIMIT 1), \
               (SELECT value FROM vm_instance_details WHERE vm_id = ? AND name = 'cpuSpeed' LIMIT 1), \
               (SELECT value FROM vm_instance_details WHERE vm_id = ? AND name = 'memory' LIMIT 1) \
             FROM service_offering WHERE id = ? LIMIT 1",
            &[P::U(template), vm, vm, vm, P::U(offering)],
        )
    }

    /// Resource accounting for an account of the ROOT domain, as the crate does it: the
    /// account, its count rows of `amounts`' types, those rows locked in id order, its limits
    /// and the global defaults, the check, then (when `update`) one UPDATE of every row.
    fn account_for(&mut self, account: u64, amounts: &[(&str, i64)], update: bool) {
        let found = self.conn.query(
            "SELECT a.domain_id, a.type, a.role_id, r.role_type, d.parent FROM account a \
               LEFT JOIN roles r ON r.id = a.role_id LEFT JOIN domain d ON d.id = a.domain_id \
             WHERE a.id = ?",
            &[P::U(account)],
        );
        let domain = u64_at(&found, 0, 0);
        assert_eq!(
            str_at(&found, 0, 4),
            None,
            "the bench's accounts are in ROOT"
        );
        let root_admin = str_at(&found, 0, 3).as_deref() == Some("Admin");
        let types = amounts
            .iter()
            .map(|(t, _)| format!("'{t}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let rows = self.conn.query(
            &format!(
                "SELECT id, type, tag, account_id, domain_id FROM resource_count WHERE type IN ({types}) \
                   AND ((account_id = ? AND domain_id IS NULL) OR (account_id IS NULL AND domain_id = ?))"
            ),
            &[P::U(account), P::U(domain)],
        );
        // (id, type, the account's row) of the untagged rows.
        let mut ids: Vec<(u64, String, bool)> = (0..rows.len())
            .filter(|r| str_at(&rows, *r, 2).is_none())
            .map(|r| {
                (
                    u64_at(&rows, r, 0),
                    str_at(&rows, r, 1).unwrap(),
                    str_at(&rows, r, 3).is_some(),
                )
            })
            .collect();
        ids.sort();
        let list = ids
            .iter()
            .map(|(id, ..)| id.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let locked = self.conn.query(
            &format!(
                "SELECT id, count FROM resource_count WHERE id IN ({list}) ORDER BY id FOR UPDATE"
            ),
            &[],
        );
        if !root_admin {
            let limits = self.conn.query(
                &format!(
                    "SELECT type, tag, account_id, domain_id, max FROM resource_limit WHERE type IN ({types}) \
                       AND account_id = ? AND domain_id IS NULL ORDER BY id"
                ),
                &[P::U(account)],
            );
            assert!(limits.is_empty(), "the bench sets no limits");
            let names = amounts
                .iter()
                .map(|(t, _)| {
                    let ty = ResourceType::from_name(t).unwrap();
                    format!("'max.account.{}'", ty.setting_suffix())
                })
                .collect::<Vec<_>>()
                .join(", ");
            let defaults = self.conn.query(
                &format!("SELECT name, value FROM configuration WHERE name IN ({names})"),
                &[],
            );
            for (t, amount) in amounts {
                let ty = ResourceType::from_name(t).unwrap();
                let name = format!("max.account.{}", ty.setting_suffix());
                let limit = (0..defaults.len())
                    .find(|r| str_at(&defaults, *r, 0).as_deref() == Some(name.as_str()))
                    .and_then(|r| str_at(&defaults, r, 1))
                    .and_then(|v| v.trim().parse::<i64>().ok())
                    .map(|v| if ty.is_storage() && v > 0 { v << 30 } else { v })
                    .unwrap_or(-1);
                let (id, ..) = ids.iter().find(|(_, ty, mine)| ty == t && *mine).unwrap();
                let count = (0..locked.len())
                    .find(|r| u64_at(&locked, *r, 0) == *id)
                    .map(|r| str_at(&locked, r, 1).unwrap().parse::<i64>().unwrap())
                    .unwrap();
                assert!(limit < 0 || count + amount <= limit, "over the {t} limit");
            }
        }
        if !update {
            return;
        }
        let arms: String = ids
            .iter()
            .map(|(id, ty, _)| {
                let delta = amounts.iter().find(|(t, _)| t == ty).unwrap().1;
                format!(" WHEN {id} THEN {delta}")
            })
            .collect();
        self.conn.exec(
            &format!(
                "UPDATE resource_count SET count = count + CASE id{arms} END WHERE id IN ({list})"
            ),
            &[],
        );
    }

    /// A user VM, its ROOT volume and their two usage events, with their resource accounting,
    /// in one transaction.
    pub fn create_vm_with_root(
        &mut self,
        name: &str,
        account: u64,
        zone: u64,
        enc: &Encryptor,
    ) -> u64 {
        let vnc = enc.encrypt("bench-vnc").unwrap();
        let now = now();
        let vm_uuid = uuid::Uuid::new_v4().to_string();
        self.conn.text("START TRANSACTION");
        let compute = self.compute(1, 4, None);
        let cpu = u64_at(&compute, 0, 0) as i64;
        let memory = u64_at(&compute, 0, 2) as i64;
        self.account_for(
            account,
            &[("user_vm", 1), ("cpu", cpu), ("memory", memory)],
            true,
        );
        let vm = Self::next_id(&mut self.seq, "vm_instance_seq");
        let instance_name = format!("i-{account}-{vm}-VM");
        self.conn.exec(
            "INSERT INTO vm_instance (id, name, uuid, instance_name, state, vm_template_id, guest_os_id, \
               data_center_id, host_id, vnc_password, ha_enabled, limit_cpu_use, update_count, created, type, \
               vm_type, account_id, domain_id, service_offering_id, hypervisor_type, display_name, \
               dynamically_scalable, display_vm, user_id) \
             VALUES (?, ?, ?, ?, 'Stopped', 4, 112, ?, NULL, ?, 0, 0, 0, ?, 'User', 'User', ?, 1, 1, 'KVM', NULL, 0, 1, 2)",
            &[P::U(vm), P::S(name), P::S(&vm_uuid), P::S(&instance_name), P::U(zone), P::S(&vnc), P::S(&now), P::U(account)],
        );
        self.conn.exec(
            "INSERT INTO user_vm (id, iso_id, display_name, user_data) VALUES (?, NULL, NULL, NULL)",
            &[P::U(vm)],
        );
        self.conn
            .query("SELECT * FROM vm_instance WHERE id = ?", &[P::U(vm)]);
        self.conn.exec(
            "INSERT INTO usage_event (type, account_id, created, zone_id, resource_id, resource_name, \
               offering_id, template_id, size, resource_type, processed, virtual_size, vm_id) \
             VALUES ('VM.CREATE', ?, ?, ?, ?, ?, 1, 4, NULL, 'KVM', 0, NULL, NULL)",
            &[P::U(account), P::S(&now), P::U(zone), P::U(vm), P::S(name)],
        );
        self.conn
            .query("SELECT * FROM disk_offering WHERE id = ?", &[P::U(1)]);
        self.account_for(
            account,
            &[("volume", 1), ("primary_storage", 8 << 30)],
            true,
        );
        let volume = Self::next_id(&mut self.seq, "volume_seq");
        let volume_name = format!("ROOT-{vm}");
        let volume_uuid = uuid::Uuid::new_v4().to_string();
        self.conn.exec(
            "INSERT INTO volumes (id, account_id, domain_id, instance_id, device_id, name, uuid, size, \
               data_center_id, volume_type, disk_offering_id, template_id, recreatable, created, attached, \
               updated, state, update_count, display_volume, format, provisioning_type) \
             VALUES (?, ?, 1, ?, 0, ?, ?, ?, ?, 'ROOT', 1, 4, 0, ?, ?, ?, 'Allocated', 0, 1, 'QCOW2', 'thin')",
            &[
                P::U(volume), P::U(account), P::U(vm), P::S(&volume_name), P::S(&volume_uuid),
                P::U(8 << 30), P::U(zone), P::S(&now), P::S(&now), P::S(&now),
            ],
        );
        self.conn
            .query("SELECT * FROM volumes WHERE id = ?", &[P::U(volume)]);
        self.conn.exec(
            "INSERT INTO usage_event (type, account_id, created, zone_id, resource_id, resource_name, \
               offering_id, template_id, size, resource_type, processed, virtual_size, vm_id) \
             VALUES ('VOLUME.CREATE', ?, ?, ?, ?, ?, NULL, 4, ?, NULL, 0, NULL, ?)",
            &[P::U(account), P::S(&now), P::U(zone), P::U(volume), P::S(&volume_name), P::U(8 << 30), P::U(vm)],
        );
        self.conn.text("COMMIT");
        vm
    }

    /// One guarded state change, with its usage event in the same transaction when it has one;
    /// returns the new update count.
    #[allow(clippy::too_many_arguments)]
    pub fn transition(
        &mut self,
        vm: u64,
        from: &str,
        to: &str,
        count: u64,
        host: Option<u64>,
        new_host: Option<u64>,
        usage: Option<(&str, u64, u64, &str)>,
    ) -> u64 {
        let now = now();
        let opt = |h: Option<u64>| h.map(P::U).unwrap_or(P::N);
        let update = "UPDATE vm_instance SET update_count = update_count + 1, state = ?, host_id = ?, \
                        update_time = ? WHERE id = ? AND removed IS NULL AND state = ? AND update_count = ? \
                        AND host_id <=> ?";
        let params = [
            P::S(to),
            opt(new_host),
            P::S(&now),
            P::U(vm),
            P::S(from),
            P::U(count),
            opt(host),
        ];
        // Each transition is its own transaction, as the crate's `db.write` runs it.
        self.conn.text("START TRANSACTION");
        assert_eq!(self.conn.exec(update, &params), 1);
        match usage {
            None => {}
            Some((kind, account, zone, name)) => {
                // As the crate: the VM's NICs (their network offerings' usage) and its compute
                // (the event's offering), around the event.
                let nics = "SELECT * FROM nics WHERE instance_id = ? AND removed IS NULL ORDER BY device_id, id";
                if kind == "VM.START" {
                    self.conn.query(nics, &[P::U(vm)]);
                }
                self.compute(1, 4, Some(vm));
                self.conn.exec(
                    "INSERT INTO usage_event (type, account_id, created, zone_id, resource_id, resource_name, \
                       offering_id, template_id, size, resource_type, processed, virtual_size, vm_id) \
                     VALUES (?, ?, ?, ?, ?, ?, 1, 4, NULL, 'KVM', 0, NULL, NULL)",
                    &[P::S(kind), P::U(account), P::S(&now), P::U(zone), P::U(vm), P::S(name)],
                );
                if kind != "VM.START" {
                    self.conn.query(nics, &[P::U(vm)]);
                }
            }
        }
        self.conn.text("COMMIT");
        count + 1
    }

    /// A start and a stop of a stopped VM: four guarded changes, two with their usage event;
    /// returns the new update count.
    pub fn start_and_stop(
        &mut self,
        vm: u64,
        account: u64,
        zone: u64,
        name: &str,
        count: u64,
    ) -> u64 {
        let usage = |kind| Some((kind, account, zone, name));
        let count = self.transition(vm, "Stopped", "Starting", count, None, Some(1), None);
        let count = self.transition(
            vm,
            "Starting",
            "Running",
            count,
            Some(1),
            Some(1),
            usage("VM.START"),
        );
        let count = self.transition(vm, "Running", "Stopping", count, Some(1), Some(1), None);
        self.transition(
            vm,
            "Stopping",
            "Stopped",
            count,
            Some(1),
            None,
            usage("VM.STOP"),
        )
    }

    /// Allocate a free address of the zone to an account, then release it; both with usage
    /// events, each in one transaction, with the statements the crate sends (the ranges and
    /// their dedication, the setting for system addresses, one candidate a range, its
    /// quarantine, the account's public_ip limit, the usage event's range type and network
    /// detail; on release the quarantine settings). Returns the address id.
    pub fn allocate_and_release(&mut self, zone: u64, account: u64) -> u64 {
        let now = now();
        self.conn.text("START TRANSACTION");
        let ranges = self.conn.query(
            "SELECT id FROM vlan WHERE data_center_id = ? AND removed IS NULL AND vlan_type = 'VirtualNetwork' ORDER BY id",
            &[P::U(zone)],
        );
        let ranges: Vec<u64> = (0..ranges.len()).map(|r| u64_at(&ranges, r, 0)).collect();
        let list = ranges
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let dedicated = self.conn.query(
            &format!(
                "SELECT TRUE, vlan_db_id, account_id FROM account_vlan_map WHERE vlan_db_id IN ({list}) \
                 UNION ALL SELECT FALSE, vlan_db_id, domain_id FROM domain_vlan_map WHERE vlan_db_id IN ({list})"
            ),
            &[],
        );
        assert!(dedicated.is_empty());
        self.conn.query(
            "SELECT value FROM configuration WHERE name = ?",
            &[P::S("use.system.public.ips")],
        );
        let id = ranges
            .iter()
            .find_map(|range| {
                let picked = self.conn.query(
                    "SELECT id FROM user_ip_address FORCE INDEX (PRIMARY) WHERE data_center_id = ? \
                      AND vlan_db_id = ? AND forsystemvms = 0 AND allocated IS NULL AND removed IS NULL \
                      ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
                    &[P::U(zone), P::U(*range)],
                );
                (!picked.is_empty()).then(|| u64_at(&picked, 0, 0))
            })
            .expect("a free address");
        let quarantined = self.conn.query(
            "SELECT * FROM quarantined_ips WHERE public_ip_address_id = ? ORDER BY id DESC LIMIT 1 FOR UPDATE",
            &[P::U(id)],
        );
        assert!(quarantined.is_empty());
        self.account_for(account, &[("public_ip", 1)], false);
        self.conn.exec(
            "UPDATE user_ip_address SET account_id = ?, domain_id = 1, allocated = ?, source_nat = 0, \
               is_system = 0, network_id = NULL, state = 'Allocated' WHERE id = ?",
            &[P::U(account), P::S(&now), P::U(id)],
        );
        let read = "SELECT public_ip_address, vlan_db_id, source_network_id, user_ip_address.* \
                    FROM user_ip_address WHERE id = ? AND removed IS NULL LIMIT 1";
        let ip = self.conn.query(read, &[P::U(id)]);
        let address = str_at(&ip, 0, 0).unwrap();
        let vlan = u64_at(&ip, 0, 1);
        let network = u64_at(&ip, 0, 2);
        let event = "INSERT INTO usage_event (type, account_id, created, zone_id, resource_id, resource_name, \
                       offering_id, template_id, size, resource_type, processed, virtual_size, vm_id) \
                     VALUES (?, ?, ?, ?, ?, ?, NULL, 0, 0, ?, 0, NULL, NULL)";
        let usage = |conn: &mut C, kind: &str| {
            let vlan_type = str_at(
                &conn.query(
                    "SELECT vlan_type FROM vlan WHERE id = ? LIMIT 1",
                    &[P::U(vlan)],
                ),
                0,
                0,
            );
            let hidden = conn.query(
                "SELECT value FROM network_details WHERE network_id = ? AND name = 'hideIpAddressUsage' \
                  ORDER BY id LIMIT 1",
                &[P::U(network)],
            );
            assert!(hidden.is_empty());
            let vt = vlan_type.as_deref().map(P::S).unwrap_or(P::N);
            conn.exec(
                event,
                &[
                    P::S(kind),
                    P::U(account),
                    P::S(&now),
                    P::U(zone),
                    P::U(id),
                    P::S(&address),
                    vt,
                ],
            );
        };
        usage(&mut self.conn, "NET.IPASSIGN");
        self.conn.text("COMMIT");

        self.conn.text("START TRANSACTION");
        self.conn.query(
            "SELECT * FROM user_ip_address WHERE id = ? AND removed IS NULL LIMIT 1 FOR UPDATE",
            &[P::U(id)],
        );
        usage(&mut self.conn, "NET.IPRELEASE");
        self.conn.exec(
            "UPDATE user_ip_address SET account_id = NULL, domain_id = NULL, allocated = NULL, \
               network_id = NULL, vpc_id = NULL, vm_id = NULL, dnat_vmip = NULL, source_nat = 0, \
               one_to_one_nat = 0, is_system = 0, display = 1, state = 'Free' WHERE id = ?",
            &[P::U(id)],
        );
        let setting = "SELECT value FROM configuration WHERE name = ?";
        self.conn
            .query(setting, &[P::S("enable.domain.settings.for.child.domain")]);
        self.conn.query(
            "SELECT value FROM domain_details WHERE domain_id = ? AND name = ? ORDER BY id LIMIT 1",
            &[P::U(1), P::S("public.ip.address.quarantine.duration")],
        );
        self.conn
            .query(setting, &[P::S("public.ip.address.quarantine.duration")]);
        self.conn.query(read, &[P::U(id)]);
        self.conn.text("COMMIT");
        id
    }

    /// Claims the oldest unclaimed job for `msid`; returns its id.
    pub fn claim_next(&mut self, msid: i64) -> Option<u64> {
        let now = now();
        self.conn.text("START TRANSACTION");
        let picked = self.conn.query(
            "SELECT id FROM async_job WHERE job_status = 0 AND job_executing_msid IS NULL \
              AND job_complete_msid IS NULL ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
            &[],
        );
        let id = (!picked.is_empty()).then(|| u64_at(&picked, 0, 0));
        if let Some(id) = id {
            self.conn.exec(
                "UPDATE async_job SET job_executing_msid = ?, last_updated = ? WHERE id = ?",
                &[P::I(msid), P::S(&now), P::U(id)],
            );
            self.conn
                .query("SELECT * FROM async_job WHERE id = ? LIMIT 1", &[P::U(id)]);
        }
        self.conn.text("COMMIT");
        id
    }

    pub fn api_key_lookup(&mut self, key: &str) -> Rows {
        self.conn.query(
            "SELECT * FROM user JOIN account ON account.id = user.account_id WHERE user.api_key = ? LIMIT 1",
            &[P::S(key)],
        )
    }

    /// The role and its rules in order, then the first matching rule decides (a trailing `*`
    /// stands for any word characters).
    pub fn is_allowed(&mut self, role: u64, api: &str) -> bool {
        let found = self.conn.query(
            "SELECT * FROM roles WHERE id = ? AND removed IS NULL",
            &[P::U(role)],
        );
        if found.is_empty() {
            return false;
        }
        let rules = self.conn.query(
            "SELECT rule, permission FROM role_permissions WHERE role_id = ? ORDER BY sort_order, id",
            &[P::U(role)],
        );
        let api = api.to_ascii_lowercase();
        (0..rules.len())
            .map(|r| (str_at(&rules, r, 0).unwrap(), str_at(&rules, r, 1).unwrap()))
            .find(|(rule, _)| {
                let rule = rule.to_ascii_lowercase();
                match rule.strip_suffix('*') {
                    Some(prefix) => {
                        api.starts_with(prefix)
                            && api[prefix.len()..]
                                .chars()
                                .all(|c| c.is_ascii_alphanumeric() || c == '_')
                    }
                    None => rule == api,
                }
            })
            .is_some_and(|(_, permission)| permission == "ALLOW")
    }
}
