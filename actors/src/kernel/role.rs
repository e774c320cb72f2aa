//! The two sides of a call. Receives nothing and sends nothing: a plain value type shared by the
//! matchmaker, the sessions and the wire dialects.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Which side of a call a leg is on; on the wire `"customer"` or `"agent"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The person asking for help.
    Customer,
    /// The person (or desk) answering.
    Agent,
}

impl Role {
    /// The side this one is paired with.
    pub fn partner(self) -> Role {
        match self {
            Role::Customer => Role::Agent,
            Role::Agent => Role::Customer,
        }
    }

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Customer => "customer",
            Role::Agent => "agent",
        }
    }

    /// 0 for the customer, 1 for the agent: the index of the leg in per-role arrays.
    pub fn index(self) -> usize {
        match self {
            Role::Customer => 0,
            Role::Agent => 1,
        }
    }
}
