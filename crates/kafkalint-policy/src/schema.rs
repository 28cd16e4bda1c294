//! The JSON Schema of policy files, for editors (`policies/kafkalint.schema.json`).

/// The schema as pretty JSON, ending with a newline.
pub fn policy_schema_json() -> String {
    let schema = schemars::schema_for!(crate::PolicyFile);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
