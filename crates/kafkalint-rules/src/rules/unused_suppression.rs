use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a suppression — a `# kafkalint: ignore[CODE]` comment or a
    /// `kafkalint.io/ignore` annotation — that suppressed no finding of that code. The engine's
    /// suppression pass reports it, after every other rule has run. Codes of rules the policy
    /// disables are not reported.
    ///
    /// ## Why is this bad?
    /// The problem it excused is gone (or was never there), but the comment stays and will
    /// silently hide the next real finding on that line.
    ///
    /// ## Example
    /// ```properties
    /// # kafkalint: ignore[REP002] fixed in INC-1234
    /// min.insync.replicas=2
    /// ```
    ///
    /// ## Fix
    /// Remove the suppression.
    pub struct UnusedSuppression {
        code: "SUP002",
        name: "unused-suppression",
        category: Suppression,
        severity: Warning,
    }
}

impl Rule for UnusedSuppression {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// Reported by the engine's suppression pass, which needs every other rule's findings.
    fn check(&self, _: &Context<'_>, _: &mut Vec<Finding>) {}
}
