package audit

// ActionGroup is a kind of action that readers of the log choose from:
// Prefix finds every action under it (see Filter.Action), Actions are the
// ones the application records.
type ActionGroup struct {
	Prefix  string
	Actions []string
}

// Actions are the actions the application records, by group, for the
// readers' choice; an entry may carry one not listed (the CLI's, an older
// version's), and a filter may name any. "write" is what a change no
// domain named is recorded as: the route is in its detail.
var Actions = []ActionGroup{
	{"login", []string{"login.success", "login.failure", "login.unlock_addr"}},
	{"reveal", []string{"reveal.id_number", "reveal.phone"}},
	{"search", []string{"search.number"}},
	{"export", []string{"export.csv", "export.households"}},
	{"household", []string{"household.create", "household.update", "household.colour", "household.visitors"}},
	{"person", []string{"person.add", "person.update", "person.event"}},
	{"need", []string{"need.add", "need.update"}},
	{"plan", []string{"plan.add", "plan.update"}},
	{"visit", []string{"visit.record"}},
	{"request", []string{"request.submit", "request.accept", "request.refer", "request.decline", "request.merge",
		"request.progress", "request.hand_back", "request.extension", "request.extension_approve", "request.extension_refuse",
		"request.resolve", "request.callback"}},
	{"id_number", []string{"id_number.registered_elsewhere"}},
	{"user", []string{"user.add", "user.password_change"}},
	{"totp", nil},
	{"token", []string{"token.create", "token.delete"}},
	{"org", []string{"org.move", "org.renumber", "org.retire"}},
	{"import", []string{"import.households", "import.structure"}},
	{"settings", []string{"settings.totp_roles"}},
	{"setup", nil},
	{"key", []string{"key.rotate", "key.retire"}},
	{"backup", []string{"backup.restore"}},
	{"audit", []string{"audit.rekey", "audit.purge"}},
	{"write", nil},
}
