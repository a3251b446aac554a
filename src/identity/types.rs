//! Enum columns of domains, accounts, users and roles.

use diesel::sql_types::{Integer, Unsigned};

use crate::types::{ordinal_enum, text_enum};

text_enum! {
    /// An account's or user's state (`Account.State`, stored lower-case).
    AccountState in "account.state / user.state" {
        Disabled = "disabled", Enabled = "enabled", Locked = "locked", Removed = "removed",
    }
}

ordinal_enum! {
    /// An account's type (`Account.Type`), stored as its ordinal.
    AccountType as u32, Unsigned<Integer>, in "account.type" {
        Normal = 0 as "NORMAL", Admin = 1 as "ADMIN", DomainAdmin = 2 as "DOMAIN_ADMIN", ResourceDomainAdmin = 3 as "RESOURCE_DOMAIN_ADMIN", ReadOnlyAdmin = 4 as "READ_ONLY_ADMIN",
        Project = 5 as "PROJECT", Unknown = 6 as "UNKNOWN",
    }
}

text_enum! {
    /// Where a user comes from (`User.Source`).
    UserSource in "user.source" {
        OAuth2 = "OAUTH2", Ldap = "LDAP", Saml2 = "SAML2", Saml2Disabled = "SAML2DISABLED",
        Unknown = "UNKNOWN", Native = "NATIVE",
    }
}

text_enum! {
    /// A domain's state (`Domain.State`).
    DomainState in "domain.state" { Active = "Active", Inactive = "Inactive" }
}

text_enum! {
    /// A domain's kind (`domain.type`; CloudStack does not map it to the entity).
    DomainType in "domain.type" { Normal = "Normal", Project = "Project" }
}

text_enum! {
    /// A role's type (`RoleType`).
    RoleType in "roles.role_type" {
        Admin = "Admin", ResourceAdmin = "ResourceAdmin", DomainAdmin = "DomainAdmin",
        User = "User", Unknown = "Unknown",
    }
}

text_enum! {
    /// Whether a role is in use (`Role.State`, stored lower-case).
    RoleState in "roles.state" { Enabled = "enabled", Disabled = "disabled" }
}

text_enum! {
    /// A role rule's verdict (`RolePermissionEntity.Permission`).
    Permission in "role_permissions.permission" { Allow = "ALLOW", Deny = "DENY" }
}
