"""Reads that carry rules (STYLE.md), one module per subdomain: import `authorizations.selectors.certificates`,
`.applications`, `.events`, `.resources`, `.dashboard` directly."""
