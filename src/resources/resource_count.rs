//! One row of `cloud`.`resource_count`.

use diesel::prelude::*;

use crate::schema::cloud::resource_count;
use crate::types::{AccountId, DomainId};

/// How much of one resource type an account or a domain (with everything below it) has.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = resource_count, check_for_backend(diesel::mysql::Mysql))]
pub struct ResourceCount {
    /// `id` bigint(20) unsigned.
    pub id: u64,
    /// The account counted (`NULL` for a domain's row).
    pub account_id: Option<AccountId>,
    /// The domain counted (`NULL` for an account's row).
    pub domain_id: Option<DomainId>,
    /// The type's stored name (see [`super::ResourceType`]).
    #[diesel(column_name = type_)]
    pub resource_type: Option<String>,
    /// The count.
    pub count: i64,
    /// The host or storage tag counted, `NULL` for the row of every resource of the type.
    pub tag: Option<String>,
}
