//! The crate's main job, end to end against a real server: connect to both CloudStack
//! databases, apply the migrations, and show what the pools set up.
//!
//! ```text
//! cargo run --example tour
//! ```
//!
//! With `--db-properties FILE` it opens the databases a CloudStack db.properties names (as
//! written by `cloudstack-setup-databases`; `scripts/main-job` runs both). Otherwise it uses
//! `CLOUD_DATABASE_URL` and `USAGE_DATABASE_URL`, by default the databases `cloudstack_tour` and
//! `cloudstack_tour_usage` on the local server as root, and creates them when they are missing.

use cloudstack_db::db::{ConnectionTarget, DatabaseConfig, ServerInfo, SessionSnapshot};
use cloudstack_db::{Database, Result};
use diesel::connection::SimpleConnection;
use diesel::{Connection, MysqlConnection};

const TOUR_CLOUD_URL: &str = "mysql://root@127.0.0.1:3306/cloudstack_tour";
const TOUR_USAGE_URL: &str = "mysql://root@127.0.0.1:3306/cloudstack_tour_usage";

fn main() {
    if let Err(err) = run() {
        eprintln!("tour failed: {err}");
        std::process::exit(1);
    }
}

fn url(var: &str, default: &str) -> String {
    std::env::var(var)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

fn run() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut config = match args.as_slice() {
        [flag, path] if flag == "--db-properties" => DatabaseConfig::from_db_properties_file(path)?,
        [] => {
            let config = DatabaseConfig::from_urls(
                &url("CLOUD_DATABASE_URL", TOUR_CLOUD_URL),
                &url("USAGE_DATABASE_URL", TOUR_USAGE_URL),
            )?;
            create_if_missing(&config.cloud.target)?;
            create_if_missing(&config.usage.target)?;
            config
        }
        _ => {
            return Err(cloudstack_db::Error::Config(
                "usage: tour [--db-properties FILE]".into(),
            ));
        }
    };
    if config.column_encryptor.is_none() {
        // Without db.properties there is no database secret: use CloudStack's default (`-k`).
        config.column_encryptor = Some(cloudstack_db::crypto::Encryptor::new(
            "password",
            Some(cloudstack_db::crypto::EncryptorVersion::V2),
        ));
    }
    println!("== cloudstack-db tour");
    println!("cloud database:  {}", config.cloud.target);
    println!("usage database:  {}", config.usage.target);

    let db = Database::connect(&config)?;
    let report = db.run_migrations()?;
    // What CloudStack's first start writes of the rows the crate models (nothing when it ran).
    let first = db.write(cloudstack_db::identity::first_start::first_start)?;
    if first.admin_enabled {
        println!(
            "first start:     accounts, users and offerings written; admin enabled with the default password"
        );
    }
    println!(
        "migrations:      {} applied to cloud, {} applied to cloud_usage",
        report.cloud.len(),
        report.usage.len()
    );

    for (label, pool) in [("cloud", db.cloud()), ("cloud_usage", db.usage())] {
        let mut conn = pool.get()?;
        let server = ServerInfo::query(&mut conn)?;
        let session = SessionSnapshot::read(&mut conn)?;
        println!("-- {label}");
        println!(
            "server:          {} ({:?})",
            server.version_string, server.flavor
        );
        println!("sql_mode:        {}", session.sql_mode);
        println!("time_zone:       {}", session.time_zone);
        println!(
            "isolation:       {} (@@{})",
            session.isolation,
            server.isolation_variable()
        );
        println!(
            "pool:            at most {} connections, {:?} open/idle",
            pool.max_size(),
            pool.state()
        );
    }
    show_fresh_install(&db)?;
    vm_lifecycle(&db)?;
    settings_servers_and_placement(&db)?;
    identity(&db)?;
    public_addresses(&db)?;
    usage_records(&db)?;
    println!("== done");
    Ok(())
}

/// What a fresh install holds: schema version, default accounts, roles and templates.
fn show_fresh_install(db: &Database) -> Result<()> {
    use cloudstack_db::catalog::VmTemplate;
    use cloudstack_db::identity::{Account, Role};
    use cloudstack_db::install::Version;
    use cloudstack_db::schema::cloud::{account, roles, version, vm_template};
    use diesel::prelude::*;

    let mut conn = db.cloud().get()?;
    let conn: &mut MysqlConnection = &mut conn;
    let latest: Version = version::table
        .order(version::id.desc())
        .select(Version::as_select())
        .first(conn)?;
    println!("-- fresh install");
    println!("schema version:  {} ({})", latest.version, latest.step);
    for a in account::table
        .order(account::id)
        .select(Account::as_select())
        .load(conn)?
    {
        println!(
            "account {}:       {} ({}, state {})",
            a.id,
            a.account_name.unwrap_or_default(),
            a.account_type,
            a.state
        );
    }
    let role_names: Vec<String> = roles::table
        .order(roles::id)
        .select(Role::as_select())
        .load(conn)?
        .into_iter()
        .filter_map(|r| r.name)
        .collect();
    println!("roles:           {}", role_names.join(", "));
    let templates: Vec<VmTemplate> = vm_template::table
        .filter(vm_template::removed.is_null())
        .order(vm_template::id)
        .select(VmTemplate::as_select())
        .load(conn)?;
    println!(
        "templates:       {} live, e.g. {} ({})",
        templates.len(),
        templates[3].name,
        templates[3].format
    );
    println!("admin password:  `password`, as on a fresh CloudStack install: change it");
    Ok(())
}

/// A VM of the admin account with a ROOT and a DATA volume from a default template: created,
/// started, stopped and destroyed, with what the database holds after each step.
fn vm_lifecycle(db: &Database) -> Result<()> {
    use cloudstack_db::catalog::NewDataCenter;
    use cloudstack_db::catalog::{templates, zones};
    use cloudstack_db::compute::vms;
    use cloudstack_db::compute::{VmEvent, VmInstance};
    use cloudstack_db::schema::cloud::usage_event;
    use cloudstack_db::storage::VolumeType;
    use cloudstack_db::storage::volumes::{self, VolumeSpec};
    use cloudstack_db::types::DiskOfferingId;
    use cloudstack_db::types::ProvisioningType;
    use diesel::prelude::*;

    let mut conn = db.cloud().get()?;
    let conn: &mut MysqlConnection = &mut conn;
    println!("-- a VM's life");
    let zone = match zones::find_by_name(conn, "tour-zone") {
        Ok(zone) => zone,
        Err(_) => db.write(|tx| {
            zones::create(
                tx,
                &NewDataCenter {
                    name: Some("tour-zone".into()),
                    dns1: "8.8.8.8".into(),
                    internal_dns1: "10.0.0.2".into(),
                    ..Default::default()
                },
            )
        })?,
    };
    // A host to start VMs on and the physical network public ranges belong to: CloudStack's
    // foreign keys want both, and the crate does not model infrastructure yet, so the test
    // harness's plain-SQL rows stand in for what a management server's agent would register.
    db.write(|tx| {
        cloudstack_db_testing::physical_network(tx, zone.id, 200)?;
        cloudstack_db_testing::host(tx, zone.id, 1)
    })?;
    let template = templates::find_by_unique_name(conn, "centos55-x86_64")?;
    let spec = tour_vm(
        zone.id,
        &template,
        format!("tour-vm-{}", chrono::Utc::now().timestamp()),
        Some("Tour VM"),
    );
    // The deployment is an async job: submitted by one management server, claimed by a worker.
    use cloudstack_db::events::EventLevel;
    use cloudstack_db::events::log::{self, event};
    use cloudstack_db::jobs::queue::{self, JobSpec};
    const WORKER: i64 = 7;
    let tour_started = chrono::Utc::now() - chrono::Duration::seconds(1);
    let submitted = db.write(|tx| {
        queue::submit(
            tx,
            &JobSpec {
                cmd: "org.apache.cloudstack.api.command.user.vm.DeployVMCmd".into(),
                cmd_info: format!("{{\"name\":\"{}\"}}", spec.name),
                user_id: spec.user_id,
                account_id: spec.account_id,
                instance_type: Some("VirtualMachine".into()),
                instance_id: None,
                init_msid: 1,
                dispatcher: Some("ApiAsyncJobDispatcher".into()),
            },
        )
    })?;
    let job = db
        .write(|tx| queue::claim_next(tx, WORKER))?
        .ok_or_else(|| {
            cloudstack_db::Error::Config("the submitted job was not claimable".into())
        })?;
    println!(
        "job {} submitted by server 1, claimed by worker {WORKER} (uuid {})",
        submitted.id,
        job.uuid.map(|u| u.to_string()).unwrap_or_default()
    );
    let event_for = |kind: &str, text: &str| {
        event(
            kind,
            text,
            spec.user_id,
            spec.account_id,
            spec.domain_id,
            EventLevel::Info,
        )
    };
    let started = db.write(|tx| {
        log::record_started(
            tx,
            event_for("VM.CREATE", &format!("deploying {}", spec.name)),
        )
    })?;
    // The VM and both volumes in one transaction, as CloudStack's deploy does.
    // Composed from two repositories in one `write`: one COMMIT, no savepoint.
    let vm = db.write(|tx| {
        let vm = vms::create(tx, &spec)?;
        for (name, kind, offering, size, device) in [
            (
                "ROOT",
                VolumeType::Root,
                DiskOfferingId(1),
                8u64 << 30,
                0u64,
            ),
            (
                "DATA",
                VolumeType::DataDisk,
                DiskOfferingId(3),
                5u64 << 30,
                1,
            ),
        ] {
            {
                volumes::create(
                    tx,
                    &VolumeSpec {
                        name: format!("{name}-{}", vm.instance.id),
                        account_id: spec.account_id,
                        domain_id: spec.domain_id,
                        zone_id: zone.id,
                        volume_type: kind,
                        disk_offering_id: offering,
                        template_id: (kind == VolumeType::Root).then_some(template.id),
                        size,
                        instance_id: Some(vm.instance.id),
                        device_id: Some(device),
                        format: Some(template.format),
                        provisioning_type: ProvisioningType::Thin,
                        display_volume: true,
                    },
                )?;
            }
        }
        Ok(vm.instance)
    })?;
    db.write(|tx| {
        log::record_completed(
            tx,
            started,
            event_for(
                "VM.CREATE",
                &format!("deployed {} as {}", spec.name, vm.instance_name),
            ),
        )
    })?;
    // Stored the way CloudStack's queryAsyncJobResult reads it: class/object name/JSON.
    let response = cloudstack_db::jobs::result::ApiResult::new(
        "org.apache.cloudstack.api.response.UserVmResponse",
        "virtualmachine",
        serde_json::json!({
            "id": vm.uuid.map(|u| u.to_string()),
            "name": vm.name,
            "state": vm.state.to_string(),
        }),
    );
    let done = db.write(|tx| queue::succeed(tx, job.id, WORKER, &response))?;
    println!(
        "job {} finished: {} by worker {:?}, result {}",
        done.id,
        done.job_status.map(|s| s.to_string()).unwrap_or_default(),
        done.job_complete_msid,
        done.job_result.unwrap_or_default()
    );
    let show = |conn: &mut MysqlConnection, step: &str, vm: &VmInstance| -> Result<()> {
        let vols = volumes::list_for_vm(conn, vm.id)?;
        let vol_text: Vec<String> = vols
            .iter()
            .map(|v| {
                format!(
                    "{} {} {}GiB",
                    v.name.as_deref().unwrap_or(""),
                    v.volume_type,
                    v.size >> 30
                )
            })
            .collect();
        let events: Vec<String> = usage_event::table
            .filter(
                usage_event::resource_id
                    .eq(vm.id.get())
                    .or(usage_event::resource_id
                        .eq_any(vols.iter().map(|v| v.id.get()).collect::<Vec<_>>())),
            )
            .filter(usage_event::account_id.eq(vm.account_id))
            .filter(usage_event::created.ge(vm.created.naive_utc()))
            .order(usage_event::id)
            .select(usage_event::type_)
            .load(conn)?;
        println!(
            "{step:<9} {} id {} state {} host {:?} update_count {} | volumes: {} | usage events: {}",
            vm.instance_name,
            vm.id,
            vm.state,
            vm.host_id,
            vm.update_count,
            vol_text.join(", "),
            events.join(", ")
        );
        Ok(())
    };
    show(conn, "created", &vm)?;
    let starting =
        db.write(|tx| vms::transition(tx, &vm, VmEvent::StartRequested, Some(Some(1))))?;
    let running =
        db.write(|tx| vms::transition(tx, &starting, VmEvent::OperationSucceeded, None))?;
    show(conn, "started", &running)?;
    let stopping = db.write(|tx| vms::transition(tx, &running, VmEvent::StopRequested, None))?;
    let stopped =
        db.write(|tx| vms::transition(tx, &stopping, VmEvent::OperationSucceeded, Some(None)))?;
    show(conn, "stopped", &stopped)?;
    let destroyed =
        db.write(|tx| vms::transition(tx, &stopped, VmEvent::DestroyRequested, None))?;
    show(conn, "destroyed", &destroyed)?;
    db.write(|tx| {
        log::record(
            tx,
            event_for(
                "VM.DESTROY",
                &format!("destroyed {}", destroyed.instance_name),
            ),
        )
    })?;
    let events = log::list(
        conn,
        &log::EventFilter {
            account_id: Some(spec.account_id),
            from: Some(tour_started),
            ..Default::default()
        },
        &cloudstack_db::repo::PageRequest::first(20),
    )?;
    for e in events.items {
        println!(
            "event {:>4}  {:<10} {:<9} {}",
            e.id,
            e.event_type,
            e.state.to_string(),
            e.description
        );
    }
    Ok(())
}

/// A child domain with an account and a user, API keys for the user, and a request signed with
/// them checked the way the management server would.
/// A VM of the admin account on Small Instance, from `template`.
fn tour_vm(
    zone: cloudstack_db::types::ZoneId,
    template: &cloudstack_db::catalog::VmTemplate,
    name: String,
    display_name: Option<&str>,
) -> cloudstack_db::compute::vms::UserVmSpec {
    use cloudstack_db::types::{AccountId, DomainId, HypervisorType, ServiceOfferingId, UserId};
    cloudstack_db::compute::vms::UserVmSpec {
        name,
        display_name: display_name.map(str::to_owned),
        account_id: AccountId(2),
        domain_id: DomainId(1),
        user_id: UserId(2),
        zone_id: zone,
        service_offering_id: ServiceOfferingId(1),
        template_id: template.id,
        guest_os_id: template.guest_os_id,
        hypervisor_type: Some(HypervisorType::Kvm),
        vnc_password: cloudstack_db::Secret::new("tour-vnc"),
        ha_enabled: false,
        display_vm: true,
        user_data: None,
        custom_compute: None,
    }
}

fn settings_servers_and_placement(db: &Database) -> Result<()> {
    use cloudstack_db::catalog::zones;
    use cloudstack_db::compute::vms;
    use cloudstack_db::infra::capacity;
    use cloudstack_db::infra::hosts::{self, HostFilter};
    use cloudstack_db::servers::{self, Registration};
    use cloudstack_db::settings::{Scope, ScopeKind, SettingDefinition, Settings};
    use cloudstack_db::types::{AccountId, DomainId, HypervisorType};

    println!("-- settings, management servers, placement");
    // This process as a management server of the cluster (msid: CloudStack uses a MAC address).
    let me = db.write(|tx| {
        servers::register(
            tx,
            &Registration::new(0x02_00_7e_57_00_01, "tour", "127.0.0.1"),
        )
    })?;
    db.write(|tx| servers::heartbeat(tx, &me))?;
    let live = db.read(|c| servers::live(c, servers::DEFAULT_THRESHOLD))?;
    println!(
        "live servers:    {}",
        live.iter()
            .map(|s| format!(
                "{} (msid {}, {})",
                s.name.as_deref().unwrap_or("?"),
                s.msid,
                s.state.map(|st| st.to_string()).unwrap_or_default()
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );

    // A setting defined as a management server defines its ConfigKeys, overridden for one account.
    let settings = Settings::new(db.column_encryptor().cloned());
    let definition = SettingDefinition {
        category: "Advanced".into(),
        component: "TourManager".into(),
        name: "tour.max.vms.per.host".into(),
        default_value: Some("10".into()),
        description: Some("How many tour VMs one host takes".into()),
        scopes: vec![ScopeKind::Domain, ScopeKind::Account],
        is_dynamic: true,
    };
    db.write(|tx| {
        settings.define(tx, &definition)?;
        settings.set(tx, &definition.name, Scope::Account(AccountId(2)), "20")
    })?;
    let (account, domain): (Option<i64>, Option<i64>) = db.read(|c| {
        Ok((
            settings.get(c, &definition.name, Scope::Account(AccountId(2)))?,
            settings.get(c, &definition.name, Scope::Domain(DomainId(1)))?,
        ))
    })?;
    println!(
        "setting:         {} = {} for account 2 (its own), {} for domain 1 (the default)",
        definition.name,
        account.unwrap_or_default(),
        domain.unwrap_or_default()
    );

    // A KVM host in an enabled cluster, its capacity as its agent reports it, and a VM placed
    // there: the VM, its start on the host and the host's capacity in one transaction.
    let zone = db.read(|c| zones::find_by_name(c, "tour-zone"))?;
    let host_id = db.write(|tx| cloudstack_db_testing::rack(tx, zone.id, 100))?;
    let host = db.read(|c| hosts::find(c, cloudstack_db::types::HostId(host_id)))?;
    db.write(|tx| capacity::set_host_totals(tx, &host, 16 * 2000, 64 << 30, 16))?;
    let filter = HostFilter::for_placement(zone.id, HypervisorType::Kvm, None);
    let candidates = db.read(|c| hosts::placement_candidates(c, &filter))?;
    let Some(target) = candidates.first() else {
        return Err(cloudstack_db::Error::Config(
            "no host to place the tour VM on".into(),
        ));
    };
    let template =
        db.read(|c| cloudstack_db::catalog::templates::find_by_unique_name(c, "centos55-x86_64"))?;
    let spec = tour_vm(
        zone.id,
        &template,
        format!("placed-{}", chrono::Utc::now().timestamp_millis()),
        None,
    );
    let placed = db.write(|tx| {
        let vm = vms::create(tx, &spec)?;
        cloudstack_db::compute::placement::start_on(tx, &vm.instance, target.id)
    })?;
    let rows = db.read(|c| capacity::of_host(c, target.id))?;
    let used = |ty| {
        rows.iter()
            .find(|r| r.capacity_type == ty)
            .map(|r| (r.used_capacity, r.total_capacity))
            .unwrap_or_default()
    };
    let (cpu, mem) = (used(capacity::CPU), used(capacity::MEMORY));
    println!(
        "placement:       {} {} on host {} ({}); host CPU {}/{} MHz, memory {}/{} MiB used",
        placed.name,
        placed.state,
        target.name,
        target.id,
        cpu.0,
        cpu.1,
        mem.0 >> 20,
        mem.1 >> 20
    );
    db.write(|tx| servers::stop(tx, &me))?;
    Ok(())
}

fn identity(db: &Database) -> Result<()> {
    use cloudstack_db::identity::api_keys::{authenticate_request, generate_keys, sign_request};
    use cloudstack_db::identity::domains::ROOT_DOMAIN;
    use cloudstack_db::identity::roles::{self, RuleSpec, decide};
    use cloudstack_db::identity::users::{self, UserSpec};
    use cloudstack_db::identity::{AccountType, accounts};
    use cloudstack_db::identity::{Permission, RoleType};
    use cloudstack_db::types::AccountId;

    let mut conn = db.cloud().get()?;
    let conn: &mut MysqlConnection = &mut conn;
    println!("-- identity");
    let stamp = chrono::Utc::now().timestamp();
    let domain = db.write(|tx| {
        cloudstack_db::identity::domains::create(
            tx,
            &cloudstack_db::identity::domains::DomainSpec::new(
                ROOT_DOMAIN,
                format!("tour-{stamp}"),
                AccountId(2),
            ),
        )
    })?;
    // A role that may list anything and nothing else (rules are evaluated in order).
    let readers = db.write(|tx| {
        cloudstack_db::identity::roles::create(
            tx,
            &cloudstack_db::identity::roles::RoleSpec {
                name: format!("Tour readers {stamp}"),
                role_type: RoleType::User,
                description: None,
            },
        )
    })?;
    db.write(|tx| {
        roles::add_rule(
            tx,
            readers.id,
            &RuleSpec {
                rule: "list*".into(),
                permission: Permission::Allow,
                description: None,
            },
        )
    })?;
    db.write(|tx| {
        roles::add_rule(
            tx,
            readers.id,
            &RuleSpec {
                rule: "*".into(),
                permission: Permission::Deny,
                description: None,
            },
        )
    })?;
    let account = db.write(|tx| {
        accounts::create(
            tx,
            &cloudstack_db::identity::accounts::AccountSpec {
                domain_id: domain.id,
                name: "tour-team".into(),
                account_type: AccountType::Normal,
                role_id: Some(readers.id),
            },
        )
    })?;
    let user = db.write(|tx| {
        users::create(
            tx,
            &UserSpec {
                username: "tour-user".into(),
                password: cloudstack_db::Secret::new("tour-password"),
                account_id: account.id,
                firstname: Some("Tour".into()),
                lastname: Some("User".into()),
                email: None,
            },
        )
    })?;
    println!(
        "domain:          {} (level {}, id {})",
        domain.path, domain.level, domain.id
    );
    println!(
        "account:         {} ({}, role {:?})",
        account.account_name.as_deref().unwrap_or(""),
        account.account_type,
        account.role_id
    );
    println!(
        "user:            {} (password stored as PBKDF2, {} chars)",
        user.username,
        user.password.expose().len()
    );
    let encryptor = db
        .column_encryptor()
        .ok_or_else(|| cloudstack_db::Error::Config("no database secret configured".into()))?;
    let keys = db.write(|tx| generate_keys(tx, user.id, encryptor))?;
    println!(
        "api key:         {}... ({} chars; the secret key is stored encrypted)",
        &keys.api_key[..12],
        keys.api_key.len()
    );
    let mut request = vec![
        ("command".to_string(), "listVirtualMachines".to_string()),
        ("response".to_string(), "json".to_string()),
        ("apiKey".to_string(), keys.api_key.clone()),
    ];
    let signature = sign_request(
        request.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        keys.secret_key.expose(),
    );
    request.push(("signature".to_string(), signature));
    let caller = authenticate_request(conn, encryptor, &request, chrono::Utc::now())?;
    let role = caller.account.role_id.unwrap_or(readers.id);
    println!(
        "signed request:  verified as user {} of account {}; its role says listVirtualMachines: {:?}, destroyVirtualMachine: {:?}",
        caller.user.username,
        caller.account.account_name.as_deref().unwrap_or(""),
        decide(conn, role, "listVirtualMachines")?,
        decide(conn, role, "destroyVirtualMachine")?
    );
    request[0].1 = "destroyVirtualMachine".into();
    let tampered = authenticate_request(conn, encryptor, &request, chrono::Utc::now());
    println!(
        "tampered request: {}",
        tampered.err().map(|e| e.to_string()).unwrap_or_default()
    );
    Ok(())
}

/// A public IP range for the zone, an isolated guest network for the account, and an address
/// allocated to it and released.
fn public_addresses(db: &Database) -> Result<()> {
    use cloudstack_db::catalog::zones;
    use cloudstack_db::network::networks::{self, NetworkEvent, NetworkSpec};
    use cloudstack_db::network::public_ips::{self, AllocateRequest, RangeSpec};
    use cloudstack_db::network::{
        AclType, BroadcastDomainType, GuestType, NetworkMode, TrafficType, VlanType,
    };
    use cloudstack_db::types::{AccountId, DomainId};

    let mut conn = db.cloud().get()?;
    let conn: &mut MysqlConnection = &mut conn;
    println!("-- public addresses");
    let zone = zones::find_by_name(conn, "tour-zone")?;
    let spec = |name: &str, traffic, guest, vlan: Option<&str>, cidr: Option<&str>| NetworkSpec {
        name: name.into(),
        display_text: Some(name.into()),
        account_id: AccountId(2),
        domain_id: DomainId(1),
        zone_id: zone.id,
        traffic_type: traffic,
        guest_type: guest,
        broadcast_domain_type: BroadcastDomainType::Vlan,
        vlan: vlan.map(str::to_owned),
        gateway: cidr.map(|_| "10.1.1.1".parse().expect("an address")),
        cidr: cidr.map(str::to_owned),
        mode: Some(NetworkMode::Dhcp),
        acl_type: guest.map(|_| AclType::Account),
        network_offering_id: 1,
        physical_network_id: Some(200),
        guru_name: "ExternalGuestNetworkGuru".into(),
    };
    let public = db.write(|tx| {
        networks::create(
            tx,
            &spec(
                "tour-public",
                TrafficType::Public,
                None,
                Some("untagged"),
                None,
            ),
        )
    })?;
    let stamp = (chrono::Utc::now().timestamp() % 200) as u8 + 20;
    let range = db.write(|tx| {
        public_ips::create_range(
            tx,
            &RangeSpec {
                zone_id: zone.id,
                network_id: public.id,
                physical_network_id: 200,
                vlan_tag: "untagged".into(),
                gateway: format!("198.18.{stamp}.1").parse().expect("an address"),
                netmask: "255.255.255.0".parse().expect("a netmask"),
                start: format!("198.18.{stamp}.10").parse().expect("an address"),
                end: format!("198.18.{stamp}.20").parse().expect("an address"),
                ip6: None,
                vlan_type: VlanType::VirtualNetwork,
            },
        )
    });
    let range = match range {
        Ok(range) => range,
        // Ran before in this minute's subnet: reuse the zone's first range.
        Err(cloudstack_db::Error::Conflict(_)) => public_ips::list_ranges(conn, zone.id)?.remove(0),
        Err(e) => return Err(e),
    };
    println!(
        "public range:    {} ({}) in zone {}",
        range.ip4_range.as_deref().unwrap_or(""),
        range.vlan_id.as_deref().unwrap_or(""),
        zone.id
    );
    let guest = db.write(|tx| {
        networks::create(
            tx,
            &spec(
                "tour-isolated",
                TrafficType::Guest,
                Some(GuestType::Isolated),
                Some("100"),
                Some("10.1.1.0/24"),
            ),
        )
    })?;
    let guest = db.write(|tx| networks::transition(tx, &guest, NetworkEvent::ImplementNetwork))?;
    let guest =
        db.write(|tx| networks::transition(tx, &guest, NetworkEvent::OperationSucceeded))?;
    println!(
        "guest network:   {} id {} {} {} {}",
        guest.name.as_deref().unwrap_or(""),
        guest.id,
        guest.cidr.as_deref().unwrap_or(""),
        guest.broadcast_uri.as_deref().unwrap_or(""),
        guest.state
    );
    let ip = db.write(|tx| {
        public_ips::allocate(
            tx,
            &AllocateRequest {
                zone_id: zone.id,
                account_id: AccountId(2),
                domain_id: DomainId(1),
                vlan_id: Some(range.id),
                network_id: Some(guest.id),
                source_nat: true,
                is_system: false,
            },
        )
    })?;
    println!(
        "allocated:       {} (state {}, source NAT {}, network {:?})",
        ip.address()?,
        ip.state,
        ip.source_nat,
        ip.network_id
    );
    let freed = db.write(|tx| public_ips::release(tx, &ip))?;
    println!(
        "released:        {} (state {}, owner {:?}) — usage events NET.IPASSIGN and NET.IPRELEASE written",
        freed.address()?,
        freed.state,
        freed.account_id
    );
    Ok(())
}

/// Creates the database of `target` (utf8mb3, as CloudStack's tables) when it does not exist.
fn create_if_missing(target: &ConnectionTarget) -> Result<()> {
    let server = target.with_database("mysql");
    let mut conn = MysqlConnection::establish(server.diesel_url().expose())?;
    conn.batch_execute(&format!(
        "CREATE DATABASE IF NOT EXISTS `{}` CHARACTER SET utf8mb3 COLLATE utf8mb3_general_ci",
        target.database.replace('`', "``")
    ))?;
    Ok(())
}

/// The usage job over everything since the last run, and the admin account's records.
fn usage_records(db: &Database) -> Result<()> {
    use cloudstack_db::repo::PageRequest;
    use cloudstack_db::types::AccountId;
    use cloudstack_db::usage::billing::{self, RecordFilter};
    use cloudstack_db::usage::{AggregationOptions, aggregate, catch_up_period};

    println!("-- usage records");
    let Some(period) = db
        .usage()
        .run(|conn| catch_up_period(conn, chrono::Utc::now()))?
    else {
        println!("nothing to aggregate yet");
        return Ok(());
    };
    let report = aggregate(db, &AggregationOptions::for_period(period), &mut |_| {})?;
    println!(
        "usage job:       {period}: {} events copied, {} applied, {} ignored, {} records",
        report.events_copied, report.events.applied, report.events.ignored, report.records_written
    );
    let mut conn = db.usage().get()?;
    let admin = RecordFilter::account(AccountId(2)).within(period);
    let page = billing::list_records(&mut conn, &admin, &PageRequest::first(50).with_total())?;
    println!(
        "records of account 2 (admin) for the period: {}",
        page.total.unwrap_or_default()
    );
    for r in &page.items {
        println!(
            "  {:<13} {:<16} {}",
            r.usage_type.map(|t| t.name()).unwrap_or("?"),
            r.usage_display,
            r.description
        );
    }
    for t in billing::totals_by_account(&mut conn, &admin)? {
        println!(
            "  total {:<13} {:>3} record(s) {:.6} h",
            t.usage_type.map(|t| t.name()).unwrap_or("?"),
            t.records,
            t.raw_usage
        );
    }
    Ok(())
}
