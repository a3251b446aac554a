//! `async_job.job_result` the way CloudStack's API reads it (`ApiSerializerHelper`):
//! `<response class>/<object name>/<JSON>` — the Java class of the response, the name its JSON
//! object is shown under, and the response's fields. `queryAsyncJobResult` loads the class by
//! name and reads the JSON into it, so a result in any other shape shows no job result.
//! A failed API job holds CloudStack's `ExceptionResponse` in the same shape.

use crate::{Error, Result};

/// The response class CloudStack stores for a failed API job.
pub const EXCEPTION_RESPONSE: &str = "org.apache.cloudstack.api.response.ExceptionResponse";

/// A job result in CloudStack's shape, split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiResult {
    /// The Java class of the response, e.g. `org.apache.cloudstack.api.response.UserVmResponse`.
    pub response_class: String,
    /// The name the response object is shown under (`virtualmachine`); `None` for a result
    /// serialised without one.
    pub object_name: Option<String>,
    /// The response's fields as JSON.
    pub json: serde_json::Value,
}

impl ApiResult {
    /// A result of `response_class` shown as `object_name`, with `json` as its fields.
    ///
    /// ```
    /// use cloudstack_db::jobs::result::ApiResult;
    /// let r = ApiResult::new(
    ///     "org.apache.cloudstack.api.response.UserVmResponse",
    ///     "virtualmachine",
    ///     serde_json::json!({"id": "6d1d…", "state": "Running"}),
    /// );
    /// assert!(r.serialize().unwrap().starts_with(
    ///     "org.apache.cloudstack.api.response.UserVmResponse/virtualmachine/{"));
    /// ```
    pub fn new(
        response_class: impl Into<String>,
        object_name: impl Into<String>,
        json: serde_json::Value,
    ) -> Self {
        Self {
            response_class: response_class.into(),
            object_name: Some(object_name.into()),
            json,
        }
    }

    /// What CloudStack stores for an API job that failed with HTTP-style `error_code` (e.g. 530
    /// internal error, 431 parameter error) and `text`: its `ExceptionResponse`, with no object
    /// name (Java writes the string `null` there) and the fields `uuidList`, `errorcode`,
    /// `errortext`.
    ///
    /// ```
    /// use cloudstack_db::jobs::result::ApiResult;
    /// let stored = ApiResult::failure(530, "no host").serialize().unwrap();
    /// assert_eq!(stored, "org.apache.cloudstack.api.response.ExceptionResponse/null/\
    ///     {\"uuidList\":[],\"errorcode\":530,\"errortext\":\"no host\"}");
    /// ```
    pub fn failure(error_code: i32, text: &str) -> Self {
        let mut fields = serde_json::Map::new();
        fields.insert("uuidList".into(), serde_json::Value::Array(Vec::new()));
        fields.insert("errorcode".into(), error_code.into());
        fields.insert("errortext".into(), text.into());
        Self {
            response_class: EXCEPTION_RESPONSE.into(),
            object_name: None,
            json: serde_json::Value::Object(fields),
        }
    }

    /// The stored text: `<class>/<object name>/<JSON>` (`null` for no object name, as Java
    /// writes it). A class or object name holding `/`, or an empty class, cannot be read back
    /// by CloudStack and is [`Error::InvalidValue`].
    pub fn serialize(&self) -> Result<String> {
        let bad = |what: &str, value: &str| {
            Error::invalid_value(
                "async_job.job_result",
                value,
                format!("{what} with '/' or empty"),
            )
        };
        if self.response_class.is_empty() || self.response_class.contains('/') {
            return Err(bad("a response class", &self.response_class));
        }
        let name = self.object_name.as_deref().unwrap_or("null");
        if name.is_empty() || name.contains('/') {
            return Err(bad("an object name", name));
        }
        Ok(format!("{}/{name}/{}", self.response_class, self.json))
    }

    /// Reads a stored result as CloudStack does (`fromSerializedString`): the class up to the
    /// first `/`; with a second part, that is the object name and the JSON follows it. `None`
    /// for text CloudStack shows no job result for (no `/`, or JSON that does not parse).
    ///
    /// ```
    /// use cloudstack_db::jobs::result::ApiResult;
    /// let r = ApiResult::parse("com.cloud.Foo/foo/{\"path\":\"a/b\"}").unwrap();
    /// assert_eq!((r.object_name.as_deref(), r.json["path"].as_str()), (Some("foo"), Some("a/b")));
    /// assert!(ApiResult::parse("done").is_none());
    /// ```
    pub fn parse(stored: &str) -> Option<Self> {
        let mut parts = stored.split('/');
        let class = parts.next()?;
        let second = parts.next()?;
        let (object_name, content) = match parts.next() {
            None => (None, second),
            Some(_) => {
                let marker = format!("/{second}/");
                let at = stored.find(&marker)?;
                (Some(second), &stored[at + marker.len()..])
            }
        };
        let json = serde_json::from_str(content).ok()?;
        Some(Self {
            response_class: class.to_owned(),
            object_name: object_name.filter(|n| *n != "null").map(str::to_owned),
            json,
        })
    }
}
