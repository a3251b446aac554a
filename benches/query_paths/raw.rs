//! The same work done by hand through a raw client on connections held outside any pool: the
//! statements each crate path sends, written out, with values bound by the client.

use cloudstack_db::crypto::Encryptor;

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

    /// A user VM, its ROOT volume and their two usage events, in one transaction.
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
        let instance_name = format!("i-{account}-");
        self.conn.text("START TRANSACTION");
        let vm = Self::next_id(&mut self.seq, "vm_instance_seq");
        let instance_name = format!("{instance_name}{vm}-VM");
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
        self.find_vm(vm);
        self.conn.exec(
            "INSERT INTO usage_event (type, account_id, created, zone_id, resource_id, resource_name, \
               offering_id, template_id, size, resource_type, processed, virtual_size, vm_id) \
             VALUES ('VM.CREATE', ?, ?, ?, ?, ?, 1, 4, NULL, 'KVM', 0, NULL, NULL)",
            &[P::U(account), P::S(&now), P::U(zone), P::U(vm), P::S(name)],
        );
        let volume = Self::next_id(&mut self.seq, "volume_seq");
        self.conn
            .query("SELECT * FROM disk_offering WHERE id = ?", &[P::U(1)]);
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
                self.conn.exec(
                    "INSERT INTO usage_event (type, account_id, created, zone_id, resource_id, resource_name, \
                       offering_id, template_id, size, resource_type, processed, virtual_size, vm_id) \
                     VALUES (?, ?, ?, ?, ?, ?, 1, 4, NULL, 'KVM', 0, NULL, NULL)",
                    &[P::S(kind), P::U(account), P::S(&now), P::U(zone), P::U(vm), P::S(name)],
                );
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
    /// events, each in one transaction. Returns the address id.
    pub fn allocate_and_release(&mut self, zone: u64, account: u64) -> u64 {
        let now = now();
        self.conn.text("START TRANSACTION");
        let ranges = self.conn.query(
            "SELECT id FROM vlan WHERE data_center_id = ? AND removed IS NULL AND vlan_type = 'VirtualNetwork'",
            &[P::U(zone)],
        );
        let ranges: Vec<String> = (0..ranges.len())
            .map(|r| u64_at(&ranges, r, 0).to_string())
            .collect();
        let picked = self.conn.query(
            &format!(
                "SELECT id FROM user_ip_address WHERE data_center_id = ? AND allocated IS NULL \
                  AND removed IS NULL AND vlan_db_id IN ({}) ORDER BY forsystemvms, vlan_db_id, id \
                  LIMIT 1 FOR UPDATE SKIP LOCKED",
                ranges.join(",")
            ),
            &[P::U(zone)],
        );
        let id = u64_at(&picked, 0, 0);
        self.conn.exec(
            "UPDATE user_ip_address SET account_id = ?, domain_id = 1, allocated = ?, source_nat = 0, \
               is_system = 0, network_id = NULL, state = 'Allocated' WHERE id = ?",
            &[P::U(account), P::S(&now), P::U(id)],
        );
        let ip = self.conn.query(
            "SELECT public_ip_address, vlan_db_id, user_ip_address.* FROM user_ip_address WHERE id = ? AND removed IS NULL",
            &[P::U(id)],
        );
        let address = str_at(&ip, 0, 0).unwrap();
        let vlan = u64_at(&ip, 0, 1);
        let vlan_type = str_at(
            &self
                .conn
                .query("SELECT vlan_type FROM vlan WHERE id = ?", &[P::U(vlan)]),
            0,
            0,
        );
        let event = "INSERT INTO usage_event (type, account_id, created, zone_id, resource_id, resource_name, \
                       offering_id, template_id, size, resource_type, processed, virtual_size, vm_id) \
                     VALUES (?, ?, ?, ?, ?, ?, NULL, 0, 0, ?, 0, NULL, NULL)";
        let vt = vlan_type.as_deref().map(P::S).unwrap_or(P::N);
        self.conn.exec(
            event,
            &[
                P::S("NET.IPASSIGN"),
                P::U(account),
                P::S(&now),
                P::U(zone),
                P::U(id),
                P::S(&address),
                vt,
            ],
        );
        self.conn.text("COMMIT");

        self.conn.text("START TRANSACTION");
        self.conn.query(
            "SELECT * FROM user_ip_address WHERE id = ? AND removed IS NULL FOR UPDATE",
            &[P::U(id)],
        );
        let vlan_type = str_at(
            &self
                .conn
                .query("SELECT vlan_type FROM vlan WHERE id = ?", &[P::U(vlan)]),
            0,
            0,
        );
        let vt = vlan_type.as_deref().map(P::S).unwrap_or(P::N);
        self.conn.exec(
            event,
            &[
                P::S("NET.IPRELEASE"),
                P::U(account),
                P::S(&now),
                P::U(zone),
                P::U(id),
                P::S(&address),
                vt,
            ],
        );
        self.conn.exec(
            "UPDATE user_ip_address SET account_id = NULL, domain_id = NULL, allocated = NULL, \
               network_id = NULL, vpc_id = NULL, vm_id = NULL, dnat_vmip = NULL, source_nat = 0, \
               one_to_one_nat = 0, is_system = 0, display = 1, state = 'Free' WHERE id = ?",
            &[P::U(id)],
        );
        self.conn.query(
            "SELECT * FROM user_ip_address WHERE id = ? AND removed IS NULL",
            &[P::U(id)],
        );
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
            self.conn.query(
                "SELECT * FROM async_job WHERE id IN (?) ORDER BY id",
                &[P::U(id)],
            );
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
