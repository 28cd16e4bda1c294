use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a file kafkalint could not read: YAML or JSON that does not parse, an env file
    /// line that is not `KEY=value`, a malformed `.properties` escape, a file that is not text,
    /// or one over a hard limit (size, nesting depth, alias expansion, document count).
    ///
    /// ## Why is this bad?
    /// `kubectl apply` and kustomize refuse the same file, and every other rule is blind to it.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   replicas: 3
    ///  template: {}      # indentation breaks the mapping
    /// ```
    ///
    /// ## Fix
    /// Correct the file at the reported line and column. The run goes on with the other files.
    pub struct SyntaxError {
        code: "SYN001",
        name: "unreadable-file",
        category: Syntax,
        severity: Error,
    }
}

impl Rule for SyntaxError {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// Files that do not parse never reach the model; the engine reports them under this code.
    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}
