package web

// The dates of the programme pages (issue 17), kept apart so that
// dates_test.go's table stays as it was.
func init() {
	webDates = append(webDates, webDate{"/programmes/stats", "from", "from", "date"}, webDate{"/programmes/stats", "to", "to", "date"})
}
