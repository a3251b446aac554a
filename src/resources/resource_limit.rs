//! One row of `cloud`.`resource_limit`.

use diesel::prelude::*;

use crate::schema::cloud::resource_limit;
use crate::types::{AccountId, DomainId};

/// A limit an administrator set for an account or a domain (`-1` = unlimited).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = resource_limit, check_for_backend(diesel::mysql::Mysql))]
pub struct ResourceLimit {
    /// `id` bigint(20) unsigned.
    pub id: u64,
    /// The domain limited (`NULL` for an account's limit).
    pub domain_id: Option<DomainId>,
    /// The account limited (`NULL` for a domain's limit).
    pub account_id: Option<AccountId>,
    /// The type's stored name (see [`super::ResourceType`]).
    #[diesel(column_name = type_)]
    pub resource_type: Option<String>,
    /// The limit.
    pub max: i64,
    /// The tag limited, `NULL` for the limit of every resource of the type.
    pub tag: Option<String>,
}
