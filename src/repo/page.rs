//! Keyset pagination: pages ordered by id, continued after the last id seen (no OFFSET scans).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::{Error, Result};

/// The largest page a list returns, whatever the caller asks for.
pub const MAX_PAGE_SIZE: u32 = 500;

/// Where the next page starts: an opaque token, stable across inserts and deletes.
///
/// ```
/// use cloudstack_db::repo::Cursor;
/// let c = Cursor::after_id(42);
/// assert_eq!(Cursor::parse(&c.to_string()).unwrap(), c);
/// assert!(Cursor::parse("not a cursor").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    last_id: u64,
}

impl Cursor {
    /// A cursor that continues after `id`.
    pub fn after_id(id: u64) -> Self {
        Self { last_id: id }
    }

    /// The id the next page starts after.
    pub fn last_id(self) -> u64 {
        self.last_id
    }

    /// Reads a token made by `to_string`.
    pub fn parse(token: &str) -> Result<Self> {
        let invalid = || Error::invalid_value("cursor", token, "not a page cursor");
        let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
        let text = std::str::from_utf8(&bytes).map_err(|_| invalid())?;
        let id = text.strip_prefix("id:").ok_or_else(invalid)?;
        Ok(Self::after_id(id.parse().map_err(|_| invalid())?))
    }
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&URL_SAFE_NO_PAD.encode(format!("id:{}", self.last_id)))
    }
}

/// Which page to return.
///
/// ```
/// use cloudstack_db::repo::PageRequest;
/// let first = PageRequest::first(50).with_total();
/// assert_eq!(first.limit(), 50);
/// assert_eq!(PageRequest::first(100_000).limit(), 500);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// Continue after this cursor (`None`: the first page).
    pub after: Option<Cursor>,
    /// Rows wanted (capped at [`MAX_PAGE_SIZE`], at least 1).
    pub size: u32,
    /// Also count every matching row (one more query).
    pub count_total: bool,
}

impl PageRequest {
    /// The first page of `size` rows.
    pub fn first(size: u32) -> Self {
        Self {
            after: None,
            size,
            count_total: false,
        }
    }

    /// The page after `cursor`.
    pub fn after(cursor: Cursor, size: u32) -> Self {
        Self {
            after: Some(cursor),
            size,
            count_total: false,
        }
    }

    /// Asks for the total count too.
    pub fn with_total(mut self) -> Self {
        self.count_total = true;
        self
    }

    /// The effective page size.
    pub fn limit(&self) -> u32 {
        self.size.clamp(1, MAX_PAGE_SIZE)
    }

    /// The id rows must be greater than.
    pub fn after_id(&self) -> u64 {
        self.after.map(Cursor::last_id).unwrap_or(0)
    }
}

/// One page of rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The rows, in id order.
    pub items: Vec<T>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<Cursor>,
    /// All matching rows, when asked for.
    pub total: Option<i64>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows fetched in id order (the extra row only tells
    /// that there is a next page).
    pub fn from_rows(
        mut rows: Vec<T>,
        request: &PageRequest,
        id: impl Fn(&T) -> u64,
        total: Option<i64>,
    ) -> Self {
        let limit = request.limit() as usize;
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next = if more {
            rows.last().map(|r| Cursor::after_id(id(r)))
        } else {
            None
        };
        Self {
            items: rows,
            next,
            total,
        }
    }
}
