//! Roles and their ordered permission rules, evaluated the way CloudStack's dynamic role checker
//! does: rules in `sort_order`, the first whose pattern matches decides, no match denies.

use diesel::prelude::*;

use super::{NewRole, NewRolePermission, Permission, Role, RolePermission, RoleState, RoleType};
use crate::db::Tx;
use crate::repo::last_insert_id;
use crate::schema::cloud::{role_permissions, roles};
use crate::types::{RoleId, RolePermissionId};
use crate::{Error, Result};

/// The built-in Root Admin role, which may call every API.
pub const ROOT_ADMIN_ROLE: RoleId = RoleId(1);

/// One rule of a role, as exported and imported.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RuleSpec {
    /// API name pattern: letters, digits and `*` (any run of word characters).
    pub rule: String,
    /// Allow or deny.
    pub permission: Permission,
    /// Free text.
    pub description: Option<String>,
}

/// What a new role is made of.
///
/// ```
/// use cloudstack_db::identity::{roles::RoleSpec, RoleType};
/// let spec = RoleSpec::new("Readers", RoleType::User);
/// assert_eq!(spec.description, None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleSpec {
    /// The role's name.
    pub name: String,
    /// Admin, resource admin, domain admin or user.
    pub role_type: RoleType,
    /// Free text.
    pub description: Option<String>,
}

impl RoleSpec {
    /// A role `name` of `role_type` without description.
    ///
    /// ```
    /// use cloudstack_db::identity::{roles::RoleSpec, RoleType};
    /// assert_eq!(RoleSpec::new("Ops", RoleType::Admin).name, "Ops");
    /// ```
    pub fn new(name: impl Into<String>, role_type: RoleType) -> Self {
        Self {
            name: name.into(),
            role_type,
            description: None,
        }
    }
}

/// Creates an enabled, public, non-default role.
///
/// ```no_run
/// use cloudstack_db::identity::{roles::{self, RoleSpec}, RoleType};
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// let role = db.write(|tx| roles::create(tx, &RoleSpec::new("Readers", RoleType::User)))?;
/// # Ok(()) }
/// ```
pub fn create(tx: &mut Tx<'_>, spec: &RoleSpec) -> Result<Role> {
    let (name, role_type, description) = (
        spec.name.as_str(),
        spec.role_type,
        spec.description.as_deref(),
    );
    let conn = tx.conn();
    if name.trim().is_empty() {
        return Err(Error::invalid_value(
            "roles.name",
            name,
            "must not be empty",
        ));
    }
    diesel::insert_into(roles::table)
        .values(NewRole {
            id: None,
            uuid: Some(uuid::Uuid::new_v4()),
            name: Some(name.to_owned()),
            role_type,
            removed: None,
            description: description.map(str::to_owned),
            is_default: Some(false),
            public_role: Some(true),
            state: Some(RoleState::Enabled),
        })
        .execute(conn)?;
    let id = RoleId(last_insert_id(conn)?);
    find(conn, id)
}

crate::repo::live_finders!(
    roles,
    Role,
    RoleId,
    "identity::roles",
    "cloudstack_db::types::RoleId(4)"
);

crate::repo::live_list_all!(roles, Role, "identity::roles");

fn check_rule(rule: &str) -> Result<()> {
    if rule.is_empty() || !rule.chars().all(|c| c.is_ascii_alphanumeric() || c == '*') {
        return Err(Error::invalid_value(
            "role_permissions.rule",
            rule,
            "only letters, digits and `*`",
        ));
    }
    Ok(())
}

/// Appends a rule to a role (`sort_order` = last + 1, 0 for the first). The same pattern twice
/// in a role is [`Error::Duplicate`].
pub fn add_rule(tx: &mut Tx<'_>, role: RoleId, rule: &RuleSpec) -> Result<RolePermission> {
    let conn = tx.conn();
    check_rule(&rule.rule)?;
    find(conn, role)?;
    let last: Option<u64> = role_permissions::table
        .filter(role_permissions::role_id.eq(role))
        .select(diesel::dsl::max(role_permissions::sort_order))
        .first(conn)?;
    diesel::insert_into(role_permissions::table)
        .values(NewRolePermission {
            id: None,
            uuid: Some(uuid::Uuid::new_v4()),
            role_id: role,
            rule: rule.rule.clone(),
            permission: rule.permission,
            description: rule.description.clone(),
            sort_order: Some(last.map_or(0, |l| l + 1)),
        })
        .execute(conn)?;
    let id = RolePermissionId(last_insert_id(conn)?);
    Ok(role_permissions::table
        .find(id)
        .select(RolePermission::as_select())
        .first(conn)?)
}

/// A role's rules in evaluation order.
///
/// May read from a replica: run it on [`crate::Database::cloud_reads`] when data a few
/// seconds old will do (see `docs/scaling.md`).
pub fn list_rules(conn: &mut MysqlConnection, role: RoleId) -> Result<Vec<RolePermission>> {
    Ok(role_permissions::table
        .filter(role_permissions::role_id.eq(role))
        .order((
            role_permissions::sort_order.asc(),
            role_permissions::id.asc(),
        ))
        .select(RolePermission::as_select())
        .load(conn)?)
}

/// Puts a role's rules in the given order (`sort_order` 0, 1, 2, ...) atomically. `order` must
/// name exactly the role's rules; if they changed meanwhile the reorder is refused
/// ([`Error::StaleState`]) and nothing is written.
pub fn reorder_rules(
    tx: &mut Tx<'_>,
    role: RoleId,
    order: &[RolePermissionId],
) -> Result<Vec<RolePermission>> {
    let conn = tx.conn();
    let mut current: Vec<RolePermissionId> = role_permissions::table
        .filter(role_permissions::role_id.eq(role))
        .select(role_permissions::id)
        .for_update()
        .load(conn)?;
    let mut wanted = order.to_vec();
    current.sort();
    wanted.sort();
    if current != wanted {
        return Err(Error::StaleState {
            entity: "role_permissions",
            id: role.get(),
            detail: "the role's rules changed since they were read".into(),
        });
    }
    for (position, id) in order.iter().enumerate() {
        diesel::update(role_permissions::table.filter(role_permissions::id.eq(id)))
            .set(role_permissions::sort_order.eq(position as u64))
            .execute(conn)?;
    }
    list_rules(conn, role)
}

/// A role's rules, in order, for export.
pub fn export_rules(conn: &mut MysqlConnection, role: RoleId) -> Result<Vec<RuleSpec>> {
    Ok(list_rules(conn, role)?
        .into_iter()
        .map(|r| RuleSpec {
            rule: r.rule,
            permission: r.permission,
            description: r.description,
        })
        .collect())
}

/// Replaces a role's rules with `rules`, in that order, atomically.
pub fn import_rules(
    tx: &mut Tx<'_>,
    role: RoleId,
    rules: &[RuleSpec],
) -> Result<Vec<RolePermission>> {
    for r in rules {
        check_rule(&r.rule)?;
    }
    find(tx.conn(), role)?;
    diesel::delete(role_permissions::table.filter(role_permissions::role_id.eq(role)))
        .execute(tx.conn())?;
    for r in rules {
        add_rule(tx, role, r)?;
    }
    list_rules(tx.conn(), role)
}

/// Whether a rule pattern matches an API name: whole name, case-insensitive, each `*` standing
/// for any run (possibly empty) of letters, digits and `_`.
///
/// ```
/// use cloudstack_db::identity::roles::rule_matches;
/// assert!(rule_matches("*", "deployVirtualMachine"));
/// assert!(rule_matches("list*", "LISTVirtualMachines"));
/// assert!(rule_matches("*VirtualMachine*", "listVirtualMachines"));
/// assert!(!rule_matches("list*", "deleteVolume"));
/// assert!(!rule_matches("listZones", "listZonesMetrics"));
/// ```
pub fn rule_matches(rule: &str, api: &str) -> bool {
    matches_lowercase(&rule.to_ascii_lowercase(), &api.to_ascii_lowercase())
}

/// [`rule_matches`] on a rule and an API name already in lower case.
fn matches_lowercase(rule: &str, api: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    if !rule.contains('*') {
        return rule == api;
    }
    if let Some(prefix) = rule.strip_suffix('*').filter(|p| !p.contains('*')) {
        // The common `list*` shape, without the general walk's allocations.
        return api.starts_with(prefix) && api[prefix.len()..].chars().all(word);
    }
    let parts: Vec<&str> = rule.split('*').collect();
    if parts.len() == 1 {
        return rule == api;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !api.starts_with(first)
        || !api[first.len()..].ends_with(last)
        || api.len() < first.len() + last.len()
    {
        return false;
    }
    let middle = &api[first.len()..api.len() - last.len()];
    // The literal pieces between stars must appear in order; what the stars cover must be word
    // characters.
    let mut rest = middle;
    let mut covered = String::new();
    for piece in &parts[1..parts.len() - 1] {
        match rest.find(piece) {
            Some(at) => {
                covered.push_str(&rest[..at]);
                rest = &rest[at + piece.len()..];
            }
            None => return false,
        }
    }
    covered.push_str(rest);
    covered.chars().all(word)
}

/// What a role's rules say about one API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleDecision {
    /// The first matching rule allows it (or the role is Root Admin).
    Allow,
    /// The first matching rule denies it.
    Deny,
    /// No rule matches: CloudStack then applies the API's own authorisation (the role types its
    /// `@APICommand(authorized = ...)` names), which only the caller knows.
    NoRule,
}

impl RoleDecision {
    /// The final answer, given whether the API's own authorisation admits the role's type.
    ///
    /// ```
    /// use cloudstack_db::identity::roles::RoleDecision;
    /// assert!(RoleDecision::NoRule.or_api_default(true));
    /// assert!(!RoleDecision::Deny.or_api_default(true));
    /// assert!(RoleDecision::Allow.or_api_default(false));
    /// ```
    pub fn or_api_default(self, api_authorizes_role_type: bool) -> bool {
        match self {
            RoleDecision::Allow => true,
            RoleDecision::Deny => false,
            RoleDecision::NoRule => api_authorizes_role_type,
        }
    }
}

/// Evaluates an API call for a role as CloudStack's `DynamicRoleBasedAPIAccessChecker` does:
/// Root Admin (role 1 of type Admin) may call everything; otherwise the first matching rule in
/// order decides; no matching rule is [`RoleDecision::NoRule`], not a refusal. The role's state
/// is not looked at (CloudStack does not either).
pub fn evaluate(role: &Role, rules: &[RolePermission], api: &str) -> RoleDecision {
    if is_root_admin_role(role) {
        return RoleDecision::Allow;
    }
    first_match(rules.iter().map(|r| (r.rule.as_str(), r.permission)), api)
}

/// Root Admin (role 1 of type Admin), which may call everything.
fn is_root_admin_role(role: &Role) -> bool {
    role.id == ROOT_ADMIN_ROLE && role.role_type == RoleType::Admin
}

/// What the first of `rules` (pattern, permission; in order) matching `api` says.
fn first_match<'r>(rules: impl Iterator<Item = (&'r str, Permission)>, api: &str) -> RoleDecision {
    let api = api.to_ascii_lowercase();
    let mut rule_lower = String::new();
    for (rule, permission) in rules {
        rule_lower.clear();
        rule_lower.extend(rule.chars().map(|c| c.to_ascii_lowercase()));
        if matches_lowercase(&rule_lower, &api) {
            return match permission {
                Permission::Allow => RoleDecision::Allow,
                _ => RoleDecision::Deny,
            };
        }
    }
    RoleDecision::NoRule
}

/// What `role`'s rules say about `api` (see [`evaluate`]); a missing role is
/// [`RoleDecision::Deny`].
///
/// ```no_run
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// use cloudstack_db::identity::roles::{decide, RoleDecision};
/// let d = decide(conn, cloudstack_db::types::RoleId(1), "deployVirtualMachine")?;
/// assert_eq!(d, RoleDecision::Allow);
/// # Ok(()) }
/// ```
pub fn decide(conn: &mut MysqlConnection, role: RoleId, api: &str) -> Result<RoleDecision> {
    let role = match find(conn, role) {
        Ok(role) => role,
        Err(Error::NotFound) => return Ok(RoleDecision::Deny),
        Err(e) => return Err(e),
    };
    if is_root_admin_role(&role) {
        return Ok(RoleDecision::Allow);
    }
    // Only what the decision needs of each rule: a whole row (uuid, description) costs more
    // to decode than the rest of the check.
    let rules: Vec<(String, Permission)> = role_permissions::table
        .filter(role_permissions::role_id.eq(role.id))
        .order((
            role_permissions::sort_order.asc(),
            role_permissions::id.asc(),
        ))
        .select((role_permissions::rule, role_permissions::permission))
        .load(conn)?;
    Ok(first_match(
        rules
            .iter()
            .map(|(rule, permission)| (rule.as_str(), *permission)),
        api,
    ))
}
