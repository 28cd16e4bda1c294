use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a suppression — a `# kafkalint: ignore[CODE]` comment or a
    /// `kafkalint.io/ignore` annotation — naming a code that is neither a built-in rule nor a
    /// custom rule of the policy. The engine's suppression pass reports it, after every other
    /// rule has run.
    ///
    /// ## Why is this bad?
    /// A typo'd code (`REP01`, `MEM-001`) suppresses nothing, so the finding it was meant for
    /// is still reported — or, worse, the comment looks like a reviewed exception when it is not.
    ///
    /// ## Example
    /// ```yaml
    /// # kafkalint: ignore[REP01] single broker in CI
    /// default.replication.factor: "1"
    /// ```
    ///
    /// ## Fix
    /// Use the code `kafkalint rules` lists (`REP001`), or remove the comment.
    pub struct UnknownSuppression {
        code: "SUP001",
        name: "unknown-suppression-code",
        category: Suppression,
        severity: Warning,
    }
}

impl Rule for UnknownSuppression {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// Reported by the engine's suppression pass, which needs every other rule's findings.
    fn check(&self, _: &Context<'_>, _: &mut Vec<Finding>) {}
}
