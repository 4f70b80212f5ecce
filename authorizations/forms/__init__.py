"""Forms, one module per subdomain: import `authorizations.forms.applications`, `.certificates`, `.register`,
`.resources` or `.common` (the date widget, the admin's date field and the note/reason forms other apps reuse)."""
