//! CloudStack's settings (`configuration` and the `*_details` overrides) read the way
//! `ConfigKey.valueIn` reads them and written the way `updateConfiguration` writes them.
//!
//! A value at a scope is the scope's own override; else — for a setting that has more than one
//! scope — the nearest parent scope the setting allows (account → domain, storage pool →
//! cluster → zone, cluster → zone, image store → zone); else the global `value`; else
//! `default_value`. Account overrides fall back to the domain chain when
//! `enable.account.settings.for.domain` and `enable.domain.settings.for.child.domain` are on,
//! domain overrides to the parent domains when the latter is. `Hidden` and `Secure` values are
//! stored encrypted with the database secret and read only as [`Secret`]s.
//!
//! [`Settings`] keeps what it read until [`Settings::refresh`] (or, if set, a maximum age):
//! a value is not re-read per call.

mod parse;
mod scope;
mod setting;
mod stored;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::prelude::*;

pub use parse::{Millis, SettingValue};
pub use scope::{Scope, ScopeKind};
pub use setting::Setting;

use crate::crypto::Encryptor;
use crate::db::Tx;
use crate::schema::cloud::configuration;
use crate::{Error, Result, Secret};

/// The settings of one `cloud` database, cached. Build one per database (with the database's
/// column encryptor, needed for `Hidden`/`Secure` settings) and share it.
///
/// ```no_run
/// use cloudstack_db::settings::{Scope, Settings};
/// use cloudstack_db::types::AccountId;
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// let settings = Settings::new(db.column_encryptor().cloned());
/// let vms: Option<i64> = db.read(|c| settings.get(c, "max.account.user.vms", Scope::Account(AccountId(7))))?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Settings {
    encryptor: Option<Encryptor>,
    max_age: Option<Duration>,
    cache: Mutex<Cache>,
}

#[derive(Debug, Default)]
struct Cache {
    loaded: Option<(Instant, Arc<HashMap<String, Setting>>)>,
    /// Each scope's own stored value of a key (decrypted), `None` when it has none.
    stored: HashMap<(String, Scope), Option<Secret>>,
    /// Each scope's parent (`getParentScope`).
    parents: HashMap<Scope, Option<Scope>>,
}

impl Settings {
    /// Settings read with `encryptor` (the database secret; `None` when the database stores no
    /// encrypted settings or they are not needed), cached until [`Settings::refresh`].
    pub fn new(encryptor: Option<Encryptor>) -> Self {
        Self {
            encryptor,
            max_age: None,
            cache: Mutex::new(Cache::default()),
        }
    }

    /// The same, with everything read again once it is older than `max_age` (CloudStack's
    /// servers cache for 30 seconds).
    ///
    /// ```
    /// let s = cloudstack_db::settings::Settings::new(None).with_max_age(std::time::Duration::from_secs(30));
    /// # drop(s);
    /// ```
    pub fn with_max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    /// Forgets everything read: the next call reads the database again.
    ///
    /// ```
    /// cloudstack_db::settings::Settings::new(None).refresh();
    /// ```
    pub fn refresh(&self) {
        *self.lock() = Cache::default();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Every `configuration` row by name, read once (and again after a refresh or the max age).
    fn all(&self, conn: &mut MysqlConnection) -> Result<Arc<HashMap<String, Setting>>> {
        let mut cache = self.lock();
        if let Some((at, rows)) = &cache.loaded
            && self.max_age.is_none_or(|age| at.elapsed() < age)
        {
            return Ok(rows.clone());
        }
        let rows: Vec<Setting> = configuration::table
            .select(Setting::as_select())
            .load(conn)?;
        let rows = Arc::new(rows.into_iter().map(|s| (s.name.clone(), s)).collect());
        *cache = Cache {
            loaded: Some((Instant::now(), Arc::clone(&rows))),
            ..Cache::default()
        };
        Ok(rows)
    }

    /// The `configuration` row of `key`; [`Error::NotFound`] when there is none.
    ///
    /// ```no_run
    /// # fn demo(db: &cloudstack_db::Database, s: &cloudstack_db::settings::Settings) -> cloudstack_db::Result<()> {
    /// let row = db.read(|c| s.setting(c, "expunge.delay"))?;
    /// println!("{}: {:?}", row.name, row.description);
    /// # Ok(()) }
    /// ```
    pub fn setting(&self, conn: &mut MysqlConnection, key: &str) -> Result<Setting> {
        self.all(conn)?.get(key).cloned().ok_or(Error::NotFound)
    }

    /// The settings of `category` (`Advanced`, `Alert`, `Network`, ...), by name.
    ///
    /// ```no_run
    /// # fn demo(db: &cloudstack_db::Database, s: &cloudstack_db::settings::Settings) -> cloudstack_db::Result<()> {
    /// let alerts = db.read(|c| s.list_by_category(c, "Alert"))?;
    /// # Ok(()) }
    /// ```
    pub fn list_by_category(
        &self,
        conn: &mut MysqlConnection,
        category: &str,
    ) -> Result<Vec<Setting>> {
        let mut rows: Vec<Setting> = self
            .all(conn)?
            .values()
            .filter(|s| s.category == category)
            .cloned()
            .collect();
        rows.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(rows)
    }

    /// `key`'s value at `scope`, read as `T`; `None` when neither a scope, the global value nor
    /// the default has one (or `key` has no row). An encrypted setting is refused here
    /// ([`Error::InvalidValue`]: read it with [`Settings::get_secret`]); a text that is not a
    /// `T` is [`Error::InvalidValue`] naming the key and the text.
    ///
    /// ```no_run
    /// use cloudstack_db::settings::Scope;
    /// use cloudstack_db::types::ZoneId;
    /// # fn demo(db: &cloudstack_db::Database, s: &cloudstack_db::settings::Settings) -> cloudstack_db::Result<()> {
    /// let factor: Option<f64> = db.read(|c| s.get(c, "cpu.overprovisioning.factor", Scope::Zone(ZoneId(1))))?;
    /// # Ok(()) }
    /// ```
    pub fn get<T: SettingValue>(
        &self,
        conn: &mut MysqlConnection,
        key: &str,
        scope: Scope,
    ) -> Result<Option<T>> {
        let all = self.all(conn)?;
        if all.get(key).is_some_and(Setting::is_encrypted) {
            return Err(Error::invalid_value(
                format!("configuration.{key}"),
                "(encrypted)",
                "a Hidden or Secure setting: read it with get_secret",
            ));
        }
        self.resolve(conn, &all, key, scope)?
            .map(|v| T::parse_setting(key, v.expose()))
            .transpose()
    }

    /// `key`'s value at `scope` as text, whatever its category (decrypted for `Hidden` and
    /// `Secure` settings, which needs the encryptor: [`Error::Config`] without it).
    ///
    /// ```no_run
    /// use cloudstack_db::settings::Scope;
    /// # fn demo(db: &cloudstack_db::Database, s: &cloudstack_db::settings::Settings) -> cloudstack_db::Result<()> {
    /// let key = db.read(|c| s.get_secret(c, "security.singlesignon.key", Scope::Global))?;
    /// # Ok(()) }
    /// ```
    pub fn get_secret(
        &self,
        conn: &mut MysqlConnection,
        key: &str,
        scope: Scope,
    ) -> Result<Option<Secret>> {
        let all = self.all(conn)?;
        self.resolve(conn, &all, key, scope)
    }

    /// `ConfigKey.valueInScope`: the scope's own value, else the nearest allowed parent's,
    /// else the global value, else the default.
    fn resolve(
        &self,
        conn: &mut MysqlConnection,
        all: &HashMap<String, Setting>,
        key: &str,
        scope: Scope,
    ) -> Result<Option<Secret>> {
        let setting = all.get(key);
        if scope != Scope::Global {
            if let Some(v) = self.stored_at(conn, all, key, scope)? {
                return Ok(Some(v));
            }
            let kinds = Scope::kinds_of(setting.map_or(0, |s| s.scope));
            if kinds.len() > 1 {
                let mut at = scope;
                while let Some(parent) = self.parent(conn, at)? {
                    if kinds.contains(&parent.name()) {
                        return self.resolve(conn, all, key, parent);
                    }
                    at = parent;
                }
            }
        }
        let Some(setting) = setting else {
            return Ok(None);
        };
        match (&setting.value, &setting.default_value) {
            (Some(v), _) if setting.is_encrypted() => self.decrypt(key, v).map(Some),
            (Some(v), _) => Ok(Some(Secret::new(v.clone()))),
            (None, Some(d)) => Ok(Some(Secret::new(d.clone()))),
            (None, None) => Ok(None),
        }
    }

    /// The scope's own stored value of `key`, decrypted when the setting is encrypted; cached.
    fn stored_at(
        &self,
        conn: &mut MysqlConnection,
        all: &HashMap<String, Setting>,
        key: &str,
        scope: Scope,
    ) -> Result<Option<Secret>> {
        let cache_key = (key.to_owned(), scope);
        if let Some(v) = self.lock().stored.get(&cache_key) {
            return Ok(v.clone());
        }
        let flag = |name: &str| {
            all.get(name)
                .and_then(|s| s.value.as_deref().or(s.default_value.as_deref()))
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
        };
        let walk = stored::Walk {
            domains_inherit: flag("enable.domain.settings.for.child.domain"),
            accounts_use_domains: flag("enable.account.settings.for.domain"),
        };
        let raw = stored::value_at(conn, key, scope, walk)?;
        let value = match raw {
            Some(v) if all.get(key).is_some_and(Setting::is_encrypted) => {
                Some(self.decrypt(key, &v)?)
            }
            Some(v) => Some(Secret::new(v)),
            None => None,
        };
        self.lock().stored.insert(cache_key, value.clone());
        Ok(value)
    }

    fn parent(&self, conn: &mut MysqlConnection, scope: Scope) -> Result<Option<Scope>> {
        if let Some(p) = self.lock().parents.get(&scope) {
            return Ok(*p);
        }
        let parent = stored::parent_of(conn, scope)?;
        self.lock().parents.insert(scope, parent);
        Ok(parent)
    }

    /// The database secret's encryptor, or the error saying `key` needs it.
    fn encryptor_for(&self, key: &str) -> Result<&Encryptor> {
        self.encryptor.as_ref().ok_or_else(|| {
            Error::Config(format!(
                "setting {key} is stored encrypted: the settings need the database secret"
            ))
        })
    }

    fn decrypt(&self, key: &str, stored: &str) -> Result<Secret> {
        self.encryptor_for(key)?.decrypt(stored)
    }

    /// `value` as a setting of `category` stores it: encrypted for `Hidden` and `Secure`.
    fn stored_form(&self, key: &str, category: &str, value: &str) -> Result<String> {
        if setting::is_encrypted_category(category) {
            self.encryptor_for(key)?.encrypt(value)
        } else {
            Ok(value.to_owned())
        }
    }

    /// Adds the `configuration` row of a setting the way a management server registers its
    /// `ConfigKey`s at start (`ConfigDepotImpl.populateConfiguration`): value and default the
    /// definition's default (encrypted for `Hidden`/`Secure`), `updated` now, group and
    /// subgroup 1. A setting that has its row already is left as it is (its value may have been
    /// changed); returns whether the row was added.
    ///
    /// ```no_run
    /// use cloudstack_db::settings::{ScopeKind, SettingDefinition};
    /// # fn demo(db: &cloudstack_db::Database, s: &cloudstack_db::settings::Settings) -> cloudstack_db::Result<()> {
    /// let def = SettingDefinition {
    ///     category: "Advanced".into(), component: "MyManager".into(), name: "my.feature.enabled".into(),
    ///     default_value: Some("false".into()), description: Some("Turns my feature on".into()),
    ///     scopes: vec![ScopeKind::Domain, ScopeKind::Account], is_dynamic: true,
    /// };
    /// db.write(|tx| s.define(tx, &def))?;
    /// # Ok(()) }
    /// ```
    pub fn define(&self, tx: &mut Tx<'_>, def: &SettingDefinition) -> Result<bool> {
        let conn = tx.conn();
        let exists: Option<String> = configuration::table
            .find(&def.name)
            .select(configuration::name)
            .first(conn)
            .optional()?;
        if exists.is_some() {
            return Ok(false);
        }
        let value = def
            .default_value
            .as_deref()
            .map(|v| self.stored_form(&def.name, &def.category, v))
            .transpose()?;
        diesel::insert_into(configuration::table)
            .values((
                configuration::category.eq(&def.category),
                configuration::instance.eq("DEFAULT"),
                configuration::component.eq(&def.component),
                configuration::name.eq(&def.name),
                configuration::value.eq(value),
                configuration::description.eq(&def.description),
                configuration::default_value.eq(&def.default_value),
                configuration::updated.eq(Some(crate::repo::now().naive_utc())),
                configuration::is_dynamic.eq(def.is_dynamic),
                configuration::group_id.eq(Some(1u64)),
                configuration::subgroup_id.eq(Some(1u64)),
                configuration::display_text.eq(Some(display_text(&def.name))),
                configuration::scope.eq(ScopeKind::mask(&def.scopes)),
            ))
            .execute(conn)?;
        self.lock().loaded = None;
        Ok(true)
    }

    /// Sets `key` at `scope` to `value` as `updateConfiguration` stores it, in the caller's
    /// transaction: the global `value`, or the scope's `*_details` row (replaced or added;
    /// a cluster's `cpu.`/`mem.overprovisioning.factor` under CloudStack's cluster names),
    /// encrypted for `Hidden` and `Secure` settings. An unknown key or scope resource is
    /// [`Error::NotFound`]; a scope the setting does not allow is [`Error::InvalidValue`]. The
    /// cached values of `key` are dropped.
    ///
    /// ```no_run
    /// use cloudstack_db::settings::Scope;
    /// use cloudstack_db::types::AccountId;
    /// # fn demo(db: &cloudstack_db::Database, s: &cloudstack_db::settings::Settings) -> cloudstack_db::Result<()> {
    /// db.write(|tx| s.set(tx, "max.account.user.vms", Scope::Account(AccountId(7)), "40"))?;
    /// # Ok(()) }
    /// ```
    pub fn set(&self, tx: &mut Tx<'_>, key: &str, scope: Scope, value: &str) -> Result<()> {
        let all = self.all(tx.conn())?;
        let setting = all.get(key).ok_or(Error::NotFound)?;
        crate::repo::check_text(
            &format!("configuration.{key}"),
            value,
            8191,
            crate::repo::Charset::Utf8mb3,
        )?;
        if scope != Scope::Global && !Scope::kinds_of(setting.scope).contains(&scope.name()) {
            return Err(Error::invalid_value(
                format!("configuration.{key}"),
                scope.name(),
                format!(
                    "the setting is not kept at that scope (its scopes: {})",
                    Scope::kinds_of(setting.scope).join(", ")
                ),
            ));
        }
        let stored = self.stored_form(key, &setting.category, value)?;
        match scope {
            Scope::Global => {
                diesel::update(configuration::table.find(key))
                    .set(configuration::value.eq(Some(&stored)))
                    .execute(tx.conn())?;
            }
            _ => stored::store_at(tx.conn(), key, scope, &stored)?,
        }
        let mut cache = self.lock();
        cache.stored.retain(|(k, _), _| k != key);
        if scope == Scope::Global {
            cache.loaded = None;
        }
        Ok(())
    }
}

/// A setting a management server defines (CloudStack's `ConfigKey`), for [`Settings::define`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingDefinition {
    /// `Advanced`, `Alert`, `Network`, ..., or `Hidden`/`Secure` for encrypted values.
    pub category: String,
    /// The component that owns it.
    pub component: String,
    /// The key.
    pub name: String,
    /// The default, also the first value.
    pub default_value: Option<String>,
    /// What it does.
    pub description: Option<String>,
    /// Where it can be overridden (empty or `[Global]`: nowhere).
    pub scopes: Vec<ScopeKind>,
    /// Read anew on every use by the Java servers.
    pub is_dynamic: bool,
}

/// CloudStack's display text: the name's dots as spaces, the first letter upper case.
fn display_text(name: &str) -> String {
    let spaced = name.replace('.', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => spaced,
    }
}
